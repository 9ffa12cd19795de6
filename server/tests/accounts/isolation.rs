//! Tenant isolation over HTTP: a user of one company never sees another company's data, on any
//! route the router has.

use backend::db_test;
use leptos::server_fn::axum::server_fn_paths;
use reqwest::StatusCode;
use reqwest::header::ACCEPT;

use crate::helpers::{Browser, TestApp, member_emails, spawn_app};

/// Company `alphaco` (owner only) and company `bravoco` (owner, member bo, a pending invite for
/// carl, and an unused invite token): every piece of bravoco's data contains "bravoco".
pub(crate) async fn two_companies(app: &TestApp) -> (Browser, Browser, String) {
    let alpha = app.signed_up("alphaco").await;
    let bravo = app.signed_up("bravoco").await;
    let bo_token = bravo.invite("bo@bravoco.test").await;
    let joined = app
        .browser()
        .accept_invite(&bo_token, "Bo of bravoco", "bo's own password")
        .await;
    assert_eq!(joined.status(), StatusCode::OK);
    let open_token = bravo.invite("carl@bravoco.test").await;
    (alpha, bravo, open_token)
}

db_test!(the_team_api_shows_only_the_own_company, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let (alpha, bravo, _) = two_companies(&app).await;

    // Act
    let alpha_team = alpha.team().await;
    let bravo_team = bravo.team().await;

    // Assert
    assert_eq!(member_emails(&alpha_team), ["owner@alphaco.test"]);
    assert_eq!(alpha_team["invites"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        member_emails(&bravo_team),
        ["bo@bravoco.test", "owner@bravoco.test"]
    );
    assert_eq!(bravo_team["invites"].as_array().map(Vec::len), Some(1));
    assert_eq!(alpha.session().await["user"]["company"], "alphaco ApS");
});

db_test!(
    an_invite_is_made_for_the_own_company_whatever_the_form_says,
    |db| async move {
        // Arrange: the form names bravoco's tenant id; the server must take the tenant from the
        // session alone.
        let app = spawn_app(&db).await;
        let (alpha, bravo, _) = two_companies(&app).await;
        let token = alpha.csrf_token().await;
        let fields = [
            ("csrf_token", token.as_str()),
            ("email", "dan@example.test"),
            ("tenant_id", "2"),
        ];

        // Act
        let response = alpha.post_form("/api/create_invite", &fields).await;

        // Assert: made in alphaco (or refused), never in bravoco.
        let bravo_invites = bravo.team().await["invites"].clone();
        assert!(
            !bravo_invites.to_string().contains("dan@example.test"),
            "{bravo_invites}"
        );
        if response.status().is_success() {
            let alpha_invites = alpha.team().await["invites"].to_string();
            assert!(
                alpha_invites.contains("dan@example.test"),
                "{alpha_invites}"
            );
        }
    }
);

db_test!(no_route_shows_another_company, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let (alpha, _bravo, bravo_token) = two_companies(&app).await;
    let paths = every_get_path(&bravo_token);
    assert!(
        paths.iter().any(|p| p == "/team"),
        "the page list is complete: {paths:?}"
    );
    assert!(
        paths.iter().any(|p| p == "/api/team"),
        "the API list is complete: {paths:?}"
    );

    assert_no_page_shows(&alpha, &paths, "bravoco").await;
    let (_, team_page) = alpha.page("/team").await;
    assert!(
        team_page.contains("owner@alphaco.test"),
        "the probe sees own data: {team_page}"
    );
});

/// GETs every path as `browser` and fails if an answer is a server error or contains `needle`
/// (a word that is in every piece of another company's data).
pub(crate) async fn assert_no_page_shows(browser: &Browser, paths: &[String], needle: &str) {
    for path in paths {
        // The invitation page names the inviting company to whoever holds the link (the probe
        // fills in another company's open invite): that is what the link is for.
        if path.starts_with("/invite/") {
            continue;
        }
        // Act
        let response = browser
            .client
            .get(browser.url(path))
            .header(ACCEPT, "text/html,application/json")
            .send()
            .await
            .expect("GET");

        // Assert
        let status = response.status();
        let body = response.text().await.expect("body");
        assert!(!status.is_server_error(), "{path}: {status}");
        assert!(
            !body.contains(needle),
            "{path} shows {needle}'s data: {body}"
        );
    }
}

/// Every GET route: the Leptos pages (parameters filled with `param`), the GET server functions,
/// and the plain axum routes.
pub(crate) fn every_get_path(param: &str) -> Vec<String> {
    let mut paths: Vec<String> = server::page_paths()
        .iter()
        .map(|path| {
            path.split('/')
                .map(|segment| {
                    if segment.starts_with([':', '{', '*']) {
                        param
                    } else {
                        segment
                    }
                })
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect();
    paths.extend(
        server_fn_paths()
            .filter(|(_, method)| *method == http::Method::GET)
            .map(|(path, _)| path.to_owned()),
    );
    paths.extend(["/healthz", "/readyz", "/lang/en?next=/team"].map(str::to_owned));
    paths.sort();
    paths.dedup();
    paths
}
