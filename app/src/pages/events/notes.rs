//! How an event's status, kind, action and note read, shared by the list and the event's page.

use economic::Entity;
use leptos::prelude::*;

use crate::api::events::{Action, Applied, Change, EventNote, EventStatus};
use crate::i18n::{Msg, t};

/// The kind's name.
pub fn kind_msg(kind: Entity) -> Msg {
    match kind {
        Entity::Customers => Msg::KindCustomers,
        Entity::Products => Msg::KindProducts,
        Entity::Invoices => Msg::KindInvoices,
    }
}

/// The action's name.
pub fn action_msg(action: Action) -> Msg {
    match action {
        Action::Created => Msg::ActionCreated,
        Action::Updated => Msg::ActionUpdated,
        Action::Renumbered => Msg::ActionRenumbered,
        Action::Deleted => Msg::ActionDeleted,
        Action::InvoiceBooked => Msg::ActionInvoiceBooked,
    }
}

/// The status's name.
pub fn status_msg(status: EventStatus) -> Msg {
    match status {
        EventStatus::Received => Msg::StatusReceived,
        EventStatus::Queued => Msg::StatusQueued,
        EventStatus::Processing => Msg::StatusProcessing,
        EventStatus::Processed => Msg::StatusProcessed,
        EventStatus::Ignored => Msg::StatusIgnored,
        EventStatus::Rejected => Msg::StatusRejected,
        EventStatus::Failed => Msg::StatusFailed,
        EventStatus::Dead => Msg::StatusDead,
    }
}

/// The status as a coloured pill.
pub fn status_pill(status: EventStatus) -> impl IntoView {
    view! { <span class=format!("pill {}", status.as_str()) data-test="status">{t(status_msg(status))}</span> }
}

/// The translated outcome or reason; technical details follow as code.
pub fn note(note: EventNote) -> impl IntoView {
    match note {
        EventNote::None => ().into_any(),
        EventNote::NotActivated => t(Msg::EventNoteNotActivated).into_any(),
        EventNote::SyncedHourly => t(Msg::EventNoteSyncedHourly).into_any(),
        EventNote::Unreadable(detail) => view! {
            {t(Msg::EventNoteUnreadable)} " " <code>{detail}</code>
        }
        .into_any(),
        EventNote::Other(text) => text.into_any(),
        EventNote::Applied(applied) => applied_note(applied).into_any(),
        EventNote::Failed { error, next } => view! {
            {t(Msg::EventFailedRetry)} " " <time>{next}</time> ": " <code>{error}</code>
        }
        .into_any(),
        EventNote::Dead(error) => view! { {t(Msg::EventDead)} " " <code>{error}</code> }.into_any(),
        EventNote::Waiting(why) => view! { {t(Msg::EventWaiting)} " " {why} }.into_any(),
    }
}

fn applied_note(applied: Applied) -> impl IntoView {
    match applied {
        Applied::Record {
            renumbered_from,
            change,
        } => {
            let renumbered = renumbered_from.map(|from| {
                view! {
                    {t(Msg::EventAppliedRenumberedFrom)} " " <span class="mono">{from}</span> ". "
                }
            });
            let change = match change {
                Change::Created => t(Msg::EventAppliedCreated).into_any(),
                Change::Updated(fields, _) => view! {
                    {t(Msg::EventAppliedUpdated)} " " <code>{fields.join(", ")}</code>
                }
                .into_any(),
                Change::Unchanged => t(Msg::EventAppliedUnchanged).into_any(),
                Change::Deleted => t(Msg::EventAppliedDeleted).into_any(),
                Change::Gone => t(Msg::EventAppliedGone).into_any(),
            };
            view! { {renumbered} {change} }.into_any()
        }
        Applied::UpToDate => t(Msg::EventAppliedUpToDate).into_any(),
        Applied::Coalesced(into) => {
            view! { {t(Msg::EventAppliedCoalesced)} " #" {into} }.into_any()
        }
        Applied::InvoiceStored {
            lines,
            movements,
            unmatched,
        } => {
            let unmatched = (!unmatched.is_empty()).then(|| {
                view! {
                    " · " {t(Msg::EventInvoiceUnmatched)} " " <code>{unmatched.join(", ")}</code>
                }
            });
            view! {
                {t(Msg::EventInvoiceStored)} ": " {lines} " " {t(Msg::EventInvoiceLines)} ", "
                {movements} " " {t(Msg::EventInvoiceMovements)} {unmatched}
            }
            .into_any()
        }
        Applied::InvoiceAlreadyStored => t(Msg::EventInvoiceAlready).into_any(),
    }
}
