//! Problems as episodes: a problem opens once, is updated while it lasts (its reason's figures,
//! its state), and resolves by itself when the condition clears. Stored with their history.
//!
//! [`apply`] brings a tenant's open episodes in line with its current problems, in that
//! tenant's transaction, and records one notification per channel for each open and each
//! resolve in the same transaction ([`super::alerts::record`]). At most one episode per tenant
//! and slot is open (a partial unique index), so two sweeps racing open it once: the loser's
//! insert finds it there and records nothing.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::alert_mail::Mailing;
use super::alerts::{self, Notice};
use super::{Fix, Problem, Reason, State};
use crate::audit::{self, Action, Actor};
use crate::db::{CrossTenant, Db, Tx};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::timestamp::Timestamp;

/// An episode's id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, sqlx::Type,
)]
#[sqlx(transparent)]
#[serde(transparent)]
pub struct EpisodeId(i64);

impl EpisodeId {
    /// The raw id.
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for EpisodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One episode as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Episode {
    /// Its id.
    pub id: EpisodeId,
    /// Whose.
    pub tenant_id: TenantId,
    /// Its slot's key ([`super::Slot::key`]).
    pub slot: String,
    /// The reason, with its latest figures.
    pub reason: Reason,
    /// Its latest state.
    pub state: State,
    /// The one action that fixes it.
    pub fix: Fix,
    /// Since when the condition held (evidence).
    pub since: Timestamp,
    /// When it opened.
    pub opened_at: Timestamp,
    /// When it resolved; `None` while open.
    pub resolved_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, tenant_id, slot, state, detail, fix, since, opened_at, resolved_at";

type Row = (
    EpisodeId,
    TenantId,
    String,
    String,
    String,
    String,
    Timestamp,
    Timestamp,
    Option<Timestamp>,
);

fn from_row(row: Row) -> Result<Episode> {
    let (id, tenant_id, slot, state, detail, fix, since, opened_at, resolved_at) = row;
    Ok(Episode {
        id,
        tenant_id,
        slot,
        reason: serde_json::from_str(&detail).map_err(Error::internal)?,
        state: State::parse(&state)
            .ok_or_else(|| Error::internal(format!("unknown health state {state:?}")))?,
        fix: Fix::parse(&fix).ok_or_else(|| Error::internal(format!("unknown fix {fix:?}")))?,
        since,
        opened_at,
        resolved_at,
    })
}

/// The tenant's open episodes, worst first, then oldest.
pub async fn open(db: &Db, tenant_id: TenantId) -> Result<Vec<Episode>> {
    let sql = format!(
        "select {COLUMNS} from health_episodes where tenant_id = $1 and resolved_at is null \
         order by id"
    );
    let rows: Vec<Row> = with_tenant!(db, tenant_id, conn => sqlx::query_as(&sql)
        .bind(tenant_id)
        .fetch_all(conn)
        .await)?;
    let mut episodes = rows.into_iter().map(from_row).collect::<Result<Vec<_>>>()?;
    episodes.sort_by(|a, b| b.state.cmp(&a.state).then(a.since.cmp(&b.since)));
    Ok(episodes)
}

/// How many episodes of the tenant are open (the navigation's badge).
pub async fn open_count(db: &Db, tenant_id: TenantId) -> Result<u64> {
    let n: i64 = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "select count(*) from health_episodes where tenant_id = $1 and resolved_at is null",
    )
    .bind(tenant_id)
    .fetch_one(conn)
    .await)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The tenant's episodes, newest first, at most `limit` (the history under the problems).
pub async fn history(db: &Db, tenant_id: TenantId, limit: u32) -> Result<Vec<Episode>> {
    let sql = format!(
        "select {COLUMNS} from health_episodes where tenant_id = $1 order by id desc limit $2"
    );
    let rows: Vec<Row> = with_tenant!(db, tenant_id, conn => sqlx::query_as(&sql)
        .bind(tenant_id)
        .bind(i64::from(limit))
        .fetch_all(conn)
        .await)?;
    rows.into_iter().map(from_row).collect()
}

/// Every tenant's open episodes (the sweep's comparison, the staff dashboard).
pub async fn all_open(db: &Db) -> Result<Vec<Episode>> {
    let sql = format!("select {COLUMNS} from health_episodes where resolved_at is null");
    let rows: Vec<Row> = with_cross_tenant!(db, CrossTenant::HealthSweep, pool => {
        sqlx::query_as(&sql).fetch_all(pool).await
    })?;
    rows.into_iter().map(from_row).collect()
}

/// What [`apply`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Episodes opened.
    pub opened: Vec<EpisodeId>,
    /// Open episodes whose reason or state changed.
    pub updated: usize,
    /// Episodes resolved.
    pub resolved: Vec<EpisodeId>,
}

impl Changes {
    /// Whether anything changed.
    pub fn is_empty(&self) -> bool {
        self.opened.is_empty() && self.updated == 0 && self.resolved.is_empty()
    }
}

/// Bring the tenant's `open` episodes in line with its current `problems`: open the new ones,
/// update the changed ones, resolve those whose condition cleared. Writes nothing when nothing
/// changed (the common case), else one transaction.
pub async fn apply(
    db: &Db,
    tenant_id: TenantId,
    problems: &[Problem],
    open: &[Episode],
    mailing: Mailing<'_>,
    now: Timestamp,
) -> Result<Changes> {
    let to_open: Vec<&Problem> = problems
        .iter()
        .filter(|p| !open.iter().any(|e| e.slot == p.slot.key()))
        .collect();
    let to_update: Vec<(&Episode, &Problem)> = open
        .iter()
        .filter_map(|e| {
            let p = problems.iter().find(|p| p.slot.key() == e.slot)?;
            (p.reason != e.reason || p.state != e.state || p.fix != e.fix).then_some((e, p))
        })
        .collect();
    let to_resolve: Vec<&Episode> = open
        .iter()
        .filter(|e| !problems.iter().any(|p| p.slot.key() == e.slot))
        .collect();
    let mut changes = Changes::default();
    if to_open.is_empty() && to_update.is_empty() && to_resolve.is_empty() {
        return Ok(changes);
    }
    let mut tx = db.begin(tenant_id).await?;
    for p in to_open {
        if let Some(id) = insert(&mut tx, tenant_id, p, now).await? {
            let detail = format!("{} {} #{id}", p.slot.key(), p.reason.name());
            audit::record_in(
                &mut tx,
                tenant_id,
                Actor::System,
                Action::ProblemOpened,
                &detail,
                now,
            )
            .await?;
            alerts::record(&mut tx, tenant_id, id, Notice::Opened, mailing, now).await?;
            changes.opened.push(id);
        }
    }
    for (e, p) in to_update {
        let detail = serde_json::to_string(&p.reason).map_err(Error::internal)?;
        let n = with_tx!(tx, conn => sqlx::query(
            "update health_episodes set reason = $3, state = $4, detail = $5, fix = $6, \
             updated_at = $7 where tenant_id = $1 and id = $2 and resolved_at is null",
        )
        .bind(tenant_id)
        .bind(e.id)
        .bind(p.reason.name())
        .bind(p.state.as_str())
        .bind(&detail)
        .bind(p.fix.code())
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected()))?;
        changes.updated += usize::try_from(n).unwrap_or(0);
    }
    for e in to_resolve {
        let n = with_tx!(tx, conn => sqlx::query(
            "update health_episodes set resolved_at = $3, updated_at = $3 \
             where tenant_id = $1 and id = $2 and resolved_at is null",
        )
        .bind(tenant_id)
        .bind(e.id)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected()))?;
        // Resolved by a racing sweep already: it recorded the notifications.
        if n == 1 {
            let detail = format!("{} {} #{}", e.slot, e.reason.name(), e.id);
            let action = Action::ProblemResolved;
            audit::record_in(&mut tx, tenant_id, Actor::System, action, &detail, now).await?;
            alerts::record(&mut tx, tenant_id, e.id, Notice::Resolved, mailing, now).await?;
            changes.resolved.push(e.id);
        }
    }
    tx.commit().await?;
    Ok(changes)
}

/// Open an episode for `p`; `None` when one is open for its slot already (a racing sweep).
async fn insert(
    tx: &mut Tx,
    tenant_id: TenantId,
    p: &Problem,
    now: Timestamp,
) -> Result<Option<EpisodeId>> {
    let detail = serde_json::to_string(&p.reason).map_err(Error::internal)?;
    let id: Option<EpisodeId> = with_tx!(tx, conn => sqlx::query_scalar(
        "insert into health_episodes (tenant_id, slot, reason, state, detail, fix, since, \
         opened_at, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8) \
         on conflict (tenant_id, slot) where resolved_at is null do nothing returning id",
    )
    .bind(tenant_id)
    .bind(p.slot.key())
    .bind(p.reason.name())
    .bind(p.state.as_str())
    .bind(&detail)
    .bind(p.fix.code())
    .bind(p.since.min(now))
    .bind(now)
    .fetch_optional(&mut *conn)
    .await)?;
    Ok(id)
}

/// One episode of the tenant. Errors: [`Error::NotFound`], also for another tenant's.
pub async fn get(db: &Db, tenant_id: TenantId, id: EpisodeId) -> Result<Episode> {
    let sql = format!("select {COLUMNS} from health_episodes where tenant_id = $1 and id = $2");
    let row: Option<Row> = with_tenant!(db, tenant_id, conn => sqlx::query_as(&sql)
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(conn)
        .await)?;
    from_row(row.ok_or(Error::NotFound)?)
}

/// One episode of the tenant, inside the caller's transaction. Errors: [`Error::NotFound`].
pub(super) async fn get_in(tx: &mut Tx, tenant_id: TenantId, id: EpisodeId) -> Result<Episode> {
    let sql = format!("select {COLUMNS} from health_episodes where tenant_id = $1 and id = $2");
    let row: Option<Row> = with_tx!(tx, conn => sqlx::query_as(&sql)
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await)?;
    from_row(row.ok_or(Error::NotFound)?)
}

impl EpisodeId {
    /// Wrap a raw id (from a stored notification). Proves nothing: queries check the tenant.
    pub const fn new(raw: i64) -> Self {
        Self(raw)
    }
}
