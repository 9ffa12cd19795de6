//! Claiming a `(tenant, entity)` queue, renewing and fencing its lease, giving it back.

use economic::Entity;
use time::Duration;

use super::{Claim, Fenced, Job, Lease};
use crate::db::{CrossTenant, Db, Tx};
use crate::error::{Error, Result};
use crate::events::{EventId, WAITING};
use crate::ids::TenantId;
use crate::timestamp::Timestamp;

/// How many queues one claim considers; the first it can lease wins.
const CANDIDATES: i64 = 8;

/// Stored as the error of events whose worker stopped (its lease expired) before finishing.
pub const ABANDONED: &str = "the worker applying it stopped before it finished; taken up again";

/// Lease the waiting queue that was served longest ago and take up to `max_jobs` of its due
/// events (marked `processing`, one attempt used each). `None` when no queue has due work.
/// Queues of tenants whose e-conomic access is paused, or not connected, are skipped.
pub async fn claim(
    db: &Db,
    owner: &str,
    now: Timestamp,
    lease_for: Duration,
    max_jobs: u32,
) -> Result<Option<Claim>> {
    for (tenant_id, entity) in candidates(db, now).await? {
        let mut tx = db.begin(tenant_id).await?;
        let Some(token) = acquire(&mut tx, tenant_id, entity, owner, now, lease_for).await? else {
            continue; // another worker was quicker; the transaction rolls back on drop
        };
        let lease = Lease {
            tenant_id,
            entity,
            token,
            owner: owner.to_owned(),
        };
        take_up_abandoned(&mut tx, &lease, now).await?;
        let jobs = take_jobs(&mut tx, &lease, now, max_jobs).await?;
        tx.commit().await?;
        if jobs.is_empty() {
            release(db, &lease, now, false).await?;
            continue;
        }
        return Ok(Some(Claim { lease, jobs }));
    }
    Ok(None)
}

/// Queues with due events and no live lease, least recently served first. One index probe per
/// tenant and entity (`webhook_events_waiting`), so it stays cheap during a 100,000-event
/// backlog, when a scan of the waiting events would not.
async fn candidates(db: &Db, now: Timestamp) -> Result<Vec<(TenantId, Entity)>> {
    let rows: Vec<(TenantId, String)> = with_cross_tenant!(db, CrossTenant::QueueClaim, conn => sqlx::query_as(&format!(
        "select c.tenant_id, k.entity from economic_connections c \
         cross join (select 'customers' as entity union all select 'products' \
                     union all select 'invoices') k \
         left join sync_leases l on l.tenant_id = c.tenant_id and l.entity = k.entity \
         where c.paused_at is null and (l.expires_at is null or l.expires_at <= $1) \
         and exists (select 1 from webhook_events e where e.tenant_id = c.tenant_id \
                     and e.kind = k.entity and e.status in {WAITING} \
                     and e.next_attempt_at <= $1) \
         order by coalesce(l.last_claimed_at, 0) limit $2"
    ))
    .bind(now)
    .bind(CANDIDATES)
    .fetch_all(conn)
    .await)?;
    rows.into_iter()
        .map(|(tenant, slug)| {
            let entity = Entity::from_slug(&slug)
                .ok_or_else(|| Error::internal(format!("unknown entity {slug:?} in database")))?;
            Ok((tenant, entity))
        })
        .collect()
}

/// Take the lease if it is free (never held, or expired): one statement, so two workers can
/// never both succeed. Returns the new token.
pub(crate) async fn acquire(
    tx: &mut Tx,
    tenant_id: TenantId,
    entity: Entity,
    owner: &str,
    now: Timestamp,
    lease_for: Duration,
) -> Result<Option<i64>> {
    let token = with_tx!(tx, conn => sqlx::query_scalar(
        "insert into sync_leases (tenant_id, entity, token, owner, expires_at, last_claimed_at, \
         created_at, updated_at) values ($1, $2, 1, $3, $4, $5, $5, $5) \
         on conflict (tenant_id, entity) do update set token = sync_leases.token + 1, \
         owner = excluded.owner, expires_at = excluded.expires_at, \
         last_claimed_at = excluded.last_claimed_at, updated_at = excluded.updated_at \
         where sync_leases.expires_at <= $5 returning token",
    )
    .bind(tenant_id)
    .bind(entity.as_str())
    .bind(owner)
    .bind(now + lease_for)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await)?;
    Ok(token)
}

/// Events still `processing` under an expired lease belong to a worker that died: back in the
/// queue (their attempt stays used, so an event that kills workers ends dead).
async fn take_up_abandoned(tx: &mut Tx, lease: &Lease, now: Timestamp) -> Result<()> {
    with_tx!(tx, conn => sqlx::query(
        "update webhook_events set status = 'queued', lease_token = null, last_error = $3, \
         updated_at = $4 where tenant_id = $1 and kind = $2 and status = 'processing'",
    )
    .bind(lease.tenant_id)
    .bind(lease.entity.as_str())
    .bind(ABANDONED)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

async fn take_jobs(tx: &mut Tx, lease: &Lease, now: Timestamp, max: u32) -> Result<Vec<Job>> {
    // One statement that picks and marks, so an event committed meanwhile is either in both or
    // in neither. PostgreSQL: skip rows someone holds (a replay by hand) instead of waiting.
    // The pick is a materialized CTE, evaluated once: as `where id in (select … limit n)` the
    // planner may rescan the subquery once per row (it did once row-level security added its
    // filter), and each rescan skips the rows this statement already changed, so a batch of 1
    // took 2 events.
    let lock = with_tx!(tx, _conn {
        sqlite => "",
        postgres => "for update skip locked",
    });
    let sql = format!(
        "with picked as materialized (select id from webhook_events \
             where tenant_id = $1 and kind = $2 \
             and status in ('received', 'queued', 'failed') and next_attempt_at <= $4 \
             order by id limit $5 {lock}) \
         update webhook_events set status = 'processing', attempts = attempts + 1, \
         lease_token = $3, updated_at = $4 \
         where id in (select id from picked) \
         returning id, action, attempts, received_at"
    );
    let rows: Vec<(EventId, Option<String>, i64, Timestamp)> = with_tx!(tx, conn => sqlx::query_as(&sql)
        .bind(lease.tenant_id)
        .bind(lease.entity.as_str())
        .bind(lease.token)
        .bind(now)
        .bind(i64::from(max))
        .fetch_all(&mut *conn)
        .await)?;
    let mut jobs: Vec<Job> = rows
        .into_iter()
        .map(|(id, action, attempts, received_at)| Job {
            id,
            action: action.and_then(|a| serde_json::from_str(&a).ok()),
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            received_at,
        })
        .collect();
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

/// The heartbeat: extend the lease to `now + lease_for`. Errors: [`Error::LeaseLost`] when it
/// expired and may have been taken over; the worker must stop.
pub async fn renew(db: &Db, lease: &Lease, now: Timestamp, lease_for: Duration) -> Result<()> {
    Fenced::begin(db, lease, now, lease_for)
        .await?
        .commit()
        .await
}

/// Give the lease back. Events it still holds go back in the queue, with their attempt given
/// back if `refund` (a worker stopping mid-batch, as opposed to a batch that failed). A lease
/// already lost is not an error.
pub async fn release(db: &Db, lease: &Lease, now: Timestamp, refund: bool) -> Result<()> {
    let mut tx = db.begin(lease.tenant_id).await?;
    with_tx!(tx, conn => async {
        sqlx::query(
            "update webhook_events set status = 'queued', attempts = attempts - $5, \
             lease_token = null, updated_at = $4 \
             where tenant_id = $1 and kind = $2 and lease_token = $3 and status = 'processing'",
        )
        .bind(lease.tenant_id)
        .bind(lease.entity.as_str())
        .bind(lease.token)
        .bind(now)
        .bind(i64::from(refund))
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "update sync_leases set expires_at = $4, updated_at = $4 \
             where tenant_id = $1 and entity = $2 and token = $3",
        )
        .bind(lease.tenant_id)
        .bind(lease.entity.as_str())
        .bind(lease.token)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(|_| ())
    }.await)?;
    tx.commit().await
}
