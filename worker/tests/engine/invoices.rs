//! Booked invoices: stored once, stock moved exactly once per line, credit notes add back.

use backend::db_test;
use backend::events::{self, EventStatus, Outcome};
use backend::records::invoices::{self, InvoiceChange};
use backend::records::{self, ProductRecord, stock};
use economic::{Entity, WebhookAction};

use crate::helpers::*;

db_test!(
    an_invoice_moves_stock_once_whatever_duplicates_arrive,
    |db| async move {
        let h = Harness::new(&db, 1, 2).await;
        let [a, b] = [h.sim_products()[0].clone(), h.sim_products()[1].clone()];
        let customer = h.sim_customers()[0];
        let number = h
            .sim
            .agreement()
            .book_invoice(customer, &[(a.clone(), 2.0), (b.clone(), 1.5)])
            .expect("book");
        let booked = WebhookAction::InvoiceBooked(number);
        // Duplicates in one batch, and again after it was stored.
        h.event(Entity::Invoices, booked.clone()).await;
        let lead = h.event(Entity::Invoices, booked.clone()).await;
        h.run().await;
        let later = h.event(Entity::Invoices, booked.clone()).await;
        let before = h.calls();
        h.run().await;

        assert_eq!(h.calls(), before, "a stored invoice is not fetched again");
        assert_eq!(invoices::count(&db, h.tenant).await.expect("count"), 1);
        assert_eq!(stock::count(&db, h.tenant).await.expect("movements"), 2);
        // The products were not synced yet: the invoice fetched them first.
        assert_eq!(
            records::get::<ProductRecord>(&db, h.tenant, &a)
                .await
                .expect("a")
                .stock,
            -2000
        );
        assert_eq!(
            records::get::<ProductRecord>(&db, h.tenant, &b)
                .await
                .expect("b")
                .stock,
            -1500
        );
        let event = events::get(&db, h.tenant, lead).await.expect("event");
        assert_eq!(
            event.outcome,
            Some(Outcome::Invoice {
                change: InvoiceChange::Stored {
                    lines: 2,
                    movements: 2,
                    unmatched: vec![]
                }
            })
        );
        let event = events::get(&db, h.tenant, later).await.expect("event");
        assert_eq!(
            event.outcome,
            Some(Outcome::Invoice {
                change: InvoiceChange::AlreadyStored
            })
        );
        let lines = invoices::lines(&db, h.tenant, number).await.expect("lines");
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| l.matched));
    }
);

db_test!(a_credit_note_adds_stock_back, |db| async move {
    let h = Harness::new(&db, 1, 1).await;
    let p = h.sim_products()[0].clone();
    let customer = h.sim_customers()[0];
    let sale = h
        .sim
        .agreement()
        .book_invoice(customer, &[(p.clone(), 4.0)])
        .expect("sale");
    let credit = h
        .sim
        .agreement()
        .book_invoice(customer, &[(p.clone(), -1.25)])
        .expect("credit");
    h.event(Entity::Invoices, WebhookAction::InvoiceBooked(sale))
        .await;
    h.event(Entity::Invoices, WebhookAction::InvoiceBooked(credit))
        .await;

    h.run().await;

    assert_eq!(h.count(EventStatus::Processed).await, 2);
    assert_eq!(
        records::get::<ProductRecord>(&db, h.tenant, &p)
            .await
            .expect("p")
            .stock,
        -2750
    );
});
