//! Anonymous visitors: showing a form stores nothing; their CSRF token is bound to their own
//! signed cookie (the signed double-submit pattern), so another browser's token or a forged
//! cookie is refused.

use app::error::AppError;
use backend::db_test;
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, api_error, csrf_from_html, owner, session_rows, spawn_app};

db_test!(viewing_the_login_page_stores_no_session, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;

    // Act: 200 visitors without cookies, each looking at the login page and its session view.
    for _ in 0..200 {
        let browser = app.browser();
        let (status, page) = browser.page("/login").await;
        assert_eq!(status, StatusCode::OK);
        csrf_from_html(&page);
        assert!(browser.session().await["user"].is_null());
    }

    // Assert
    assert_eq!(session_rows(&db).await, 0);
});

db_test!(
    an_anonymous_token_works_only_with_its_own_cookie,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let anna = owner(&db, "acme").await;
        let attacker = app.browser();
        let attackers_token = attacker.csrf_token().await;
        let victim = app.browser();
        let victims_token = victim.csrf_token().await;
        let log_in = |token: String| {
            vec![
                ("csrf_token", token),
                ("email", anna.email.as_str().to_owned()),
                ("password", PASSWORD.to_owned()),
            ]
        };
        let post = |browser: &crate::helpers::Browser, fields: Vec<(&'static str, String)>| {
            let request = browser
                .client
                .post(browser.url("/api/log_in"))
                .form(&fields);
            async move { request.send().await.expect("POST log_in") }
        };

        // Act
        let foreign = post(&victim, log_in(attackers_token.clone())).await;
        let without_cookie = post(&app.browser(), log_in(victims_token.clone())).await;
        let forged = app.browser();
        forged.set_cookie("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        let forged = post(&forged, log_in(victims_token.clone())).await;
        let own = post(&victim, log_in(victims_token)).await;

        // Assert
        for refused in [foreign, without_cookie, forged] {
            assert_eq!(
                api_error(refused).await,
                (StatusCode::FORBIDDEN, AppError::Csrf)
            );
        }
        assert_eq!(own.status(), StatusCode::OK);
        assert_eq!(
            victim.user_email().await.as_deref(),
            Some(anna.email.as_str())
        );
        assert_eq!(
            session_rows(&db).await,
            1,
            "only the login stored a session"
        );
    }
);
