//! The facts the health model is computed from, gathered for one tenant ([`load_one`], live:
//! the home page) or for every tenant at once ([`load_all`]: the detection sweep, a handful of
//! grouped queries whatever the number of tenants). Both read the same tables with the same
//! statements, the one filtered by the tenant; only what the sweep keeps incrementally (the
//! newest webhook, the runs' outcomes: [`super::facts`]) is read live for one tenant instead.

use std::collections::HashMap;

use economic::Entity;

use super::facts::{self, Facts};
use crate::db::{CrossTenant, Db};
use crate::error::Result;
use crate::ids::TenantId;
use crate::managed_webhooks::{Health as WebhookHealth, ManagedWebhook, Mode};
use crate::secrets::Keys;
use crate::settings::{Boxes, SyncSettings};
use crate::sync::RunKind;
use crate::sync::budget::{self, Usage};
use crate::timestamp::Timestamp;
use crate::webhook_credentials as credentials;

/// Everything [`super::assess()`] looks at for one tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signals {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The connection to e-conomic; `None` when not connected.
    pub connection: Option<ConnectionFacts>,
    /// The Advanced settings.
    pub settings: SyncSettings,
    /// When they were last saved (a webhook switched on then has been expected since).
    pub settings_saved_at: Option<Timestamp>,
    /// Customers, products, invoices (in [`Entity::ALL`]'s order).
    pub entities: Vec<EntitySignals>,
    /// Set when work waits for the API budget: the usage now, and since when work waits.
    pub budget: Option<(Usage, Timestamp)>,
}

impl Signals {
    /// The signals of `entity`.
    pub fn entity(&self, entity: Entity) -> &EntitySignals {
        let index = Entity::ALL.iter().position(|e| *e == entity).unwrap_or(0);
        &self.entities[index]
    }
}

/// The tenant's connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionFacts {
    /// When it connected (or last replaced the token).
    pub connected_at: Timestamp,
    /// Since when e-conomic refuses the grant token, if it does.
    pub refused_since: Option<Timestamp>,
}

/// How many events are in one state, and the oldest one's arrival.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    /// How many.
    pub n: u64,
    /// When the oldest was received.
    pub oldest: Option<Timestamp>,
}

impl Count {
    fn add(&mut self, n: i64, oldest: Option<Timestamp>) {
        self.n += u64::try_from(n).unwrap_or(0);
        self.oldest = match (self.oldest, oldest) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}

/// The webhook the app manages in e-conomic, as last seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManagedFacts {
    /// Whether the app believes e-conomic has it at this company's URL (it created it, and
    /// the last look found it there).
    pub managed: bool,
    /// Whether the company has the app make and look after it (its choice, or the app made
    /// it): then e-conomic must have it at this company's URL, and anything else — deleted,
    /// pointed at another URL or company — is a problem even though the app no longer owns it.
    pub automatic: bool,
    /// Its health against the tenant's current URL at the last look.
    pub health: WebhookHealth,
    /// When e-conomic's list was last read.
    pub checked_at: Option<Timestamp>,
}

/// One entity's facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitySignals {
    /// Which.
    pub entity: Entity,
    /// When its first full read finished.
    pub imported_at: Option<Timestamp>,
    /// A run that waits or runs now, if any.
    pub active_run: Option<RunKind>,
    /// The webhook the app manages, if it ever did.
    pub webhook: Option<ManagedFacts>,
    /// Events waiting to be applied (not those that wait for the API budget).
    pub waiting: Count,
    /// Events that failed and will be retried.
    pub failed: Count,
    /// Events that failed every attempt (and were not dismissed).
    pub dead: Count,
    /// The newest webhook, its runs, the last probe.
    pub facts: Facts,
}

impl EntitySignals {
    fn new(entity: Entity) -> EntitySignals {
        EntitySignals {
            entity,
            imported_at: None,
            active_run: None,
            webhook: None,
            waiting: Count::default(),
            failed: Count::default(),
            dead: Count::default(),
            facts: Facts::default(),
        }
    }
}

/// What the loaders need besides the database: where our webhook URLs point.
#[derive(Debug, Clone, Copy)]
pub struct UrlBase<'a> {
    /// Derives the URL credentials.
    pub keys: &'a Keys,
    /// Our public base URL (no trailing slash).
    pub public_url: &'a str,
}

/// Whose signals to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope<'a> {
    /// Every tenant (the sweep).
    All,
    /// One tenant, live.
    One(TenantId),
    /// A page of the staff dashboard (never empty).
    Many(&'a [TenantId]),
}

impl Scope<'_> {
    /// The filter to put into a statement's `where … {filter}`.
    pub(super) fn filter(self, column: &str) -> String {
        match self {
            Scope::All => String::new(),
            Scope::One(_) => format!(" and {column} = $1"),
            // The ids are ours (integers), never text from outside.
            Scope::Many(ids) => {
                let list = ids.iter().map(|t| t.get().to_string()).collect::<Vec<_>>();
                format!(" and {column} in ({})", list.join(", "))
            }
        }
    }
}

/// Run `$sql` (with `$1` the tenant when one) as `$ty` rows: across tenants for the sweep, as
/// the tenant for one.
macro_rules! rows {
    ($db:expr, $scope:expr, $sql:expr, $ty:ty) => {
        match $scope {
            Scope::All => with_cross_tenant!($db, CrossTenant::HealthSweep, pool => {
                sqlx::query_as::<_, $ty>($sql).fetch_all(pool).await
            }),
            Scope::Many(_) => with_cross_tenant!($db, CrossTenant::Staff, pool => {
                sqlx::query_as::<_, $ty>($sql).fetch_all(pool).await
            }),
            Scope::One(tenant) => with_tenant!($db, tenant, conn => {
                sqlx::query_as::<_, $ty>($sql).bind(tenant).fetch_all(conn).await
            }),
        }
    };
}

type TenantRow = (
    TenantId,
    Option<Timestamp>,
    Option<Timestamp>,
    Option<bool>,
    Option<bool>,
    Option<bool>,
    Option<bool>,
    Option<bool>,
    Option<Timestamp>,
);

/// The signals of one tenant, live. Errors: [`crate::Error::NotFound`] for an unknown tenant.
pub async fn load_one(
    db: &Db,
    urls: UrlBase<'_>,
    tenant_id: TenantId,
    limit: u32,
    now: Timestamp,
) -> Result<Signals> {
    let scope = Scope::One(tenant_id);
    let mut all = load(db, urls, scope, limit, now).await?;
    let mut signals = all.remove(&tenant_id).ok_or(crate::Error::NotFound)?;
    // What the sweep keeps incrementally, read live: the page shows the first webhook the
    // moment it arrives.
    let live = facts::live(db, tenant_id).await?;
    for entity in &mut signals.entities {
        if let Some(fresh) = live.get(&entity.entity) {
            entity.facts = entity.facts.merged_with_live(fresh);
        }
    }
    Ok(signals)
}

/// The signals of every tenant (the sweep), from what it has kept in `health_entities`.
pub async fn load_all(
    db: &Db,
    urls: UrlBase<'_>,
    limit: u32,
    now: Timestamp,
) -> Result<HashMap<TenantId, Signals>> {
    load(db, urls, Scope::All, limit, now).await
}

/// The signals of `tenants` (a page of the staff dashboard), from what the sweep has kept.
pub async fn load_many(
    db: &Db,
    urls: UrlBase<'_>,
    tenants: &[TenantId],
    limit: u32,
    now: Timestamp,
) -> Result<HashMap<TenantId, Signals>> {
    if tenants.is_empty() {
        return Ok(HashMap::new());
    }
    load(db, urls, Scope::Many(tenants), limit, now).await
}

async fn load(
    db: &Db,
    urls: UrlBase<'_>,
    scope: Scope<'_>,
    limit: u32,
    now: Timestamp,
) -> Result<HashMap<TenantId, Signals>> {
    let sql = format!(
        "select t.id, c.connected_at, c.paused_at, s.products_hourly, s.customers_hourly, \
         s.products_webhook, s.customers_webhook, s.invoices_webhook, s.updated_at \
         from tenants t left join economic_connections c on c.tenant_id = t.id \
         left join sync_settings s on s.tenant_id = t.id where 1 = 1{}",
        scope.filter("t.id")
    );
    let tenants: Vec<TenantRow> = rows!(db, scope, &sql, TenantRow)?;
    let mut all: HashMap<TenantId, Signals> = HashMap::with_capacity(tenants.len());
    for (tenant_id, connected_at, paused_at, ph, ch, pw, cw, iw, saved_at) in tenants {
        // No row: never saved, the defaults (a row's columns are all set).
        let settings = match (ph, ch, pw, cw, iw) {
            (Some(ph), Some(ch), Some(pw), Some(cw), Some(iw)) => {
                SyncSettings::from_columns(Boxes {
                    products_hourly: ph,
                    customers_hourly: ch,
                    products_webhook: pw,
                    customers_webhook: cw,
                    invoices_webhook: iw,
                })?
            }
            _ => SyncSettings::default(),
        };
        all.insert(
            tenant_id,
            Signals {
                tenant_id,
                connection: connected_at.map(|connected_at| ConnectionFacts {
                    connected_at,
                    refused_since: paused_at,
                }),
                settings,
                settings_saved_at: saved_at,
                entities: Entity::ALL.into_iter().map(EntitySignals::new).collect(),
                budget: None,
            },
        );
    }

    // Events: waiting (apart from those the budget holds back) and failed, by status; dead.
    let sql = format!(
        "select tenant_id, kind, status, \
         case when status = 'queued' and last_error like '{}%' then 1 else 0 end, \
         count(*), min(received_at), max(next_attempt_at) from webhook_events \
         where status in ('received', 'queued', 'processing', 'failed'){} \
         group by tenant_id, kind, status, 4",
        budget::WAITING_FOR_BUDGET,
        scope.filter("tenant_id")
    );
    type EventRow = (
        TenantId,
        String,
        String,
        i32,
        i64,
        Option<Timestamp>,
        Option<Timestamp>,
    );
    let mut budget_waits: HashMap<TenantId, Timestamp> = HashMap::new();
    for (tenant, kind, status, for_budget, n, oldest, _) in rows!(db, scope, &sql, EventRow)? {
        if for_budget == 1 {
            if let Some(oldest) = oldest {
                let since = budget_waits.entry(tenant).or_insert(oldest);
                *since = (*since).min(oldest);
            }
            continue;
        }
        let Some(e) = entity_mut(&mut all, tenant, &kind) else {
            continue;
        };
        match status.as_str() {
            "failed" => e.failed.add(n, oldest),
            _ => e.waiting.add(n, oldest),
        }
    }
    let sql = format!(
        "select tenant_id, kind, count(*), min(received_at) from webhook_events \
         where status = 'dead' and dismissed_at is null{} group by tenant_id, kind",
        scope.filter("tenant_id")
    );
    type DeadRow = (TenantId, String, i64, Option<Timestamp>);
    for (tenant, kind, n, oldest) in rows!(db, scope, &sql, DeadRow)? {
        if let Some(e) = entity_mut(&mut all, tenant, &kind) {
            e.dead.add(n, oldest);
        }
    }

    // Runs that wait or run (the budget holds some back), and the first imports.
    let sql = format!(
        "select tenant_id, entity, kind, waiting, created_at from sync_runs \
         where status in ('queued', 'running'){}",
        scope.filter("tenant_id")
    );
    type RunRow = (TenantId, String, String, Option<String>, Timestamp);
    for (tenant, slug, kind, waiting, created_at) in rows!(db, scope, &sql, RunRow)? {
        if waiting
            .as_deref()
            .is_some_and(|w| w.starts_with(budget::WAITING_FOR_BUDGET))
        {
            let since = budget_waits.entry(tenant).or_insert(created_at);
            *since = (*since).min(created_at);
        }
        if let Some(e) = entity_mut(&mut all, tenant, &slug) {
            e.active_run = kind.parse().ok();
        }
    }
    let sql = format!(
        "select tenant_id, entity, imported_at from sync_state where 1 = 1{}",
        scope.filter("tenant_id")
    );
    type StateRow = (TenantId, String, Option<Timestamp>);
    for (tenant, slug, imported_at) in rows!(db, scope, &sql, StateRow)? {
        if let Some(e) = entity_mut(&mut all, tenant, &slug) {
            e.imported_at = imported_at;
        }
    }

    // What the sweep has kept: the newest webhook, the runs' outcomes, the probes.
    for (tenant, slug, kept) in facts::read(db, scope).await? {
        if let Some(e) = entity_mut(&mut all, tenant, &slug) {
            e.facts = kept;
        }
    }

    load_managed(db, urls, scope, &mut all).await?;

    // The budget: only for tenants whose work waits for it (few), the usage now.
    for (tenant, since) in budget_waits {
        let usage = budget::usage(db, tenant, now, limit).await?;
        if let Some(signals) = all.get_mut(&tenant) {
            signals.budget = Some((usage, since));
        }
    }
    Ok(all)
}

/// The signals of the tenant's entity of `slug`, if both are known.
fn entity_mut<'a>(
    all: &'a mut HashMap<TenantId, Signals>,
    tenant: TenantId,
    slug: &str,
) -> Option<&'a mut EntitySignals> {
    let kind = Entity::from_slug(slug)?;
    let index = Entity::ALL.iter().position(|e| *e == kind)?;
    all.get_mut(&tenant)?.entities.get_mut(index)
}

/// The managed webhooks' health, against each tenant's current URL (derived here from the
/// current credential generation, as the settings page derives it).
async fn load_managed(
    db: &Db,
    urls: UrlBase<'_>,
    scope: Scope<'_>,
    all: &mut HashMap<TenantId, Signals>,
) -> Result<()> {
    let sql = format!(
        "select tenant_id, kind, max(generation) from webhook_credentials \
         where retired_at is null{} group by tenant_id, kind",
        scope.filter("tenant_id")
    );
    let generations: HashMap<(TenantId, String), i64> =
        rows!(db, scope, &sql, (TenantId, String, i64))?
            .into_iter()
            .map(|(tenant, kind, generation)| ((tenant, kind), generation))
            .collect();
    let sql = format!(
        "select tenant_id, kind, managed, checked_at, remote_present, remote_url_sha256, \
         remote_disabled, remote_last_disabled_at, remote_owner_tenant_id, mode \
         from managed_webhooks where 1 = 1{}",
        scope.filter("tenant_id")
    );
    type ManagedRow = (
        TenantId,
        String,
        bool,
        Option<Timestamp>,
        Option<bool>,
        Option<String>,
        Option<bool>,
        Option<Timestamp>,
        Option<TenantId>,
        Option<String>,
    );
    for (tenant, slug, managed, checked_at, present, hash, disabled, since, owner, mode) in
        rows!(db, scope, &sql, ManagedRow)?
    {
        let Some(kind) = Entity::from_slug(&slug) else {
            continue;
        };
        let row = ManagedWebhook {
            kind,
            managed,
            outcome: None,
            outcome_detail: None,
            object_version: None,
            checked_at,
            remote_present: present,
            remote_url_sha256: hash,
            remote_disabled: disabled,
            remote_last_disabled_at: since,
            check_problem: None,
            mode: mode.as_deref().and_then(Mode::parse),
            event_type: None,
            remote_owner: owner,
        };
        // The first view of a URL creates generation 1: a tenant without a row has that one.
        let generation = generations.get(&(tenant, slug.clone())).copied();
        let token = credentials::token(urls.keys, tenant, kind, generation.unwrap_or(1));
        let url = format!(
            "{}{}",
            urls.public_url.trim_end_matches('/'),
            credentials::webhook_path(tenant, kind, &token)
        );
        if let Some(e) = entity_mut(all, tenant, &slug) {
            e.webhook = Some(ManagedFacts {
                managed,
                automatic: managed || row.mode == Some(Mode::Automatic),
                health: row.health(tenant, &url),
                checked_at,
            });
        }
    }
    Ok(())
}
