//! The browser bundle under `/pkg/`: a release's content-hashed names are what the page links,
//! sent precompressed and cached for a year; unhashed (debug) files are revalidated.

use backend::db_test;

use crate::helpers::spawn_app_with;

/// A site root laid out as `scripts/release` does, with its hash file.
fn release_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let pkg = dir.path().join("pkg");
    std::fs::create_dir(&pkg).expect("pkg");
    for (ext, hash) in [
        ("js", "aaaa1111"),
        ("wasm", "bbbb2222"),
        ("css", "cccc3333"),
    ] {
        let name = format!("inventory-sync.{hash}.{ext}");
        std::fs::write(pkg.join(&name), "plain").expect("file");
        std::fs::write(pkg.join(format!("{name}.br")), "brotli").expect("br");
        std::fs::write(pkg.join(format!("{name}.gz")), "gzip").expect("gz");
    }
    std::fs::write(
        dir.path().join("hash.txt"),
        "js: aaaa1111\nwasm: bbbb2222\ncss: cccc3333\n",
    )
    .expect("hash file");
    dir
}

db_test!(
    a_release_page_links_hashed_files_sent_precompressed_and_immutable,
    |db| async move {
        // Arrange
        let site = release_site();
        let root = site.path().to_string_lossy().into_owned();
        let hash_file = site.path().join("hash.txt").to_string_lossy().into_owned();
        let flags = [
            "--site-root",
            &root,
            "--hash-files",
            "true",
            "--hash-file",
            &hash_file,
        ];
        let app = spawn_app_with(&db, &flags).await;
        let client = reqwest::Client::new();
        let wasm = format!("{}/pkg/inventory-sync.bbbb2222.wasm", app.address);

        // Act
        let page = client
            .get(format!("{}/login", app.address))
            .send()
            .await
            .expect("page");
        let page = page.text().await.expect("html");
        let br = client
            .get(&wasm)
            .header("accept-encoding", "gzip, br")
            .send()
            .await
            .expect("wasm");
        let plain = client.get(&wasm).send().await.expect("wasm");
        let missing = client
            .get(format!("{}/pkg/inventory-sync.ffff.wasm", app.address))
            .send()
            .await
            .expect("missing");

        // Assert
        for name in [
            "/pkg/inventory-sync.aaaa1111.js",
            "/pkg/inventory-sync.bbbb2222.wasm",
            "/pkg/inventory-sync.cccc3333.css",
        ] {
            assert!(page.contains(name), "{name} linked");
        }
        assert_eq!(br.status(), 200);
        assert_eq!(br.headers()["content-encoding"], "br");
        assert_eq!(
            br.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(br.headers()["vary"], "accept-encoding");
        assert_eq!(br.text().await.expect("body"), "brotli");
        assert!(!plain.headers().contains_key("content-encoding"));
        assert_eq!(plain.text().await.expect("body"), "plain");
        assert_eq!(missing.status(), 404);
        assert!(!missing.headers().contains_key("cache-control"));
    }
);

db_test!(unhashed_files_are_revalidated, |db| async move {
    let site = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(site.path().join("pkg")).expect("pkg");
    std::fs::write(site.path().join("pkg/inventory-sync.wasm"), "plain").expect("file");
    let root = site.path().to_string_lossy().into_owned();
    let app = spawn_app_with(&db, &["--site-root", &root, "--hash-files", "false"]).await;

    let response = reqwest::get(format!("{}/pkg/inventory-sync.wasm", app.address))
        .await
        .expect("wasm");

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-cache");
});
