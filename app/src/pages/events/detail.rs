//! `/events/{id}`: one event with everything a support person needs to find out why a record
//! did not update: the request as received (without the URL's credential, which is never
//! stored), the parsed action, every attempt with its error, the change it made, the events
//! folded into it and links to the record. Replay is a plain form too; with JavaScript the
//! page follows the event until it settles.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_params_map};

use super::notes::{action_msg, kind_msg, note, status_msg, status_pill};
use crate::api::events::detail::{AttemptOutcome, AttemptView, FullEvent, event_detail};
use crate::api::events::replay::{DismissEvent, ReplayEvent};
use crate::api::events::{Applied, Change, EventNote, EventStatus, EventView};
use crate::components::form::{CsrfField, ErrorBanner, last_error};
use crate::error::AppError;
use crate::i18n::{Msg, t};

/// The event's page.
#[component]
pub fn EventPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|s| s.parse::<i64>().ok()));
    let location = use_location();
    let replayed = Memo::new(move |_| location.query.read().get("replayed").is_some());
    let replay = ServerAction::<ReplayEvent>::new();
    let dismiss = ServerAction::<DismissEvent>::new();
    let error = last_error(replay.value());
    let dismiss_error = last_error(dismiss.value());
    let settled = RwSignal::new(true);
    let tick = super::live::follow(Signal::derive(move || !settled.get()));
    let event = Resource::new_blocking(
        move || {
            (
                id.get(),
                tick.get(),
                replay.version().get(),
                dismiss.version().get(),
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => event_detail(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <p><a href="/events">"← " {t(Msg::EventBack)}</a></p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match event.await {
                    Ok(d) => {
                        settled.set(d.event.status.settled());
                        let back = format!("/events/{}", d.event.id);
                        view! {
                            <Show when=move || replayed.get()>
                                <p class="banner success" role="status" data-test="replayed">{t(Msg::EventsReplayed)}</p>
                            </Show>
                            <ErrorBanner error=error />
                            <ErrorBanner error=dismiss_error />
                            {page(d, replay, dismiss, back)}
                        }
                        .into_any()
                    }
                    Err(e) => crate::pages::data::error_view(e, Msg::EventNotFound),
                }
            })}
        </Transition>
    }
}

fn page(
    d: FullEvent,
    replay: ServerAction<ReplayEvent>,
    dismiss: ServerAction<DismissEvent>,
    back: String,
) -> impl IntoView {
    let e = d.event.clone();
    let can_replay = e.status.replayable();
    let can_dismiss = e.status == EventStatus::Dead && d.dismissed_at.is_none();
    let dismissed = d.dismissed_at.clone().map(|at| {
        view! { <p class="banner info" role="status" data-test="dismissed">{t(Msg::EventDismissedAt)} " " <time>{at}</time></p> }
    });
    view! {
        <h1 data-test="event-title">
            {t(Msg::EventTitle)} " #" {e.id} " " {status_pill(e.status)}
        </h1>
        <section class="card" data-test="summary">
            <dl class="facts">
                <dt>{t(Msg::EventsColKind)}</dt><dd>{t(kind_msg(e.kind))}</dd>
                <dt>{t(Msg::EventsColReceived)}</dt><dd><time>{e.received_at.clone()}</time></dd>
                <dt>{t(Msg::EventProcessedAt)}</dt><dd><time>{d.processed_at.clone().unwrap_or_else(|| "—".into())}</time></dd>
                <dt>{t(Msg::EventsColStatus)}</dt><dd>{t(status_msg(e.status))}</dd>
                <dt>{t(Msg::EventsColNote)}</dt><dd data-test="note">{note(e.note.clone())}</dd>
                <dt>{t(Msg::EventRecord)}</dt>
                <dd data-test="records">{d.records.iter().map(|r| view! {
                    <a href=r.href.clone() class="mono" data-test="record-link">{r.number.clone()}</a> " "
                }).collect_view()}</dd>
            </dl>
            {can_replay.then(|| view! {
                <ActionForm action=replay attr:class="inline-form">
                    <CsrfField />
                    <input type="hidden" name="id" value=e.id />
                    <input type="hidden" name="back" value=back />
                    <button type="submit" data-test="replay">{t(Msg::EventsReplay)}</button>
                </ActionForm>
            })}
            {can_dismiss.then(|| view! {
                <ActionForm action=dismiss attr:class="inline-form">
                    <CsrfField />
                    <input type="hidden" name="id" value=e.id />
                    <button type="submit" data-test="dismiss">{t(Msg::EventDismiss)}</button>
                </ActionForm>
            })}
            {dismissed}
        </section>
        {request(&d)}
        {change(&e, &d)}
        {attempts(d.attempts)}
        {coalesced(d.coalesced)}
    }
}

/// The request as received, and what was read from it.
fn request(d: &FullEvent) -> impl IntoView + use<> {
    let parsed = d.parsed.clone().map(|(action, old, new)| {
        view! {
            <dt>{t(Msg::EventParsed)}</dt><dd data-test="parsed">{t(action_msg(action))}</dd>
            {old.map(|o| view! { <dt>{t(Msg::EventOldNumber)}</dt><dd class="mono">{o}</dd> })}
            {new.map(|n| view! { <dt>{t(Msg::EventNewNumber)}</dt><dd class="mono">{n}</dd> })}
        }
    });
    view! {
        <section class="card" data-test="request">
            <h2>{t(Msg::EventRequest)}</h2>
            <dl class="facts">
                <dt>{t(Msg::EventMethod)}</dt><dd class="mono">{d.method.clone()}</dd>
                <dt>"Content-Type"</dt><dd class="mono">{d.content_type.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>{t(Msg::EventQuery)}</dt><dd class="mono">{d.query.clone().unwrap_or_else(|| "—".into())}</dd>
                {parsed}
            </dl>
            <h3>{t(Msg::EventBody)}</h3>
            <pre class="raw" data-test="body">{d.body.clone()}</pre>
            <p class="muted small">{t(Msg::EventCredentialNote)}</p>
        </section>
    }
}

/// The change it made: the fields before → after, the stock it moved.
fn change(e: &EventView, d: &FullEvent) -> Option<AnyView> {
    let values = match &e.note {
        EventNote::Applied(Applied::Record {
            change: Change::Updated(_, values),
            ..
        }) => values.clone(),
        _ => Vec::new(),
    };
    if values.is_empty() && d.stock.is_empty() {
        return None;
    }
    let fields = (!values.is_empty()).then(|| {
        view! {
            <table class="table data" data-test="diff">
                <thead><tr><th>{t(Msg::EventField)}</th><th>{t(Msg::EventBefore)}</th><th>{t(Msg::EventAfter)}</th></tr></thead>
                <tbody>{values.into_iter().map(|v| view! {
                    <tr><td class="mono">{v.field}</td><td>{v.before.unwrap_or_else(|| "—".into())}</td><td>{v.after.unwrap_or_else(|| "—".into())}</td></tr>
                }).collect_view()}</tbody>
            </table>
        }
    });
    let stock = (!d.stock.is_empty()).then(|| {
        let rows = d.stock.clone().into_iter().map(|m| {
            let class = if m.quantity.starts_with('-') { "num out" } else { "num in" };
            view! {
                <tr>
                    <td>{m.line_number}</td>
                    <td><a href=m.product.href class="mono">{m.product.number}</a></td>
                    <td class=class>{m.quantity}</td>
                </tr>
            }
        });
        view! {
            <h3>{t(Msg::EventStock)}</h3>
            <table class="table data" data-test="stock">
                <thead><tr><th>{t(Msg::DataColLine)}</th><th>{t(Msg::DataColProduct)}</th><th class="num">{t(Msg::DataColQuantity)}</th></tr></thead>
                <tbody>{rows.collect_view()}</tbody>
            </table>
        }
    });
    Some(
        view! {
            <section class="card" data-test="change">
                <h2>{t(Msg::EventChange)}</h2>
                {fields}
                {stock}
            </section>
        }
        .into_any(),
    )
}

fn attempts(list: Vec<AttemptView>) -> impl IntoView {
    let body = if list.is_empty() {
        view! { <p class="muted">{t(Msg::EventNoAttempts)}</p> }.into_any()
    } else {
        let rows = list.into_iter().map(|a| {
            let outcome = match a.outcome {
                AttemptOutcome::Processed => Msg::StatusProcessed,
                AttemptOutcome::Failed => Msg::StatusFailed,
                AttemptOutcome::Dead => Msg::StatusDead,
                AttemptOutcome::Paused => Msg::EventAttemptPaused,
            };
            view! {
                <tr data-test="attempt">
                    <td>{a.attempt}</td>
                    <td><time>{a.started_at}</time></td>
                    <td class="num">{format!("{} ms", a.duration_ms)}</td>
                    <td>{t(outcome)}</td>
                    <td class="num">{a.api_calls}</td>
                    <td>{a.error.map(|e| view! { <code>{e}</code> })}</td>
                </tr>
            }
        });
        view! {
            <table class="table data" data-test="attempts">
                <thead><tr>
                    <th>"#"</th>
                    <th>{t(Msg::EventColStarted)}</th>
                    <th class="num">{t(Msg::EventColDuration)}</th>
                    <th>{t(Msg::EventColOutcome)}</th>
                    <th class="num">{t(Msg::EventColCalls)}</th>
                    <th>{t(Msg::EventColError)}</th>
                </tr></thead>
                <tbody>{rows.collect_view()}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section class="card">
            <h2>{t(Msg::EventAttempts)}</h2>
            {body}
        </section>
    }
}

fn coalesced(list: Vec<EventView>) -> Option<impl IntoView> {
    (!list.is_empty()).then(|| {
        view! {
            <section class="card" data-test="coalesced">
                <h2>{t(Msg::EventCoalesced)}</h2>
                <ul>{list.into_iter().map(|e| view! {
                    <li><a href=format!("/events/{}", e.id)>"#" {e.id}</a> " · " <time>{e.received_at}</time> " · " <span class="mono">{e.numbers}</span></li>
                }).collect_view()}</ul>
            </section>
        }
    })
}
