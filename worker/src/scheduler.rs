//! The scheduler: every few seconds each process creates the sync runs whose slot
//! has begun — the hourly sync of each tenant's ticked entities, the reconciliation of every
//! tenant's customers and products — and wakes its workers when it did. Running it in every
//! process is safe: a run is one row per tenant, entity, kind and slot, so however many
//! processes create it, it exists once, and one worker claims it.

use std::time::Duration;

use backend::Timestamp;
use backend::sync::{self, RunKind, budget};
use tokio_util::sync::CancellationToken;

use crate::environment::Environment;
use crate::periodic::periodic;

/// Look for due slots until `stop`.
pub async fn run(env: Environment, stop: CancellationToken) {
    periodic("scheduler", tick(&env), stop, || async {
        match schedule_due(&env, Timestamp::now()).await {
            Ok(0) => {}
            Ok(created) => {
                tracing::debug!(created, "sync runs scheduled");
                env.signal.notify();
            }
            Err(e) => tracing::error!(error = ?e, "scheduling sync runs failed"),
        }
    })
    .await;
}

/// Create the runs due at `now` and forget API-budget counts older than the window; returns
/// the runs created. Tests call it to schedule without waiting.
pub async fn schedule_due(env: &Environment, now: Timestamp) -> backend::Result<u64> {
    let (db, config) = (&env.db, &env.config.sync);
    let hourly = sync::schedule(db, RunKind::Hourly, duration(config.hourly), now).await?;
    let reconcile = sync::schedule(db, RunKind::Reconcile, duration(config.reconcile), now).await?;
    budget::prune(db, now).await?;
    Ok(hourly + reconcile)
}

/// A tenth of the shorter interval, between 1 and 30 seconds: a slot's run starts within a
/// tick of the slot's start.
fn tick(env: &Environment) -> Duration {
    let shortest = env.config.sync.hourly.min(env.config.sync.reconcile);
    (shortest / 10).clamp(Duration::from_secs(1), Duration::from_secs(30))
}

fn duration(d: Duration) -> time::Duration {
    time::Duration::try_from(d).unwrap_or(time::Duration::HOUR)
}
