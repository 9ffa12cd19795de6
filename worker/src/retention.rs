//! The retention job: every [`EVERY`], each tenant's events older than its retention
//! are deleted, [`BATCH`] at a time with a pause between batches, so that ingest and the
//! workers get the database between them (on SQLite a delete holds the one write lock).
//! Started by the server's start-up with the other background tasks and joined at shutdown:
//! a cancel is seen between batches.

use std::time::Duration;

use backend::events::retention;
use backend::{Db, Timestamp};
use tokio_util::sync::CancellationToken;

use crate::periodic::periodic;

/// How often the job runs (and how long after start-up it first runs).
pub const EVERY: Duration = Duration::from_secs(3600);
/// Events deleted per statement.
pub const BATCH: u32 = 1000;
/// The pause between two batches.
pub const PAUSE: Duration = Duration::from_millis(50);

/// Run the job until `stop`.
pub async fn run(db: Db, stop: CancellationToken) {
    periodic("retention", EVERY, stop.clone(), || async {
        match purge(&db, Timestamp::now(), &stop).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "expired events deleted"),
            Err(e) => tracing::error!(error = ?e, "deleting expired events failed"),
        }
    })
    .await;
}

/// Delete every tenant's expired events at `now`, in batches; returns how many. Stops early
/// (having deleted whole batches only) when `stop` is cancelled. Tests call it directly.
pub async fn purge(db: &Db, now: Timestamp, stop: &CancellationToken) -> backend::Result<u64> {
    let mut total = 0;
    for tenant in retention::tenants(db).await? {
        loop {
            if stop.is_cancelled() {
                return Ok(total);
            }
            let n = retention::purge_batch(db, tenant, now, BATCH).await?;
            total += n;
            if n < u64::from(BATCH) {
                break;
            }
            tokio::time::sleep(PAUSE).await;
        }
    }
    Ok(total)
}
