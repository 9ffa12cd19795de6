//! Login throttling over HTTP: per account (10 failures) and per client address (50).

use app::error::AppError;
use app::i18n::{Lang, Msg};
use backend::db_test;
use backend::throttle::{MAX_ACCOUNT_FAILURES, MAX_IP_FAILURES};
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, api_error, owner, record_ip_failures, spawn_app, spawn_app_with};

db_test!(ten_wrong_passwords_lock_the_account, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let anna = owner(&db, "acme").await;
    let attacker = app.browser();
    for _ in 0..MAX_ACCOUNT_FAILURES {
        let (_, error) =
            api_error(attacker.log_in(anna.email.as_str(), "wrong password").await).await;
        assert_eq!(error, AppError::InvalidCredentials);
    }

    // Act: even the right password, from another browser, is refused now.
    let (status, error) =
        api_error(app.browser().log_in(anna.email.as_str(), PASSWORD).await).await;

    // Assert
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let AppError::TooManyAttempts { retry_after_secs } = error else {
        panic!("expected TooManyAttempts, got {error:?}");
    };
    assert!(
        (1..=15 * 60).contains(&retry_after_secs),
        "{retry_after_secs}"
    );
    assert!(
        Msg::ErrorTooManyAttempts
            .text(Lang::Da)
            .contains("For mange"),
        "a clear message"
    );
    let other = owner(&db, "other").await;
    let response = app.browser().log_in(other.email.as_str(), PASSWORD).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "other accounts are not affected"
    );
});

db_test!(the_login_page_explains_the_lock, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let anna = owner(&db, "acme").await;
    let browser = app.browser();
    for _ in 0..MAX_ACCOUNT_FAILURES {
        browser.log_in(anna.email.as_str(), "wrong password").await;
    }
    let token = browser.csrf_token().await;
    let fields = [
        ("csrf_token", token.as_str()),
        ("email", anna.email.as_str()),
        ("password", PASSWORD),
    ];

    // Act
    let response = browser.submit_form("/api/log_in", "/login", &fields).await;

    // Assert
    assert_eq!(response.status(), StatusCode::FOUND);
    let back = crate::helpers::location(&response);
    let (_, html) = browser
        .page(back.trim_start_matches(&browser.address))
        .await;
    assert!(
        html.contains(Msg::ErrorTooManyAttempts.text(Lang::Da)),
        "the page says why: {html}"
    );
});

db_test!(
    fifty_failures_from_one_address_block_it_for_every_account,
    |db| async move {
        // Arrange: behind a trusted proxy, so that the test can choose client addresses.
        let app = spawn_app_with(&db, &["--trust-proxy-headers"]).await;
        owner(&db, "acme").await;
        let limit = usize::try_from(MAX_IP_FAILURES).expect("small limit");
        // All but one failure recorded directly (50 argon2 runs would be slow); the last over HTTP.
        record_ip_failures(&db, "198.51.100.7", limit - 1).await;
        let attacker = app.browser();
        let token = attacker.csrf_token().await;
        let login = |email: &'static str, password: &'static str, ip: &'static str| {
            let token = token.clone();
            let client = attacker.client.clone();
            let url = attacker.url("/api/log_in");
            async move {
                client
                    .post(url)
                    .header("x-forwarded-for", ip)
                    .form(&[
                        ("csrf_token", token.as_str()),
                        ("email", email),
                        ("password", password),
                    ])
                    .send()
                    .await
                    .expect("POST log_in")
            }
        };
        let (_, error) = api_error(login("someone@else.test", "guess", "198.51.100.7").await).await;
        assert_eq!(error, AppError::InvalidCredentials, "the 50th failure");

        // Act
        let blocked = api_error(login("owner@acme.test", PASSWORD, "198.51.100.7").await).await;
        let elsewhere = login("owner@acme.test", PASSWORD, "203.0.113.9").await;

        // Assert
        assert_eq!(blocked.0, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            matches!(blocked.1, AppError::TooManyAttempts { .. }),
            "{:?}",
            blocked.1
        );
        assert_eq!(
            elsewhere.status(),
            StatusCode::OK,
            "another address may log in"
        );
    }
);
