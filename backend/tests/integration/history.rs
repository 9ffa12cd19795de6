//! The event history: combinable filters, keyset pages in both directions across equal
//! timestamps, counts per status, never another tenant's events.

use backend::TenantId;
use backend::events::{
    self, Cursor, EventId, EventStatus, HistoryFilter, NewEvent, NumberPrefix, PageAt,
};
use backend::{Db, Timestamp, db_test};
use economic::{CustomerNumber, Entity, ProductNumber, RecordNumber, WebhookAction};

use crate::helpers::*;

/// An update event of product (or customer, for a numeric `kind`) `number` received at `at`.
fn event(kind: Entity, number: &str, at: Timestamp) -> NewEvent {
    let record = match kind {
        Entity::Customers => RecordNumber::Customer(
            CustomerNumber::new(number.parse().expect("numeric")).expect("customer number"),
        ),
        Entity::Products | Entity::Invoices => {
            RecordNumber::Product(ProductNumber::parse(number).expect("product number"))
        }
    };
    NewEvent {
        kind,
        status: EventStatus::Received,
        action: Some(WebhookAction::Updated(record)),
        content_type: Some("application/x-www-form-urlencoded".into()),
        raw_query: None,
        raw_body: format!("{number}&{number}").into_bytes(),
        reason: None,
        received_at: at,
    }
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_millis(t0().as_millis() + seconds * 1000)
}

async fn store(db: &Db, tenant: TenantId, e: &NewEvent) -> EventId {
    events::ingest(db, tenant, e).await.expect("ingest")
}

async fn set_status(db: &Db, id: EventId, status: EventStatus) {
    let sql = format!(
        "update webhook_events set status = '{}' where id = $1",
        status.as_str()
    );
    execute(db, &sql, &[id.get()]).await;
}

/// Every page of `filter`, walked with the "older" links, then back with the "newer" links.
async fn walk(
    db: &Db,
    tenant: TenantId,
    filter: &HistoryFilter,
    size: u32,
) -> (Vec<EventId>, Vec<EventId>) {
    let mut down = Vec::new();
    let mut pages = Vec::new();
    let mut at = PageAt::Newest;
    loop {
        let page = events::page(db, tenant, filter, at, size)
            .await
            .expect("page");
        assert!(page.events.len() <= size as usize);
        down.extend(page.events.iter().map(|e| e.id));
        pages.push(page.clone());
        match page.older {
            Some(c) => at = PageAt::Before(c),
            None => break,
        }
    }
    // Back up from the oldest page: each "newer" page is the one shown before it.
    let mut up = Vec::new();
    let mut newer = pages.last().and_then(|p| p.newer);
    up.extend(
        pages
            .last()
            .into_iter()
            .flat_map(|p| p.events.iter().map(|e| e.id))
            .rev(),
    );
    while let Some(c) = newer {
        let page = events::page(db, tenant, filter, PageAt::After(c), size)
            .await
            .expect("newer page");
        up.extend(page.events.iter().map(|e| e.id).rev());
        newer = page.newer;
    }
    up.reverse();
    (down, up)
}

db_test!(
    pages_walk_both_ways_across_equal_timestamps,
    |db| async move {
        let acme = owner(&db, "acme").await;
        // Three events in each of three milliseconds, and one stored out of order (received
        // earlier, stored later): the order is (received_at, id), newest first.
        let mut expected = Vec::new();
        for second in [1, 2, 3] {
            for n in 0..3 {
                let id = store(
                    &db,
                    acme.tenant_id,
                    &event(Entity::Products, &format!("P{n}"), at(second)),
                )
                .await;
                expected.push((at(second), id));
            }
        }
        let late = store(&db, acme.tenant_id, &event(Entity::Products, "P9", at(0))).await;
        expected.push((at(0), late));
        expected.sort_by(|a, b| b.cmp(a));
        let expected: Vec<EventId> = expected.into_iter().map(|(_, id)| id).collect();

        for size in [1, 2, 3, 4, 10] {
            let (down, up) = walk(&db, acme.tenant_id, &HistoryFilter::default(), size).await;
            assert_eq!(down, expected, "older pages of {size}");
            assert_eq!(up, expected, "newer pages of {size}");
        }

        let first = events::page(
            &db,
            acme.tenant_id,
            &HistoryFilter::default(),
            PageAt::Newest,
            4,
        )
        .await
        .expect("first page");
        assert_eq!(first.newer, None, "nothing is newer than the newest page");
        let second = events::page(
            &db,
            acme.tenant_id,
            &HistoryFilter::default(),
            PageAt::Before(first.older.expect("an older page")),
            4,
        )
        .await
        .expect("second page");
        let back = events::page(
            &db,
            acme.tenant_id,
            &HistoryFilter::default(),
            PageAt::After(second.newer.expect("a newer page")),
            4,
        )
        .await
        .expect("back to the first");
        assert_eq!(back.events, first.events);
        assert_eq!(back.newer, None, "the first page again has nothing newer");
    }
);

db_test!(filters_combine, |db| async move {
    let acme = owner(&db, "acme").await;
    let t = acme.tenant_id;
    let p100 = store(&db, t, &event(Entity::Products, "100", at(10))).await;
    let p1001 = store(&db, t, &event(Entity::Products, "1001", at(20))).await;
    let p200 = store(&db, t, &event(Entity::Products, "200", at(30))).await;
    let c100 = store(&db, t, &event(Entity::Customers, "100", at(40))).await;
    let c101 = store(&db, t, &event(Entity::Customers, "101", at(50))).await;
    set_status(&db, p1001, EventStatus::Dead).await;
    set_status(&db, c101, EventStatus::Dead).await;
    set_status(&db, p200, EventStatus::Processed).await;

    let ids = |filter: HistoryFilter| {
        let db = db.clone();
        async move {
            events::page(&db, t, &filter, PageAt::Newest, 50)
                .await
                .expect("page")
                .events
                .into_iter()
                .map(|e| e.id)
                .collect::<Vec<_>>()
        }
    };
    let prefix = |p: &str| NumberPrefix::parse(p);

    assert_eq!(
        ids(HistoryFilter::default()).await,
        vec![c101, c100, p200, p1001, p100]
    );
    let products = HistoryFilter {
        kind: Some(Entity::Products),
        ..Default::default()
    };
    assert_eq!(ids(products.clone()).await, vec![p200, p1001, p100]);
    let dead = HistoryFilter {
        status: Some(EventStatus::Dead),
        ..Default::default()
    };
    assert_eq!(ids(dead.clone()).await, vec![c101, p1001]);
    let dead_products = HistoryFilter {
        kind: Some(Entity::Products),
        ..dead.clone()
    };
    assert_eq!(ids(dead_products).await, vec![p1001]);
    let window = HistoryFilter {
        from: Some(at(20)),
        until: Some(at(40)),
        ..Default::default()
    };
    assert_eq!(
        ids(window.clone()).await,
        vec![p200, p1001],
        "from inclusive, until exclusive"
    );
    let starts_10 = HistoryFilter {
        number: prefix("10"),
        ..Default::default()
    };
    assert_eq!(ids(starts_10.clone()).await, vec![c101, c100, p1001, p100]);
    let all_four = HistoryFilter {
        kind: Some(Entity::Products),
        status: Some(EventStatus::Dead),
        from: Some(at(0)),
        until: Some(at(60)),
        number: prefix(" 100 "),
    };
    assert_eq!(ids(all_four).await, vec![p1001]);
    assert_eq!(
        ids(HistoryFilter {
            number: prefix("1001x"),
            ..Default::default()
        })
        .await,
        vec![]
    );
    assert_eq!(NumberPrefix::parse("   "), None);

    // Counts: for each status, the filter with that status; the filter's own status aside.
    let counts = events::counts(
        &db,
        t,
        &HistoryFilter {
            status: Some(EventStatus::Dead),
            ..starts_10
        },
    )
    .await
    .expect("counts");
    let of = |s: EventStatus| counts.iter().find(|c| c.status == s).map(|c| c.count);
    assert_eq!(of(EventStatus::Dead), Some(2));
    assert_eq!(of(EventStatus::Received), Some(2));
    assert_eq!(of(EventStatus::Processed), Some(0));
    assert_eq!(counts.len(), EventStatus::ALL.len());
    assert!(counts.iter().all(|c| !c.more));
});

db_test!(
    history_never_shows_another_tenants_events,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let globex = owner(&db, "globex").await;
        let theirs = store(&db, acme.tenant_id, &event(Entity::Products, "1", at(1))).await;
        store(&db, acme.tenant_id, &event(Entity::Products, "2", at(2))).await;

        let page = events::page(
            &db,
            globex.tenant_id,
            &HistoryFilter::default(),
            PageAt::Newest,
            50,
        )
        .await
        .expect("page");
        assert!(page.events.is_empty());
        // A cursor made from acme's event shows globex nothing of acme's either.
        let guessed = Cursor {
            received_at: at(3),
            id: EventId::new(theirs.get() + 10),
        };
        let page = events::page(
            &db,
            globex.tenant_id,
            &HistoryFilter::default(),
            PageAt::Before(guessed),
            50,
        )
        .await
        .expect("page");
        assert!(page.events.is_empty());
        let counts = events::counts(&db, globex.tenant_id, &HistoryFilter::default())
            .await
            .expect("counts");
        assert!(counts.iter().all(|c| c.count == 0));
        assert!(
            events::of_record(&db, globex.tenant_id, Entity::Products, "1", 50)
                .await
                .expect("of record")
                .is_empty()
        );
        assert!(
            events::coalesced_into(&db, globex.tenant_id, theirs)
                .await
                .expect("coalesced")
                .is_empty()
        );
    }
);

#[test]
fn cursors_round_trip_through_text() {
    let c = Cursor {
        received_at: Timestamp::from_millis(1_795_953_600_123),
        id: EventId::new(42),
    };
    assert_eq!(c.to_string(), "1795953600123_42");
    assert_eq!("1795953600123_42".parse::<Cursor>(), Ok(c));
    for bad in ["", "1", "a_1", "1_b", "1_2_3"] {
        assert!(bad.parse::<Cursor>().is_err(), "{bad:?}");
    }
}

db_test!(wide_filters_get_capped_counts, |db| async move {
    let acme = owner(&db, "acme").await;
    let many: Vec<NewEvent> = (0..10_050)
        .map(|i| event(Entity::Products, &format!("P{i}"), at(i % 7)))
        .collect();
    let batch: Vec<(TenantId, &NewEvent)> = many.iter().map(|e| (acme.tenant_id, e)).collect();
    events::ingest_many(&db, &batch).await.expect("ingest");

    let wide = events::counts(&db, acme.tenant_id, &HistoryFilter::default())
        .await
        .expect("counts");
    let narrow = events::counts(
        &db,
        acme.tenant_id,
        &HistoryFilter {
            number: NumberPrefix::parse("P1000"),
            ..Default::default()
        },
    )
    .await
    .expect("counts");

    let received = |c: &[events::StatusCount]| {
        c.iter()
            .find(|c| c.status == EventStatus::Received)
            .map(|c| (c.count, c.more))
    };
    assert_eq!(received(&wide), Some((events::COUNT_CAP, true)));
    // P1000 and P10000…P10009: exact.
    assert_eq!(received(&narrow), Some((11, false)));
});
