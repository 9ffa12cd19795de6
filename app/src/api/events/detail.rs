//! One event in full (`/events/{id}`): the request as received (the credential is in the URL's
//! path, which is never stored, so it cannot appear), the parsed action, every attempt, what
//! it changed, the events folded into it, and the record it is about.

use economic::Entity;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Action, EventView};
use crate::error::AppError;

pub use vocabulary::AttemptOutcome;

/// One attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptView {
    /// 1 = the first.
    pub attempt: i64,
    /// When its batch started (UTC).
    pub started_at: String,
    /// How long its batch took, milliseconds.
    pub duration_ms: i64,
    /// How it ended.
    pub outcome: AttemptOutcome,
    /// The error, if it failed.
    pub error: Option<String>,
    /// e-conomic calls its batch made.
    pub api_calls: i64,
    /// The worker that made it.
    pub worker: String,
}

/// The record an event is about, with the link to its page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordLink {
    /// Customer, product or invoice.
    pub kind: Entity,
    /// Its number.
    pub number: String,
    /// Its page.
    pub href: String,
}

/// A stock movement a booked invoice caused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockMove {
    /// The product.
    pub product: RecordLink,
    /// The invoice line.
    pub line_number: i64,
    /// The change, signed (`-2`, `+1.5`).
    pub quantity: String,
}

/// One event with everything known about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FullEvent {
    /// The event as listed (status, numbers, note).
    pub event: EventView,
    /// The HTTP method (webhooks only accept `POST`).
    pub method: String,
    /// The `Content-Type` header as sent.
    pub content_type: Option<String>,
    /// The query string as sent.
    pub query: Option<String>,
    /// The body, as text.
    pub body: String,
    /// The parsed action with its numbers: old, new (or the invoice number).
    pub parsed: Option<(Action, Option<String>, Option<String>)>,
    /// When it was processed (UTC).
    pub processed_at: Option<String>,
    /// When a dead event was dismissed (UTC): it needs no replay.
    pub dismissed_at: Option<String>,
    /// Every attempt, the first first.
    pub attempts: Vec<AttemptView>,
    /// The events folded into this one.
    pub coalesced: Vec<EventView>,
    /// The record(s) it is about: the number after it (and before it, when renumbered).
    pub records: Vec<RecordLink>,
    /// The stock movements it caused (booked invoices).
    pub stock: Vec<StockMove>,
}

/// One of the caller's events. Errors: `NotFound` also for another company's id.
#[server(prefix = "/api", endpoint = "event_detail", input = leptos::server_fn::codec::GetUrl)]
pub async fn event_detail(id: i64) -> Result<FullEvent, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    let id = backend::events::EventId::new(id);
    let event = backend::events::get(&state.db, ctx.tenant_id, id).await?;
    let attempts = backend::events::attempts(&state.db, ctx.tenant_id, id).await?;
    let coalesced = backend::events::coalesced_into(&state.db, ctx.tenant_id, id).await?;
    let stock = match (&event.invoice_number, event.kind) {
        (Some(n), Entity::Invoices) => match n.parse::<i64>() {
            Ok(n) => backend::records::stock::of_invoice(&state.db, ctx.tenant_id, n).await?,
            Err(_) => Vec::new(),
        },
        _ => Vec::new(),
    };
    Ok(ssr::detail(event, attempts, coalesced, stock))
}

/// The page of record `number` of `kind`.
pub fn record_href(kind: Entity, number: &str) -> String {
    let segment = match kind {
        Entity::Customers => "customers",
        Entity::Products => "products",
        Entity::Invoices => "invoices",
    };
    format!("/{segment}/{}", super::query::encode(number))
}

#[cfg(feature = "ssr")]
mod ssr {
    use backend::events::{AttemptRecord, Event};
    use backend::records::format_thousandths;
    use backend::records::stock::InvoiceMovement;
    use economic::WebhookAction;

    use super::*;
    use crate::api::events::convert;
    use crate::ssr::format::timestamp;

    fn link(kind: Entity, number: String) -> RecordLink {
        RecordLink {
            kind,
            href: record_href(kind, &number),
            number,
        }
    }

    pub fn detail(
        e: Event,
        attempts: Vec<AttemptRecord>,
        coalesced: Vec<Event>,
        stock: Vec<InvoiceMovement>,
    ) -> FullEvent {
        let parsed = e.action.as_ref().map(|a| match a {
            WebhookAction::Created(n) => (Action::Created, None, Some(n.to_string())),
            WebhookAction::Updated(n) => {
                (Action::Updated, Some(n.to_string()), Some(n.to_string()))
            }
            WebhookAction::Renumbered { old, new } => (
                Action::Renumbered,
                Some(old.to_string()),
                Some(new.to_string()),
            ),
            WebhookAction::Deleted(n) => (Action::Deleted, Some(n.to_string()), None),
            WebhookAction::InvoiceBooked(n) => (Action::InvoiceBooked, None, Some(n.to_string())),
        });
        let mut records = Vec::new();
        if let Some((_, old, new)) = &parsed {
            // The record under its number now first; the number it had, if it changed.
            if let Some(new) = new {
                records.push(link(e.kind, new.clone()));
            }
            if let Some(old) = old.as_ref().filter(|o| new.as_ref() != Some(*o)) {
                records.push(link(e.kind, old.clone()));
            }
        }
        FullEvent {
            method: "POST".to_owned(),
            content_type: e.content_type.clone(),
            query: e.raw_query.clone(),
            body: e.raw_body.clone(),
            parsed,
            processed_at: e.processed_at.map(timestamp),
            dismissed_at: e.dismissed_at.map(timestamp),
            attempts: attempts.into_iter().map(attempt).collect(),
            coalesced: coalesced.into_iter().map(convert::view).collect(),
            records,
            stock: stock
                .into_iter()
                .map(|m| StockMove {
                    product: link(Entity::Products, m.product_number),
                    line_number: m.line_number,
                    quantity: format!(
                        "{}{}",
                        if m.quantity > 0 { "+" } else { "" },
                        format_thousandths(m.quantity)
                    ),
                })
                .collect(),
            event: convert::view(e),
        }
    }

    fn attempt(a: AttemptRecord) -> AttemptView {
        AttemptView {
            attempt: a.attempt,
            started_at: timestamp(a.started_at),
            duration_ms: a.finished_at.as_millis() - a.started_at.as_millis(),
            outcome: a.outcome,
            error: a.error,
            api_calls: a.api_calls,
            worker: a.worker,
        }
    }
}
