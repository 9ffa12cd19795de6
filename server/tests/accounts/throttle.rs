//! Login throttling over HTTP: an attacker's wrong passwords slow the attacker down (longer after
//! each, with `Retry-After` and a message saying how long), not the account's owner elsewhere;
//! an address over its ceiling waits for every account; sign-ups are limited per address.

use app::error::AppError;
use app::i18n::{Lang, Msg};
use backend::db_test;
use backend::throttle::{FREE_FAILURES, MAX_IP_FAILURES};
use reqwest::StatusCode;

use crate::helpers::{
    PASSWORD, SignUp, api_error, count, owner, record_ip_failures, spawn_app, spawn_app_with,
};

/// A log-in from client address `ip` (the app trusts `X-Forwarded-For` in these tests).
async fn log_in_from(
    browser: &crate::helpers::Browser,
    ip: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let token = browser.csrf_token().await;
    browser
        .client
        .post(browser.url("/api/log_in"))
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

db_test!(
    wrong_passwords_slow_the_attacker_not_the_owner,
    |db| async move {
        // Arrange
        let app = spawn_app_with(&db, &["--trust-proxy-headers"]).await;
        let anna = owner(&db, "acme").await;
        let attacker = app.browser();
        let free = usize::try_from(FREE_FAILURES).expect("small") + 1;
        for _ in 0..free {
            let response = log_in_from(&attacker, "192.0.2.66", anna.email.as_str(), "wrong").await;
            assert_eq!(api_error(response).await.1, AppError::InvalidCredentials);
        }

        // Act
        let waiting = log_in_from(&attacker, "192.0.2.66", anna.email.as_str(), PASSWORD).await;
        let again = log_in_from(&attacker, "192.0.2.66", anna.email.as_str(), PASSWORD).await;
        let owner = log_in_from(
            &app.browser(),
            "198.51.100.7",
            anna.email.as_str(),
            PASSWORD,
        )
        .await;

        // Assert
        assert_eq!(waiting.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(again.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry_after = waiting
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .expect("a Retry-After header");
        let (_, error) = api_error(waiting).await;
        assert_eq!(
            error,
            AppError::TooManyAttempts {
                retry_after_secs: retry_after
            }
        );
        assert!((1..=2).contains(&retry_after), "{retry_after}");
        assert_eq!(
            owner.status(),
            StatusCode::OK,
            "the owner elsewhere logs in"
        );
        let failed = count(&db, "audit_log where action = 'login.failed'").await;
        assert_eq!(
            usize::try_from(failed).expect("count"),
            free,
            "each wrong password"
        );
        let throttled = count(&db, "audit_log where action = 'login.throttled'").await;
        assert_eq!(throttled, 1, "being throttled is recorded once per window");
    }
);

db_test!(the_login_page_says_how_long_to_wait, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let anna = owner(&db, "acme").await;
    let browser = app.browser();
    for _ in 0..=FREE_FAILURES {
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
    assert!(
        html.contains(Msg::ErrorRetryIn.text(Lang::Da)),
        "and how long to wait: {html}"
    );
});

db_test!(
    an_address_over_its_ceiling_waits_for_every_account,
    |db| async move {
        // Arrange: behind a trusted proxy, so that the test can choose client addresses.
        let app = spawn_app_with(&db, &["--trust-proxy-headers"]).await;
        owner(&db, "acme").await;
        let limit = usize::try_from(MAX_IP_FAILURES).expect("small limit");
        record_ip_failures(&db, "198.51.100.7", limit).await;
        let browser = app.browser();

        // Act
        let blocked = log_in_from(&browser, "198.51.100.7", "owner@acme.test", PASSWORD).await;
        let elsewhere = log_in_from(&browser, "203.0.113.9", "owner@acme.test", PASSWORD).await;

        // Assert
        assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(blocked.headers().contains_key("retry-after"));
        assert_eq!(
            elsewhere.status(),
            StatusCode::OK,
            "another address may log in"
        );
    }
);

db_test!(sign_ups_are_limited_per_address, |db| async move {
    // Arrange
    let app = spawn_app_with(&db, &["--sign-ups-per-ip", "2"]).await;
    for label in ["one", "two"] {
        let response = app
            .browser()
            .sign_up(&SignUp::new(label, &format!("o@{label}.test")))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{label}");
    }

    // Act
    let third = app
        .browser()
        .sign_up(&SignUp::new("three", "o@three.test"))
        .await;

    // Assert
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(third.headers().contains_key("retry-after"));
    let (_, error) = api_error(third).await;
    assert!(
        matches!(error, AppError::TooManyAttempts { .. }),
        "{error:?}"
    );
});
