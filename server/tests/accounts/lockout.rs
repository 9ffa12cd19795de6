//! The account-wide log-in ceiling is no lockout tool: a browser that
//! logged in to the account before keeps logging in while strangers fill the ceiling, and the
//! staff second factor has its own, much tighter ceiling with a hard lock.

use app::error::AppError;
use backend::db_test;
use backend::throttle::MAX_ACCOUNT_FAILURES;
use reqwest::StatusCode;

use crate::helpers::{Browser, PASSWORD, api_error, owner, spawn_app_with};
use crate::staff::{STAFF_PASSWORD, create_staff, enrol, password_step_through, post_code};

/// Record `n` failed log-ins of `account` spread over twelve addresses, just now: what a
/// stranger's 100 wrong passwords leave behind, without 100 argon2 runs.
async fn strangers_fail(db: &backend::Db, account: &str, n: i64) {
    use tower_sessions_sqlx_store::sqlx;
    let now = backend::Timestamp::now().as_millis();
    let sql = "insert into login_attempts (account, ip, attempted_at, created_at, updated_at) \
               values ($1, $2, $3, $3, $3)";
    for i in 0..n {
        let ip = format!("203.0.113.{}", i % 12);
        if let Some(pool) = db.sqlite_pool() {
            sqlx::query(sql)
                .bind(account)
                .bind(&ip)
                .bind(now)
                .execute(pool)
                .await
                .expect("record a failure on SQLite");
        } else {
            let pool = db.pg_pool().expect("a PostgreSQL pool");
            sqlx::query(sql)
                .bind(account)
                .bind(&ip)
                .bind(now)
                .execute(pool)
                .await
                .expect("record a failure on PostgreSQL");
        }
    }
}

/// A log-in from client address `ip` (the app trusts `X-Forwarded-For` in these tests).
async fn log_in_from(browser: &Browser, ip: &str, email: &str) -> reqwest::Response {
    let token = browser.csrf_token().await;
    browser
        .client
        .post(browser.url("/api/log_in"))
        .header("x-forwarded-for", ip)
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", email),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("POST log_in")
}

db_test!(
    strangers_cannot_lock_the_owner_out_of_their_own_browser,
    |db| async move {
        // Arrange: the owner logged in from this browser before.
        let app = spawn_app_with(&db, &["--trust-proxy-headers"]).await;
        let anna = owner(&db, "acme").await;
        let laptop = app.browser();
        let first = log_in_from(&laptop, "198.51.100.7", anna.email.as_str()).await;
        assert_eq!(first.status(), StatusCode::OK);
        assert!(
            laptop.cookie("device").is_some(),
            "the browser is remembered"
        );
        laptop.log_out().await;
        strangers_fail(&db, anna.email.as_str(), MAX_ACCOUNT_FAILURES).await;

        // Act: the owner from a clean address, on the laptop and on a new browser.
        let on_laptop = log_in_from(&laptop, "192.0.2.44", anna.email.as_str()).await;
        let elsewhere = log_in_from(&app.browser(), "192.0.2.45", anna.email.as_str()).await;

        // Assert
        assert_eq!(
            on_laptop.status(),
            StatusCode::OK,
            "the owner's browser logs in"
        );
        assert_eq!(
            elsewhere.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "a browser never seen before still waits"
        );
    }
);

db_test!(
    the_second_factor_locks_after_ten_codes_from_anywhere,
    |db| async move {
        // Arrange: an enrolled staff member whose password a stranger knows.
        let app = spawn_app_with(&db, &["--trust-proxy-headers"]).await;
        let link = create_staff(&db).await;
        let (_, _) = enrol(&app.browser(), &link).await;
        let stranger = app.browser();
        assert_eq!(
            password_step_through(&stranger, STAFF_PASSWORD, "")
                .await
                .status(),
            StatusCode::OK
        );

        // Act: wrong codes from a new address each, then the right one.
        let mut answers = Vec::new();
        for i in 0..backend::second_factor::MAX_CODE_FAILURES {
            let csrf = stranger.csrf_token().await;
            let response = stranger
                .client
                .post(stranger.url("/api/staff_verify"))
                .header("x-forwarded-for", format!("203.0.113.{i}"))
                .form(&[("csrf_token", csrf.as_str()), ("code", "000000")])
                .send()
                .await
                .expect("POST a code");
            answers.push(api_error(response).await.1);
        }
        let owner_of_the_account = app.browser();
        password_step_through(&owner_of_the_account, STAFF_PASSWORD, "").await;
        // Any code, right or wrong: a locked factor looks at none.
        let any_code = post_code(&owner_of_the_account, "/api/staff_verify", "111111").await;

        // Assert
        assert!(
            answers.iter().all(|a| *a == AppError::WrongCode),
            "{answers:?}"
        );
        assert_eq!(
            api_error(any_code).await,
            (StatusCode::FORBIDDEN, AppError::SecondFactorLocked),
            "locked for every code and every address"
        );
    }
);
