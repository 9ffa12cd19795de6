//! `/api/sign_up`: a company and its owner, as a script calls it and as a plain HTML form posts it.

use app::error::{AppError, Field, Problem};
use app::i18n::{Lang, Msg};
use backend::db_test;
use reqwest::StatusCode;

use crate::helpers::{SignUp, api_error, count, csrf_from_html, link_token, location, spawn_app};

db_test!(
    signing_up_mails_a_link_that_creates_the_company_and_logs_the_owner_in,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let browser = app.browser();
        let form = SignUp::new("acme", "anna@acme.test");

        // Act
        let response = browser.sign_up(&form).await;

        // Assert: nothing exists until the link is used.
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(browser.user_email().await, None, "not logged in yet");
        assert_eq!(count(&db, "tenants").await, 0);
        let mail = app
            .mail_with_link("anna@acme.test", "/signup/confirm/")
            .await;
        assert_eq!(mail.subject, "Bekræft din e-mailadresse");
        assert!(mail.text.contains("acme ApS"), "{}", mail.text);
        assert!(
            mail.html
                .as_deref()
                .is_some_and(|h| h.contains("/signup/confirm/"))
        );
        let token = link_token(&mail, "/signup/confirm/");
        let (status, page) = browser.page(&format!("/signup/confirm/{token}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("acme ApS"), "the page names the company");

        let confirmed = browser.confirm_sign_up(&token).await;
        assert_eq!(confirmed.status(), StatusCode::OK);
        let sid = confirmed
            .cookies()
            .find(|c| c.name() == "sid")
            .expect("a session cookie is set");
        assert!(sid.http_only(), "HttpOnly");
        assert!(sid.same_site_lax(), "SameSite=Lax");
        assert!(!sid.secure(), "not Secure on plain http://127.0.0.1");
        let session = browser.session().await;
        assert_eq!(session["user"]["email"], "anna@acme.test");
        assert_eq!(session["user"]["name"], "Owner of acme");
        assert_eq!(session["user"]["company"], "acme ApS");
        assert_eq!(session["user"]["role"], "Owner");

        // The link works once; a forged one gets the same one message.
        for used_or_forged in [token.as_str(), "forged"] {
            let (status, error) =
                api_error(app.browser().confirm_sign_up(used_or_forged).await).await;
            assert_eq!(
                (status, error),
                (StatusCode::GONE, AppError::SignUpLinkInvalid)
            );
        }
        assert_eq!(count(&db, "tenants").await, 1);
    }
);

db_test!(
    a_taken_address_gets_the_same_answer_and_its_owner_a_mail,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        app.signed_up("first").await;
        let second = app.browser();
        let mut form = SignUp::new("second", "OWNER@first.test");
        form.password = "another password entirely".to_owned();

        // Act
        let taken = second.sign_up(&form).await;
        let fresh = app
            .browser()
            .sign_up(&SignUp::new("third", "new@third.test"))
            .await;

        // Assert: the two answers cannot be told apart.
        assert_eq!(taken.status(), StatusCode::OK);
        assert_eq!(fresh.status(), StatusCode::OK);
        let (taken_headers, fresh_headers) = (taken.headers().clone(), fresh.headers().clone());
        assert_eq!(taken_headers.get("location"), fresh_headers.get("location"));
        assert_eq!(
            taken.text().await.expect("body"),
            fresh.text().await.expect("body")
        );
        let mail = app
            .mail_with_link("owner@first.test", "/forgot-password")
            .await;
        assert_eq!(mail.subject, "Du har allerede en konto");
        assert_eq!(second.user_email().await, None, "not logged in");
        assert_eq!(count(&db, "tenants").await, 1, "no second company");
        assert_eq!(count(&db, "users").await, 1);
        let (_, error) = api_error(
            second
                .log_in("owner@first.test", "another password entirely")
                .await,
        )
        .await;
        assert_eq!(
            error,
            AppError::InvalidCredentials,
            "the password is unchanged"
        );
    }
);

db_test!(invalid_fields_get_field_errors, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let browser = app.browser();
    let long = "x".repeat(300);
    let cases: Vec<(SignUp, Field, Problem)> = vec![
        (
            with(|f| f.company_name.clear()),
            Field::CompanyName,
            Problem::Required,
        ),
        (
            with(|f| f.company_name = long.clone()),
            Field::CompanyName,
            Problem::TooLong,
        ),
        (
            with(|f| f.company_name = "A\nB".into()),
            Field::CompanyName,
            Problem::BadCharacters,
        ),
        (
            with(|f| f.name = "   ".into()),
            Field::Name,
            Problem::Required,
        ),
        (
            with(|f| f.name = long.clone()),
            Field::Name,
            Problem::TooLong,
        ),
        (with(|f| f.email.clear()), Field::Email, Problem::Required),
        (
            with(|f| f.email = "not-an-email".into()),
            Field::Email,
            Problem::EmailInvalid,
        ),
        (
            with(|f| f.email = format!("{long}@example.test")),
            Field::Email,
            Problem::TooLong,
        ),
        (
            with(|f| f.password = "short".into()),
            Field::Password,
            Problem::PasswordTooShort,
        ),
        (
            with(|f| f.password = "p".repeat(129)),
            Field::Password,
            Problem::PasswordTooLong,
        ),
    ];

    for (form, field, problem) in cases {
        // Act
        let response = browser.sign_up(&form).await;

        // Assert
        let (status, error) = api_error(response).await;
        assert_eq!(error, AppError::Invalid { field, problem });
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field:?} {problem:?}"
        );
    }
    assert_eq!(count(&db, "tenants").await, 0, "nothing saved");
    assert_eq!(count(&db, "users").await, 0, "nothing saved");
    assert_eq!(browser.user_email().await, None);
});

/// A valid form changed by `change`.
fn with(change: impl FnOnce(&mut SignUp)) -> SignUp {
    let mut form = SignUp::new("acme", "anna@acme.test");
    change(&mut form);
    form
}

db_test!(the_html_form_redirects_to_check_the_mail, |db| async move {
    // Arrange: a browser without JavaScript loads the page and posts its form.
    let app = spawn_app(&db).await;
    let browser = app.browser();
    let (status, html) = browser.page("/signup").await;
    assert_eq!(status, StatusCode::OK);
    let token = csrf_from_html(&html);
    let fields = [
        ("csrf_token", token.as_str()),
        ("company_name", "Acme ApS"),
        ("name", "Anna Hansen"),
        ("email", "anna@acme.test"),
        ("password", "correct horse battery staple"),
    ];

    // Act
    let response = browser
        .submit_form("/api/sign_up", "/signup", &fields)
        .await;

    // Assert
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), "/signup?sent=1");
    let (status, html) = browser.page("/signup?sent=1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(Msg::SignupSent.text(Lang::Da)),
        "the page says where to look: {html}"
    );
    app.mail_with_link("anna@acme.test", "/signup/confirm/")
        .await;
});

db_test!(
    an_html_form_error_goes_back_with_a_translated_message,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let browser = app.browser();
        let (_, html) = browser.page("/signup").await;
        let token = csrf_from_html(&html);
        let fields = [
            ("csrf_token", token.as_str()),
            ("company_name", "Other ApS"),
            ("name", "Bo Jensen"),
            ("email", "not-an-address"),
            ("password", "correct horse battery staple"),
        ];

        // Act
        let response = browser
            .submit_form("/api/sign_up", "/signup", &fields)
            .await;

        // Assert: back to the form, with the error in the URL, shown in Danish then English.
        assert_eq!(response.status(), StatusCode::FOUND);
        let back = location(&response);
        assert!(
            back.starts_with(&browser.url("/signup?")) && back.contains("__err="),
            "redirected back with the error: {back}"
        );
        let (status, danish) = browser
            .page(back.trim_start_matches(&browser.address))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(danish.contains(r#"lang="da""#));
        assert!(
            danish.contains(Msg::ErrorEmailInvalid.text(Lang::Da)),
            "Danish error shown: {danish}"
        );
        browser.set_cookie("lang", "en");
        let (_, english) = browser
            .page(back.trim_start_matches(&browser.address))
            .await;
        assert!(
            english.contains(Msg::ErrorEmailInvalid.text(Lang::En)),
            "English error shown: {english}"
        );
        assert_eq!(count(&db, "tenants").await, 0, "nothing saved");
    }
);
