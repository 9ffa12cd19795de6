//! `/events` (the default view): the webhooks received, newest first, with what applying them
//! did; refreshed every few seconds; failed and dead events can be replayed (plain form posts,
//! so without JavaScript too).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::events::{
    Action, Applied, Change, EventNote, EventView, PAGE_SIZE, ReplayEvent, ReplayFailed, Status,
    recent_events,
};
use crate::components::form::{CsrfField, ErrorBanner, last_error};
use crate::i18n::{Msg, t};
use economic::Entity;

/// The webhooks received.
#[component]
pub fn EventList() -> impl IntoView {
    let query = use_query_map();
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|b| b.parse::<i64>().ok())
    };
    let replayed = move || query.read().get("replayed").is_some();
    let replay_one = ServerAction::<ReplayEvent>::new();
    let replay_all = ServerAction::<ReplayFailed>::new();
    let error = last_error(replay_one.value());
    let all_error = last_error(replay_all.value());
    let tick = RwSignal::new(0u64);
    // Only the newest page follows new events; older pages stay put. Effects run in the browser only.
    Effect::new(move || {
        if before().is_none()
            && let Ok(handle) = set_interval_with_handle(
                move || tick.update(|n| *n += 1),
                std::time::Duration::from_secs(3),
            )
        {
            on_cleanup(move || handle.clear());
        }
    });
    let events = Resource::new_blocking(
        move || {
            (
                before(),
                tick.get(),
                replay_one.version().get(),
                replay_all.version().get(),
            )
        },
        |(before, ..)| recent_events(before),
    );

    view! {
        <p class="intro">{t(Msg::EventsIntro)}</p>
        <Show when=replayed>
            <p class="banner success" role="status">{t(Msg::EventsReplayed)}</p>
        </Show>
        <ErrorBanner error=error />
        <ErrorBanner error=all_error />
        <ActionForm action=replay_all attr:class="inline-form">
            <CsrfField />
            <button type="submit" data-test="replay-failed">{t(Msg::EventsReplayFailed)}</button>
        </ActionForm>
        <section class="card">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match events.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">{t(Msg::EventsNone)}</p> }.into_any(),
                        Ok(list) => {
                            let older = (list.len() == PAGE_SIZE as usize).then(|| list.last().map(|e| e.id)).flatten();
                            view! {
                                <table class="table events" data-test="events">
                                    <thead><tr>
                                        <th>{t(Msg::EventsColReceived)}</th>
                                        <th>{t(Msg::EventsColKind)}</th>
                                        <th>{t(Msg::EventsColAction)}</th>
                                        <th>{t(Msg::EventsColNumbers)}</th>
                                        <th>{t(Msg::EventsColStatus)}</th>
                                        <th>{t(Msg::EventsColNote)}</th>
                                        <th></th>
                                    </tr></thead>
                                    <tbody>{list.into_iter().map(|e| row(e, replay_one)).collect_view()}</tbody>
                                </table>
                                <p class="pager">
                                    {before().map(|_| view! { <a href="/events">{t(Msg::EventsNewest)}</a> })}
                                    {older.map(|id| view! { <a href=format!("/events?before={id}")>{t(Msg::EventsOlder)} " →"</a> })}
                                </p>
                            }
                            .into_any()
                        }
                        Err(e) => view! { <p class="banner error" role="alert">{t(e.message())}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn row(e: EventView, replay: ServerAction<ReplayEvent>) -> impl IntoView {
    let kind = match e.kind {
        Entity::Customers => Msg::KindCustomers,
        Entity::Products => Msg::KindProducts,
        Entity::Invoices => Msg::KindInvoices,
    };
    let action = e.action.map(|a| match a {
        Action::Created => Msg::ActionCreated,
        Action::Updated => Msg::ActionUpdated,
        Action::Renumbered => Msg::ActionRenumbered,
        Action::Deleted => Msg::ActionDeleted,
        Action::InvoiceBooked => Msg::ActionInvoiceBooked,
    });
    let status = match e.status {
        Status::Received => Msg::StatusReceived,
        Status::Queued => Msg::StatusQueued,
        Status::Processing => Msg::StatusProcessing,
        Status::Processed => Msg::StatusProcessed,
        Status::Ignored => Msg::StatusIgnored,
        Status::Rejected => Msg::StatusRejected,
        Status::Failed => Msg::StatusFailed,
        Status::Dead => Msg::StatusDead,
    };
    let status_class = format!("pill {}", e.status.slug());
    // Processed events can be replayed too, but the button is for the ones that need it.
    let can_replay = matches!(e.status, Status::Failed | Status::Dead);
    let id = e.id;
    view! {
        <tr data-status=e.status.slug() data-event=id>
            <td><time>{e.received_at}</time></td>
            <td>{t(kind)}</td>
            <td>{action.map(t).unwrap_or("—")}</td>
            <td class="mono">{e.numbers}</td>
            <td><span class=status_class>{t(status)}</span></td>
            <td class="muted small" data-test="note">{note(e.note)}</td>
            <td>
                {can_replay.then(|| view! {
                    <ActionForm action=replay attr:class="inline-form">
                        <CsrfField />
                        <input type="hidden" name="id" value=id />
                        <button type="submit" class="link-button" data-test="replay">{t(Msg::EventsReplay)}</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}

/// The translated outcome or reason; technical details follow as code.
fn note(note: EventNote) -> impl IntoView {
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
                Change::Updated(fields) => view! {
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
