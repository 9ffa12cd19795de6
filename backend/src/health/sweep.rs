//! The detection sweep: every minute (by default), every tenant's health from a handful of
//! grouped queries ([`super::signals::load_all`]), compared with the open episodes; only what
//! changed is written, each tenant's changes in its own transaction. Also names the work it
//! found due: probes of quiet webhook entities, and webhook checks that evidence asks for at
//! once. [`refresh`] does the same for one tenant, live (after a check, after a fix).
//!
//! Every process runs the sweep loop; [`take_turn`] lets one of them sweep per interval.
//! Two sweeps at once would still be correct (episodes open once, by a unique index), only
//! wasteful.

use std::collections::HashMap;

use economic::Entity;
use time::Duration;

use super::alert_mail::{MailText, Mailing};
use super::episodes::{self, Changes, Episode};
use super::signals::{self, Signals, UrlBase};
use super::{Config, assess, facts, probe};
use crate::db::{CrossTenant, Db};
use crate::error::Result;
use crate::ids::TenantId;
use crate::managed_webhooks::Health as WebhookHealth;
use crate::timestamp::Timestamp;

/// What the sweep needs.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The database.
    pub db: &'a Db,
    /// Where our webhook URLs point (to tell a misdirected webhook).
    pub urls: UrlBase<'a>,
    /// The model's thresholds.
    pub config: Config,
    /// Writes the alert e-mails (the app's translations).
    pub mail_text: MailText,
}

/// What one sweep did and found due.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Swept {
    /// Tenants assessed.
    pub tenants: usize,
    /// Episodes opened, updated, resolved.
    pub opened: usize,
    /// See `opened`.
    pub updated: usize,
    /// See `opened`.
    pub resolved: usize,
    /// Webhook entities to probe now.
    pub probes: Vec<(TenantId, Entity)>,
    /// Tenants whose managed webhooks to check now: evidence points at them.
    pub checks: Vec<TenantId>,
}

/// Whether this process sweeps now: takes the turn until `now + hold` if no one holds it.
pub async fn take_turn(db: &Db, now: Timestamp, hold: Duration) -> Result<bool> {
    let taken = with_cross_tenant!(db, CrossTenant::HealthSweep, pool => sqlx::query(
        "update health_sweep set leased_until = $1, updated_at = $2 \
         where id = 1 and leased_until <= $2",
    )
    .bind(now + hold)
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(taken == 1)
}

/// Sweep every tenant at `now`.
pub async fn sweep(ctx: Context<'_>, now: Timestamp) -> Result<Swept> {
    facts::advance(ctx.db, now).await?;
    let all = signals::load_all(ctx.db, ctx.urls, ctx.config.daily_call_limit, now).await?;
    let mut open: HashMap<TenantId, Vec<Episode>> = HashMap::new();
    for e in episodes::all_open(ctx.db).await? {
        open.entry(e.tenant_id).or_default().push(e);
    }
    let mut swept = Swept {
        tenants: all.len(),
        ..Swept::default()
    };
    let mut tenants: Vec<&TenantId> = all.keys().collect();
    tenants.sort();
    for tenant in tenants {
        let signals = &all[tenant];
        let episodes = open.remove(tenant).unwrap_or_default();
        let changes = judge(ctx, signals, &episodes, now).await?;
        swept.opened += changes.opened.len();
        swept.updated += changes.updated;
        swept.resolved += changes.resolved.len();
        let (probes, check) = due_work(signals, &ctx.config, now);
        swept
            .probes
            .extend(probes.into_iter().map(|e| (*tenant, e)));
        if check {
            swept.checks.push(*tenant);
        }
    }
    with_cross_tenant!(ctx.db, CrossTenant::HealthSweep, pool => sqlx::query(
        "update health_sweep set swept_at = $1, updated_at = $1 where id = 1",
    )
    .bind(now)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(swept)
}

/// Assess one tenant live and bring its episodes in line at once (after a webhook check, a
/// probe, a fix).
pub async fn refresh(ctx: Context<'_>, tenant_id: TenantId, now: Timestamp) -> Result<Changes> {
    let limit = ctx.config.daily_call_limit;
    let signals = signals::load_one(ctx.db, ctx.urls, tenant_id, limit, now).await?;
    let open = episodes::open(ctx.db, tenant_id).await?;
    judge(ctx, &signals, &open, now).await
}

async fn judge(
    ctx: Context<'_>,
    signals: &Signals,
    open: &[Episode],
    now: Timestamp,
) -> Result<Changes> {
    let health = assess(signals, &ctx.config, now);
    if health.problems.is_empty() && open.is_empty() {
        return Ok(Changes::default());
    }
    let mailing = Mailing {
        text: ctx.mail_text,
        public_url: ctx.urls.public_url,
    };
    episodes::apply(
        ctx.db,
        signals.tenant_id,
        &health.problems,
        open,
        mailing,
        now,
    )
    .await
}

/// The probes due for the tenant, and whether its managed webhooks should be checked now.
fn due_work(signals: &Signals, config: &Config, now: Timestamp) -> (Vec<Entity>, bool) {
    (probe::due(signals, config, now), needs_check(signals))
}

/// Whether the tenant's managed webhooks should be checked at once: a check of all records or
/// a probe found changes no webhook reported after the last look at e-conomic's webhooks,
/// which still look healthy.
pub fn needs_check(signals: &Signals) -> bool {
    let refused = signals.connection.is_none_or(|c| c.refused_since.is_some());
    !refused
        && Entity::ALL.into_iter().any(|entity| {
            let e = signals.entity(entity);
            let Some(w) = e.webhook.filter(|w| w.automatic) else {
                return false;
            };
            let looks_fine = matches!(w.health, WebhookHealth::Healthy | WebhookHealth::Unchecked);
            let evidence = [
                e.facts
                    .last_reconcile
                    .filter(|(_, n)| *n > 0)
                    .map(|(at, _)| at),
                e.facts
                    .probe
                    .as_ref()
                    .filter(|p| p.missed.is_some())
                    .map(|p| p.at),
            ]
            .into_iter()
            .flatten()
            .max();
            signals.settings.is_enabled(entity)
                && looks_fine
                && evidence.is_some_and(|at| w.checked_at.is_none_or(|checked| checked < at))
        })
}
