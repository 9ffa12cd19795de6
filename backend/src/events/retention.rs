//! How long a tenant keeps its events: 30, 90 (the default) or 365 days. Older events
//! are deleted by a background job in small batches, so that the deletes never hold the
//! database (SQLite's one writer) long enough to delay a webhook's acknowledgement. Events
//! that still need someone — waiting, failed or dead — are kept until they are replayed.

use crate::db::{CrossTenant, Db};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::timestamp::Timestamp;

pub use vocabulary::Retention;

const DAY_MS: i64 = 86_400_000;

/// The tenant's retention.
pub async fn get(db: &Db, tenant_id: TenantId) -> Result<Retention> {
    let days: Option<i64> = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "select days from event_retention where tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(conn)
    .await)?;
    match days {
        None => Ok(Retention::default()),
        Some(d) => Retention::from_days(d)
            .ok_or_else(|| Error::internal(format!("retention of {d} days in database"))),
    }
}

/// Set the tenant's retention.
pub async fn set(db: &Db, tenant_id: TenantId, retention: Retention, now: Timestamp) -> Result<()> {
    with_tenant!(db, tenant_id, conn => sqlx::query(
        "insert into event_retention (tenant_id, days, created_at, updated_at) \
         values ($1, $2, $3, $3) \
         on conflict (tenant_id) do update set days = excluded.days, updated_at = excluded.updated_at",
    )
    .bind(tenant_id)
    .bind(retention.days())
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The statuses whose events expire: done with, nobody needs to act on them (and dead events
/// someone dismissed; other failed and dead ones stay until replayed or dismissed).
const EXPIRING: &str = "('processed', 'ignored', 'rejected')";

/// Delete at most `batch` of the tenant's events older than its retention at `now`, oldest
/// first. Returns how many; fewer than `batch` means none are left.
pub async fn purge_batch(db: &Db, tenant_id: TenantId, now: Timestamp, batch: u32) -> Result<u64> {
    let cutoff = now.as_millis() - get(db, tenant_id).await?.days() * DAY_MS;
    // Through the (tenant_id, received_at, id) index: only the expired rows are read. Their
    // attempts go with them (foreign key, indexed on event_id).
    let done = with_tenant!(db, tenant_id, conn => sqlx::query(&format!(
        "delete from webhook_events where id in (select id from webhook_events \
         where tenant_id = $1 and received_at < $2 \
           and (status in {EXPIRING} or (status = 'dead' and dismissed_at is not null)) \
         order by received_at, id limit $3)"
    ))
    .bind(tenant_id)
    .bind(cutoff)
    .bind(i64::from(batch))
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Every tenant's id (the job visits each in turn).
pub async fn tenants(db: &Db) -> Result<Vec<TenantId>> {
    let ids = with_cross_tenant!(db, CrossTenant::Retention, conn => sqlx::query_scalar(
        "select id from tenants order by id",
    )
        .fetch_all(conn)
        .await)?;
    Ok(ids)
}
