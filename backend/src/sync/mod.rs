//! Sync runs: the first import when a tenant connects, the hourly sync, the
//! periodic reconciliation and "Sync now". A run reads e-conomic's lists a page at a time and
//! applies the records with the same upserts as webhooks ([`crate::records`]), under the same
//! `(tenant, entity)` lease ([`crate::queue`]), so a run and the tenant's webhooks never write
//! the same records at once. This module is the data side; the `worker` crate runs them.
//!
//! - [`mod@schedule`]: creating runs. A scheduled run is one row per tenant, entity, kind and
//!   slot (the hour it belongs to), so N processes scheduling at once create it once; and at
//!   most one run per tenant and entity waits or runs at a time.
//! - [`runs`]: claiming a due run, saving a page's progress with its records, ending it.
//! - [`budget`]: counting e-conomic calls against the fair-use limit.

pub mod budget;
mod runs;
mod schedule;

use std::fmt;

use economic::Entity;
use serde::{Deserialize, Serialize};
use time::Duration;

use crate::ids::TenantId;
use crate::timestamp::Timestamp;

pub use runs::{
    Page, RunClaim, claim, complete, defer, fail, get, latest, list, retry, save_page,
    unreported_numbers,
};
pub use schedule::{EntityState, Requested, import_on_connect, request, schedule, state};
pub use vocabulary::{RunKind, RunStatus};

/// How the API budget ranks a run of `kind`: the first import and the reconciliation can wait
/// a day, the hourly sync and "Sync now" less.
pub const fn priority(kind: RunKind) -> budget::Priority {
    match kind {
        RunKind::Import | RunKind::Reconcile => budget::Priority::Background,
        RunKind::Hourly | RunKind::Manual => budget::Priority::Scheduled,
    }
}

/// A run's id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, sqlx::Type,
)]
#[sqlx(transparent)]
#[serde(transparent)]
pub struct RunId(i64);

impl RunId {
    /// Wrap a raw id (from a URL or a cursor). Proves nothing: queries check the tenant.
    pub const fn new(raw: i64) -> Self {
        Self(raw)
    }

    /// The raw id.
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What a run changed in our data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Records we did not have.
    pub created: u64,
    /// Records whose data changed.
    pub updated: u64,
    /// Records soft-deleted (reconciliation: e-conomic no longer has them).
    pub deleted: u64,
    /// Reconciliation: of the changes above, those no webhook had told us about.
    pub unreported: u64,
}

impl Counts {
    /// Records changed in all.
    pub fn changed(&self) -> u64 {
        self.created + self.updated + self.deleted
    }
}

/// A run as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Its id.
    pub id: RunId,
    /// Whose.
    pub tenant_id: TenantId,
    /// Which entity it reads.
    pub entity: Entity,
    /// What started it.
    pub kind: RunKind,
    /// Where it is.
    pub status: RunStatus,
    /// Claims so far (a worker that died used one).
    pub attempts: u32,
    /// Why a queued run waits (the API budget, a retry), for the Settings page.
    pub waiting: Option<String>,
    /// When a queued run may start.
    pub next_attempt_at: Timestamp,
    /// Incremental runs: the `lastUpdated` window `[from, to)` they read; `from` is `None` for
    /// a full read. Fixed at the first claim, so a resumed run reads the same window.
    pub window_from: Option<Timestamp>,
    /// The end of the window (the run's start); becomes the watermark when the run is done.
    pub window_to: Option<Timestamp>,
    /// Pages read and stored: a resumed run goes on from here.
    pub pages_done: u32,
    /// Records read so far.
    pub records_done: u64,
    /// Records e-conomic said the list has (`pagination.results` of the first page).
    pub records_total: Option<u64>,
    /// What it changed.
    pub counts: Counts,
    /// e-conomic calls made.
    pub api_calls: u64,
    /// Why it failed (or why its last attempt did).
    pub error: Option<String>,
    /// When a worker first took it.
    pub started_at: Option<Timestamp>,
    /// When it ended.
    pub finished_at: Option<Timestamp>,
    /// When it was created.
    pub created_at: Timestamp,
}

/// How far back an incremental run reads before its watermark: products' `lastUpdated` is cut
/// to the minute, customers' to the second, and e-conomic's clock may differ a little from
/// ours.
pub const fn overlap(entity: Entity) -> Duration {
    match entity {
        Entity::Products | Entity::Invoices => Duration::minutes(2),
        Entity::Customers => Duration::minutes(1),
    }
}

/// The entities that are synced by runs with a `lastUpdated` window (invoices are imported
/// once, by date, and then arrive by webhook).
pub const POLLED: [Entity; 2] = [Entity::Customers, Entity::Products];
