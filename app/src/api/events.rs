//! The event history: webhooks received, newest first.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One received webhook, as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    /// The event id (also the pagination cursor).
    pub id: i64,
    /// `customers`, `products` or `invoices`.
    pub kind: String,
    /// `created`, `updated`, `renumbered`, `deleted`, `invoice_booked`; `None` if unparsable.
    pub action: Option<String>,
    /// The record number(s): `1001`, or `1001 → 1002` for a renumbering.
    pub numbers: String,
    /// `received`, `ignored`, `rejected`, …
    pub status: String,
    /// Why it was ignored or rejected.
    pub note: EventNote,
    /// When it arrived (UTC).
    pub received_at: String,
}

/// Why an event was not taken for processing, for the event history to translate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum EventNote {
    /// Nothing to say.
    None,
    /// Ignored: the kind's webhook is not activated in the settings.
    NotActivated,
    /// Ignored: the entity is synced hourly.
    SyncedHourly,
    /// Rejected: the request could not be read; the parser's (technical, English) detail.
    Unreadable(String),
    /// Any other stored reason, as stored.
    Other(String),
}

/// A page of the caller's events, newest first; `before` is the last id of the previous page.
#[server(prefix = "/api", endpoint = "events", input = leptos::server_fn::codec::GetUrl)]
pub async fn recent_events(before: Option<i64>) -> Result<Vec<EventView>, AppError> {
    use backend::economic::WebhookAction;

    use crate::ssr::{session, state::app_state};

    let state = app_state()?;
    let ctx = session::tenant_user(&state, &session::current().await?).await?;
    let before = before.map(backend::events::EventId::new);
    let events = backend::events::list(&state.db, ctx.tenant_id, PAGE_SIZE, before).await?;
    Ok(events
        .into_iter()
        .map(|e| {
            let action = e.action.as_ref().map(|a| match a {
                WebhookAction::Created(_) => "created",
                WebhookAction::Updated(_) => "updated",
                WebhookAction::Renumbered { .. } => "renumbered",
                WebhookAction::Deleted(_) => "deleted",
                WebhookAction::InvoiceBooked(_) => "invoice_booked",
            });
            let numbers = match (&e.invoice_number, &e.old_number, &e.new_number) {
                (Some(invoice), _, _) => invoice.clone(),
                (None, Some(old), Some(new))
                    if !old.is_empty() && !new.is_empty() && old != new =>
                {
                    format!("{old} → {new}")
                }
                (None, old, new) => new
                    .clone()
                    .filter(|n| !n.is_empty())
                    .or(old.clone())
                    .unwrap_or_default(),
            };
            EventView {
                id: e.id.get(),
                kind: backend::webhook_credentials::kind_slug(e.kind).to_owned(),
                action: action.map(str::to_owned),
                numbers,
                status: e.status.as_str().to_owned(),
                note: note(e.status, e.reason),
                received_at: crate::ssr::format::timestamp(e.received_at),
            }
        })
        .collect())
}

#[cfg(feature = "ssr")]
fn note(status: backend::events::EventStatus, reason: Option<String>) -> EventNote {
    use backend::events::EventStatus;
    use backend::settings::{REASON_NOT_ACTIVATED, REASON_SYNCED_HOURLY};

    match (status, reason) {
        (_, None) => EventNote::None,
        (EventStatus::Ignored, Some(r)) if r == REASON_NOT_ACTIVATED => EventNote::NotActivated,
        (EventStatus::Ignored, Some(r)) if r == REASON_SYNCED_HOURLY => EventNote::SyncedHourly,
        (EventStatus::Rejected, Some(detail)) => EventNote::Unreadable(detail),
        (_, Some(other)) => EventNote::Other(other),
    }
}

/// How many events one page shows.
pub const PAGE_SIZE: u32 = 50;
