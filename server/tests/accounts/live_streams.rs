//! Live history streams (`GET /events/live`) are capped per session and end with their session
//! or impersonation.

use std::time::Duration;

use backend::db_test;
use reqwest::StatusCode;

use crate::helpers::{Browser, owner, spawn_app};
use crate::impersonation::{REASON, assert_done, post, staff_browser, start, tenant_of};

/// The most a test waits for a stream to end: a guard against hanging, not a timing.
const PATIENCE: Duration = Duration::from_secs(60);

/// Opens a live stream and reads until its first look is taken.
async fn open(browser: &Browser) -> reqwest::Response {
    let mut response = browser.get("/events/live").await;
    assert_eq!(response.status(), StatusCode::OK, "a live stream");
    let mut seen = String::new();
    while !seen.contains("event: ready") {
        let chunk = response
            .chunk()
            .await
            .expect("bytes")
            .expect("the stream stays open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    response
}

/// Reads the stream until the server ends it; fails if it is still open after [`PATIENCE`].
async fn ends(mut response: reqwest::Response) {
    let ended = tokio::time::timeout(PATIENCE, async {
        loop {
            match response.chunk().await {
                Ok(Some(_)) => continue,
                Ok(None) | Err(_) => return,
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream went on after its session ended");
}

db_test!(one_session_holds_only_a_few_live_streams, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let acme = owner(&db, "acme").await;
    let browser = app.browser();
    browser.log_in(acme.email.as_str(), &acme.password).await;
    let mut streams = Vec::new();
    for _ in 0..server::LIVE_PER_SESSION {
        streams.push(open(&browser).await);
    }

    // Act
    let one_more = browser.get("/events/live").await;
    let other_session = app.browser();
    other_session
        .log_in(acme.email.as_str(), &acme.password)
        .await;
    let elsewhere = open(&other_session).await;

    // Assert
    assert_eq!(one_more.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(one_more.headers().contains_key("retry-after"));
    assert_eq!(
        elsewhere.status(),
        StatusCode::OK,
        "another session has its own"
    );
    drop(streams);
});

db_test!(a_live_stream_ends_with_its_session, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let acme = owner(&db, "acme").await;
    let browser = app.browser();
    browser.log_in(acme.email.as_str(), &acme.password).await;
    let stream = open(&browser).await;

    // Act
    let logged_out = browser.log_out().await;

    // Assert
    assert!(logged_out.status().is_success() || logged_out.status().is_redirection());
    ends(stream).await;
});

db_test!(
    a_live_stream_ends_when_the_owner_forbids_support,
    |db| async move {
        // Arrange: support look at alphaco's history live.
        let app = spawn_app(&db).await;
        let owner = app.signed_up("alphaco").await;
        let tenant = tenant_of(&owner).await;
        let staff = staff_browser(&app, &db).await;
        assert_done(&start(&staff, tenant, REASON).await);
        let stream = open(&staff).await;

        // Act
        let saved = post(
            &owner,
            "/api/set_support_access",
            &[("choice", "Forbidden")],
        )
        .await;

        // Assert
        assert_done(&saved);
        ends(stream).await;
    }
);
