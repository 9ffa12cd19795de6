//! `/events`: the webhooks received, newest first, refreshed every few seconds.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::events::{EventNote, EventView, PAGE_SIZE, recent_events};
use crate::i18n::{Msg, t};

/// The event history page.
#[component]
pub fn EventsPage() -> impl IntoView {
    view! {
            <EventList />
    }
}

#[component]
fn EventList() -> impl IntoView {
    let query = use_query_map();
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|b| b.parse::<i64>().ok())
    };
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
        move || (before(), tick.get()),
        |(before, _)| recent_events(before),
    );

    view! {
        <h1>{t(Msg::EventsTitle)}</h1>
        <p class="intro">{t(Msg::EventsIntro)}</p>
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
                                    </tr></thead>
                                    <tbody>{list.into_iter().map(row).collect_view()}</tbody>
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

fn row(e: EventView) -> impl IntoView {
    let kind = match e.kind.as_str() {
        "customers" => Msg::KindCustomers,
        "products" => Msg::KindProducts,
        _ => Msg::KindInvoices,
    };
    let action = e.action.as_deref().map(|a| match a {
        "created" => Msg::ActionCreated,
        "updated" => Msg::ActionUpdated,
        "renumbered" => Msg::ActionRenumbered,
        "deleted" => Msg::ActionDeleted,
        _ => Msg::ActionInvoiceBooked,
    });
    let status = match e.status.as_str() {
        "received" => Msg::StatusReceived,
        "queued" => Msg::StatusQueued,
        "processing" => Msg::StatusProcessing,
        "processed" => Msg::StatusProcessed,
        "ignored" => Msg::StatusIgnored,
        "rejected" => Msg::StatusRejected,
        "failed" => Msg::StatusFailed,
        _ => Msg::StatusDead,
    };
    let status_class = format!("pill {}", e.status);
    view! {
        <tr data-status=e.status.clone()>
            <td><time>{e.received_at}</time></td>
            <td>{t(kind)}</td>
            <td>{action.map(t).unwrap_or("—")}</td>
            <td class="mono">{e.numbers}</td>
            <td><span class=status_class>{t(status)}</span></td>
            <td class="muted small">{note(e.note)}</td>
        </tr>
    }
}

/// The translated reason; a parser's technical detail follows as code.
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
    }
}
