//! Creating runs: the first import when a tenant connects, a run per slot for the hourly sync
//! and the reconciliation (whichever process gets there first creates it; the others' inserts
//! find it there), and "Sync now".

use economic::Entity;
use time::Duration;

use super::{POLLED, RunId, RunKind};
use crate::db::{CrossTenant, Db, Tx};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::timestamp::Timestamp;

/// Queue the first import of every entity, in the transaction that stores the connection.
/// Reconnecting imports again (the upserts make that harmless), unless a run still waits.
pub async fn import_on_connect(tx: &mut Tx, tenant_id: TenantId, now: Timestamp) -> Result<()> {
    for entity in Entity::ALL {
        with_tx!(tx, conn => sqlx::query(
            "insert into sync_runs (tenant_id, entity, kind, slot, status, next_attempt_at, \
             created_at, updated_at) values ($1, $2, 'import', $3, 'queued', $3, $3, $3) \
             on conflict do nothing",
        )
        .bind(tenant_id)
        .bind(entity.as_str())
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

/// What asking for a run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requested {
    /// The run is queued.
    Queued(RunId),
    /// Another run of this entity waits or runs; nothing was queued.
    AlreadyActive,
}

/// "Sync now" (`RunKind::Manual`) or "Check all records now" (`RunKind::Reconcile`) for one
/// entity. Errors: [`Error::NotConnected`].
pub async fn request(
    db: &Db,
    tenant_id: TenantId,
    entity: Entity,
    kind: RunKind,
    now: Timestamp,
) -> Result<Requested> {
    let connected: Option<i64> = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "select tenant_id from economic_connections where tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(conn)
    .await)?;
    if connected.is_none() {
        return Err(Error::NotConnected);
    }
    // The slot of a requested run is its request time: unique enough, and the active-run index
    // is what refuses a second one.
    let id: Option<RunId> = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "insert into sync_runs (tenant_id, entity, kind, slot, status, next_attempt_at, \
         created_at, updated_at) values ($1, $2, $3, $4, 'queued', $4, $4, $4) \
         on conflict do nothing returning id",
    )
    .bind(tenant_id)
    .bind(entity.as_str())
    .bind(kind.as_str())
    .bind(now)
    .fetch_optional(conn)
    .await)?;
    Ok(id.map_or(Requested::AlreadyActive, Requested::Queued))
}

/// Create the runs of `kind` (hourly or reconcile) whose slot has begun: one per connected
/// tenant and entity (hourly: customers and products with the hourly box ticked) whose import
/// finished before the slot began (the import has just read everything), unless the slot's run exists or another run of that entity is still active. Tenants
/// are spread over the interval (each has its own offset), so they do not all call at once.
/// Also queues the import of connected tenants that never had one (connected before runs
/// existed). Returns the runs created.
pub async fn schedule(db: &Db, kind: RunKind, every: Duration, now: Timestamp) -> Result<u64> {
    let every_ms = every.whole_milliseconds().max(1) as i64;
    let hourly_only = i64::from(kind == RunKind::Hourly);
    let slot = "($2 + (c.tenant_id * 7919) % $3) / $3";
    // The hourly sync polls customers and products; the reconciliation also looks for booked
    // invoices of the import's window that no webhook brought.
    let entities: &[Entity] = if kind == RunKind::Hourly {
        &POLLED
    } else {
        &Entity::ALL
    };
    let polled = entities
        .iter()
        .map(|e| format!("'{}'", e.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "insert into sync_runs (tenant_id, entity, kind, slot, status, next_attempt_at, \
         created_at, updated_at) \
         select c.tenant_id, st.entity, $1, {slot}, 'queued', $2, $2, $2 \
         from economic_connections c \
         join sync_state st on st.tenant_id = c.tenant_id and st.entity in ({polled}) \
             and st.imported_at <= $2 - ($2 + (c.tenant_id * 7919) % $3) % $3 \
         left join sync_settings s on s.tenant_id = c.tenant_id \
         where c.paused_at is null \
         and ($4 = 0 or (case st.entity when 'customers' then coalesce(s.customers_hourly, true) \
                         else coalesce(s.products_hourly, true) end)) \
         and not exists (select 1 from sync_runs r where r.tenant_id = c.tenant_id \
             and r.entity = st.entity and (r.status in ('queued', 'running') \
                 or (r.kind = $1 and r.slot = {slot}))) \
         on conflict do nothing"
    );
    let created = with_cross_tenant!(db, CrossTenant::Schedule, conn => sqlx::query(&sql)
        .bind(kind.as_str())
        .bind(now)
        .bind(every_ms)
        .bind(hourly_only)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
    let imports = with_cross_tenant!(db, CrossTenant::Schedule, conn => sqlx::query(
        "insert into sync_runs (tenant_id, entity, kind, slot, status, next_attempt_at, \
         created_at, updated_at) \
         select c.tenant_id, k.entity, 'import', 0, 'queued', $1, $1, $1 \
         from economic_connections c \
         cross join (select 'customers' as entity union all select 'products' \
                     union all select 'invoices') k \
         where not exists (select 1 from sync_runs r where r.tenant_id = c.tenant_id \
             and r.entity = k.entity) \
         on conflict do nothing",
    )
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(created + imports)
}

/// Where a tenant's entity stands between runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntityState {
    /// The entity.
    pub entity: Entity,
    /// Where the next incremental run starts (before the overlap).
    pub watermark: Option<Timestamp>,
    /// When the first full read finished.
    pub imported_at: Option<Timestamp>,
}

/// The tenant's sync state per entity (entities never synced are absent).
pub async fn state(db: &Db, tenant_id: TenantId) -> Result<Vec<EntityState>> {
    let rows: Vec<(String, Option<Timestamp>, Option<Timestamp>)> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select entity, watermark, imported_at from sync_state where tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_all(conn)
    .await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(slug, watermark, imported_at)| {
            Some(EntityState {
                entity: Entity::from_slug(&slug)?,
                watermark,
                imported_at,
            })
        })
        .collect())
}
