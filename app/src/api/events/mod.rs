//! The event history: webhooks received, newest first, filtered and paged, with what applying
//! them did; one event in detail (`detail`); replay (`replay`).
//!
//! Everything sent to the page is typed. The statuses are the shared [`vocabulary`]'s; the
//! outcomes have page-side views here, converted exhaustively on the server (`convert`): a new
//! outcome cannot show up as another.

#[cfg(feature = "ssr")]
pub mod convert;
pub mod detail;
pub mod query;
pub mod replay;
pub mod retention;

use economic::Entity;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
pub use query::HistoryQuery;

pub use vocabulary::EventStatus;

/// What the webhook announced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// A record was created.
    Created,
    /// A record changed.
    Updated,
    /// A record got a new number.
    Renumbered,
    /// A record was deleted.
    Deleted,
    /// An invoice was booked.
    InvoiceBooked,
}

/// What applying a customer or product did to our copy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// New here.
    Created,
    /// These fields changed; their values before → after when they were kept.
    Updated(Vec<String>, Vec<FieldDiff>),
    /// Nothing we keep changed.
    Unchanged,
    /// e-conomic no longer has it: deleted here.
    Deleted,
    /// e-conomic no longer has it, nor did we.
    Gone,
}

/// One field's value before and after a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDiff {
    /// e-conomic's name of the field.
    pub field: String,
    /// Before (`None`: empty).
    pub before: Option<String>,
    /// After (`None`: empty).
    pub after: Option<String>,
}

/// What applying an event did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Applied {
    /// A customer or product was fetched and applied.
    Record {
        /// Its number before a renumbering.
        renumbered_from: Option<String>,
        /// What changed.
        change: Change,
    },
    /// Fetched after this event arrived already: nothing to do.
    UpToDate,
    /// Folded into event `0`, which did the work.
    Coalesced(i64),
    /// A booked invoice was stored.
    InvoiceStored {
        /// Lines stored.
        lines: u32,
        /// Stock movements recorded.
        movements: u32,
        /// Product numbers e-conomic does not have (no stock moved).
        unmatched: Vec<String>,
    },
    /// The invoice was stored before.
    InvoiceAlreadyStored,
}

/// The one-line note of an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventNote {
    /// Nothing to say (yet).
    None,
    /// Ignored: the kind's webhook is not activated in the settings.
    NotActivated,
    /// Ignored: the entity is synced hourly.
    SyncedHourly,
    /// Rejected: the request could not be read; the parser's (technical, English) detail.
    Unreadable(String),
    /// Any other stored reason, as stored.
    Other(String),
    /// Processed: what it did.
    Applied(Applied),
    /// The last attempt failed with `error`; the next runs at `next` (UTC).
    Failed {
        /// e-conomic's or our error.
        error: String,
        /// When it runs again.
        next: Option<String>,
    },
    /// Every attempt failed; the last error.
    Dead(String),
    /// Waiting again; why (a paused tenant, a stopped worker).
    Waiting(String),
}

/// One event, as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    /// The event id (also the pagination cursor).
    pub id: i64,
    /// The webhook's entity.
    pub kind: Entity,
    /// What it announced; `None` if unparsable.
    pub action: Option<Action>,
    /// The record number(s): `1001`, or `1001 → 1002` for a renumbering.
    pub numbers: String,
    /// Its status.
    pub status: EventStatus,
    /// The outcome or the reason.
    pub note: EventNote,
    /// Attempts so far.
    pub attempts: i64,
    /// When it arrived (UTC).
    pub received_at: String,
}

/// How many events of one status match the filter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCount {
    /// The status.
    pub status: EventStatus,
    /// How many, up to the cap.
    pub count: i64,
    /// Whether there are more than `count`.
    pub more: bool,
}

/// One page of the filtered history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryView {
    /// The events, newest first.
    pub events: Vec<EventView>,
    /// The cursor of the older page (`before=`), if there is one.
    pub older: Option<String>,
    /// The cursor of the newer page (`after=`), if there is one.
    pub newer: Option<String>,
    /// Per status, how many events the filter would show with that status.
    pub counts: Vec<StatusCount>,
}

/// A page of the caller's events matching the filter, newest first: the newest page, or the
/// page older than cursor `before`, or newer than cursor `after` (cursors from an earlier
/// page; one that cannot be read shows the newest page).
#[server(prefix = "/api", endpoint = "event_history", input = leptos::server_fn::codec::GetUrl)]
pub async fn event_history(
    kind: Option<Entity>,
    status: Option<EventStatus>,
    from: Option<String>,
    until: Option<String>,
    number: Option<String>,
    before: Option<String>,
    after: Option<String>,
) -> Result<HistoryView, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    let query = HistoryQuery {
        kind,
        status,
        from: from.unwrap_or_default(),
        until: until.unwrap_or_default(),
        number: number.unwrap_or_default(),
    };
    let filter = convert::filter(&query);
    let cursor = |c: Option<String>| c.and_then(|c| c.parse::<backend::events::Cursor>().ok());
    let at = match (cursor(before), cursor(after)) {
        (Some(c), _) => backend::events::PageAt::Before(c),
        (None, Some(c)) => backend::events::PageAt::After(c),
        (None, None) => backend::events::PageAt::Newest,
    };
    let page = backend::events::page(&state.db, ctx.tenant_id, &filter, at, PAGE_SIZE).await?;
    let counts = backend::events::counts(&state.db, ctx.tenant_id, &filter).await?;
    Ok(HistoryView {
        events: page.events.into_iter().map(convert::view).collect(),
        older: page.older.map(|c| c.to_string()),
        newer: page.newer.map(|c| c.to_string()),
        counts: counts.into_iter().map(convert::count).collect(),
    })
}

/// How many events one page shows.
pub const PAGE_SIZE: u32 = 50;

/// How many of a record's events its page shows (the history filtered by its number has all).
pub const RECORD_EVENTS: u32 = 20;

/// The caller's newest events about record `number` of `kind` (for the record's page).
#[server(prefix = "/api", endpoint = "record_events", input = leptos::server_fn::codec::GetUrl)]
pub async fn record_events(kind: Entity, number: String) -> Result<Vec<EventView>, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    let events =
        backend::events::of_record(&state.db, ctx.tenant_id, kind, number.trim(), RECORD_EVENTS)
            .await?;
    Ok(events.into_iter().map(convert::view).collect())
}
