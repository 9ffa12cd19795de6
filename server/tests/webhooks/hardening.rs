//! What an outside probe found: ambiguous keyed bodies, invalid UTF-8 escapes,
//! rejected requests answered 4xx and stored per retry, odd paths falling through to the
//! browser routes, webhooks of a disconnected company stored as received, reasons quoting 16 KB.

use backend::db_test;
use backend::events::{EventStatus, MAX_REASON_CHARS};
use backend::settings::REASON_NOT_CONNECTED;
use economic::Entity;

use crate::helpers::*;

const KIND: Entity = Entity::Products;

db_test!(
    keyed_bodies_a_number_could_have_produced_are_rejected,
    |db| async move {
        let app = spawn_ingest_only(&db).await;
        let tenant = app.live_tenant("acme").await;
        let url = app.url(tenant, KIND).await;

        for body in [
            // `old=[OLDNUMBER]&new=[NEWNUMBER]` with the new product number `A&B=C`.
            "old=PX-1&new=A&B=C",
            "old=P1&new=EVIL&new=P2",
            "%ff&%ff",
        ] {
            let response = app.post(&url, body).await;

            assert_eq!(response.status(), 200, "{body}");
            let event = app.events(tenant).await.remove(0);
            assert_eq!(event.status, EventStatus::Rejected, "{body}");
            assert_eq!(event.action, None, "{body}: no number is guessed");
            assert_eq!(event.raw_body, body, "stored as sent");
            let reason = event.reason.unwrap_or_default();
            assert!(
                reason.contains("ambiguous") || reason.contains("UTF-8"),
                "{body}: {reason}"
            );
        }
    }
);

db_test!(
    an_identical_rejected_request_is_stored_once,
    |db| async move {
        let app = spawn_ingest_only(&db).await;
        let tenant = app.live_tenant("acme").await;
        let url = app.url(tenant, KIND).await;

        let mut ids = Vec::new();
        for _ in 0..3 {
            let response = app.post(&url, "[OLDNUMBER]&[NEWNUMBER]").await;
            assert_eq!(response.status(), 200);
            let json: serde_json::Value = response.json().await.expect("json");
            ids.push(json["event_id"].as_i64().expect("event id"));
        }
        let other = app.post(&url, "no separator").await;

        assert!(ids.windows(2).all(|w| w[0] == w[1]), "one event: {ids:?}");
        assert_eq!(other.status(), 200);
        let events = app.events(tenant).await;
        assert_eq!(events.len(), 2, "the repeats are not stored again");
        assert!(events.iter().all(|e| e.status == EventStatus::Rejected));
    }
);

db_test!(reasons_are_capped, |db| async move {
    let app = spawn_ingest_only(&db).await;
    let tenant = app.live_tenant("acme").await;
    let body = format!("x{}", "y".repeat(16_000));

    let response = app.post(&app.url(tenant, KIND).await, body.clone()).await;

    assert_eq!(response.status(), 200);
    let event = app.events(tenant).await.remove(0);
    assert_eq!(event.status, EventStatus::Rejected);
    let reason = event.reason.expect("a reason");
    assert!(
        reason.chars().count() <= MAX_REASON_CHARS + 1,
        "{} characters",
        reason.chars().count()
    );
    assert_eq!(event.raw_body.len(), body.len(), "the body itself is kept");
});

db_test!(
    odd_paths_get_the_webhooks_own_404_and_never_the_browser_routes,
    |db| async move {
        let app = spawn_ingest_only(&db).await;
        let tenant = app.live_tenant("acme").await;
        let token = app.token(tenant, Entity::Invoices).await;
        let base = format!("{}/webhooks/economic/{tenant}/invoices", app.address);
        let wrong_credential = app
            .post(
                &app.url_with(&tenant.to_string(), "invoices", "x".repeat(43).as_str()),
                "1",
            )
            .await;
        let expected = (
            wrong_credential.status(),
            wrong_credential.text().await.expect("body"),
        );
        assert_eq!(expected.0, 404);

        for url in [
            format!("{base}/{token}/extra"),
            format!("{base}//{token}"),
            format!(
                "{}/webhooks/economic//{tenant}/invoices/{token}",
                app.address
            ),
            format!("{}/webhooks/{token}", app.address),
            format!("{}/webhooks", app.address),
        ] {
            let response = app.post(&url, "20147").await;
            let answer = (response.status(), response.text().await.expect("body"));
            assert_eq!(answer, expected, "{url}");
        }
        let get = app
            .client
            .get(format!("{base}/{token}"))
            .send()
            .await
            .expect("GET");
        assert_eq!(get.status(), 404, "other methods get the same 404");
        assert_eq!(app.total_events().await, 0);

        // The URL as pasted with a trailing slash is the same webhook.
        let slash = app.post(&format!("{base}/{token}/"), "20147").await;
        assert_eq!(slash.status(), 200);
        assert_eq!(app.total_events().await, 1);
    }
);

db_test!(
    webhooks_of_a_company_not_connected_are_ignored,
    |db| async move {
        let app = spawn_ingest_only(&db).await;
        let tenant = app.live_tenant("acme").await;
        backend::connection::disconnect(&app.db, tenant)
            .await
            .expect("disconnect");
        // The ingest cache trusts what it read for a second.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

        let response = app.post(&app.url(tenant, KIND).await, "P1&P1").await;

        assert_eq!(response.status(), 200);
        let event = app.events(tenant).await.remove(0);
        assert_eq!(event.status, EventStatus::Ignored);
        assert_eq!(event.reason.as_deref(), Some(REASON_NOT_CONNECTED));
    }
);
