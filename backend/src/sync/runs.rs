//! Claiming a due run under its `(tenant, entity)` lease, saving each page's progress in the
//! transaction that stores the page's records, and ending the run.

use std::collections::HashSet;

use economic::Entity;
use time::Duration;

use super::{Counts, Run, RunId, RunKind, RunStatus, overlap};
use crate::db::{CrossTenant, Db};
use crate::error::{Error, FromDb, Result};
use crate::events::WAITING;
use crate::ids::TenantId;
use crate::queue::{self, Fenced, Lease};
use crate::timestamp::Timestamp;

/// How many due runs one claim considers; the first whose queue it can lease wins.
const CANDIDATES: i64 = 8;

const COLUMNS: &str = "id, tenant_id, entity, kind, status, attempts, waiting, next_attempt_at, \
     window_from, window_to, pages_done, records_done, records_total, created, updated, deleted, \
     unreported, api_calls, error, started_at, finished_at, created_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: RunId,
    tenant_id: TenantId,
    entity: String,
    kind: String,
    status: String,
    attempts: i64,
    waiting: Option<String>,
    next_attempt_at: Timestamp,
    window_from: Option<Timestamp>,
    window_to: Option<Timestamp>,
    pages_done: i64,
    records_done: i64,
    records_total: Option<i64>,
    created: i64,
    updated: i64,
    deleted: i64,
    unreported: i64,
    api_calls: i64,
    error: Option<String>,
    started_at: Option<Timestamp>,
    finished_at: Option<Timestamp>,
    created_at: Timestamp,
}

impl TryFrom<Row> for Run {
    type Error = Error;

    fn try_from(r: Row) -> Result<Run> {
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(Run {
            id: r.id,
            tenant_id: r.tenant_id,
            entity: Entity::from_slug(&r.entity)
                .ok_or_else(|| Error::internal(format!("unknown entity {:?}", r.entity)))?,
            kind: RunKind::from_db(&r.kind)?,
            status: RunStatus::from_db(&r.status)?,
            attempts: u32::try_from(r.attempts).unwrap_or(u32::MAX),
            waiting: r.waiting,
            next_attempt_at: r.next_attempt_at,
            window_from: r.window_from,
            window_to: r.window_to,
            pages_done: u32::try_from(r.pages_done).unwrap_or(0),
            records_done: count(r.records_done),
            records_total: r.records_total.map(count),
            counts: Counts {
                created: count(r.created),
                updated: count(r.updated),
                deleted: count(r.deleted),
                unreported: count(r.unreported),
            },
            api_calls: count(r.api_calls),
            error: r.error,
            started_at: r.started_at,
            finished_at: r.finished_at,
            created_at: r.created_at,
        })
    }
}

/// A run taken by a worker, and the lease on its queue (renew it while working).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunClaim {
    /// The lease on the run's `(tenant, entity)` queue.
    pub lease: Lease,
    /// The run, marked running.
    pub run: Run,
}

/// Take the run that has waited longest among those due, leasing its `(tenant, entity)` queue
/// (so no webhook of that queue is applied meanwhile). An incremental run's window is fixed
/// here on its first claim: from the watermark minus the overlap, to now. `None` when no run is
/// due or every due run's queue is leased.
pub async fn claim(
    db: &Db,
    owner: &str,
    now: Timestamp,
    lease_for: Duration,
) -> Result<Option<RunClaim>> {
    let due: Vec<(RunId, TenantId, String)> = with_cross_tenant!(db, CrossTenant::QueueClaim, conn => sqlx::query_as(
        "select r.id, r.tenant_id, r.entity from sync_runs r \
         join economic_connections c on c.tenant_id = r.tenant_id \
         left join sync_leases l on l.tenant_id = r.tenant_id and l.entity = r.entity \
         where r.status in ('queued', 'running') and r.next_attempt_at <= $1 \
         and c.paused_at is null and (l.expires_at is null or l.expires_at <= $1) \
         order by r.next_attempt_at, r.id limit $2",
    )
    .bind(now)
    .bind(CANDIDATES)
    .fetch_all(conn)
    .await)?;
    for (id, tenant_id, slug) in due {
        let entity = Entity::from_slug(&slug)
            .ok_or_else(|| Error::internal(format!("unknown entity {slug:?}")))?;
        let mut tx = db.begin(tenant_id).await?;
        let Some(token) = queue::acquire(&mut tx, tenant_id, entity, owner, now, lease_for).await?
        else {
            continue;
        };
        let sql = format!(
            "update sync_runs set status = 'running', lease_token = $2, attempts = attempts + 1, \
             waiting = null, started_at = coalesce(started_at, $3), \
             window_to = coalesce(window_to, $3), \
             window_from = case when window_to is not null then window_from \
                 when kind in ('hourly', 'manual') then (select s.watermark - $4 from sync_state s \
                     where s.tenant_id = sync_runs.tenant_id and s.entity = sync_runs.entity) \
                 else null end, \
             updated_at = $3 where id = $1 and status in ('queued', 'running') returning {COLUMNS}"
        );
        let row: Option<Row> = with_tx!(tx, conn => sqlx::query_as(&sql)
            .bind(id)
            .bind(token)
            .bind(now)
            .bind(overlap(entity).whole_milliseconds() as i64)
            .fetch_optional(&mut *conn)
            .await)?;
        let Some(row) = row else {
            continue; // finished meanwhile; the lease rolls back with the transaction
        };
        tx.commit().await?;
        let lease = Lease {
            tenant_id,
            entity,
            token,
            owner: owner.to_owned(),
        };
        return Ok(Some(RunClaim {
            lease,
            run: row.try_into()?,
        }));
    }
    Ok(None)
}

/// One page of a run, stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Page {
    /// Pages stored so far, this one included (the resume point).
    pub pages_done: u32,
    /// Records read so far, this page's included.
    pub records_done: u64,
    /// `pagination.results`, when known.
    pub total: Option<u64>,
    /// What this page changed.
    pub counts: Counts,
    /// Calls made since the last page was saved.
    pub api_calls: u32,
}

/// Save a page's progress in the fenced transaction that stores its records, so that a
/// resumed run neither skips nor repeats it.
pub async fn save_page(tx: &mut Fenced, run: RunId, page: &Page, now: Timestamp) -> Result<()> {
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let (tx, lease) = tx.split();
    let changed = with_tx!(tx, conn => sqlx::query(
        "update sync_runs set pages_done = $3, records_done = $4, \
         records_total = coalesce($5, records_total), created = created + $6, \
         updated = updated + $7, deleted = deleted + $8, unreported = unreported + $9, \
         api_calls = api_calls + $10, updated_at = $11 where id = $1 and lease_token = $2",
    )
    .bind(run)
    .bind(lease.token)
    .bind(i64::from(page.pages_done))
    .bind(n(page.records_done))
    .bind(page.total.map(n))
    .bind(n(page.counts.created))
    .bind(n(page.counts.updated))
    .bind(n(page.counts.deleted))
    .bind(n(page.counts.unreported))
    .bind(i64::from(page.api_calls))
    .bind(now)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    if changed == 1 {
        Ok(())
    } else {
        Err(Error::LeaseLost)
    }
}

/// End a run successfully, in the transaction of its last page. `watermark`: where the next
/// incremental run starts (the window's end), saved only now that every record is stored. A full
/// read (an import, or "Sync now" before any import) marks the entity imported.
pub async fn complete(
    tx: &mut Fenced,
    run: &Run,
    watermark: Option<Timestamp>,
    now: Timestamp,
) -> Result<()> {
    let (tx, lease) = tx.split();
    let done = with_tx!(tx, conn => sqlx::query(
        "update sync_runs set status = 'done', lease_token = null, error = null, waiting = null, \
         finished_at = $3, updated_at = $3 where id = $1 and lease_token = $2",
    )
    .bind(run.id)
    .bind(lease.token)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    if done != 1 {
        return Err(Error::LeaseLost);
    }
    run_ended("done");
    let full_read = run.window_from.is_none() && run.kind != RunKind::Reconcile;
    if watermark.is_none() && !full_read {
        return Ok(());
    }
    with_tx!(tx, conn => sqlx::query(
        "insert into sync_state (tenant_id, entity, watermark, imported_at, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $5) on conflict (tenant_id, entity) do update set \
         watermark = coalesce(excluded.watermark, sync_state.watermark), \
         imported_at = coalesce(sync_state.imported_at, excluded.imported_at), \
         updated_at = excluded.updated_at",
    )
    .bind(run.tenant_id)
    .bind(run.entity.as_str())
    .bind(watermark)
    .bind(full_read.then_some(now))
    .bind(now)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The run failed but may work later: back in the queue until `at`. (The worker gives the
/// lease back after every run, whatever its end.)
pub async fn retry(
    db: &Db,
    lease: &Lease,
    run: RunId,
    error: &str,
    at: Timestamp,
    now: Timestamp,
) -> Result<()> {
    end(
        db,
        lease,
        run,
        now,
        "status = 'queued', error = $4, next_attempt_at = $5",
        error,
        at,
    )
    .await?;
    run_ended("retry");
    Ok(())
}

/// The run waits without having tried (the API budget, a paused tenant): back in the queue
/// until `until`, its attempt given back, `reason` shown on the Settings page.
pub async fn defer(
    db: &Db,
    lease: &Lease,
    run: RunId,
    reason: &str,
    until: Timestamp,
    now: Timestamp,
) -> Result<()> {
    end(
        db,
        lease,
        run,
        now,
        "status = 'queued', attempts = attempts - 1, waiting = $4, next_attempt_at = $5",
        reason,
        until,
    )
    .await
}

/// The run gave up: `failed` with `error`.
pub async fn fail(db: &Db, lease: &Lease, run: RunId, error: &str, now: Timestamp) -> Result<()> {
    end(
        db,
        lease,
        run,
        now,
        "status = 'failed', error = $4, finished_at = $3, next_attempt_at = $5",
        error,
        now,
    )
    .await?;
    run_ended("failed");
    Ok(())
}

/// Counts a sync run's end for `/metrics` (recorded with the statement, before its commit).
fn run_ended(outcome: &'static str) {
    metrics::counter!("inventory_sync_sync_runs_total", "outcome" => outcome).increment(1);
}

async fn end(
    db: &Db,
    lease: &Lease,
    run: RunId,
    now: Timestamp,
    set: &str,
    text: &str,
    at: Timestamp,
) -> Result<()> {
    let sql = format!(
        "update sync_runs set {set}, lease_token = null, updated_at = $3 \
         where id = $1 and lease_token = $2"
    );
    with_tenant!(db, lease.tenant_id, conn => sqlx::query(&sql)
        .bind(run)
        .bind(lease.token)
        .bind(now)
        .bind(text)
        .bind(at)
        .execute(conn)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// One run of the tenant. Errors: [`Error::NotFound`], also for another tenant's run.
pub async fn get(db: &Db, tenant_id: TenantId, id: RunId) -> Result<Run> {
    let sql = format!("select {COLUMNS} from sync_runs where tenant_id = $1 and id = $2");
    let row: Option<Row> = with_tenant!(db, tenant_id, conn => sqlx::query_as(&sql)
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(conn)
        .await)?;
    row.ok_or(Error::NotFound)?.try_into()
}

/// For each entity and kind, the tenant's newest run that waits or runs and its newest that
/// ended: what the Settings page shows.
pub async fn latest(db: &Db, tenant_id: TenantId) -> Result<Vec<Run>> {
    let sql = format!(
        "select {COLUMNS} from sync_runs where tenant_id = $1 and id in \
         (select max(id) from sync_runs where tenant_id = $1 \
          group by entity, kind, status in ('queued', 'running')) order by id desc"
    );
    let rows: Vec<Row> = with_tenant!(db, tenant_id, conn => sqlx::query_as(&sql)
        .bind(tenant_id)
        .fetch_all(conn)
        .await)?;
    rows.into_iter().map(Run::try_from).collect()
}

/// The tenant's runs, newest first, older than `before` when given (keyset paging).
pub async fn list(
    db: &Db,
    tenant_id: TenantId,
    before: Option<RunId>,
    limit: u32,
) -> Result<Vec<Run>> {
    let sql = format!(
        "select {COLUMNS} from sync_runs where tenant_id = $1 and id < $2 order by id desc limit $3"
    );
    let rows: Vec<Row> = with_tenant!(db, tenant_id, conn => sqlx::query_as(&sql)
        .bind(tenant_id)
        .bind(before.map_or(i64::MAX, RunId::get))
        .bind(i64::from(limit))
        .fetch_all(conn)
        .await)?;
    rows.into_iter().map(Run::try_from).collect()
}

/// Of `numbers` (as webhook events key their record), those no webhook of `entity` accounts
/// for: none still waits to be applied, none arrived since `since` (the reconciliation's
/// start). A webhook applied before the reconciliation cannot account for a repair: had it
/// told of this change, the record would not have needed one.
pub async fn unreported_numbers(
    db: &Db,
    tenant_id: TenantId,
    entity: Entity,
    numbers: &[String],
    since: Timestamp,
) -> Result<Vec<String>> {
    let mut reported: HashSet<String> = HashSet::new();
    for chunk in numbers.chunks(500) {
        let marks = (0..chunk.len())
            .map(|i| format!("${}", i + 4))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "select record_key, old_number from webhook_events where tenant_id = $1 and kind = $2 \
             and (received_at >= $3 or status in {WAITING}) \
             and (record_key in ({marks}) or old_number in ({marks}))"
        );
        let found: Vec<(Option<String>, Option<String>)> = with_tenant!(db, tenant_id, conn => {
            let mut q = sqlx::query_as(&sql).bind(tenant_id).bind(entity.as_str()).bind(since);
            for n in chunk {
                q = q.bind(n);
            }
            q.fetch_all(conn).await
        })?;
        reported.extend(
            found
                .into_iter()
                .flat_map(|(new, old)| [new, old])
                .flatten(),
        );
    }
    Ok(numbers
        .iter()
        .filter(|n| !reported.contains(*n))
        .cloned()
        .collect())
}
