//! Sync runs for the Sync tab and the event history: the API budget, each entity's first
//! import, active and last runs, "Sync now" and "Check all records now".
//!
//! Everything sent to the page is typed. Run kinds and statuses and the sync mode are the shared
//! [`vocabulary`]'s; the views are built on the server (`convert`).

#[cfg(feature = "ssr")]
mod convert;

use economic::Entity;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::CsrfToken;
use crate::error::AppError;

pub use vocabulary::{Mode, RunKind, RunStatus};

/// Why a queued run has not started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Waiting {
    /// It is due: the next free worker takes it.
    Due,
    /// Held back by the API budget until `until` (UTC) at the earliest.
    Budget {
        /// When it asks again.
        until: String,
    },
    /// The last attempt failed; it runs again at `at` (UTC).
    Retry {
        /// When.
        at: String,
        /// e-conomic's or our (technical) error.
        error: String,
    },
    /// Another reason, as the sync engine stated it (technical, English).
    Other(String),
}

/// What a run changed in our data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Records we did not have.
    pub created: u64,
    /// Records whose data changed.
    pub updated: u64,
    /// Records deleted here (e-conomic no longer has them).
    pub deleted: u64,
    /// Of those, the changes no webhook had reported (checks of all records only).
    pub unreported: u64,
}

impl Counts {
    /// Records changed in all.
    pub fn changed(&self) -> u64 {
        self.created + self.updated + self.deleted
    }
}

/// One run, as shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunView {
    /// The run id (also the paging cursor of the run list).
    pub id: i64,
    /// What it reads.
    pub entity: Entity,
    /// What started it.
    pub kind: RunKind,
    /// Where it is.
    pub status: RunStatus,
    /// Why it waits; only for queued runs.
    pub waiting: Option<Waiting>,
    /// Records read so far.
    pub records_done: u64,
    /// Records e-conomic says the list has, once the first page is read.
    pub records_total: Option<u64>,
    /// What it changed.
    pub counts: Counts,
    /// e-conomic calls made.
    pub api_calls: u64,
    /// Why it failed; only for failed runs.
    pub error: Option<String>,
    /// When it was queued (UTC).
    pub created_at: String,
    /// When a worker first took it (UTC).
    pub started_at: Option<String>,
    /// When it ended (UTC).
    pub finished_at: Option<String>,
    /// Seconds from start to end; for a running run, so far.
    pub duration_secs: Option<u64>,
    /// A running run's estimated seconds left: elapsed ÷ records read × records left.
    pub eta_secs: Option<u64>,
}

impl RunView {
    /// Records read as a percentage of the total, when the total is known.
    pub fn percent(&self) -> Option<u64> {
        self.records_total.map(|total| {
            (self.records_done * 100)
                .checked_div(total)
                .unwrap_or(100)
                .min(100)
        })
    }
}

/// Where an entity's first import stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Import {
    /// Never queued (e-conomic not connected).
    NotStarted,
    /// Waiting to start.
    Queued(RunView),
    /// Reading pages.
    Running(RunView),
    /// Finished at this time (UTC).
    Imported(String),
    /// The import gave up and nothing has read everything since.
    Failed(RunView),
}

impl Import {
    /// The `data-state` value, for tests and styles.
    pub fn slug(&self) -> &'static str {
        match self {
            Import::NotStarted => "not-started",
            Import::Queued(_) => "queued",
            Import::Running(_) => "running",
            Import::Imported(_) => "imported",
            Import::Failed(_) => "failed",
        }
    }
}

/// One entity's sync, as the Sync tab shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntityView {
    /// Which.
    pub entity: Entity,
    /// Whether it has "Sync now" and checks of all records (customers, products).
    pub polled: bool,
    /// How it is kept up to date.
    pub mode: Mode,
    /// The first import.
    pub import: Import,
    /// The run that waits or runs now, unless it is the import (shown as such).
    pub active: Option<RunView>,
    /// The newest run that ended.
    pub last: Option<RunView>,
    /// The newest check of all records that ended.
    pub last_check: Option<RunView>,
    /// On webhooks: changes the last check found that no webhook reported (warn if > 0).
    pub unreported: Option<u64>,
}

/// How far the API budget is used, and what is held back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BudgetLevel {
    /// Everything may call.
    Open,
    /// 80% used: the first import and checks of all records wait.
    BackgroundHeld,
    /// 95% used: the hourly sync and "Sync now" wait too.
    ScheduledHeld,
    /// At the limit: everything waits, webhooks too.
    AllHeld,
}

/// The tenant's e-conomic calls in the last 24 hours.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetView {
    /// Calls made.
    pub used: u64,
    /// Calls allowed.
    pub limit: u32,
    /// What is held back.
    pub level: BudgetLevel,
    /// When the oldest counted calls leave the window (UTC).
    pub frees_at: Option<String>,
}

impl BudgetView {
    /// Calls used as a percentage of the limit (at most 100).
    pub fn percent(&self) -> u64 {
        (self.used * 100)
            .checked_div(u64::from(self.limit))
            .unwrap_or(100)
            .min(100)
    }
}

/// Everything the Sync tab shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyncView {
    /// Whether e-conomic is connected.
    pub connected: bool,
    /// Whether any run waits or runs (the page then refreshes faster).
    pub active: bool,
    /// The API budget.
    pub budget: BudgetView,
    /// Customers, products, invoices.
    pub entities: Vec<EntityView>,
}

/// What a button on the Sync tab asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncRequest {
    /// "Sync now": what the hourly sync does, at once.
    SyncNow,
    /// "Check all records now": a reconciliation.
    CheckAll,
}

impl SyncRequest {
    /// As posted and put in the result URL.
    pub fn slug(self) -> &'static str {
        match self {
            SyncRequest::SyncNow => "sync_now",
            SyncRequest::CheckAll => "check_all",
        }
    }

    /// The request of a slug, or `None`.
    pub fn from_slug(slug: &str) -> Option<SyncRequest> {
        [SyncRequest::SyncNow, SyncRequest::CheckAll]
            .into_iter()
            .find(|r| r.slug() == slug)
    }
}

/// What pressing a button did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Requested {
    /// The run is queued.
    Started,
    /// Another run of the entity waits or runs; nothing was queued.
    AlreadyActive,
}

/// Where the Sync tab lives.
pub const SYNC_PATH: &str = "/settings/apps/economic/sync";

/// How many runs one page of the run history shows.
pub const RUNS_PAGE_SIZE: u32 = 50;

/// The caller's API budget and the sync of each entity.
#[server(prefix = "/api", endpoint = "sync", input = leptos::server_fn::codec::GetUrl)]
pub async fn sync_overview() -> Result<SyncView, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    let now = backend::Timestamp::now();
    let tenant = ctx.tenant_id;
    let usage =
        backend::sync::budget::usage(&state.db, tenant, now, state.daily_call_limit).await?;
    let runs = backend::sync::latest(&state.db, tenant).await?;
    let entity_state = backend::sync::state(&state.db, tenant).await?;
    let settings = backend::settings::get(&state.db, tenant).await?;
    let connected = backend::connection::get(&state.db, tenant).await?.is_some();
    Ok(convert::overview(
        &runs,
        &entity_state,
        &settings,
        &usage,
        connected,
        now,
    ))
}

/// "Sync now" or "Check all records now" for one of the caller's polled entities (customers,
/// products); answers (and redirects to the Sync tab) with what it did.
#[server(prefix = "/api", endpoint = "request_sync")]
pub async fn request_sync(
    csrf_token: CsrfToken,
    entity: Entity,
    request: SyncRequest,
) -> Result<Requested, AppError> {
    use backend::sync::{POLLED, Requested as R, RunKind as K};

    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    ctx.manager()?;
    ctx.writable()?;
    let state = &ctx.state;
    if !POLLED.contains(&entity) {
        return Err(AppError::NotFound);
    }
    let kind = match request {
        SyncRequest::SyncNow => K::Manual,
        SyncRequest::CheckAll => K::Reconcile,
    };
    let now = backend::Timestamp::now();
    let done = backend::sync::request(&state.db, ctx.tenant_id, entity, kind, now).await?;
    let (requested, query) = match done {
        R::Queued(_) => {
            state.signal.notify();
            let query = format!("started={}&request={}", entity.as_str(), request.slug());
            (Requested::Started, query)
        }
        R::AlreadyActive => (
            Requested::AlreadyActive,
            format!("busy={}", entity.as_str()),
        ),
    };
    leptos_axum::redirect(&format!("{SYNC_PATH}?{query}"));
    Ok(requested)
}

/// A page of the caller's runs, newest first; `before` is the last id of the previous page.
#[server(prefix = "/api", endpoint = "sync_runs", input = leptos::server_fn::codec::GetUrl)]
pub async fn sync_runs(before: Option<i64>) -> Result<Vec<RunView>, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    let now = backend::Timestamp::now();
    let tenant = ctx.tenant_id;
    let before = before.map(backend::sync::RunId::new);
    let runs = backend::sync::list(&state.db, tenant, before, RUNS_PAGE_SIZE).await?;
    let usage =
        backend::sync::budget::usage(&state.db, tenant, now, state.daily_call_limit).await?;
    Ok(runs.iter().map(|r| convert::run(r, &usage, now)).collect())
}
