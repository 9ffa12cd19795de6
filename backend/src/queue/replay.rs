//! Replay by hand: an event (or every failed and dead event of a tenant) goes back in the queue
//! with its attempts reset. The caller wakes the workers.

use crate::db::Db;
use crate::error::{Error, Result};
use crate::events::EventId;
use crate::ids::TenantId;
use crate::timestamp::Timestamp;

const REQUEUE: &str = "update webhook_events set status = 'queued', attempts = 0, \
    next_attempt_at = 0, last_error = null, outcome = null, coalesced_into = null, \
    processed_at = null, lease_token = null, updated_at = $2 where tenant_id = $1";

/// Put the tenant's event `id` back in the queue: a processed one to be applied again, a
/// failed or dead one to be tried afresh. Errors: `NotFound` (no such event of this tenant, or
/// one that cannot be applied: ignored, rejected, or waiting already).
pub async fn replay(db: &Db, tenant_id: TenantId, id: EventId, now: Timestamp) -> Result<()> {
    let done = with_db!(db, pool => sqlx::query(&format!(
        "{REQUEUE} and id = $3 and status in ('processed', 'failed', 'dead')"
    ))
    .bind(tenant_id)
    .bind(now)
    .bind(id)
    .execute(pool)
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
    let done = with_db!(db, pool => sqlx::query(&format!(
        "{REQUEUE} and status in ('failed', 'dead')"
    ))
    .bind(tenant_id)
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}
