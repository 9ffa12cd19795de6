//! A worker's lease on one `(tenant, entity)` queue, and the only way to write under it: a
//! [`Fenced`] transaction.
//!
//! Every write of a batch or a sync run must first check, inside its transaction, that the
//! worker still holds its lease (the fencing token): a worker that stalled past its lease must
//! not overwrite what the worker that took over has done. That check used to be a call each
//! writer had to remember; now the queue's and the records' writes take a [`Fenced`], and the
//! only way to get one is [`Fenced::begin`], which checks. A write that forgot the fence does
//! not compile.
//!
//! Its own module, below `queue`, `records` and `sync`, because all three demand it and `queue`
//! already depends on `records` (through the events' outcomes).

use std::ops::{Deref, DerefMut};

use economic::Entity;
use time::Duration;

use crate::db::{Db, Tx};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::timestamp::Timestamp;

/// A worker's hold on one `(tenant, entity)` queue, from [`crate::queue::claim`] until it
/// expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// Whose queue.
    pub tenant_id: TenantId,
    /// Which of its entities.
    pub entity: Entity,
    /// The fencing token of this claim: larger than every earlier claim's.
    pub token: i64,
    /// The worker holding it (for logs and attempts).
    pub owner: String,
}

/// A write transaction of the lease's tenant in which the lease was checked (and extended):
/// until it commits, no other worker can take the queue over. Reads and writes that are no
/// queue's (the API budget) use it as the [`Tx`] it derefs to.
#[derive(Debug)]
pub struct Fenced {
    tx: Tx,
    lease: Lease,
}

impl Fenced {
    /// Begin a transaction of the lease's tenant and check that `lease` is still held,
    /// extending it to `now + lease_for`. Errors: [`Error::LeaseLost`] when it expired and may
    /// have been taken over; the worker must stop.
    pub async fn begin(
        db: &Db,
        lease: &Lease,
        now: Timestamp,
        lease_for: Duration,
    ) -> Result<Fenced> {
        let mut tx = db.begin(lease.tenant_id).await?;
        fence(&mut tx, lease, now, lease_for).await?;
        Ok(Fenced {
            tx,
            lease: lease.clone(),
        })
    }

    /// A transaction of `tenant` treated as fenced although no lease was checked: for tests
    /// that seed records the way the engine stores them. Its lease has token 0, which no claim
    /// hands out, so the queue's writes under it change nothing.
    #[cfg(feature = "testing")]
    pub fn unchecked_for_tests(tx: Tx, tenant_id: TenantId) -> Fenced {
        let lease = Lease {
            tenant_id,
            entity: Entity::Products,
            token: 0,
            owner: "test".to_owned(),
        };
        Fenced { tx, lease }
    }

    /// The lease this transaction holds.
    pub fn lease(&self) -> &Lease {
        &self.lease
    }

    /// The transaction and the lease at once, for writes that bind the lease's token.
    pub(crate) fn split(&mut self) -> (&mut Tx, &Lease) {
        (&mut self.tx, &self.lease)
    }

    /// Commit everything done in this transaction (the lease's extension included).
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await
    }
}

impl Deref for Fenced {
    type Target = Tx;

    fn deref(&self) -> &Tx {
        &self.tx
    }
}

impl DerefMut for Fenced {
    fn deref_mut(&mut self) -> &mut Tx {
        &mut self.tx
    }
}

/// Check, inside a write transaction, that `lease` is still held (and extend it). On
/// PostgreSQL the update locks the lease row until commit, so no claim can take it over between
/// the check and the writes.
async fn fence(tx: &mut Tx, lease: &Lease, now: Timestamp, lease_for: Duration) -> Result<()> {
    let held = with_tx!(tx, conn => sqlx::query(
        "update sync_leases set expires_at = $4, updated_at = $5 \
         where tenant_id = $1 and entity = $2 and token = $3 and expires_at > $5",
    )
    .bind(lease.tenant_id)
    .bind(lease.entity.as_str())
    .bind(lease.token)
    .bind(now + lease_for)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    if held == 1 {
        Ok(())
    } else {
        Err(Error::LeaseLost)
    }
}
