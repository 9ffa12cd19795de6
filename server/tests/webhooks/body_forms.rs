//! Every body form e-conomic (and integrators' templates) really send, parsed and stored.

use backend::db_test;
use backend::events::EventStatus;
use economic::{CustomerNumber, Entity, InvoiceNumber, ProductNumber, RecordNumber, WebhookAction};

use crate::helpers::*;

fn customer(n: i64) -> RecordNumber {
    RecordNumber::Customer(CustomerNumber::new(n).expect("customer number"))
}

fn product(n: &str) -> RecordNumber {
    RecordNumber::Product(ProductNumber::parse(n).expect("product number"))
}

db_test!(every_accepted_form_is_stored_as_received, |db| async move {
    let app = spawn_ingest_only(&db).await;
    let tenant = app.live_tenant("acme").await;
    use Entity::{Customers as C, Invoices as I, Products as P};
    let cases: Vec<(Entity, &str, &str, WebhookAction)> = vec![
        (
            C,
            "",
            "1001&1002",
            WebhookAction::Renumbered {
                old: customer(1001),
                new: customer(1002),
            },
        ),
        (C, "", "&1001", WebhookAction::Created(customer(1001))),
        (C, "", "1001&", WebhookAction::Deleted(customer(1001))),
        (C, "", "1001&1001", WebhookAction::Updated(customer(1001))),
        (
            C,
            "",
            "old=1001&new=1002",
            WebhookAction::Renumbered {
                old: customer(1001),
                new: customer(1002),
            },
        ),
        (C, "?old=7&new=7", "", WebhookAction::Updated(customer(7))),
        (P, "?old=&new=A1", "", WebhookAction::Created(product("A1"))),
        (
            I,
            "",
            "20147",
            WebhookAction::InvoiceBooked(InvoiceNumber::new(20147).expect("n")),
        ),
        (
            I,
            "?number=20148",
            "",
            WebhookAction::InvoiceBooked(InvoiceNumber::new(20148).expect("n")),
        ),
        (
            P,
            "",
            "old=Vare%201&new=Vare%202",
            WebhookAction::Renumbered {
                old: product("Vare 1"),
                new: product("Vare 2"),
            },
        ),
        (
            P,
            "",
            "Vare%201&Vare%201",
            WebhookAction::Updated(product("Vare 1")),
        ),
    ];

    for (kind, query, body, expected) in &cases {
        let url = format!("{}{query}", app.url(tenant, *kind).await);
        let response = app.post(&url, body.to_string()).await;
        assert_eq!(response.status(), 200, "{kind} {query} {body:?}");

        let event = app.events(tenant).await.remove(0);
        assert_eq!(event.status, EventStatus::Received, "{body:?}");
        assert_eq!(event.action.as_ref(), Some(expected), "{query} {body:?}");
        assert_eq!(event.kind, *kind);
        assert_eq!(event.raw_body, *body);
        let stored_query = event.raw_query.unwrap_or_default();
        assert_eq!(stored_query, query.trim_start_matches('?'));
    }
    assert_eq!(app.events(tenant).await.len(), cases.len());
});

db_test!(
    unreplaced_merge_fields_are_rejected_and_stored,
    |db| async move {
        let app = spawn_ingest_only(&db).await;
        let tenant = app.live_tenant("acme").await;

        for (kind, query, body) in [
            (Entity::Products, "", "[OLDNUMBER]&[NEWNUMBER]"),
            (Entity::Invoices, "?number=[NUMBER]", ""),
            (Entity::Customers, "", "no separator"),
            (Entity::Customers, "", "&"),
        ] {
            let url = format!("{}{query}", app.url(tenant, kind).await);
            let response = app.post(&url, body).await;

            // 2xx: a retry could never succeed, and e-conomic disables a failing webhook.
            assert_eq!(response.status(), 200, "{query} {body}");
            let json: serde_json::Value = response.json().await.expect("json answer");
            assert_eq!(json["status"], "rejected", "{json}");
            assert!(
                json["reason"].as_str().is_some_and(|e| !e.is_empty()),
                "{json}"
            );
            let event = app.events(tenant).await.remove(0);
            assert_eq!(event.status, EventStatus::Rejected);
            assert!(event.reason.is_some());
            assert_eq!(event.action, None);
        }
    }
);

db_test!(a_kind_not_enabled_is_stored_as_ignored, |db| async move {
    let app = spawn_ingest_only(&db).await;
    // Default settings: hourly sync, no webhooks; connected.
    let tenant = backend::testing::owner(&app.db, "acme").await.tenant_id;
    let now = backend::Timestamp::now();
    backend::connection::connect_offline(&app.db, &app.keys, tenant, "demo", now)
        .await
        .expect("connect");
    let url = app.url(tenant, Entity::Products).await;

    let response = app.post(&url, "1001&1001").await;

    assert_eq!(response.status(), 200);
    let event = app.events(tenant).await.remove(0);
    assert_eq!(event.status, EventStatus::Ignored);
    assert!(
        event
            .reason
            .is_some_and(|r| r.contains("hourly") || r.contains("not activated"))
    );
    assert_eq!(event.action, Some(WebhookAction::Updated(product("1001"))));
});

db_test!(
    nul_bytes_are_stored_or_rejected_without_failing_anyone_else,
    |db| async move {
        let app = spawn_ingest_only(&db).await;
        let tenant = app.live_tenant("acme").await;
        let url = app.url(tenant, Entity::Products).await;
        // PostgreSQL `text` cannot hold NUL: none of these may reach a text column raw, or the
        // whole group-committed batch would fail with them.
        let bodies: [&[u8]; 4] = [b"A\0B&A\0B", b"old=A%00B&new=A%00B", b"\0", b"old=%00&new="];

        let sent = bodies.map(|body| app.post(&url, body.to_vec()));
        let answers = futures::future::join_all(sent).await;
        let normal = app.post(&url, "P1&P1").await;

        for (answer, body) in answers.iter().zip(bodies) {
            let status = answer.status().as_u16();
            assert_eq!(status, 200, "{body:?} answered {status}");
        }
        assert_eq!(normal.status().as_u16(), 200);
        assert_eq!(app.events(tenant).await.len(), bodies.len() + 1);
    }
);
