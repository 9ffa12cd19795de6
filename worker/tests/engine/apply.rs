//! Customers and products: created, updated, renumbered, deleted; coalescing and list calls.

use backend::events::{self, EventStatus, Outcome};
use backend::records::{self, CustomerRecord, FieldChange, ProductRecord, RecordChange};
use backend::{Error, db_test};
use economic::{Entity, RecordNumber, WebhookAction};

use crate::helpers::*;

db_test!(records_follow_the_simulator, |db| async move {
    let h = Harness::new(&db, 3, 3).await;
    for n in h.sim_customers() {
        h.customer_event(n.get()).await;
    }
    for n in h.sim_products() {
        h.product_event(n.as_str()).await;
    }
    let before = h.calls();

    h.run().await;

    assert_eq!(h.count(EventStatus::Processed).await, 6);
    // Three customers in one `$in` list, three products one GET each.
    assert_eq!(h.calls() - before, 4);
    for n in h.sim_customers() {
        let local = records::get::<CustomerRecord>(&db, h.tenant, &n)
            .await
            .expect("stored");
        let remote = h.sim.agreement().customer(n).expect("in the simulator");
        assert_eq!((local.name, local.deleted_at), (remote.name, None));
    }
    for n in h.sim_products() {
        let local = records::get::<ProductRecord>(&db, h.tenant, &n)
            .await
            .expect("stored");
        let remote = h.sim.agreement().product(&n).expect("in the simulator");
        assert_eq!(
            (local.name, local.sales_price),
            (remote.name, remote.sales_price)
        );
    }

    // Changed in e-conomic: the fetched record says what changed.
    let number = h.sim_products()[0].clone();
    let mut changed = h.sim.agreement().product(&number).expect("product");
    let before_name = changed.name.clone();
    changed.name = "Renamed in e-conomic".to_owned();
    h.sim.agreement().update_product(changed).expect("update");
    let id = h.product_event(number.as_str()).await;
    h.run().await;
    let event = events::get(&db, h.tenant, id).await.expect("event");
    assert_eq!(event.status, EventStatus::Processed);
    assert_eq!(
        event.outcome,
        Some(Outcome::Record {
            renumbered_from: None,
            change: RecordChange::Updated {
                fields: vec!["name".to_owned()],
                values: vec![FieldChange {
                    field: "name".to_owned(),
                    before: Some(before_name),
                    after: Some("Renamed in e-conomic".to_owned()),
                }],
            }
        })
    );
    let local = records::get::<ProductRecord>(&db, h.tenant, &number)
        .await
        .expect("stored");
    assert_eq!(local.name, "Renamed in e-conomic");

    // Deleted in e-conomic: soft-deleted here, the row stays.
    let gone = h.sim_customers()[0];
    h.sim.agreement().delete_customer(gone).expect("delete");
    let id = h
        .event(
            Entity::Customers,
            WebhookAction::Deleted(RecordNumber::Customer(gone)),
        )
        .await;
    h.run().await;
    let event = events::get(&db, h.tenant, id).await.expect("event");
    assert!(matches!(
        event.outcome,
        Some(Outcome::Record {
            change: RecordChange::Deleted,
            ..
        })
    ));
    let local = records::get::<CustomerRecord>(&db, h.tenant, &gone)
        .await
        .expect("row kept");
    assert!(local.deleted_at.is_some());
    assert_eq!(
        records::count::<CustomerRecord>(&db, h.tenant)
            .await
            .expect("count"),
        2
    );

    // A webhook for a product e-conomic never had: a 404 is not a failure.
    let id = h.product_event("NEVER-THERE").await;
    h.run().await;
    let event = events::get(&db, h.tenant, id).await.expect("event");
    assert!(matches!(
        event.outcome,
        Some(Outcome::Record {
            change: RecordChange::Gone,
            ..
        })
    ));
});

db_test!(
    renumbering_moves_the_record_with_its_stock,
    |db| async move {
        let h = Harness::new(&db, 1, 1).await;
        let old = h.sim_products()[0].clone();
        let customer = h.sim_customers()[0];
        let invoice = h
            .sim
            .agreement()
            .book_invoice(customer, &[(old.clone(), 3.0)])
            .expect("book");
        h.product_event(old.as_str()).await;
        h.event(Entity::Invoices, WebhookAction::InvoiceBooked(invoice))
            .await;
        h.run().await;
        assert_eq!(
            records::get::<ProductRecord>(&db, h.tenant, &old)
                .await
                .expect("stored")
                .stock,
            -3000
        );

        let new = product("RENUMBERED-1");
        h.sim
            .agreement()
            .renumber_product(&old, new.clone())
            .expect("renumber");
        let action = WebhookAction::Renumbered {
            old: RecordNumber::Product(old.clone()),
            new: RecordNumber::Product(new.clone()),
        };
        let id = h.event(Entity::Products, action).await;
        h.run().await;

        let moved = records::get::<ProductRecord>(&db, h.tenant, &new)
            .await
            .expect("at its new number");
        assert_eq!(moved.stock, -3000, "stock moved with it");
        assert!(matches!(
            records::get::<ProductRecord>(&db, h.tenant, &old).await,
            Err(Error::NotFound)
        ));
        let movements = backend::records::stock::movements(&db, h.tenant, new.as_str())
            .await
            .expect("movements");
        assert_eq!(movements.len(), 1, "its history moved with it");
        let event = events::get(&db, h.tenant, id).await.expect("event");
        assert!(matches!(
            event.outcome,
            Some(Outcome::Record { renumbered_from: Some(ref from), .. }) if from == old.as_str()
        ));
    }
);

db_test!(
    pending_events_of_one_record_fold_into_one_fetch,
    |db| async move {
        let h = Harness::new(&db, 0, 1).await;
        let number = h.sim_products()[0].clone();
        let mut ids = Vec::new();
        for _ in 0..5 {
            ids.push(h.product_event(number.as_str()).await);
        }
        let before = h.calls();

        h.run().await;

        assert_eq!(h.calls() - before, 1, "one GET for five events");
        let lead = *ids.last().expect("five");
        for id in &ids[..4] {
            let event = events::get(&db, h.tenant, *id).await.expect("event");
            assert_eq!(event.status, EventStatus::Processed);
            assert_eq!(event.outcome, Some(Outcome::Coalesced { into: lead }));
        }
        let attempts = events::attempts(&db, h.tenant, lead)
            .await
            .expect("attempts");
        assert_eq!(attempts.len(), 1);
        assert_eq!(attempts[0].outcome.as_str(), "processed");
    }
);

db_test!(
    an_event_already_covered_by_a_later_fetch_costs_no_call,
    |db| async move {
        let mut h = Harness::new(&db, 0, 1).await;
        h.env.config.batch = 1; // each event its own batch
        let number = h.sim_products()[0].clone();
        h.product_event(number.as_str()).await;
        let second = h.product_event(number.as_str()).await;
        let before = h.calls();

        h.run().await;

        assert_eq!(h.calls() - before, 1);
        let event = events::get(&db, h.tenant, second).await.expect("event");
        assert_eq!(event.outcome, Some(Outcome::UpToDate));
    }
);

db_test!(
    a_large_backlog_is_fetched_with_list_calls,
    |db| async move {
        let h = Harness::new(&db, 0, 0).await;
        let numbers = h
            .sim
            .agreement()
            .bulk_import_products(2500)
            .expect("import");
        for n in &numbers {
            h.product_event(n.as_str()).await;
        }
        let before = h.calls();

        h.run().await;

        assert_eq!(h.count(EventStatus::Processed).await, 2500);
        assert_eq!(
            records::count::<ProductRecord>(&db, h.tenant)
                .await
                .expect("count"),
            2500
        );
        // Three pages of `lastUpdated$gte:…` instead of 2500 GETs.
        assert!(h.calls() - before <= 4, "{} calls", h.calls() - before);
    }
);

db_test!(many_customers_are_fetched_with_in_lists, |db| async move {
    let h = Harness::new(&db, 450, 0).await;
    for n in h.sim_customers() {
        h.customer_event(n.get()).await;
    }
    let before = h.calls();

    h.run().await;

    assert_eq!(
        records::count::<CustomerRecord>(&db, h.tenant)
            .await
            .expect("count"),
        450
    );
    assert_eq!(h.calls() - before, 3, "three lists of at most 200");
});
