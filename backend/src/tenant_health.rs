//! Every tenant's sync health, for the staff dashboard (F17).
//!
//! This is deliberately a cross-tenant read — the one place besides the workers' claim that
//! looks at all tenants — and only the staff dashboard calls it. A handful of grouped queries,
//! not one per tenant per figure: the dashboard lists every tenant on one page.

use std::collections::HashMap;

use serde::Serialize;

use crate::db::{CrossTenant, Db};
use crate::error::Result;
use crate::events::EventStatus;
use crate::ids::TenantId;
use crate::settings::{self, SyncSettings};
use crate::timestamp::Timestamp;

/// One tenant's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenantHealth {
    /// The tenant.
    pub tenant_id: TenantId,
    /// Its company name.
    pub name: String,
    /// Whether e-conomic is connected.
    pub connected: bool,
    /// Whether e-conomic refused the grant token since (the tenant's sync is paused).
    pub token_refused: bool,
    /// Hourly or webhook, per entity.
    pub settings: SyncSettings,
    /// Events waiting or being applied (received, queued, processing).
    pub backlog: i64,
    /// Events whose last attempt failed (they will be retried).
    pub failed: i64,
    /// Events that failed every attempt (they wait for a replay).
    pub dead: i64,
    /// When the newest webhook arrived.
    pub last_event_at: Option<Timestamp>,
    /// When the newest sync run finished successfully.
    pub last_sync_at: Option<Timestamp>,
    /// e-conomic calls in the last 24 hours.
    pub api_calls_24h: i64,
}

impl TenantHealth {
    /// Whether staff should look at it: dead or failed events, not connected, or the grant
    /// token refused.
    pub fn needs_attention(&self) -> bool {
        self.dead > 0 || self.failed > 0 || !self.connected || self.token_refused
    }
}

/// Every tenant whose name contains `search` (case-insensitive; empty: all), problem tenants
/// first (most dead, then failed, then backlog), then by name.
pub async fn all(db: &Db, search: &str, now: Timestamp) -> Result<Vec<TenantHealth>> {
    let tenants: Vec<(TenantId, String, bool, bool)> = with_cross_tenant!(db, CrossTenant::Staff, conn => sqlx::query_as(
        "select t.id, t.name, c.tenant_id is not null, c.paused_at is not null from tenants t \
         left join economic_connections c on c.tenant_id = t.id",
    )
    .fetch_all(conn)
    .await)?;
    let needle = search.trim().to_lowercase();
    let tenants: Vec<_> = tenants
        .into_iter()
        .filter(|(_, name, _, _)| needle.is_empty() || name.to_lowercase().contains(&needle))
        .collect();

    let statuses: Vec<(TenantId, String, i64)> = with_cross_tenant!(db, CrossTenant::Staff, conn => sqlx::query_as(
        "select tenant_id, status, count(*) from webhook_events \
         where status in ('received', 'queued', 'processing', 'failed', 'dead') \
           and dismissed_at is null \
         group by tenant_id, status",
    )
    .fetch_all(conn)
    .await)?;
    let mut counts: HashMap<(TenantId, EventStatus), i64> = HashMap::new();
    for (tenant, status, n) in statuses {
        if let Some(status) = EventStatus::ALL.into_iter().find(|s| s.as_str() == status) {
            counts.insert((tenant, status), n);
        }
    }
    let last_events = per_tenant(
        db,
        "select tenant_id, max(received_at) from webhook_events group by tenant_id",
    )
    .await?;
    let last_syncs = per_tenant(
        db,
        "select tenant_id, max(finished_at) from sync_runs where status = 'done' group by tenant_id",
    )
    .await?;
    let since = now.as_millis() - 24 * 3600 * 1000;
    let calls: Vec<(TenantId, i64)> = with_cross_tenant!(db, CrossTenant::Staff, conn => sqlx::query_as(
        "select tenant_id, cast(sum(calls) as bigint) from api_usage where bucket > $1 \
         group by tenant_id",
    )
    .bind(since)
    .fetch_all(conn)
    .await)?;
    let calls: HashMap<TenantId, i64> = calls.into_iter().collect();

    let mut health = Vec::with_capacity(tenants.len());
    for (tenant_id, name, connected, token_refused) in tenants {
        let count = |status| counts.get(&(tenant_id, status)).copied().unwrap_or(0);
        health.push(TenantHealth {
            tenant_id,
            name,
            connected,
            token_refused,
            settings: settings::get(db, tenant_id).await?,
            backlog: count(EventStatus::Received)
                + count(EventStatus::Queued)
                + count(EventStatus::Processing),
            failed: count(EventStatus::Failed),
            dead: count(EventStatus::Dead),
            last_event_at: last_events.get(&tenant_id).copied().flatten(),
            last_sync_at: last_syncs.get(&tenant_id).copied().flatten(),
            api_calls_24h: calls.get(&tenant_id).copied().unwrap_or(0),
        });
    }
    health.sort_by(|a, b| {
        (b.dead, b.failed, b.backlog)
            .cmp(&(a.dead, a.failed, a.backlog))
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    Ok(health)
}

async fn per_tenant(db: &Db, sql: &'static str) -> Result<HashMap<TenantId, Option<Timestamp>>> {
    let rows: Vec<(TenantId, Option<Timestamp>)> = with_cross_tenant!(db, CrossTenant::Staff, conn => sqlx::query_as(sql).fetch_all(conn).await)?;
    Ok(rows.into_iter().collect())
}

/// One tenant's figures (the staff tenant page). Errors: `NotFound`.
pub async fn one(db: &Db, tenant_id: TenantId, now: Timestamp) -> Result<TenantHealth> {
    // The dashboard's queries are grouped over all tenants; for one tenant the same figures
    // come from the same code, filtered.
    let name: Option<String> = with_cross_tenant!(db, CrossTenant::Staff, conn => sqlx::query_scalar(
        "select name from tenants where id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(conn)
    .await)?;
    let name = name.ok_or(crate::Error::NotFound)?;
    all(db, &name, now)
        .await?
        .into_iter()
        .find(|h| h.tenant_id == tenant_id)
        .ok_or(crate::Error::NotFound)
}

/// Webhook events of one hour, by status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HourCounts {
    /// The hour's start.
    pub hour: Timestamp,
    /// How many events received in that hour have each status now.
    pub counts: Vec<(EventStatus, i64)>,
}

/// The tenant's webhook events per hour over the `hours` before `now`, by their status now;
/// one entry per hour, oldest first, hours without events included.
pub async fn events_per_hour(
    db: &Db,
    tenant_id: TenantId,
    now: Timestamp,
    hours: u32,
) -> Result<Vec<HourCounts>> {
    const HOUR: i64 = 3600 * 1000;
    let first = (now.as_millis() / HOUR - i64::from(hours) + 1) * HOUR;
    let rows: Vec<(i64, String, i64)> = with_cross_tenant!(db, CrossTenant::Staff, conn => sqlx::query_as(
        "select (received_at - $2) / $3, status, count(*) from webhook_events \
         where tenant_id = $1 and received_at >= $2 group by 1, 2",
    )
    .bind(tenant_id)
    .bind(first)
    .bind(HOUR)
    .fetch_all(conn)
    .await)?;
    let mut hours: Vec<HourCounts> = (0..i64::from(hours))
        .map(|i| HourCounts {
            hour: Timestamp::from_millis(first + i * HOUR),
            counts: Vec::new(),
        })
        .collect();
    for (index, status, n) in rows {
        let status = EventStatus::ALL.into_iter().find(|s| s.as_str() == status);
        let slot = usize::try_from(index).ok().and_then(|i| hours.get_mut(i));
        if let (Some(status), Some(slot)) = (status, slot) {
            slot.counts.push((status, n));
        }
    }
    Ok(hours)
}
