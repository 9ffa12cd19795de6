//! `/api/log_out`: the session is gone, in this browser and for anyone holding its id.

use app::error::AppError;
use backend::db_test;
use reqwest::StatusCode;

use crate::helpers::{api_error, location, spawn_app};

db_test!(logging_out_ends_the_session, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let browser = app.signed_up("acme").await;
    let sid = browser.cookie("sid").expect("a session cookie");

    // Act
    let response = browser.log_out().await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        browser.user_email().await,
        None,
        "this browser is logged out"
    );
    let (status, error) = api_error(browser.get("/api/team").await).await;
    assert_eq!(
        (status, error),
        (StatusCode::UNAUTHORIZED, AppError::NotAuthenticated)
    );
    let stolen = app.browser();
    stolen.set_cookie("sid", &sid);
    assert_eq!(
        stolen.user_email().await,
        None,
        "the old id no longer authenticates"
    );
});

db_test!(
    the_html_log_out_form_goes_to_the_login_page,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let browser = app.signed_up("acme").await;
        let token = browser.csrf_token().await;

        // Act
        let response = browser
            .submit_form(
                "/api/log_out",
                "/settings",
                &[("csrf_token", token.as_str())],
            )
            .await;

        // Assert
        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(location(&response), "/login?logged_out=1");
        assert_eq!(browser.user_email().await, None);
    }
);
