//! What the sweep keeps per tenant and entity in `health_entities`, so that it never rereads
//! every event or run: the newest webhook received, the runs' outcomes, the last probe.
//!
//! [`advance`] reads only what is new since its marks — events by id (the primary key), runs
//! by `finished_at` (an index) — and folds it in with "newer wins" upserts, so reading a range
//! twice is harmless. Each range of event ids is read by two sweeps in a row: an event whose
//! transaction committed after a higher id's was read (PostgreSQL hands out ids before commit)
//! is seen by the second.

use std::collections::HashMap;

use economic::Entity;
use time::Duration;

use super::signals::Scope;
use crate::db::{CrossTenant, Db};
use crate::error::Result;
use crate::ids::TenantId;
use crate::sync::RunKind;
use crate::timestamp::Timestamp;

/// Runs are read again this far behind the newest `finished_at` seen (a run's transaction may
/// commit a little after the time it wrote).
const RUN_OVERLAP: Duration = Duration::minutes(5);

/// One entity's kept facts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The newest webhook received for the entity (any status: e-conomic calls us).
    pub last_webhook_at: Option<Timestamp>,
    /// When the newest successful run ended.
    pub last_run_ok_at: Option<Timestamp>,
    /// The end of the newest successful run's window: the data matched e-conomic then.
    pub fresh_until: Option<Timestamp>,
    /// The newest run that gave up: when, and what it was.
    pub last_run_failed: Option<(Timestamp, RunKind)>,
    /// The newest finished reconciliation: when, and how many repairs no webhook had reported.
    pub last_reconcile: Option<(Timestamp, u64)>,
    /// The last look whether e-conomic's newest change reached us.
    pub probe: Option<Probe>,
}

/// A probe's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// When it looked.
    pub at: Timestamp,
    /// The record e-conomic changed that we lack, and its `lastUpdated`; `None` if we had it.
    pub missed: Option<(String, Timestamp)>,
}

impl Facts {
    /// These facts with the webhook and run facts of `live` (read from the events and runs
    /// themselves); the probe stays.
    pub(super) fn merged_with_live(&self, live: &Facts) -> Facts {
        Facts {
            last_webhook_at: self.last_webhook_at.max(live.last_webhook_at),
            probe: self.probe.clone(),
            ..live.clone()
        }
    }
}

type Row = (
    TenantId,
    String,
    Option<Timestamp>,
    Option<Timestamp>,
    Option<Timestamp>,
    Option<Timestamp>,
    Option<String>,
    Option<Timestamp>,
    Option<i64>,
    Option<Timestamp>,
    Option<String>,
    Option<Timestamp>,
);

/// The kept facts of `scope`'s tenants, as `(tenant, entity slug, facts)`.
pub(super) async fn read(db: &Db, scope: Scope<'_>) -> Result<Vec<(TenantId, String, Facts)>> {
    let sql = format!(
        "select tenant_id, entity, last_webhook_at, last_run_ok_at, fresh_until, \
         last_run_failed_at, last_run_failed_kind, last_reconcile_at, last_reconcile_unreported, \
         probe_at, probe_missed, probe_missed_updated_at from health_entities where 1 = 1{}",
        scope.filter("tenant_id")
    );
    let rows: Vec<Row> = match scope {
        Scope::All => with_cross_tenant!(db, CrossTenant::HealthSweep, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await
        })?,
        Scope::Many(_) => with_cross_tenant!(db, CrossTenant::Staff, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await
        })?,
        Scope::One(tenant) => with_tenant!(db, tenant, conn => {
            sqlx::query_as(&sql).bind(tenant).fetch_all(conn).await
        })?,
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            let facts = Facts {
                last_webhook_at: r.2,
                last_run_ok_at: r.3,
                fresh_until: r.4,
                last_run_failed: r.5.zip(r.6.and_then(|k| k.parse().ok())),
                last_reconcile: r.7.zip(r.8.map(|n| u64::try_from(n).unwrap_or(0))),
                probe: r.9.map(|at| Probe {
                    at,
                    missed: r.10.clone().zip(r.11),
                }),
            };
            (r.0, r.1, facts)
        })
        .collect())
}

/// The webhook and run facts of one tenant, read live from its events and runs.
pub(super) async fn live(db: &Db, tenant_id: TenantId) -> Result<HashMap<Entity, Facts>> {
    let mut facts: HashMap<Entity, Facts> = HashMap::new();
    for kind in Entity::ALL {
        // One index probe per kind (tenant, kind, received_at), whatever the number of events.
        let newest: Option<Timestamp> = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
            "select max(received_at) from webhook_events where tenant_id = $1 and kind = $2",
        )
        .bind(tenant_id)
        .bind(kind.as_str())
        .fetch_one(conn)
        .await)?;
        facts.entry(kind).or_default().last_webhook_at = newest;
    }
    let runs: Vec<RunRow> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select entity, kind, status, finished_at, window_to, unreported from sync_runs \
         where tenant_id = $1 and status in ('done', 'failed') and id in \
         (select max(id) from sync_runs where tenant_id = $1 and status in ('done', 'failed') \
          group by entity, kind, status)",
    )
    .bind(tenant_id)
    .fetch_all(conn)
    .await)?;
    for (slug, run) in fold_runs(runs) {
        if let Some(kind) = Entity::from_slug(&slug) {
            let entry = facts.entry(kind).or_default();
            entry.last_run_ok_at = run.last_run_ok_at;
            entry.fresh_until = run.fresh_until;
            entry.last_run_failed = run.last_run_failed;
            entry.last_reconcile = run.last_reconcile;
        }
    }
    Ok(facts)
}

type RunRow = (
    String,
    String,
    String,
    Option<Timestamp>,
    Option<Timestamp>,
    i64,
);

/// The newest outcome of each kind per entity slug, folded "newer wins".
fn fold_runs(runs: Vec<RunRow>) -> HashMap<String, Facts> {
    let mut out: HashMap<String, Facts> = HashMap::new();
    for (slug, kind, status, finished_at, window_to, unreported) in runs {
        let Some(finished_at) = finished_at else {
            continue;
        };
        let kind: Option<RunKind> = kind.parse().ok();
        let f = out.entry(slug).or_default();
        match status.as_str() {
            "done" => {
                f.last_run_ok_at = f.last_run_ok_at.max(Some(finished_at));
                f.fresh_until = f.fresh_until.max(Some(window_to.unwrap_or(finished_at)));
                if kind == Some(RunKind::Reconcile)
                    && f.last_reconcile.is_none_or(|(at, _)| at < finished_at)
                {
                    let unreported = u64::try_from(unreported).unwrap_or(0);
                    f.last_reconcile = Some((finished_at, unreported));
                }
            }
            _ => {
                if let Some(kind) = kind
                    && f.last_run_failed.is_none_or(|(at, _)| at < finished_at)
                {
                    f.last_run_failed = Some((finished_at, kind));
                }
            }
        }
    }
    out
}

/// Fold what is new since the marks into `health_entities` (the sweep, under its lease).
pub(super) async fn advance(db: &Db, now: Timestamp) -> Result<()> {
    let (event_mark_prev, run_mark): (i64, i64) = with_cross_tenant!(db, CrossTenant::HealthSweep, pool => sqlx::query_as(
            "select event_mark_prev, run_mark from health_sweep where id = 1",
        )
        .fetch_one(pool)
        .await)?;
    let top: Option<i64> = with_cross_tenant!(db, CrossTenant::HealthSweep, pool => {
        sqlx::query_scalar("select max(id) from webhook_events").fetch_one(pool).await
    })?;
    let top = top.unwrap_or(0);
    // By primary key: only the events since the sweep before last.
    let webhooks: Vec<(TenantId, String, Option<Timestamp>)> = with_cross_tenant!(db, CrossTenant::HealthSweep, pool => sqlx::query_as(
            "select tenant_id, kind, max(received_at) from webhook_events \
             where id > $1 and id <= $2 group by tenant_id, kind",
        )
        .bind(event_mark_prev)
        .bind(top)
        .fetch_all(pool)
        .await)?;
    let since = Timestamp::from_millis(run_mark) - RUN_OVERLAP;
    type FinishedRun = (
        TenantId,
        String,
        String,
        String,
        Option<Timestamp>,
        Option<Timestamp>,
        i64,
    );
    let runs: Vec<FinishedRun> = with_cross_tenant!(db, CrossTenant::HealthSweep, pool => sqlx::query_as(
            "select tenant_id, entity, kind, status, finished_at, window_to, unreported \
             from sync_runs where finished_at > $1 and status in ('done', 'failed')",
        )
        .bind(since)
        .fetch_all(pool)
        .await)?;
    let newest_run = runs
        .iter()
        .filter_map(|r| r.4)
        .map(Timestamp::as_millis)
        .max()
        .unwrap_or(run_mark)
        .max(run_mark);
    let mut by_tenant: HashMap<TenantId, Vec<RunRow>> = HashMap::new();
    for (tenant, entity, kind, status, finished_at, window_to, unreported) in runs {
        by_tenant.entry(tenant).or_default().push((
            entity,
            kind,
            status,
            finished_at,
            window_to,
            unreported,
        ));
    }
    let mut changes: HashMap<(TenantId, String), Facts> = HashMap::new();
    for (tenant, kind, at) in webhooks {
        changes.entry((tenant, kind)).or_default().last_webhook_at = at;
    }
    for (tenant, runs) in by_tenant {
        for (slug, run) in fold_runs(runs) {
            let entry = changes.entry((tenant, slug)).or_default();
            entry.last_run_ok_at = run.last_run_ok_at;
            entry.fresh_until = run.fresh_until;
            entry.last_run_failed = run.last_run_failed;
            entry.last_reconcile = run.last_reconcile;
        }
    }

    let mut tx = db.begin_cross_tenant(CrossTenant::HealthSweep).await?;
    for ((tenant, slug), f) in &changes {
        upsert(&mut tx, *tenant, slug, f, now).await?;
    }
    with_tx!(tx, conn => sqlx::query(
        "update health_sweep set event_mark_prev = event_mark, event_mark = $1, run_mark = $2, \
         updated_at = $3 where id = 1",
    )
    .bind(top)
    .bind(newest_run)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    tx.commit().await
}

/// "Newer wins" for each fact: a value replaces the kept one only if it is later.
const NEWER: &str = "insert into health_entities (tenant_id, entity, last_webhook_at, \
     last_run_ok_at, fresh_until, last_run_failed_at, last_run_failed_kind, last_reconcile_at, \
     last_reconcile_unreported, created_at, updated_at) \
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
     on conflict (tenant_id, entity) do update set \
     last_webhook_at = case when excluded.last_webhook_at > coalesce(health_entities.last_webhook_at, -1) \
         then excluded.last_webhook_at else health_entities.last_webhook_at end, \
     last_run_ok_at = case when excluded.last_run_ok_at > coalesce(health_entities.last_run_ok_at, -1) \
         then excluded.last_run_ok_at else health_entities.last_run_ok_at end, \
     fresh_until = case when excluded.fresh_until > coalesce(health_entities.fresh_until, -1) \
         then excluded.fresh_until else health_entities.fresh_until end, \
     last_run_failed_kind = case when excluded.last_run_failed_at > coalesce(health_entities.last_run_failed_at, -1) \
         then excluded.last_run_failed_kind else health_entities.last_run_failed_kind end, \
     last_run_failed_at = case when excluded.last_run_failed_at > coalesce(health_entities.last_run_failed_at, -1) \
         then excluded.last_run_failed_at else health_entities.last_run_failed_at end, \
     last_reconcile_unreported = case when excluded.last_reconcile_at > coalesce(health_entities.last_reconcile_at, -1) \
         then excluded.last_reconcile_unreported else health_entities.last_reconcile_unreported end, \
     last_reconcile_at = case when excluded.last_reconcile_at > coalesce(health_entities.last_reconcile_at, -1) \
         then excluded.last_reconcile_at else health_entities.last_reconcile_at end, \
     updated_at = excluded.updated_at";

async fn upsert(
    tx: &mut crate::db::Tx,
    tenant: TenantId,
    slug: &str,
    f: &Facts,
    now: Timestamp,
) -> Result<()> {
    with_tx!(tx, conn => sqlx::query(NEWER)
        .bind(tenant)
        .bind(slug)
        .bind(f.last_webhook_at)
        .bind(f.last_run_ok_at)
        .bind(f.fresh_until)
        .bind(f.last_run_failed.map(|(at, _)| at))
        .bind(f.last_run_failed.map(|(_, kind)| kind.as_str()))
        .bind(f.last_reconcile.map(|(at, _)| at))
        .bind(f.last_reconcile.map(|(_, n)| i64::try_from(n).unwrap_or(i64::MAX)))
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Store a probe's result for the tenant's `entity`.
pub(super) async fn record_probe(
    db: &Db,
    tenant_id: TenantId,
    entity: Entity,
    probe: &Probe,
) -> Result<()> {
    let (missed, missed_at) = match &probe.missed {
        Some((record, at)) => (Some(record.as_str()), Some(*at)),
        None => (None, None),
    };
    with_tenant!(db, tenant_id, conn => sqlx::query(
        "insert into health_entities (tenant_id, entity, probe_at, probe_missed, \
         probe_missed_updated_at, created_at, updated_at) values ($1, $2, $3, $4, $5, $3, $3) \
         on conflict (tenant_id, entity) do update set probe_at = excluded.probe_at, \
         probe_missed = excluded.probe_missed, \
         probe_missed_updated_at = excluded.probe_missed_updated_at, \
         updated_at = excluded.updated_at",
    )
    .bind(tenant_id)
    .bind(entity.as_str())
    .bind(probe.at)
    .bind(missed)
    .bind(missed_at)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}
