//! Every tenant's sync health, for the staff dashboard: the health model of
//! [`crate::health`] — the same verdict the company's home page shows — with the open problems
//! since when, the figures support asks for (backlog, failures, last webhook, last sync, API
//! calls) and the alert webhook's deliveries.
//!
//! A cross-tenant read, and only the staff pages call it. The dashboard is a page of 50 of maybe
//! 10,000 companies: the order (problems first) comes from a few grouped queries over small
//! indexes (open episodes, unsettled events), and only the page's companies are assessed.

use std::collections::HashMap;

use serde::Serialize;

use crate::db::{CrossTenant, Db};
use crate::error::Result;
use crate::events::EventStatus;
use crate::health::alerts::{self, DeliveryState};
use crate::health::episodes::{self, Episode};
use crate::health::signals;
use crate::health::sweep::Context;
use crate::health::{self, Health, State};
use crate::ids::TenantId;
use crate::settings::SyncSettings;
use crate::timestamp::Timestamp;

/// One tenant's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// The health model's verdict now: state, entities, problems with their fixes.
    pub health: Health,
    /// The open episodes (since when each problem is open).
    pub open: Vec<Episode>,
    /// The alert webhook's deliveries; `None` when the company has no alert webhook.
    pub alerts: Option<DeliveryState>,
}

impl TenantHealth {
    /// Whether staff should look at it: a problem, dead or failed events, not connected, or
    /// the grant token refused.
    pub fn needs_attention(&self) -> bool {
        self.health.state != State::Ok
            || !self.open.is_empty()
            || self.dead > 0
            || self.failed > 0
            || !self.connected
            || self.token_refused
    }
}

/// How the dashboard is sorted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Open problems first (broken before delayed, oldest first), then dead, failed and waiting
    /// events, then by name.
    #[default]
    Problems,
    /// By name.
    Name,
    /// Most events waiting first.
    Backlog,
    /// Most e-conomic calls in 24 hours first.
    ApiCalls,
}

/// One page of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The page's tenants, in order.
    pub rows: Vec<TenantHealth>,
    /// How many tenants match the search in all.
    pub total: usize,
}

/// What orders a tenant before the page is cut.
#[derive(Debug, Clone, Default)]
struct Key {
    name: String,
    worst: Option<State>,
    since: Option<Timestamp>,
    backlog: i64,
    failed: i64,
    dead: i64,
    calls: i64,
}

/// Page `page` (from 0) of `per_page` tenants whose name contains `search` (case-insensitive;
/// empty: all), in `sort` order.
pub async fn page(
    ctx: Context<'_>,
    search: &str,
    sort: Sort,
    page: u32,
    per_page: u32,
    now: Timestamp,
) -> Result<Page> {
    let db = ctx.db;
    let tenants: Vec<(TenantId, String)> = with_cross_tenant!(db, CrossTenant::Staff, conn => {
        sqlx::query_as("select id, name from tenants").fetch_all(conn).await
    })?;
    let needle = search.trim().to_lowercase();
    let mut keys: HashMap<TenantId, Key> = tenants
        .into_iter()
        .filter(|(_, name)| needle.is_empty() || name.to_lowercase().contains(&needle))
        .map(|(id, name)| {
            (
                id,
                Key {
                    name,
                    ..Key::default()
                },
            )
        })
        .collect();
    let mut open: HashMap<TenantId, Vec<Episode>> = HashMap::new();
    for e in episodes::all_open(db).await? {
        if let Some(key) = keys.get_mut(&e.tenant_id) {
            key.worst = key.worst.max(Some(e.state));
            key.since = Some(key.since.map_or(e.opened_at, |s| s.min(e.opened_at)));
            open.entry(e.tenant_id).or_default().push(e);
        }
    }
    for (tenant, status, n) in event_counts(db, None).await? {
        if let Some(key) = keys.get_mut(&tenant) {
            match status {
                EventStatus::Failed => key.failed += n,
                EventStatus::Dead => key.dead += n,
                EventStatus::Received | EventStatus::Queued | EventStatus::Processing => {
                    key.backlog += n;
                }
                // Not counted ([`event_counts`] does not read them).
                EventStatus::Processed | EventStatus::Ignored | EventStatus::Rejected => {}
            }
        }
    }
    if sort == Sort::ApiCalls {
        for (tenant, calls) in api_calls(db, None, now).await? {
            if let Some(key) = keys.get_mut(&tenant) {
                key.calls = calls;
            }
        }
    }
    let mut order: Vec<(TenantId, Key)> = keys.into_iter().collect();
    let by_name = |a: &Key, b: &Key| a.name.to_lowercase().cmp(&b.name.to_lowercase());
    order.sort_by(|(ta, a), (tb, b)| {
        let first = match sort {
            Sort::Problems => b
                .worst
                .cmp(&a.worst)
                .then(a.since.cmp(&b.since))
                .then((b.dead, b.failed, b.backlog).cmp(&(a.dead, a.failed, a.backlog))),
            Sort::Name => std::cmp::Ordering::Equal,
            Sort::Backlog => b.backlog.cmp(&a.backlog),
            Sort::ApiCalls => b.calls.cmp(&a.calls),
        };
        first.then_with(|| by_name(a, b)).then(ta.cmp(tb))
    });
    let total = order.len();
    let skip = usize::try_from(u64::from(page) * u64::from(per_page)).unwrap_or(usize::MAX);
    let take = usize::try_from(per_page).unwrap_or(usize::MAX);
    let chosen: Vec<(TenantId, Key)> = order.into_iter().skip(skip).take(take).collect();
    let rows = rows(ctx, chosen, &mut open, now).await?;
    Ok(Page { rows, total })
}

/// Every tenant whose name contains `search`, problems first.
pub async fn all(ctx: Context<'_>, search: &str, now: Timestamp) -> Result<Vec<TenantHealth>> {
    Ok(page(ctx, search, Sort::Problems, 0, u32::MAX, now)
        .await?
        .rows)
}

/// One tenant's figures (the staff tenant page). Errors: `NotFound`.
pub async fn one(ctx: Context<'_>, tenant_id: TenantId, now: Timestamp) -> Result<TenantHealth> {
    let name: Option<String> = with_cross_tenant!(ctx.db, CrossTenant::Staff, conn => sqlx::query_scalar(
        "select name from tenants where id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(conn)
    .await)?;
    let name = name.ok_or(crate::Error::NotFound)?;
    let mut key = Key {
        name,
        ..Key::default()
    };
    for (tenant, status, n) in event_counts(ctx.db, Some(tenant_id)).await? {
        if tenant == tenant_id {
            match status {
                EventStatus::Failed => key.failed += n,
                EventStatus::Dead => key.dead += n,
                EventStatus::Received | EventStatus::Queued | EventStatus::Processing => {
                    key.backlog += n;
                }
                // Not counted ([`event_counts`] does not read them).
                EventStatus::Processed | EventStatus::Ignored | EventStatus::Rejected => {}
            }
        }
    }
    let mut open = HashMap::from([(tenant_id, episodes::open(ctx.db, tenant_id).await?)]);
    rows(ctx, vec![(tenant_id, key)], &mut open, now)
        .await?
        .pop()
        .ok_or(crate::Error::NotFound)
}

/// The page's rows: each tenant assessed by the health model, with its figures.
async fn rows(
    ctx: Context<'_>,
    chosen: Vec<(TenantId, Key)>,
    open: &mut HashMap<TenantId, Vec<Episode>>,
    now: Timestamp,
) -> Result<Vec<TenantHealth>> {
    let ids: Vec<TenantId> = chosen.iter().map(|(t, _)| *t).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let limit = ctx.config.daily_call_limit;
    let signals = signals::load_many(ctx.db, ctx.urls, &ids, limit, now).await?;
    let calls: HashMap<TenantId, i64> = api_calls(ctx.db, Some(&ids), now)
        .await?
        .into_iter()
        .collect();
    let hooks = alert_webhooks(ctx.db, &ids).await?;
    let deliveries: HashMap<TenantId, DeliveryState> = alerts::delivery_states(ctx.db, &ids)
        .await?
        .into_iter()
        .collect();
    let mut rows = Vec::with_capacity(chosen.len());
    for (tenant_id, key) in chosen {
        let Some(s) = signals.get(&tenant_id) else {
            continue;
        };
        let health = health::assess(s, &ctx.config, now);
        rows.push(TenantHealth {
            tenant_id,
            name: key.name,
            connected: s.connection.is_some(),
            token_refused: s.connection.is_some_and(|c| c.refused_since.is_some()),
            settings: s.settings,
            backlog: key.backlog,
            failed: key.failed,
            dead: key.dead,
            last_event_at: s
                .entities
                .iter()
                .filter_map(|e| e.facts.last_webhook_at)
                .max(),
            last_sync_at: s
                .entities
                .iter()
                .filter_map(|e| e.facts.last_run_ok_at)
                .max(),
            api_calls_24h: calls.get(&tenant_id).copied().unwrap_or(0),
            health,
            open: open.remove(&tenant_id).unwrap_or_default(),
            alerts: hooks
                .contains(&tenant_id)
                .then(|| deliveries.get(&tenant_id).copied().unwrap_or_default()),
        });
    }
    Ok(rows)
}

/// Unsettled events per tenant and status (`tenant`: only its): two reads of small partial
/// indexes (the waiting events, the dead ones that were not dismissed).
async fn event_counts(
    db: &Db,
    tenant: Option<TenantId>,
) -> Result<Vec<(TenantId, EventStatus, i64)>> {
    let filter = tenant.map_or(String::new(), |t| format!(" and tenant_id = {}", t.get()));
    let waiting = format!(
        "select tenant_id, status, count(*) from webhook_events \
         where status in ('received', 'queued', 'processing', 'failed'){filter} \
         group by tenant_id, status"
    );
    let dead = format!(
        "select tenant_id, 'dead', count(*) from webhook_events \
         where status = 'dead' and dismissed_at is null{filter} group by tenant_id"
    );
    let mut counts = Vec::new();
    for sql in [waiting, dead] {
        let rows: Vec<(TenantId, String, i64)> = with_cross_tenant!(db, CrossTenant::Staff, conn => {
            sqlx::query_as(&sql).fetch_all(conn).await
        })?;
        counts.extend(
            rows.into_iter().filter_map(|(tenant, status, n)| {
                Some((tenant, EventStatus::from_slug(&status)?, n))
            }),
        );
    }
    Ok(counts)
}

/// e-conomic calls in the 24 hours before `now`, per tenant (`tenants`: only theirs).
async fn api_calls(
    db: &Db,
    tenants: Option<&[TenantId]>,
    now: Timestamp,
) -> Result<Vec<(TenantId, i64)>> {
    let since = now.as_millis() - 24 * 3600 * 1000;
    // The ids are ours (integers), never text from outside.
    let filter = tenants.map_or(String::new(), |ids| {
        let list = ids.iter().map(|t| t.get().to_string()).collect::<Vec<_>>();
        format!(" and tenant_id in ({})", list.join(", "))
    });
    let sql = format!(
        "select tenant_id, cast(sum(calls) as bigint) from api_usage where bucket > $1{filter} \
         group by tenant_id"
    );
    let calls: Vec<(TenantId, i64)> = with_cross_tenant!(db, CrossTenant::Staff, conn => sqlx::query_as(&sql)
        .bind(since)
        .fetch_all(conn)
        .await)?;
    Ok(calls)
}

/// Which of `tenants` have an alert webhook.
async fn alert_webhooks(db: &Db, tenants: &[TenantId]) -> Result<Vec<TenantId>> {
    let list = tenants
        .iter()
        .map(|t| t.get().to_string())
        .collect::<Vec<_>>();
    let sql = format!(
        "select tenant_id from alert_webhooks where tenant_id in ({})",
        list.join(", ")
    );
    let found: Vec<TenantId> = with_cross_tenant!(db, CrossTenant::Staff, conn => {
        sqlx::query_scalar(&sql).fetch_all(conn).await
    })?;
    Ok(found)
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
