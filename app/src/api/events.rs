//! The event history: webhooks received, newest first, with what applying them did; replay.
//!
//! Everything sent to the page is typed. The browser build cannot link `backend`, so the
//! statuses and outcomes have page-side mirrors here, converted exhaustively on the server: a
//! new status cannot show up as another.

use economic::Entity;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Where an event is in its life (mirror of the backend's `EventStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// Stored, waiting for a worker.
    Received,
    /// Back in the queue (replayed, or taken up again after a worker stopped).
    Queued,
    /// A worker is applying it.
    Processing,
    /// Applied.
    Processed,
    /// Not for processing (see the note).
    Ignored,
    /// Could not be read.
    Rejected,
    /// The last attempt failed; it runs again.
    Failed,
    /// Every attempt failed; replay it by hand.
    Dead,
}

impl Status {
    /// The CSS class and `data-status` value.
    pub fn slug(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Queued => "queued",
            Status::Processing => "processing",
            Status::Processed => "processed",
            Status::Ignored => "ignored",
            Status::Rejected => "rejected",
            Status::Failed => "failed",
            Status::Dead => "dead",
        }
    }

    /// Whether a replay can be asked for.
    pub fn replayable(self) -> bool {
        matches!(self, Status::Processed | Status::Failed | Status::Dead)
    }
}

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
    /// These fields changed.
    Updated(Vec<String>),
    /// Nothing we keep changed.
    Unchanged,
    /// e-conomic no longer has it: deleted here.
    Deleted,
    /// e-conomic no longer has it, nor did we.
    Gone,
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
    pub status: Status,
    /// The outcome or the reason.
    pub note: EventNote,
    /// Attempts so far.
    pub attempts: i64,
    /// When it arrived (UTC).
    pub received_at: String,
}

/// A page of the caller's events, newest first; `before` is the last id of the previous page.
#[server(prefix = "/api", endpoint = "events", input = leptos::server_fn::codec::GetUrl)]
pub async fn recent_events(before: Option<i64>) -> Result<Vec<EventView>, AppError> {
    use crate::ssr::{session, state::app_state};

    let state = app_state()?;
    let ctx = session::tenant_user(&state, &session::current().await?).await?;
    let before = before.map(backend::events::EventId::new);
    let events = backend::events::list(&state.db, ctx.tenant_id, PAGE_SIZE, before).await?;
    Ok(events.into_iter().map(ssr::view).collect())
}

/// Put one of the caller's events back in the queue (a processed one is applied again).
#[server(prefix = "/api", endpoint = "replay_event")]
pub async fn replay_event(csrf_token: String, id: i64) -> Result<(), AppError> {
    use crate::ssr::{session, state::app_state};
    let _ = csrf_token;

    let state = app_state()?;
    let ctx = session::tenant_user(&state, &session::current().await?).await?;
    session::require_manager(&ctx)?;
    session::require_write(&ctx)?;
    let id = backend::events::EventId::new(id);
    backend::queue::replay(&state.db, ctx.tenant_id, id, backend::Timestamp::now()).await?;
    state.signal.notify();
    leptos_axum::redirect("/events?replayed=1");
    Ok(())
}

/// Put every failed and dead event of the caller's company back in the queue.
#[server(prefix = "/api", endpoint = "replay_failed")]
pub async fn replay_failed(csrf_token: String) -> Result<u64, AppError> {
    use crate::ssr::{session, state::app_state};
    let _ = csrf_token;

    let state = app_state()?;
    let ctx = session::tenant_user(&state, &session::current().await?).await?;
    session::require_manager(&ctx)?;
    session::require_write(&ctx)?;
    let n =
        backend::queue::replay_failed(&state.db, ctx.tenant_id, backend::Timestamp::now()).await?;
    state.signal.notify();
    leptos_axum::redirect(&format!("/events?replayed={n}"));
    Ok(n)
}

/// How many events one page shows.
pub const PAGE_SIZE: u32 = 50;

#[cfg(feature = "ssr")]
mod ssr {
    use backend::economic::WebhookAction;
    use backend::events::{Event, EventStatus, Outcome};
    use backend::records::RecordChange;
    use backend::records::invoices::InvoiceChange;
    use backend::settings::{REASON_NOT_ACTIVATED, REASON_SYNCED_HOURLY};

    use super::*;

    pub fn view(e: Event) -> EventView {
        let action = e.action.as_ref().map(|a| match a {
            WebhookAction::Created(_) => Action::Created,
            WebhookAction::Updated(_) => Action::Updated,
            WebhookAction::Renumbered { .. } => Action::Renumbered,
            WebhookAction::Deleted(_) => Action::Deleted,
            WebhookAction::InvoiceBooked(_) => Action::InvoiceBooked,
        });
        let numbers = match (&e.invoice_number, &e.old_number, &e.new_number) {
            (Some(invoice), _, _) => invoice.clone(),
            (None, Some(old), Some(new)) if !old.is_empty() && !new.is_empty() && old != new => {
                format!("{old} → {new}")
            }
            (None, old, new) => new
                .clone()
                .filter(|n| !n.is_empty())
                .or(old.clone())
                .unwrap_or_default(),
        };
        let status = match e.status {
            EventStatus::Received => Status::Received,
            EventStatus::Queued => Status::Queued,
            EventStatus::Processing => Status::Processing,
            EventStatus::Processed => Status::Processed,
            EventStatus::Ignored => Status::Ignored,
            EventStatus::Rejected => Status::Rejected,
            EventStatus::Failed => Status::Failed,
            EventStatus::Dead => Status::Dead,
        };
        EventView {
            id: e.id.get(),
            kind: e.kind,
            action,
            numbers,
            status,
            note: note(&e),
            attempts: e.attempts,
            received_at: crate::ssr::format::timestamp(e.received_at),
        }
    }

    fn note(e: &Event) -> EventNote {
        let error = || e.last_error.clone().unwrap_or_default();
        match e.status {
            EventStatus::Processed => e
                .outcome
                .clone()
                .map_or(EventNote::None, |o| EventNote::Applied(applied(o))),
            EventStatus::Failed => EventNote::Failed {
                error: error(),
                next: e.next_attempt_at.map(crate::ssr::format::timestamp),
            },
            EventStatus::Dead => EventNote::Dead(error()),
            EventStatus::Queued | EventStatus::Received | EventStatus::Processing => e
                .last_error
                .clone()
                .map_or(EventNote::None, EventNote::Waiting),
            EventStatus::Ignored | EventStatus::Rejected => match (e.status, e.reason.clone()) {
                (_, None) => EventNote::None,
                (EventStatus::Ignored, Some(r)) if r == REASON_NOT_ACTIVATED => {
                    EventNote::NotActivated
                }
                (EventStatus::Ignored, Some(r)) if r == REASON_SYNCED_HOURLY => {
                    EventNote::SyncedHourly
                }
                (EventStatus::Rejected, Some(detail)) => EventNote::Unreadable(detail),
                (_, Some(other)) => EventNote::Other(other),
            },
        }
    }

    fn applied(outcome: Outcome) -> Applied {
        match outcome {
            Outcome::Record {
                renumbered_from,
                change,
            } => Applied::Record {
                renumbered_from,
                change: match change {
                    RecordChange::Created => Change::Created,
                    RecordChange::Updated { fields } => Change::Updated(fields),
                    RecordChange::Unchanged => Change::Unchanged,
                    RecordChange::Deleted => Change::Deleted,
                    RecordChange::Gone => Change::Gone,
                },
            },
            Outcome::UpToDate => Applied::UpToDate,
            Outcome::Coalesced { into } => Applied::Coalesced(into.get()),
            Outcome::Invoice { change } => match change {
                InvoiceChange::Stored {
                    lines,
                    movements,
                    unmatched,
                } => Applied::InvoiceStored {
                    lines,
                    movements,
                    unmatched,
                },
                InvoiceChange::AlreadyStored => Applied::InvoiceAlreadyStored,
            },
        }
    }
}
