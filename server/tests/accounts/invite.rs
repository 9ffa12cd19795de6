//! Invites: an owner makes a link, a second browser joins the company with it, once.

use app::error::AppError;
use backend::{Email, Timestamp, db_test};
use reqwest::StatusCode;

use crate::helpers::{api_error, count, csrf_from_html, location, member_emails, owner, spawn_app};

const BO_PASSWORD: &str = "bo's own password";

db_test!(an_invited_colleague_joins_the_company, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let anna = app.signed_up("acme").await;
    let response = anna.create_invite("bo@acme.test").await;
    assert_eq!(response.status(), StatusCode::OK);
    let link: String = response.json().await.expect("link JSON");
    let token = link
        .strip_prefix(&format!("{}/invite/", app.address))
        .expect("a link to this server's /invite/<token>");
    let bo = app.browser();
    let (status, page) = bo.page(&format!("/invite/{token}")).await;
    assert_eq!(status, StatusCode::OK, "the link opens the invite form");
    assert!(page.contains(token), "the form carries the token");

    // Act
    let response = bo.accept_invite(token, "Bo Jensen", BO_PASSWORD).await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    let session = bo.session().await;
    assert_eq!(session["user"]["email"], "bo@acme.test");
    assert_eq!(session["user"]["company"], "acme ApS");
    assert_eq!(session["user"]["role"], "Member");
    let team = anna.team().await;
    assert_eq!(member_emails(&team), ["bo@acme.test", "owner@acme.test"]);
    assert_eq!(
        team["invites"].as_array().map(Vec::len),
        Some(0),
        "no longer pending"
    );
    let again = app.browser();
    assert_eq!(
        again.log_in("bo@acme.test", BO_PASSWORD).await.status(),
        StatusCode::OK
    );
});

db_test!(an_invite_link_works_only_once, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let anna = app.signed_up("acme").await;
    let token = anna.invite("bo@acme.test").await;
    let first = app
        .browser()
        .accept_invite(&token, "Bo Jensen", BO_PASSWORD)
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    let eve = app.browser();

    // Act
    let (status, error) =
        api_error(eve.accept_invite(&token, "Eve", "eve's password!").await).await;

    // Assert
    assert_eq!(error, AppError::InviteInvalid);
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(eve.user_email().await, None);
    assert_eq!(count(&db, "users").await, 2);
});

db_test!(unknown_and_malformed_tokens_are_invalid, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let browser = app.browser();
    let unknown = "A".repeat(43);

    for token in [unknown.as_str(), "not-a-token", ""] {
        // Act
        let (status, error) =
            api_error(browser.accept_invite(token, "Eve", "eve's password!").await).await;

        // Assert
        assert_eq!(
            (status, error),
            (StatusCode::NOT_FOUND, AppError::InviteInvalid),
            "{token:?}"
        );
    }
    assert_eq!(count(&db, "users").await, 0);
});

db_test!(an_expired_invite_is_refused, |db| async move {
    // Arrange: an invite made eight days ago (links live seven).
    let app = spawn_app(&db).await;
    let acme = owner(&db, "acme").await;
    let eight_days_ago =
        Timestamp::from_millis(Timestamp::now().as_millis() - 8 * 24 * 3600 * 1000);
    let email = Email::parse("bo@acme.test").expect("email");
    let token = backend::invites::create(&db, acme.tenant_id, acme.user_id, email, eight_days_ago)
        .await
        .expect("create an old invite");
    let bo = app.browser();

    // Act
    let (status, error) = api_error(
        bo.accept_invite(token.as_str(), "Bo Jensen", BO_PASSWORD)
            .await,
    )
    .await;

    // Assert
    assert_eq!(error, AppError::InviteExpired);
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(bo.user_email().await, None);
    assert_eq!(count(&db, "users").await, 1);
});

db_test!(a_member_cannot_invite, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let anna = app.signed_up("acme").await;
    let token = anna.invite("bo@acme.test").await;
    let bo = app.browser();
    assert_eq!(
        bo.accept_invite(&token, "Bo Jensen", BO_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );

    // Act
    let (status, error) = api_error(bo.create_invite("carl@acme.test").await).await;

    // Assert
    assert_eq!(error, AppError::Forbidden);
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        anna.team().await["invites"].as_array().map(Vec::len),
        Some(0)
    );
    assert_eq!(bo.team().await["can_invite"], false);
});

db_test!(inviting_needs_a_login, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let stranger = app.browser();

    // Act
    let (status, error) = api_error(stranger.create_invite("bo@acme.test").await).await;

    // Assert
    assert_eq!(error, AppError::NotAuthenticated);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(count(&db, "invites").await, 0);
});

db_test!(
    the_html_invite_form_joins_without_javascript,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let anna = app.signed_up("acme").await;
        let token = anna.invite("bo@acme.test").await;
        let bo = app.browser();
        let path = format!("/invite/{token}");
        let (_, page) = bo.page(&path).await;
        let csrf = csrf_from_html(&page);
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("token", token.as_str()),
            ("name", "Bo Jensen"),
            ("password", BO_PASSWORD),
        ];

        // Act
        let response = bo.submit_form("/api/accept_invite", &path, &fields).await;

        // Assert
        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(location(&response), "/settings");
        assert_eq!(bo.user_email().await.as_deref(), Some("bo@acme.test"));
    }
);

db_test!(
    a_user_of_another_company_joins_with_their_account_and_can_switch,
    |db| async move {
        // Arrange: Bo owns Globex; Acme invites his address (no hint that it has an account).
        let app = spawn_app(&db).await;
        let anna = app.signed_up("acme").await;
        let bo = owner(&db, "globex").await;
        let token = anna.invite(bo.email.as_str()).await;
        let browser = app.browser();

        // Act
        let wrong = browser.join_invite(&token, "not his password").await;
        let as_new = browser.accept_invite(&token, "Bo again", BO_PASSWORD).await;
        let joined = browser.join_invite(&token, &bo.password).await;

        // Assert
        assert_eq!(
            api_error(wrong).await,
            (StatusCode::UNAUTHORIZED, AppError::InvalidCredentials)
        );
        assert_eq!(
            api_error(as_new).await,
            (StatusCode::CONFLICT, AppError::EmailTaken)
        );
        assert_eq!(joined.status(), StatusCode::OK);
        let session = browser.session().await;
        assert_eq!(
            session["user"]["company"], "acme ApS",
            "lands in the new company"
        );
        assert_eq!(session["user"]["role"], "Member");
        let companies: Vec<&str> = session["user"]["companies"]
            .as_array()
            .expect("companies")
            .iter()
            .map(|c| c["name"].as_str().expect("name"))
            .collect();
        assert_eq!(companies.len(), 2);
        assert!(companies.contains(&"globex ApS") && companies.contains(&"acme ApS"));
        assert_eq!(
            member_emails(&anna.team().await),
            ["owner@acme.test", "owner@globex.test"]
        );

        // Act: back to his own company.
        let switched = browser.switch_company(bo.tenant_id.get()).await;

        // Assert
        assert_eq!(switched.status(), StatusCode::OK);
        let session = browser.session().await;
        assert_eq!(session["user"]["company"], "globex ApS");
        assert_eq!(session["user"]["role"], "Owner");
    }
);

db_test!(
    nobody_switches_to_a_company_they_are_not_in,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let anna = app.signed_up("acme").await;
        let globex = owner(&db, "globex").await;

        // Act
        let response = anna.switch_company(globex.tenant_id.get()).await;

        // Assert
        assert_eq!(
            api_error(response).await,
            (StatusCode::NOT_FOUND, AppError::NotFound)
        );
        assert_eq!(anna.session().await["user"]["company"], "acme ApS");
    }
);

db_test!(inviting_a_current_member_is_refused, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let anna = app.signed_up("acme").await;

    // Act
    let response = anna.create_invite("owner@acme.test").await;

    // Assert
    assert_eq!(
        api_error(response).await,
        (StatusCode::CONFLICT, AppError::AlreadyMember)
    );
});
