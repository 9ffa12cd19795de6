//! Sessions: stored in the database, ids cycled at login, made-up ids worthless.

use app::error::AppError;
use backend::db_test;
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, api_error, owner, session_rows, spawn_app};

db_test!(
    a_planted_session_id_is_worthless_after_login,
    |db| async move {
        // Arrange: the attacker logs in to their own account (anonymous visitors have no session
        // id to plant) and plants that session's id in the victim's browser.
        let app = spawn_app(&db).await;
        let anna = owner(&db, "acme").await;
        let eve = owner(&db, "evil").await;
        let attacker = app.browser();
        assert_eq!(
            attacker.log_in(eve.email.as_str(), PASSWORD).await.status(),
            StatusCode::OK
        );
        let planted = attacker.cookie("sid").expect("attacker's session");
        let victim = app.browser();
        victim.set_cookie("sid", &planted);

        // Act
        let response = victim.log_in(anna.email.as_str(), PASSWORD).await;

        // Assert
        assert_eq!(response.status(), StatusCode::OK);
        assert_ne!(victim.cookie("sid").as_deref(), Some(planted.as_str()));
        assert_eq!(
            victim.user_email().await.as_deref(),
            Some("owner@acme.test")
        );
        assert_eq!(
            attacker.user_email().await,
            None,
            "the planted id is dropped at the victim's login, never carrying her"
        );
    }
);

db_test!(a_made_up_session_id_is_ignored, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let browser = app.browser();
    browser.set_cookie("sid", "AAAAAAAAAAAAAAAAAAAAAA");

    // Act
    let session = browser.session().await;

    // Assert: nobody is logged in under it, and it was not stored either.
    assert!(session["user"].is_null());
    assert_eq!(session_rows(&db).await, 0);
});

db_test!(the_csrf_token_changes_at_login, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let anna = owner(&db, "acme").await;
    let browser = app.browser();
    let before = browser.csrf_token().await;
    assert_eq!(
        browser.log_in(anna.email.as_str(), PASSWORD).await.status(),
        StatusCode::OK
    );

    // Act
    let after = browser.csrf_token().await;
    let stale = browser
        .post_form(
            "/api/create_invite",
            &[("csrf_token", before.as_str()), ("email", "bo@acme.test")],
        )
        .await;

    // Assert
    assert_ne!(before, after);
    assert_eq!(
        api_error(stale).await,
        (StatusCode::FORBIDDEN, AppError::Csrf)
    );
});

db_test!(two_browsers_of_one_user_are_independent, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let anna = owner(&db, "acme").await;
    let laptop = app.browser();
    let phone = app.browser();
    for browser in [&laptop, &phone] {
        assert_eq!(
            browser.log_in(anna.email.as_str(), PASSWORD).await.status(),
            StatusCode::OK
        );
    }

    // Act
    laptop.log_out().await;

    // Assert
    assert_eq!(laptop.user_email().await, None);
    assert_eq!(phone.user_email().await.as_deref(), Some("owner@acme.test"));
});

db_test!(sessions_live_in_the_database, |db| async move {
    // Arrange: a second server on the same database (as after a restart or on another node).
    // The first keeps running: stopping it would close the shared pool.
    let first = spawn_app(&db).await;
    let browser = first.signed_up("acme").await;
    let second = spawn_app(&db).await;

    // Act
    let browser = browser.moved_to(&second);

    // Assert
    assert_eq!(
        browser.user_email().await.as_deref(),
        Some("owner@acme.test")
    );
});
