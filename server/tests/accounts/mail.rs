//! E-mail over real SMTP: each test's app sends to a mail catcher the test started
//! on a random port. Password reset end to end, invitations, and an SMTP server that is down
//! for a while: every mail arrives once it is back, none twice.

use app::error::AppError;
use app::i18n::{Lang, Msg};
use backend::db_test;
use backend::mail::outbox;
use reqwest::StatusCode;

use crate::helpers::{
    Browser, PASSWORD, TestApp, api_error, link_token, location, spawn_app, spawn_app_with,
};
use crate::impersonation::staff_browser;

const NEW_PASSWORD: &str = "a completely new password";

async fn ask_for_reset(browser: &Browser, email: &str) -> reqwest::Response {
    let csrf = browser.csrf_token().await;
    let fields = [("csrf_token", csrf.as_str()), ("email", email)];
    browser
        .post_form("/api/request_password_reset", &fields)
        .await
}

async fn reset(browser: &Browser, token: &str, password: &str) -> reqwest::Response {
    let csrf = browser.csrf_token().await;
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("token", token),
        ("password", password),
    ];
    browser.post_form("/api/reset_password", &fields).await
}

db_test!(
    a_password_reset_works_once_and_ends_every_session,
    |db| async move {
        // Arrange: the owner is logged in in two browsers.
        let app = spawn_app(&db).await;
        let laptop = app.signed_up("acme").await;
        let phone = app.browser();
        assert_eq!(
            phone.log_in("owner@acme.test", PASSWORD).await.status(),
            StatusCode::OK
        );
        let stranger = app.browser();

        // Act: ask for a link, for the account and for an address without one.
        let known = ask_for_reset(&stranger, "owner@acme.test").await;
        let unknown = ask_for_reset(&stranger, "nobody@acme.test").await;

        // Assert: the same answer; one mail, to the account's address.
        assert_eq!(known.status(), StatusCode::OK);
        assert_eq!(unknown.status(), StatusCode::OK);
        assert_eq!(
            known.headers().get("location"),
            unknown.headers().get("location")
        );
        assert_eq!(
            known.text().await.expect("body"),
            unknown.text().await.expect("body")
        );
        let mail = app
            .mail_with_link("owner@acme.test", "/reset-password/")
            .await;
        assert_eq!(mail.subject, "Nulstil din adgangskode");
        assert!(
            mail.from.contains("Inventory Sync") && mail.from.ends_with("<noreply@sync.test>"),
            "{}",
            mail.from
        );
        assert!(mail.text.starts_with("Hej Owner of acme,"), "{}", mail.text);
        let token = link_token(&mail, "/reset-password/");
        assert!(app.mails_to("nobody@acme.test").is_empty());

        let (status, form) = stranger.page(&format!("/reset-password/{token}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(form.contains(r#"data-test="reset-form""#), "{form}");

        // Act: choose the new password.
        let done = reset(&stranger, &token, NEW_PASSWORD).await;

        // Assert
        assert_eq!(done.status(), StatusCode::OK, "reset");
        for (who, browser) in [("laptop", &laptop), ("phone", &phone)] {
            assert_eq!(
                browser.user_email().await,
                None,
                "the {who}'s session ended"
            );
            let (status, error) = api_error(browser.get("/api/team").await).await;
            assert_eq!(
                (status, error),
                (StatusCode::UNAUTHORIZED, AppError::NotAuthenticated)
            );
        }
        let (_, error) = api_error(stranger.log_in("owner@acme.test", PASSWORD).await).await;
        assert_eq!(
            error,
            AppError::InvalidCredentials,
            "the old password no longer works"
        );
        let again = app.browser();
        assert_eq!(
            again.log_in("owner@acme.test", NEW_PASSWORD).await.status(),
            StatusCode::OK
        );
        assert_eq!(again.user_email().await.as_deref(), Some("owner@acme.test"));
        let (_, activity) = again.page("/settings/activity").await;
        assert!(
            activity.contains(Msg::ActivityPasswordReset.text(Lang::Da)),
            "the reset is in the company's activity log: {activity}"
        );

        // A used or forged link: one clear message, and nothing changes.
        for used_or_forged in [token.as_str(), "forged-token"] {
            let (status, error) =
                api_error(reset(&app.browser(), used_or_forged, "yet another password").await)
                    .await;
            assert_eq!(
                (status, error),
                (StatusCode::GONE, AppError::ResetLinkInvalid)
            );
            let (status, page) = app
                .browser()
                .page(&format!("/reset-password/{used_or_forged}"))
                .await;
            assert_eq!(status, StatusCode::OK);
            assert!(
                page.contains(Msg::ErrorResetLinkInvalid.text(Lang::Da)),
                "{page}"
            );
        }
        assert_eq!(
            app.browser()
                .log_in("owner@acme.test", NEW_PASSWORD)
                .await
                .status(),
            StatusCode::OK
        );
    }
);

db_test!(
    mails_go_out_in_the_language_the_user_chose,
    |db| async move {
        // Arrange: the owner reads the app in English (chosen while logged in).
        let app = spawn_app(&db).await;
        let owner = app.signed_up("acme").await;
        let switched = owner.get("/lang/en?next=/").await;
        assert_eq!(switched.status(), StatusCode::SEE_OTHER);

        // Act: a password reset, asked for from another browser (whose page is Danish).
        let response = ask_for_reset(&app.browser(), "owner@acme.test").await;

        // Assert: the mail is in the user's language, not the page's.
        assert_eq!(response.status(), StatusCode::OK);
        let mail = app
            .mail_with_link("owner@acme.test", "/reset-password/")
            .await;
        assert_eq!(mail.subject, "Reset your password");
        assert!(mail.text.starts_with("Hi Owner of acme,"), "{}", mail.text);

        // And back: a log-in from a Danish page makes the mails Danish again.
        let danish = app.browser();
        assert_eq!(
            danish.get("/lang/da?next=/").await.status(),
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            danish.log_in("owner@acme.test", PASSWORD).await.status(),
            StatusCode::OK
        );
        app.mail.clear();
        ask_for_reset(&app.browser(), "owner@acme.test").await;
        let mail = app
            .mail_with_link("owner@acme.test", "/reset-password/")
            .await;
        assert_eq!(mail.subject, "Nulstil din adgangskode");
    }
);

db_test!(
    the_forgot_password_form_works_without_javascript,
    |db| async move {
        let app = spawn_app(&db).await;
        app.signed_up("acme").await;
        let browser = app.browser();
        let (status, html) = browser.page("/login").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains(r#"href="/forgot-password""#),
            "the login page links it"
        );
        let (_, html) = browser.page("/forgot-password").await;
        let csrf = crate::helpers::csrf_from_html(&html);

        let response = browser
            .submit_form(
                "/api/request_password_reset",
                "/forgot-password",
                &[("csrf_token", csrf.as_str()), ("email", "OWNER@acme.test")],
            )
            .await;

        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(location(&response), "/forgot-password?sent=1");
        let (_, sent) = browser.page("/forgot-password?sent=1").await;
        assert!(sent.contains(Msg::ForgotSent.text(Lang::Da)), "{sent}");
        app.mail_with_link("owner@acme.test", "/reset-password/")
            .await;
    }
);

db_test!(
    an_invitation_is_mailed_and_its_page_names_the_company_and_the_inviter,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let owner = app.signed_up("acme").await;

        // Act
        let token = owner.invite("bo@acme.test").await;

        // Assert
        let mail = app.mail_with_link("bo@acme.test", "/invite/").await;
        assert_eq!(
            mail.subject,
            "Owner of acme inviterer dig til acme ApS i Inventory Sync"
        );
        assert_eq!(link_token(&mail, "/invite/"), token);
        let bo = app.browser();
        let (status, page) = bo.page(&format!("/invite/{token}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("Owner of acme") && page.contains("acme ApS"),
            "{page}"
        );
        assert!(page.contains("bo@acme.test"), "{page}");
        assert_eq!(
            bo.accept_invite(&token, "Bo Jensen", PASSWORD)
                .await
                .status(),
            StatusCode::OK
        );
        assert_eq!(bo.user_email().await.as_deref(), Some("bo@acme.test"));
        let (_, used) = app.browser().page(&format!("/invite/{token}")).await;
        assert!(
            used.contains(Msg::ErrorInviteInvalid.text(Lang::Da)),
            "{used}"
        );
    }
);

/// The outbox's state, as staff see it.
async fn outbox_health(app: &TestApp) -> outbox::OutboxHealth {
    outbox::health(&app.db, backend::Timestamp::now())
        .await
        .expect("outbox health")
}

db_test!(
    mails_wait_while_smtp_is_down_and_each_arrives_once_when_it_is_back,
    |db| async move {
        // Arrange: three accounts, then the SMTP server refuses everything (451).
        let app = spawn_app_with(
            &db,
            &["--mail-retry-base-ms", "200", "--mail-retry-cap-secs", "1"],
        )
        .await;
        let people = ["one", "two", "three"];
        for label in people {
            app.signed_up(label).await;
        }
        app.mail.set_refusing(true);
        let stranger = app.browser();

        // Act: each asks for a reset while the server is down.
        for label in people {
            let answer = ask_for_reset(&stranger, &format!("owner@{label}.test")).await;
            assert_eq!(
                answer.status(),
                StatusCode::OK,
                "the answer does not wait for SMTP"
            );
        }

        // Assert: nothing arrives; the outbox shows the mails failing, for staff to see.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let failing = loop {
            let health = outbox_health(&app).await;
            if health.failing == 3 || std::time::Instant::now() > deadline {
                break health;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        assert_eq!((failing.pending, failing.failing), (3, 3), "{failing:?}");
        assert!(
            failing
                .last_error
                .as_deref()
                .is_some_and(|e| e.contains("451")),
            "{failing:?}"
        );
        assert!(failing.is_stuck(backend::Timestamp::now()));
        for label in people {
            let reset_mails = app
                .mails_to(&format!("owner@{label}.test"))
                .into_iter()
                .filter(|m| m.subject == "Nulstil din adgangskode")
                .count();
            assert_eq!(reset_mails, 0);
        }
        let staff = staff_browser(&app, &db).await;
        let (status, dashboard) = staff.page("/staff").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            dashboard.contains(r#"data-test="outbox-stuck""#),
            "{dashboard}"
        );
        assert!(
            dashboard.contains(r#"data-test="outbox-failing">3<"#),
            "{dashboard}"
        );

        // Act: the server is back.
        app.mail.set_refusing(false);

        // Assert: every mail arrives, once.
        for label in people {
            app.mail_with_link(&format!("owner@{label}.test"), "/reset-password/")
                .await;
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while outbox_health(&app).await.pending > 0 && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        // Past several retry intervals, to see that nothing comes twice.
        tokio::time::sleep(std::time::Duration::from_millis(800)).await;
        for label in people {
            let reset_mails = app
                .mails_to(&format!("owner@{label}.test"))
                .into_iter()
                .filter(|m| m.subject == "Nulstil din adgangskode")
                .count();
            assert_eq!(reset_mails, 1, "{label}");
        }
        let ids: std::collections::HashSet<String> =
            app.mail.mails().into_iter().map(|m| m.message_id).collect();
        assert_eq!(ids.len(), app.mail.mails().len(), "no Message-ID twice");
        let healthy = outbox_health(&app).await;
        assert_eq!((healthy.pending, healthy.failing), (0, 0));
    }
);
