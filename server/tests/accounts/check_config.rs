//! `server check-config` and the start-up refusal as an operator meets them, through the real
//! binary: one clear line per problem and a non-zero exit, on SQLite and PostgreSQL.

use std::path::Path;
use std::process::{Command, Output};

use backend::Keys;
use backend::testing::{Backend, TestDb};

/// Every setting these tests give, removed from the environment so the machine's cannot leak in.
const VARIABLES: [&str; 9] = [
    "SMTP_URL",
    "MAIL_FROM",
    "APP_SECRET_KEY",
    "PUBLIC_URL",
    "DEMO",
    "ECONOMIC_BASE_URL",
    "ECONOMIC_WEBHOOKS_API_URL",
    "ECONOMIC_APP_SECRET_TOKEN",
    "ALLOW_INSECURE_PUBLIC_URL",
];

fn server(args: &[&str], site_root: &Path, database_url: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    for name in VARIABLES {
        command.env_remove(name);
    }
    command
        .args(args)
        .args(["--database-url", database_url, "--site-addr", "127.0.0.1:0"])
        .arg("--site-root")
        .arg(site_root)
        .args(["--hash-files", "false"])
        .env("RUST_LOG", "warn")
        .output()
        .expect("run the server binary")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A site root with the files the page links (their content does not matter here).
fn site_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("pkg")).expect("pkg");
    for ext in ["js", "wasm", "css"] {
        std::fs::write(dir.path().join(format!("pkg/inventory-sync.{ext}")), "x").expect("file");
    }
    dir
}

async fn check_config(backend: Backend) {
    // Arrange
    let test_db = TestDb::new(backend).await;
    let site = site_root();
    let key = Keys::generate_master_base64();
    let good = [
        "check-config",
        "--secret-key",
        &key,
        "--public-url",
        "https://sync.example.com",
        "--economic-app-secret-token",
        "our-app-token",
    ];
    let bad = [
        "check-config",
        "--public-url",
        "http://sync.example.com",
        "--economic-webhooks-api-url",
        "http://webhooks.example.com/v1",
        "--economic-app-secret-token",
        "our-app-token",
    ];
    let empty = tempfile::tempdir().expect("temp dir");

    // Act
    let ok = server(&good, site.path(), test_db.url());
    let problems = server(&bad, site.path(), test_db.url());
    let no_bundle = server(&good, empty.path(), test_db.url());

    // Assert
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("configuration OK"), "{}", text(&ok));
    assert!(
        text(&ok).contains("warning: SMTP_URL is not set"),
        "production without SMTP is warned about: {}",
        text(&ok)
    );
    assert!(!problems.status.success());
    let report = text(&problems);
    assert!(
        report.contains("error: APP_SECRET_KEY is required"),
        "{report}"
    );
    assert!(
        report.contains("error: PUBLIC_URL http://sync.example.com is plain http"),
        "{report}"
    );
    assert!(
        report.contains(
            "error: ECONOMIC_WEBHOOKS_API_URL is not a usable URL: e-conomic is reached over https"
        ),
        "{report}"
    );
    assert!(report.contains("3 problem(s) found"), "{report}");
    assert!(!no_bundle.status.success());
    assert!(
        text(&no_bundle).contains("the browser bundle is incomplete"),
        "{}",
        text(&no_bundle)
    );
}

#[tokio::test]
async fn check_config_reports_each_problem_sqlite() {
    check_config(Backend::Sqlite).await;
}

#[tokio::test]
async fn check_config_reports_each_problem_postgres() {
    check_config(Backend::Postgres).await;
}

/// The least-privilege login the tests' app uses passes quietly; the administrator's superuser
/// login on the same database is warned about (a warning: the configuration still works).
#[tokio::test]
async fn check_config_warns_about_a_superuser_login_postgres() {
    // Arrange
    let test_db = TestDb::new(Backend::Postgres).await;
    let site = site_root();
    let key = Keys::generate_master_base64();
    let args = [
        "check-config",
        "--secret-key",
        &key,
        "--public-url",
        "https://sync.example.com",
        "--economic-app-secret-token",
        "our-app-token",
    ];
    let admin = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| backend::testing::DEFAULT_POSTGRES_URL.into());
    let database = test_db.url().rsplit('/').next().expect("database name");
    let (server_part, _) = admin.rsplit_once('/').expect("admin URL with a database");
    let as_superuser = format!("{server_part}/{database}");

    // Act
    let app_login = server(&args, site.path(), test_db.url());
    let superuser = server(&args, site.path(), &as_superuser);

    // Assert
    assert!(app_login.status.success(), "{}", text(&app_login));
    assert!(
        !text(&app_login).contains("DATABASE_URL's login"),
        "{}",
        text(&app_login)
    );
    assert!(superuser.status.success(), "{}", text(&superuser));
    assert!(
        text(&superuser).contains("warning: DATABASE_URL's login is a superuser"),
        "{}",
        text(&superuser)
    );
    test_db.cleanup().await;
}

#[test]
fn an_unreachable_database_is_reported() {
    let site = site_root();
    let key = Keys::generate_master_base64();
    // Nothing listens on port 1.
    let url = "postgres://postgres@127.0.0.1:1/postgres";
    let args = [
        "check-config",
        "--secret-key",
        &key,
        "--economic-app-secret-token",
        "our-app-token",
    ];

    let output = server(&args, site.path(), url);

    assert!(!output.status.success());
    assert!(
        text(&output).contains("DATABASE_URL: cannot open the database"),
        "{}",
        text(&output)
    );
}

/// `serve` outside demo mode refuses to start rather than run insecurely; the override lets an
/// operator start on plain http knowingly.
async fn serve_refuses(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let site = site_root();
    let weak = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let key = Keys::generate_master_base64();

    let missing = server(&["serve"], site.path(), test_db.url());
    let weak_key = server(&["serve", "--secret-key", weak], site.path(), test_db.url());
    let http = server(
        &[
            "serve",
            "--secret-key",
            &key,
            "--public-url",
            "http://sync.example.com",
        ],
        site.path(),
        test_db.url(),
    );

    assert!(!missing.status.success());
    assert!(
        text(&missing).contains("APP_SECRET_KEY is required"),
        "{}",
        text(&missing)
    );
    assert!(!weak_key.status.success());
    assert!(
        text(&weak_key).contains("APP_SECRET_KEY looks weak"),
        "{}",
        text(&weak_key)
    );
    assert!(!http.status.success());
    assert!(text(&http).contains("plain http"), "{}", text(&http));
}

/// Invalid mail settings: a clear line from `check-config`, and `serve` refuses to start.
#[test]
fn invalid_mail_settings_are_reported_and_refused() {
    let site = site_root();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/app.db?mode=rwc", dir.path().display());
    let key = Keys::generate_master_base64();
    let with = |command: &'static str, smtp: &'static str, from: &'static str| {
        let args = [
            command,
            "--secret-key",
            key.as_str(),
            "--economic-app-secret-token",
            "our-app-token",
            "--smtp-url",
            smtp,
            "--mail-from",
            from,
        ];
        server(&args, site.path(), &url)
    };

    let good = with(
        "check-config",
        "smtps://u:p@mail.example.com:465",
        "Sync <noreply@example.com>",
    );
    let bad_url = with("check-config", "mail.example.com:25", "noreply@example.com");
    let bad_from = with(
        "check-config",
        "smtp://127.0.0.1:2525",
        "noreply at example",
    );
    let refused = with("serve", "http://mail.example.com", "noreply@example.com");

    assert!(good.status.success(), "{}", text(&good));
    assert!(
        !text(&good).contains("SMTP_URL is not set"),
        "{}",
        text(&good)
    );
    assert!(!bad_url.status.success());
    assert!(
        text(&bad_url).contains("error: SMTP_URL is not a usable SMTP URL"),
        "{}",
        text(&bad_url)
    );
    assert!(
        !text(&bad_url).contains("mail.example.com:25"),
        "the URL itself is never echoed"
    );
    assert!(!bad_from.status.success());
    assert!(
        text(&bad_from).contains("error: MAIL_FROM is not a usable sender"),
        "{}",
        text(&bad_from)
    );
    assert!(
        !refused.status.success(),
        "serve refuses: {}",
        text(&refused)
    );
    assert!(
        text(&refused).contains("SMTP_URL is not a usable SMTP URL"),
        "{}",
        text(&refused)
    );
}

#[tokio::test]
async fn serve_refuses_an_insecure_configuration_sqlite() {
    serve_refuses(Backend::Sqlite).await;
}

#[tokio::test]
async fn serve_refuses_an_insecure_configuration_postgres() {
    serve_refuses(Backend::Postgres).await;
}
