//! How sync runs are shown, on the Sync tab and in the event history alike: their kind and
//! status in words, counts, durations, waits and progress bars.

use economic::Entity;
use leptos::prelude::*;

use crate::api::sync::{Counts, RunKind, RunStatus, RunView, Waiting};
use crate::i18n::{Msg, t};

/// The entity's name as a heading.
pub fn entity_msg(entity: Entity) -> Msg {
    match entity {
        Entity::Customers => Msg::SyncEntityCustomers,
        Entity::Products => Msg::SyncEntityProducts,
        Entity::Invoices => Msg::SyncEntityInvoices,
    }
}

/// What started a run, in words.
pub fn kind_msg(kind: RunKind) -> Msg {
    match kind {
        RunKind::Import => Msg::RunKindImport,
        RunKind::Hourly => Msg::RunKindHourly,
        RunKind::Reconcile => Msg::RunKindReconcile,
        RunKind::Manual => Msg::RunKindManual,
    }
}

/// A run's status as a coloured pill.
pub fn status_pill(status: RunStatus) -> impl IntoView {
    let msg = match status {
        RunStatus::Queued => Msg::RunStatusQueued,
        RunStatus::Running => Msg::RunStatusRunning,
        RunStatus::Done => Msg::RunStatusDone,
        RunStatus::Failed => Msg::RunStatusFailed,
    };
    view! { <span class=format!("pill run-{}", status.as_str())>{t(msg)}</span> }
}

/// `n` with the page language's digit grouping: `50.000` in Danish, `50,000` in English.
pub fn number(n: u64) -> String {
    let digits = n.to_string();
    let separator = t(Msg::NumberGroupSeparator);
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(digit);
    }
    out
}

/// `4 s`, `2 min 5 s`, `1 h 3 min`: two units at most, the larger first.
pub fn duration(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let (hours, minutes, seconds) = (t(Msg::UnitHours), t(Msg::UnitMinutes), t(Msg::UnitSeconds));
    if h > 0 {
        format!("{h} {hours} {m} {minutes}")
    } else if m > 0 {
        format!("{m} {minutes} {s} {seconds}")
    } else {
        format!("{s} {seconds}")
    }
}

/// "3 created · 2 updated · 0 deleted".
pub fn counts(c: Counts) -> String {
    format!(
        "{} {} · {} {} · {} {}",
        number(c.created),
        t(Msg::SyncCreated),
        number(c.updated),
        t(Msg::SyncUpdated),
        number(c.deleted),
        t(Msg::SyncDeleted)
    )
}

/// "1.200 of 4.000 records", or "1.200 records" before the total is known.
pub fn records_read(run: &RunView) -> String {
    match run.records_total {
        Some(total) => format!(
            "{} {} {} {}",
            number(run.records_done),
            t(Msg::SyncOf),
            number(total),
            t(Msg::SyncRecords)
        ),
        None => format!("{} {}", number(run.records_done), t(Msg::SyncRecords)),
    }
}

/// Why a queued run waits; the engine's technical details follow as code.
pub fn waiting(w: Waiting) -> impl IntoView {
    match w {
        Waiting::Due => t(Msg::SyncWaitDue).into_any(),
        Waiting::Budget { until } => {
            view! { {t(Msg::SyncWaitBudget)} " " <time>{until}</time> }.into_any()
        }
        Waiting::Retry { at, error } => view! {
            {t(Msg::SyncWaitRetry)} " " <time>{at}</time> ": " <code>{error}</code>
        }
        .into_any(),
        Waiting::Other(reason) => {
            view! { {t(Msg::SyncWaitOther)} " " <code>{reason}</code> }.into_any()
        }
    }
}

/// A progress bar at `percent` (0–100); an indeterminate stripe when unknown.
pub fn progress_bar(percent: Option<u64>, label: Msg) -> impl IntoView {
    let width = percent.map_or("100%".to_owned(), |p| format!("{}%", p.min(100)));
    view! {
        <div
            class="bar"
            class:unknown=percent.is_none()
            role="progressbar"
            aria-label=t(label)
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=percent.map(|p| p.to_string())
        >
            <span style=format!("width: {width}")></span>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Outside a page no language is provided: these are the Danish defaults.
    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(number(0), "0");
        assert_eq!(number(999), "999");
        assert_eq!(number(50_000), "50.000");
        assert_eq!(number(1_234_567), "1.234.567");
    }

    #[test]
    fn durations_show_two_units_at_most() {
        assert_eq!(duration(4), "4 sek.");
        assert_eq!(duration(125), "2 min. 5 sek.");
        assert_eq!(duration(3 * 3600 + 61), "3 t. 1 min.");
    }
}
