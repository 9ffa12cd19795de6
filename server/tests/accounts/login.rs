//! `/api/log_in`: the right password starts a fresh session; anything else gets one answer.

use app::error::AppError;
use backend::db_test;
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, api_error, owner, spawn_app};

db_test!(
    the_right_password_logs_in_under_a_new_session_id,
    |db| async move {
        // Arrange: a browser logged in once, then out; its old session id kept.
        let app = spawn_app(&db).await;
        let anna = owner(&db, "acme").await;
        let browser = app.browser();
        browser.csrf_token().await;
        assert_eq!(
            browser.cookie("sid"),
            None,
            "the login form stores no session"
        );
        assert_eq!(
            browser.log_in("Owner@Acme.test", PASSWORD).await.status(),
            StatusCode::OK
        );
        let before = browser
            .cookie("sid")
            .expect("a session after the first login");

        // Act
        let response = browser.log_in("Owner@Acme.test", PASSWORD).await;

        // Assert
        assert_eq!(response.status(), StatusCode::OK);
        let after = browser.cookie("sid").expect("a session after login");
        assert_ne!(before, after, "the session id is cycled at login");
        assert_eq!(
            browser.user_email().await.as_deref(),
            Some(anna.email.as_str())
        );
        let planted = app.browser();
        planted.set_cookie("sid", &before);
        assert_eq!(planted.user_email().await, None, "the old id is worthless");
    }
);

db_test!(
    a_wrong_password_and_an_unknown_email_get_the_same_answer,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        owner(&db, "acme").await;
        let browser = app.browser();

        // Act
        let wrong_password =
            api_error(browser.log_in("owner@acme.test", "not the password").await).await;
        let unknown_email = api_error(browser.log_in("nobody@acme.test", PASSWORD).await).await;
        let malformed_email = api_error(browser.log_in("nobody", PASSWORD).await).await;

        // Assert
        assert_eq!(
            wrong_password,
            (StatusCode::UNAUTHORIZED, AppError::InvalidCredentials)
        );
        assert_eq!(unknown_email, wrong_password);
        assert_eq!(malformed_email, wrong_password);
        assert_eq!(browser.user_email().await, None);
    }
);

db_test!(logging_in_again_switches_the_user, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let browser = app.signed_up("first").await;
    let other = owner(&db, "second").await;

    // Act
    let response = browser.log_in(other.email.as_str(), PASSWORD).await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    let session = browser.session().await;
    assert_eq!(session["user"]["email"], "owner@second.test");
    assert_eq!(session["user"]["company"], "second ApS");
});
