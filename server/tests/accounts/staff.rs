//! Staff log-in (password, then a TOTP second factor set up at the first log-in), the staff
//! dashboard, and the wall between staff and tenant sessions.

use app::error::AppError;
use backend::{Db, Password, PersonName, Timestamp, db_test};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Browser, api_error, location, spawn_app, spawn_app_with};

pub(crate) const STAFF_EMAIL: &str = "sam@inventory.test";
pub(crate) const STAFF_PASSWORD: &str = "staff password 1";

/// Creates the staff member as `server create-staff` does; returns the token of the one-time
/// enrolment link it prints.
pub(crate) async fn create_staff(db: &Db) -> String {
    let id = backend::staff::create(
        db,
        &backend::Email::parse(STAFF_EMAIL).expect("email"),
        &PersonName::parse("Sam Support").expect("name"),
        &Password::parse(STAFF_PASSWORD).expect("password"),
    )
    .await
    .expect("staff created");
    backend::second_factor::issue_enrolment_link(db, id, Timestamp::now())
        .await
        .expect("enrolment link")
}

fn code_now(secret: &str) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).expect("base32 secret");
    let totp = totp_rs::Builder::new()
        .with_secret(secret)
        .build()
        .expect("totp");
    let now = u64::try_from(Timestamp::now().as_millis() / 1000).expect("after 1970");
    totp.generate(now).to_string()
}

async fn password_step(browser: &Browser, password: &str) -> reqwest::Response {
    password_step_through(browser, password, "").await
}

/// The password step as the login form sends it when opened by the enrolment link `link`
/// (`/staff/login?enrol=<link>`; empty: not).
pub(crate) async fn password_step_through(
    browser: &Browser,
    password: &str,
    link: &str,
) -> reqwest::Response {
    let csrf = browser.csrf_token().await;
    let mut fields = vec![
        ("csrf_token", csrf.as_str()),
        ("email", STAFF_EMAIL),
        ("password", password),
    ];
    if !link.is_empty() {
        fields.push(("enrol", link));
    }
    browser.post_form("/api/staff_log_in", &fields).await
}

pub(crate) async fn second_factor(browser: &Browser) -> Value {
    let response = browser.get("/api/staff_second_factor").await;
    assert_eq!(response.status(), StatusCode::OK, "the second step is due");
    response.json().await.expect("step JSON")
}

pub(crate) async fn post_code(browser: &Browser, endpoint: &str, code: &str) -> reqwest::Response {
    let csrf = browser.csrf_token().await;
    let fields = [("csrf_token", csrf.as_str()), ("code", code)];
    browser.post_form(endpoint, &fields).await
}

/// Logs in as the staff member for the first time, through the enrolment link `link`,
/// enrolling; returns the code used and the recovery codes.
pub(crate) async fn enrol(browser: &Browser, link: &str) -> (String, Vec<String>) {
    assert_eq!(
        password_step_through(browser, STAFF_PASSWORD, link)
            .await
            .status(),
        StatusCode::OK
    );
    let step = second_factor(browser).await;
    let secret = step["Enrol"]["secret"]
        .as_str()
        .expect("an enrolment on first log-in");
    let code = code_now(secret);
    let response = post_code(browser, "/api/staff_enrol", &code).await;
    assert_eq!(response.status(), StatusCode::OK, "enrolment confirmed");
    let codes: Vec<String> = response.json().await.expect("recovery codes");
    (code, codes)
}

async fn tenants(browser: &Browser) -> reqwest::Response {
    browser
        .get("/api/staff_tenants?search=&sort=Problems")
        .await
}

db_test!(
    staff_enrol_at_first_log_in_and_then_use_codes_once,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        app.signed_up("acme").await;
        let link = create_staff(&db).await;
        let laptop = app.browser();

        // Act: the first log-in sets up the second factor.
        let (code, recovery) = enrol(&laptop, &link).await;

        // Assert
        assert_eq!(recovery.len(), backend::second_factor::RECOVERY_CODES);
        let (status, page) = laptop.page("/staff").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("acme ApS"), "the dashboard lists the tenant");
        let list: Value = tenants(&laptop).await.json().await.expect("tenants JSON");
        assert_eq!(list.as_array().map(Vec::len), Some(1));

        // Act: a second log-in; the enrolment's code again, then a recovery code.
        let phone = app.browser();
        assert_eq!(
            password_step(&phone, STAFF_PASSWORD).await.status(),
            StatusCode::OK
        );
        assert_eq!(
            second_factor(&phone).await,
            Value::String("Code".to_owned())
        );
        let replayed = post_code(&phone, "/api/staff_verify", &code).await;
        let recovered = post_code(&phone, "/api/staff_verify", &recovery[0]).await;

        // Assert
        assert_eq!(
            api_error(replayed).await,
            (StatusCode::UNAUTHORIZED, AppError::WrongCode),
            "a code is never accepted twice, and the answer says the code was wrong"
        );
        assert_eq!(recovered.status(), StatusCode::OK);
        assert_eq!(tenants(&phone).await.status(), StatusCode::OK);
        let reuse = app.browser();
        assert_eq!(
            password_step(&reuse, STAFF_PASSWORD).await.status(),
            StatusCode::OK
        );
        assert_eq!(
            api_error(post_code(&reuse, "/api/staff_verify", &recovery[0]).await).await,
            (StatusCode::UNAUTHORIZED, AppError::WrongCode),
            "a recovery code works once"
        );
    }
);

db_test!(the_password_alone_opens_nothing, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    create_staff(&db).await;
    let browser = app.browser();

    // Act
    let wrong = password_step(&browser, "not the password").await;
    let no_step = post_code(&browser, "/api/staff_verify", "123456").await;
    assert_eq!(
        password_step(&browser, STAFF_PASSWORD).await.status(),
        StatusCode::OK
    );
    let (status, _) = browser.page("/staff").await;
    let listed = tenants(&browser).await;

    // Assert
    assert_eq!(
        api_error(wrong).await,
        (StatusCode::UNAUTHORIZED, AppError::InvalidCredentials)
    );
    assert_eq!(
        api_error(no_step).await,
        (StatusCode::UNAUTHORIZED, AppError::NotAuthenticated)
    );
    assert_eq!(
        status,
        StatusCode::FOUND,
        "no dashboard before the second factor"
    );
    assert_eq!(
        api_error(listed).await,
        (StatusCode::UNAUTHORIZED, AppError::NotAuthenticated)
    );
});

db_test!(staff_and_tenant_sessions_do_not_mix, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let owner = app.signed_up("acme").await;
    let link = create_staff(&db).await;
    let staff = app.browser();
    enrol(&staff, &link).await;

    // Act
    let owner_on_staff = owner.navigate("/staff").await;
    let owner_lists = tenants(&owner).await;
    let staff_on_settings = staff.navigate("/settings").await;
    let staff_team = staff.get("/api/team").await;

    // Assert
    assert_eq!(owner_on_staff.status(), StatusCode::FOUND);
    assert_eq!(location(&owner_on_staff), "/staff/login");
    assert_eq!(
        api_error(owner_lists).await,
        (StatusCode::UNAUTHORIZED, AppError::NotAuthenticated)
    );
    assert_eq!(staff_on_settings.status(), StatusCode::FOUND);
    assert_eq!(location(&staff_on_settings), "/login");
    assert_eq!(
        api_error(staff_team).await,
        (StatusCode::UNAUTHORIZED, AppError::NotAuthenticated)
    );
});

db_test!(an_idle_staff_session_ends_by_itself, |db| async move {
    // Arrange
    let app = spawn_app_with(&db, &["--staff-idle-secs", "1"]).await;
    let link = create_staff(&db).await;
    let browser = app.browser();
    enrol(&browser, &link).await;
    assert_eq!(tenants(&browser).await.status(), StatusCode::OK);

    // Act
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let idle = tenants(&browser).await;
    let page = browser.navigate("/staff").await;

    // Assert
    assert_eq!(
        api_error(idle).await,
        (StatusCode::UNAUTHORIZED, AppError::NotAuthenticated)
    );
    assert_eq!(page.status(), StatusCode::FOUND, "the session is gone");
    assert_eq!(location(&page), "/staff/login");
});

db_test!(a_disabled_staff_members_session_ends, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let link = create_staff(&db).await;
    let browser = app.browser();
    enrol(&browser, &link).await;

    // Act
    let email = backend::Email::parse(STAFF_EMAIL).expect("email");
    backend::staff::disable(&db, &email, Timestamp::now())
        .await
        .expect("disabled");
    let after = tenants(&browser).await;

    // Assert
    assert_eq!(
        api_error(after).await,
        (StatusCode::UNAUTHORIZED, AppError::NotAuthenticated)
    );
    let again = app.browser();
    assert_eq!(
        api_error(password_step(&again, STAFF_PASSWORD).await).await,
        (StatusCode::UNAUTHORIZED, AppError::InvalidCredentials)
    );
});
