//! The scheduled webhook health check (issues 13 and 25): every few minutes (5 by default), one
//! Webhooks API list call per tenant that has webhooks the app manages, counted in the API
//! budget as background work (about 300 calls a day against 50,000). It finds webhooks
//! e-conomic deleted, pointed elsewhere or disabled; the tenant's health is assessed again at
//! once, so the problem opens within the interval.
//!
//! When the Webhooks API refuses (401/403), one `GET /self` tells a revoked grant token from an
//! agreement that merely lacks the Webhooks API's rights; a revoked token pauses the tenant's
//! sync like any refused call does.

use std::time::Duration;

use backend::economic::ClientError;
use backend::managed_webhooks::{self, Outcome};
use backend::sync::budget::{self, Priority};
use backend::{TenantId, Timestamp, connection};
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use crate::environment::Environment;
use crate::health::Watch;
use crate::periodic::periodic;

/// Most tenants checked per tick (the rest wait for the next one).
const PER_TICK: i64 = 2000;
/// Checks in flight at once (each one list call to e-conomic).
const CONCURRENCY: usize = 16;

/// Check due tenants until `stop`.
pub async fn run(watch: Watch, stop: CancellationToken) {
    periodic("managed_webhooks", tick(&watch.env), stop, || async {
        let now = Timestamp::now();
        match check(&watch.env, now).await {
            Ok(checked) if checked.is_empty() => {}
            Ok(checked) => {
                tracing::debug!(checked = checked.len(), "webhook health checked");
                for tenant in checked {
                    if let Err(e) = watch.refresh(tenant, now).await {
                        tracing::error!(error = ?e, %tenant, "assessing health failed");
                    }
                }
            }
            Err(e) => tracing::error!(error = ?e, "webhook health check failed"),
        }
    })
    .await;
}

/// A tenth of the interval, between 1 and 30 seconds: each tenant is looked at within the
/// interval (it is due a tick early).
fn tick(env: &Environment) -> Duration {
    (env.config.health.webhook_check_every / 10)
        .clamp(Duration::from_secs(1), Duration::from_secs(30))
}

/// Check every tenant due at `now`; returns how many were checked. Tests call it directly.
pub async fn check_due(env: &Environment, now: Timestamp) -> backend::Result<usize> {
    Ok(check(env, now).await?.len())
}

async fn check(env: &Environment, now: Timestamp) -> backend::Result<Vec<TenantId>> {
    let every = time::Duration::try_from(env.config.health.webhook_check_every)
        .unwrap_or(time::Duration::minutes(5));
    let early = time::Duration::try_from(tick(env)).unwrap_or(time::Duration::ZERO);
    let due = managed_webhooks::due_for_check(&env.db, now - every + early, PER_TICK).await?;
    // One tenant's e-conomic trouble is stored on its rows; it never stops the others.
    let results: Vec<backend::Result<()>> = futures::stream::iter(due.iter().copied())
        .map(|tenant| check_now(env, tenant, Priority::Background, now))
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    for result in results {
        result?;
    }
    Ok(due)
}

/// Look at the tenant's webhooks in e-conomic now (the schedule, or evidence that asks for it).
pub async fn check_now(
    env: &Environment,
    tenant: TenantId,
    priority: Priority,
    now: Timestamp,
) -> backend::Result<()> {
    let (db, keys) = (&env.db, &env.keys);
    let problem = managed_webhooks::check(db, keys, &env.economic, tenant, priority, now).await?;
    if problem != Some(Outcome::Forbidden) {
        return Ok(());
    }
    let Some(grant) = connection::grant_token(db, keys, tenant).await? else {
        return Ok(());
    };
    let answer = env.economic.agreement(grant.expose()).self_info().await;
    budget::record_now(db, tenant, now, 1).await?;
    if let Err(ClientError::Unauthorized { .. }) = answer {
        let reason = "e-conomic refused the grant token (webhook health check)";
        connection::pause(db, tenant, reason, now).await?;
    }
    Ok(())
}
