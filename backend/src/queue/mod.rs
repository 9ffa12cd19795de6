//! The sync engine's queue. The stored webhook events are the inbox; this
//! module is the data side of working them off, the runtime is the `worker` crate.
//!
//! Hand-written rather than a crate: no job-queue crate supports SQLite and PostgreSQL on sqlx
//! 0.8 with per-record ordering and coalescing (apalis keeps separate schemas per database on
//! sqlx 0.9; graphile_worker, underway and sqlxmq are PostgreSQL only; fang, the one SQLite and
//! PostgreSQL crate on sqlx 0.8, claims without a transaction, so two workers can take one job).
//!
//! The unit of work is one tenant's queue of one entity — `(tenant, entity)` — leased by one
//! worker at a time ([`claim()`]). The lease is what keeps the events of a record in order and
//! off two workers at once, and it costs no throughput: e-conomic's budget is per agreement,
//! and a batch of one tenant's events is fetched with a few list calls instead of one call per
//! event. Other tenants' queues are claimed by other workers meanwhile, so a tenant whose
//! e-conomic fails never stalls the others.
//!
//! Leases expire: a worker renews its lease while it works ([`renew`], the heartbeat), and one
//! that dies simply stops renewing; the next claim takes its events up again. Every claim gets
//! a larger `token`, and every write of a batch happens in a [`Fenced`] transaction, which checked
//! it first: a worker that lost its lease can no longer complete anything.

mod claim;
mod finish;
mod replay;

use std::sync::Arc;

use economic::WebhookAction;
use tokio::sync::Notify;

use crate::events::EventId;
use crate::timestamp::Timestamp;

pub use crate::lease::{Fenced, Lease};
pub(crate) use claim::acquire;
pub use claim::{claim, release, renew};
pub use finish::{Attempt, Done, finish};
pub use replay::{MAX_SELECTION, dismiss, replay, replay_failed, replay_matching, replay_selected};

/// One event taken for processing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The event.
    pub id: EventId,
    /// What it announced; `None` if the stored action cannot be read (the job then fails).
    pub action: Option<WebhookAction>,
    /// Attempts so far, this one included.
    pub attempts: u32,
    /// When e-conomic's request arrived.
    pub received_at: Timestamp,
}

/// A claimed queue and the events taken from it, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The lease; renew it while working, release it when done.
    pub lease: Lease,
    /// The events, in id order (the order they arrived in).
    pub jobs: Vec<Job>,
}

/// Wakes the workers of this process when events arrive (ingest notifies after its commit).
/// Other processes learn of new events through PostgreSQL `LISTEN`/`NOTIFY` or their poll.
#[derive(Debug, Clone, Default)]
pub struct Signal(Arc<Notify>);

impl Signal {
    /// Wake every worker waiting now, and the next one to wait if none is.
    pub fn notify(&self) {
        self.0.notify_waiters();
        self.0.notify_one();
    }

    /// Wait for the next [`Signal::notify`].
    pub async fn notified(&self) {
        self.0.notified().await;
    }
}

/// The PostgreSQL channel ingest notifies and workers listen on.
pub const CHANNEL: &str = "sync_events";

/// Tell the workers of other processes that events arrived (PostgreSQL `NOTIFY`; nothing on
/// SQLite, where every worker shares one process).
pub async fn notify_other_processes(db: &crate::Db) -> crate::Result<()> {
    if let Some(pool) = db.pg_pool() {
        sqlx::query("select pg_notify($1, '')")
            .bind(CHANNEL)
            .execute(pool)
            .await?;
    }
    Ok(())
}
