//! Server-side conversions from the backend's event to the page's view (exhaustive matches, so
//! a new outcome cannot show up as another), and from the page's filter to the backend's. The
//! statuses need none: both sides use the [`vocabulary`]'s.

use backend::economic::WebhookAction;
use backend::events::{Event, EventStatus, HistoryFilter, NumberPrefix, Outcome};
use backend::records::RecordChange;
use backend::records::invoices::InvoiceChange;
use backend::settings::{REASON_NOT_ACTIVATED, REASON_SYNCED_HOURLY};
use time::macros::format_description;
use time::{Date, PrimitiveDateTime};

use super::*;
use crate::ssr::format::timestamp;

/// The filter of the page's query. A time that cannot be read is left out of the filter (the
/// form still shows it, so the user sees what they typed).
pub fn filter(q: &HistoryQuery) -> HistoryFilter {
    HistoryFilter {
        kind: q.kind,
        status: q.status,
        from: parse_time(&q.from),
        until: parse_time(&q.until),
        number: NumberPrefix::parse(&q.number),
    }
}

/// A time as a `datetime-local` input sends it (`2026-12-03T14:05`, seconds optional) or a
/// bare date (midnight), in UTC like every time the app shows.
pub fn parse_time(text: &str) -> Option<backend::Timestamp> {
    let text = text.trim();
    let minutes = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let seconds = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let day = format_description!("[year]-[month]-[day]");
    let at = PrimitiveDateTime::parse(text, &minutes)
        .or_else(|_| PrimitiveDateTime::parse(text, &seconds))
        .or_else(|_| Date::parse(text, &day).map(|d| d.midnight()))
        .ok()?;
    Some(backend::Timestamp::from(at.assume_utc()))
}

/// A count for the page.
pub fn count(c: backend::events::StatusCount) -> StatusCount {
    StatusCount {
        status: c.status,
        count: c.count,
        more: c.more,
    }
}

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
    EventView {
        id: e.id.get(),
        kind: e.kind,
        action,
        numbers,
        status: e.status,
        note: note(&e),
        attempts: e.attempts,
        received_at: timestamp(e.received_at),
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
            (EventStatus::Ignored, Some(r)) if r == REASON_NOT_ACTIVATED => EventNote::NotActivated,
            (EventStatus::Ignored, Some(r)) if r == REASON_SYNCED_HOURLY => EventNote::SyncedHourly,
            (EventStatus::Rejected, Some(detail)) => EventNote::Unreadable(detail),
            (_, Some(other)) => EventNote::Other(other),
        },
    }
}

pub fn applied(outcome: Outcome) -> Applied {
    match outcome {
        Outcome::Record {
            renumbered_from,
            change,
        } => Applied::Record {
            renumbered_from,
            change: match change {
                RecordChange::Created => Change::Created,
                RecordChange::Updated { fields, values } => Change::Updated(
                    fields,
                    values
                        .into_iter()
                        .map(|v| FieldDiff {
                            field: v.field,
                            before: v.before,
                            after: v.after,
                        })
                        .collect(),
                ),
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
