//! The retention job: each tenant's events older than its retention are deleted with their
//! attempts, in batches; waiting, failed and dead events stay; nothing of another tenant's.

use backend::events::retention::{self, Retention};
use backend::events::{self, EventId, EventStatus};
use backend::{Db, TenantId, Timestamp, db_test};
use economic::{Entity, RecordNumber, WebhookAction};
use tokio_util::sync::CancellationToken;

use crate::helpers::*;

const DAY: i64 = 86_400_000;

async fn aged(
    db: &Db,
    tenant: TenantId,
    days_old: i64,
    status: EventStatus,
    now: Timestamp,
) -> EventId {
    let mut e = received(
        Entity::Products,
        WebhookAction::Updated(RecordNumber::Product(product("P-1"))),
    );
    e.received_at = Timestamp::from_millis(now.as_millis() - days_old * DAY);
    let id = events::ingest(db, tenant, &e).await.expect("ingest");
    let sql = format!(
        "update webhook_events set status = '{}' where id = {}",
        status.as_str(),
        id.get()
    );
    let attempt = format!(
        "insert into event_attempts (tenant_id, event_id, attempt, worker, started_at, finished_at, \
         outcome, api_calls, created_at, updated_at) values ({t}, {id}, 1, 'w', 0, 0, 'processed', 1, 0, 0)",
        t = tenant.get(),
        id = id.get()
    );
    for sql in [sql, attempt] {
        if let Some(pool) = db.sqlite_pool() {
            sqlx::query(&sql).execute(pool).await.expect("SQLite");
        } else {
            sqlx::query(&sql)
                .execute(db.pg_pool().expect("pg"))
                .await
                .expect("PostgreSQL");
        }
    }
    id
}

async fn exists(db: &Db, tenant: TenantId, id: EventId) -> bool {
    events::get(db, tenant, id).await.is_ok()
}

db_test!(old_done_events_go_and_the_rest_stay, |db| async move {
    // Arrange: acme keeps 90 days (the default), globex 365.
    let now = Timestamp::now();
    let acme = backend::testing::owner(&db, "acme").await.tenant_id;
    let globex = backend::testing::owner(&db, "globex").await.tenant_id;
    retention::set(&db, globex, Retention::Days365, now)
        .await
        .expect("set");
    assert_eq!(
        retention::get(&db, acme).await.expect("get"),
        Retention::Days90
    );
    let mut old_done = Vec::new();
    for status in [
        EventStatus::Processed,
        EventStatus::Ignored,
        EventStatus::Rejected,
    ] {
        old_done.push(aged(&db, acme, 91, status, now).await);
    }
    let mut kept = Vec::new();
    for status in [
        EventStatus::Failed,
        EventStatus::Dead,
        EventStatus::Queued,
        EventStatus::Received,
    ] {
        kept.push(aged(&db, acme, 200, status, now).await);
    }
    kept.push(aged(&db, acme, 89, EventStatus::Processed, now).await);
    let theirs = aged(&db, globex, 200, EventStatus::Processed, now).await;

    // Act: batches of 2 (three events to delete: two batches).
    let first = retention::purge_batch(&db, acme, now, 2)
        .await
        .expect("purge");
    let second = retention::purge_batch(&db, acme, now, 2)
        .await
        .expect("purge");
    let deleted = worker::retention::purge(&db, now, &CancellationToken::new())
        .await
        .expect("job");

    // Assert
    assert_eq!((first, second, deleted), (2, 1, 0));
    for id in old_done {
        assert!(!exists(&db, acme, id).await, "{id} expired");
        assert!(
            events::attempts(&db, acme, id)
                .await
                .expect("attempts")
                .is_empty()
        );
    }
    for id in kept {
        assert!(exists(&db, acme, id).await, "{id} kept");
    }
    assert!(exists(&db, globex, theirs).await, "globex keeps a year");
    retention::set(&db, globex, Retention::Days30, now)
        .await
        .expect("set");
    assert_eq!(
        worker::retention::purge(&db, now, &CancellationToken::new())
            .await
            .expect("job"),
        1
    );
    assert!(!exists(&db, globex, theirs).await);
});

db_test!(
    a_dismissed_dead_event_expires_and_a_replay_undoes_it,
    |db| async move {
        // Arrange: two old dead events of acme; one dismissed. Globex cannot dismiss acme's.
        let now = Timestamp::now();
        let acme = backend::testing::owner(&db, "acme").await.tenant_id;
        let globex = backend::testing::owner(&db, "globex").await.tenant_id;
        let dismissed = aged(&db, acme, 200, EventStatus::Dead, now).await;
        let undecided = aged(&db, acme, 200, EventStatus::Dead, now).await;
        let replayed = aged(&db, acme, 200, EventStatus::Dead, now).await;
        let theirs = backend::queue::dismiss(&db, globex, dismissed, now).await;
        backend::queue::dismiss(&db, acme, dismissed, now)
            .await
            .expect("dismiss");
        backend::queue::dismiss(&db, acme, replayed, now)
            .await
            .expect("dismiss");
        let twice = backend::queue::dismiss(&db, acme, dismissed, now).await;
        backend::queue::replay(&db, acme, replayed, now)
            .await
            .expect("replay");
        let failed_again = backend::queue::replay_failed(&db, acme, now)
            .await
            .expect("replay all");

        // Act
        let deleted = worker::retention::purge(&db, now, &CancellationToken::new())
            .await
            .expect("job");

        // Assert
        assert!(
            matches!(theirs, Err(backend::Error::NotFound)),
            "not globex's to dismiss"
        );
        assert!(matches!(twice, Err(backend::Error::NotFound)));
        assert_eq!(
            failed_again, 1,
            "replaying every failed one skips the dismissed one"
        );
        assert_eq!(deleted, 1);
        assert!(
            !exists(&db, acme, dismissed).await,
            "the dismissed one expired"
        );
        let kept = events::get(&db, acme, undecided).await.expect("kept");
        assert_eq!(
            kept.status,
            EventStatus::Queued,
            "replayed by 'every failed'"
        );
        let back = events::get(&db, acme, replayed).await.expect("kept");
        assert_eq!(back.dismissed_at, None, "a replay undoes the dismissal");
    }
);

#[test]
fn only_the_offered_periods_parse() {
    assert_eq!(Retention::from_days(30), Some(Retention::Days30));
    assert_eq!(Retention::from_days(365), Some(Retention::Days365));
    assert_eq!(Retention::from_days(31), None);
    assert_eq!(Retention::default().days(), 90);
}
