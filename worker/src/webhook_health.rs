//! The scheduled webhook health check (issue 13): a few times a day, one Webhooks API list call
//! per tenant that has webhooks the app manages, counted in the API budget as background work.
//! It finds webhooks e-conomic deleted, pointed elsewhere or disabled; the Settings page shows
//! the result (and checks on demand too).

use std::time::Duration;

use backend::Timestamp;
use backend::managed_webhooks::{self, CHECK_EVERY};
use backend::sync::budget::Priority;
use tokio_util::sync::CancellationToken;

use crate::environment::Environment;

/// How often the task looks for tenants whose last check is older than [`CHECK_EVERY`].
const TICK: Duration = Duration::from_secs(300);
/// Most tenants checked per tick (the rest wait for the next one).
const PER_TICK: i64 = 200;

/// Check due tenants until `stop`.
pub async fn run(env: Environment, stop: CancellationToken) {
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            () = tokio::time::sleep(TICK) => {}
        }
        match check_due(&env, Timestamp::now()).await {
            Ok(0) => {}
            Ok(checked) => tracing::debug!(checked, "webhook health checked"),
            Err(e) => tracing::error!(error = ?e, "webhook health check failed"),
        }
    }
}

/// Check every tenant due at `now`; returns how many were checked. Tests call it directly.
pub async fn check_due(env: &Environment, now: Timestamp) -> backend::Result<usize> {
    let due = managed_webhooks::due_for_check(&env.db, now - CHECK_EVERY, PER_TICK).await?;
    for &tenant in &due {
        // One tenant's e-conomic trouble is stored on its rows; it never stops the others.
        managed_webhooks::check(
            &env.db,
            &env.keys,
            &env.economic,
            tenant,
            Priority::Background,
            now,
        )
        .await?;
    }
    Ok(due.len())
}
