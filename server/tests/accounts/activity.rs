//! The owner's activity log: what was done in the company's account is recorded and shown to
//! its owners only, never to members or other companies; and the settings page's warning about
//! rejected webhooks.

use app::error::AppError;
use app::i18n::{Lang, Msg};
use backend::db_test;
use reqwest::StatusCode;

use crate::helpers::{api_error, spawn_app};

db_test!(
    owners_see_what_was_done_and_no_one_else_does,
    |db| async move {
        // Arrange: Anna saves settings, makes a new URL and invites Bo, who joins.
        let app = spawn_app(&db).await;
        let anna = app.signed_up("acme").await;
        let token = anna.csrf_token().await;
        let saved = anna
            .post_form(
                "/api/save_settings",
                &[("csrf_token", token.as_str()), ("products_webhook", "on")],
            )
            .await;
        assert!(saved.status().is_success() || saved.status() == StatusCode::FOUND);
        let regenerated = anna
            .post_form(
                "/api/regenerate_webhook_url",
                &[("csrf_token", token.as_str()), ("kind", "products")],
            )
            .await;
        assert!(regenerated.status().is_success() || regenerated.status() == StatusCode::FOUND);
        let invite = anna.invite("bo@acme.test").await;
        let bo = app.browser();
        let joined = bo
            .accept_invite(&invite, "Bo Jensen", "bo's password 1")
            .await;
        assert_eq!(joined.status(), StatusCode::OK);
        let globex = app.signed_up("globex").await;

        // Act
        let (status, html) = anna.page("/settings/activity").await;
        let (_, bo_error) = api_error(bo.get("/api/activity_log").await).await;
        let (_, globex_html) = globex.page("/settings/activity").await;

        // Assert
        assert_eq!(status, StatusCode::OK);
        for msg in [
            Msg::ActivitySettingsSaved,
            Msg::ActivityWebhookUrlRegenerated,
            Msg::ActivityInviteCreated,
            Msg::ActivityInviteAccepted,
        ] {
            assert!(html.contains(msg.text(Lang::Da)), "{msg:?} in {html}");
        }
        assert!(html.contains("bo@acme.test"), "the invite's email");
        assert!(html.contains("products: webhook"), "what was saved");
        assert!(html.contains("Bo Jensen"), "who joined");
        assert_eq!(bo_error, AppError::Forbidden, "members do not see it");
        assert!(
            !globex_html.contains("bo@acme.test"),
            "another company sees only its own"
        );
        assert!(globex_html.contains(Msg::ActivityTitle.text(Lang::Da)));
    }
);

db_test!(logins_are_recorded, |db| async move {
    let app = spawn_app(&db).await;
    let anna = app.signed_up("acme").await;
    anna.log_out().await;

    let logged_in = anna
        .log_in("owner@acme.test", backend::testing::PASSWORD)
        .await;
    let (_, html) = anna.page("/settings/activity").await;

    assert_eq!(logged_in.status(), StatusCode::OK);
    assert!(
        html.contains(Msg::ActivityLoggedIn.text(Lang::Da)),
        "{html}"
    );
    assert!(html.contains("127.0.0.1"), "from where");
});

db_test!(
    the_settings_page_warns_about_rejected_webhooks,
    |db| async move {
        // Arrange: a product webhook e-conomic sent with a template that is not ours.
        let app = spawn_app(&db).await;
        let acme = backend::testing::owner(&db, "acme").await;
        let tenant = acme.tenant_id;
        let anna = app.browser();
        anna.log_in(acme.email.as_str(), &acme.password).await;
        let (_, before) = anna.page("/settings/apps/economic/advanced").await;
        assert!(
            !before.contains("rejected-warning-products"),
            "no warning yet"
        );
        let rejected = backend::events::NewEvent {
            kind: economic::Entity::Products,
            status: backend::events::EventStatus::Rejected,
            action: None,
            content_type: None,
            raw_query: None,
            raw_body: b"[OLDNUMBER]&[NEWNUMBER]".to_vec(),
            reason: Some("unreplaced".into()),
            received_at: backend::Timestamp::now(),
        };
        backend::events::ingest(&db, tenant, &rejected)
            .await
            .expect("store");

        // Act
        let (_, html) = anna.page("/settings/apps/economic/advanced").await;

        // Assert
        assert!(
            html.contains(r#"data-test="rejected-warning-products""#),
            "{html}"
        );
        assert!(html.contains(Msg::RejectedWarningWhy.text(Lang::Da)));
    }
);
