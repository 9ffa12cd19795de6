//! Replay by hand: an event, a selection, or every failed and dead event of a tenant (or of a
//! history filter) goes back in the queue with its attempts reset, where the workers take it
//! like any other. The caller wakes the workers.

use crate::db::Db;
use crate::error::{Error, Result};
use crate::events::history::{Bind, conditions};
use crate::events::{EventId, EventStatus, HistoryFilter};
use crate::ids::TenantId;
use crate::timestamp::Timestamp;

const REQUEUE: &str = "update webhook_events set status = 'queued', attempts = 0, \
    next_attempt_at = 0, last_error = null, outcome = null, coalesced_into = null, \
    processed_at = null, lease_token = null, dismissed_at = null, updated_at = $2 \
    where tenant_id = $1";

/// Put the tenant's event `id` back in the queue: a processed one to be applied again, a
/// failed or dead one to be tried afresh. Errors: `NotFound` (no such event of this tenant, or
/// one that cannot be applied: ignored, rejected, or waiting already).
pub async fn replay(db: &Db, tenant_id: TenantId, id: EventId, now: Timestamp) -> Result<()> {
    let done = with_tenant!(db, tenant_id, conn => sqlx::query(&format!(
        "{REQUEUE} and id = $3 and status in ('processed', 'failed', 'dead')"
    ))
    .bind(tenant_id)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 1 {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// Dismiss the tenant's dead event `id`: it needs no replay, no longer counts as needing
/// attention, and the retention job may delete it. Errors: `NotFound` (no such dead event of
/// this tenant, or dismissed already).
pub async fn dismiss(db: &Db, tenant_id: TenantId, id: EventId, now: Timestamp) -> Result<()> {
    let done = with_tenant!(db, tenant_id, conn => sqlx::query(
        "update webhook_events set dismissed_at = $2, updated_at = $2 \
         where tenant_id = $1 and id = $3 and status = 'dead' and dismissed_at is null",
    )
    .bind(tenant_id)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 1 {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// Put every failed and dead event of the tenant back in the queue. Returns how many.
pub async fn replay_failed(db: &Db, tenant_id: TenantId, now: Timestamp) -> Result<u64> {
    let done = with_tenant!(db, tenant_id, conn => sqlx::query(&format!(
        "{REQUEUE} and status in ('failed', 'dead') and dismissed_at is null"
    ))
    .bind(tenant_id)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Most events one selection may name (a page shows at most 500).
pub const MAX_SELECTION: usize = 500;

/// Put the tenant's events `ids` that can be replayed (processed, failed or dead) back in the
/// queue; other ids, and other tenants' ids, are left alone. Returns how many went back.
pub async fn replay_selected(
    db: &Db,
    tenant_id: TenantId,
    ids: &[EventId],
    now: Timestamp,
) -> Result<u64> {
    let ids: Vec<i64> = ids.iter().take(MAX_SELECTION).map(|id| id.get()).collect();
    if ids.is_empty() {
        return Ok(0);
    }
    let marks = (0..ids.len())
        .map(|i| format!("${}", i + 3))
        .collect::<Vec<_>>()
        .join(", ");
    let sql =
        format!("{REQUEUE} and status in ('processed', 'failed', 'dead') and id in ({marks})");
    let done = with_tenant!(db, tenant_id, conn => {
        let mut query = sqlx::query(&sql).bind(tenant_id).bind(now);
        for id in &ids {
            query = query.bind(*id);
        }
        query.execute(conn).await.map(|r| r.rows_affected())
    })?;
    Ok(done)
}

/// Put every failed and dead event of the tenant that matches `filter` back in the queue (a
/// filter on another status matches none). Returns how many.
pub async fn replay_matching(
    db: &Db,
    tenant_id: TenantId,
    filter: &HistoryFilter,
    now: Timestamp,
) -> Result<u64> {
    let mut total = 0;
    for status in [EventStatus::Failed, EventStatus::Dead] {
        if filter.status.is_some_and(|s| s != status) {
            continue;
        }
        let filter = HistoryFilter {
            status: Some(status),
            ..filter.clone()
        };
        let (conditions, binds) = conditions(tenant_id, &filter);
        // The filter's placeholders start at $1 (the tenant); `now` comes after them.
        let now_mark = binds.len() + 1;
        let sql = format!(
            "update webhook_events set status = 'queued', attempts = 0, next_attempt_at = 0, \
             last_error = null, outcome = null, coalesced_into = null, processed_at = null, \
             lease_token = null, updated_at = ${now_mark} \
             where {conditions} and dismissed_at is null"
        );
        total += with_tenant!(db, tenant_id, conn => {
            let mut query = sqlx::query(&sql);
            for bind in &binds {
                query = match bind {
                    Bind::Int(n) => query.bind(*n),
                    Bind::Text(t) => query.bind(t.as_str()),
                };
            }
            query.bind(now).execute(conn).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(total)
}
