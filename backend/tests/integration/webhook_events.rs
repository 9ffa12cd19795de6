//! Webhook events: stored with their parsed action, listed newest first with keyset pagination,
//! never across tenants.

use backend::events::{self, EventId, EventStatus, NewEvent};
use backend::{Error, db_test};
use economic::{Entity, ProductNumber, RecordNumber, WebhookAction};

use crate::helpers::*;

fn product_event(old: &str, new: &str) -> NewEvent {
    let number = |n: &str| RecordNumber::Product(ProductNumber::parse(n).expect("number"));
    NewEvent {
        kind: Entity::Products,
        status: EventStatus::Received,
        action: Some(WebhookAction::Renumbered {
            old: number(old),
            new: number(new),
        }),
        content_type: Some("application/x-www-form-urlencoded".into()),
        raw_query: None,
        raw_body: format!("{old}&{new}").into_bytes(),
        reason: None,
        received_at: t0(),
    }
}

db_test!(ingest_then_get_round_trips, |db| async move {
    let acme = owner(&db, "acme").await;
    let new = product_event("1001", "1002");

    let id = events::ingest(&db, acme.tenant_id, &new)
        .await
        .expect("ingest");
    let event = events::get(&db, acme.tenant_id, id).await.expect("get");

    assert_eq!(event.id, id);
    assert_eq!(event.kind, Entity::Products);
    assert_eq!(event.status, EventStatus::Received);
    assert_eq!(event.action, new.action);
    assert_eq!(event.old_number.as_deref(), Some("1001"));
    assert_eq!(event.new_number.as_deref(), Some("1002"));
    assert_eq!(event.raw_body, "1001&1002");
    assert_eq!(event.received_at, t0());
});

db_test!(list_is_newest_first_with_keyset_pages, |db| async move {
    let acme = owner(&db, "acme").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let event = product_event(&format!("{i}"), &format!("{i}"));
        ids.push(
            events::ingest(&db, acme.tenant_id, &event)
                .await
                .expect("ingest"),
        );
    }

    let first = events::list(&db, acme.tenant_id, 2, None)
        .await
        .expect("list");
    let second = events::list(&db, acme.tenant_id, 2, first.last().map(|e| e.id))
        .await
        .expect("l");
    let third = events::list(&db, acme.tenant_id, 2, second.last().map(|e| e.id))
        .await
        .expect("l");

    let page = |p: &[events::Event]| p.iter().map(|e| e.id).collect::<Vec<EventId>>();
    assert_eq!(page(&first), vec![ids[4], ids[3]]);
    assert_eq!(page(&second), vec![ids[2], ids[1]]);
    assert_eq!(page(&third), vec![ids[0]]);
});

db_test!(events_never_cross_tenants, |db| async move {
    let acme = owner(&db, "acme").await;
    let globex = owner(&db, "globex").await;
    let id = events::ingest(&db, acme.tenant_id, &product_event("1", "2"))
        .await
        .expect("ingest");

    assert!(
        events::list(&db, globex.tenant_id, 50, None)
            .await
            .expect("list")
            .is_empty()
    );
    assert!(matches!(
        events::get(&db, globex.tenant_id, id).await,
        Err(Error::NotFound)
    ));
    assert_eq!(events::count(&db, acme.tenant_id).await.expect("count"), 1);
    assert_eq!(
        events::count(&db, globex.tenant_id).await.expect("count"),
        0
    );
});

db_test!(
    rejected_events_keep_the_raw_request_and_reason,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let rejected = NewEvent {
            status: EventStatus::Rejected,
            action: None,
            raw_query: Some("number=[NUMBER]".into()),
            raw_body: vec![0xff, b'&', 0],
            reason: Some("unreplaced merge field".into()),
            ..product_event("1", "2")
        };

        let ids = events::ingest_many(
            &db,
            &[(acme.tenant_id, &rejected), (acme.tenant_id, &rejected)],
        )
        .await
        .expect("ingest");
        let event = events::get(&db, acme.tenant_id, ids[1]).await.expect("get");

        assert_eq!(ids.len(), 2);
        assert!(ids[0] < ids[1]);
        assert_eq!(event.status, EventStatus::Rejected);
        assert_eq!(event.action, None);
        assert_eq!(event.old_number, None);
        assert_eq!(event.raw_query.as_deref(), Some("number=[NUMBER]"));
        assert_eq!(event.reason.as_deref(), Some("unreplaced merge field"));
    }
);

db_test!(
    a_large_mixed_batch_keeps_every_event_with_its_id,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let globex = owner(&db, "globex").await;
        // More rows than one SQLite statement takes, of two tenants, interleaved.
        let events: Vec<NewEvent> = (0..1500)
            .map(|i| product_event(&format!("A{i}"), &format!("B{i}")))
            .collect();
        let batch: Vec<_> = events
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let tenant = if i % 3 == 0 {
                    globex.tenant_id
                } else {
                    acme.tenant_id
                };
                (tenant, e)
            })
            .collect();

        let ids = events::ingest_many(&db, &batch).await.expect("ingest");

        assert_eq!(ids.len(), batch.len());
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids in batch order");
        for (i, ((tenant, sent), id)) in batch.iter().zip(&ids).enumerate() {
            let stored = events::get(&db, *tenant, *id).await.expect("get");
            assert_eq!(stored.raw_body.as_bytes(), sent.raw_body, "row {i}");
            assert_eq!(stored.new_number, Some(format!("B{i}")), "row {i}");
        }
        assert_eq!(
            events::count(&db, globex.tenant_id).await.expect("count"),
            500
        );
        assert_eq!(
            events::count(&db, acme.tenant_id).await.expect("count"),
            1000
        );
    }
);

db_test!(
    a_batch_naming_an_unknown_tenant_stores_nothing,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let event = product_event("1", "2");
        let ghost = backend::TenantId::new(acme.tenant_id.get() + 1000);

        let result = events::ingest_many(&db, &[(acme.tenant_id, &event), (ghost, &event)]).await;

        assert!(result.is_err(), "a foreign-key violation fails the batch");
        assert_eq!(events::count(&db, acme.tenant_id).await.expect("count"), 0);
    }
);
