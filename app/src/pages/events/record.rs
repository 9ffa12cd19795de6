//! The events that touched one record, on the record's own page (product, customer, invoice),
//! with a link to the whole history filtered by its number.

use economic::Entity;
use leptos::prelude::*;

use super::notes::{action_msg, note, status_pill};
use crate::api::events::{HistoryQuery, RECORD_EVENTS, record_events};
use crate::i18n::{Msg, t};

/// The newest events about record `number` of `kind`.
#[component]
pub fn RecordEvents(
    /// The record's entity.
    kind: Entity,
    /// The record's number as e-conomic writes it.
    number: String,
) -> impl IntoView {
    let all = HistoryQuery {
        kind: Some(kind),
        number: number.clone(),
        ..Default::default()
    }
    .href("/events", &[]);
    let all_more = all.clone();
    let events =
        Resource::new_blocking(move || (kind, number.clone()), |(k, n)| record_events(k, n));
    view! {
        <section class="card" data-test="record-events">
            <h2>{t(Msg::RecordEventsTitle)}</h2>
            <Transition fallback=|| ()>
                {move || { let all = all_more.clone(); Suspend::new(async move {
                    match events.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">{t(Msg::RecordEventsNone)}</p> }.into_any(),
                        Ok(list) => {
                            let more = list.len() == RECORD_EVENTS as usize;
                            view! {
                                <table class="table events">
                                    <tbody>{list.into_iter().map(|e| view! {
                                        <tr data-status=e.status.as_str() data-event=e.id>
                                            <td><a href=format!("/events/{}", e.id)><time>{e.received_at}</time></a></td>
                                            <td>{e.action.map(|a| t(action_msg(a))).unwrap_or("—")}</td>
                                            <td class="mono">{e.numbers}</td>
                                            <td>{status_pill(e.status)}</td>
                                            <td class="muted small">{note(e.note)}</td>
                                        </tr>
                                    }).collect_view()}</tbody>
                                </table>
                                {more.then(|| view! { <p class="pager"><a href=all>{t(Msg::RecordEventsAll)} " →"</a></p> })}
                            }
                            .into_any()
                        }
                        Err(e) => view! { <p class="banner error" role="alert">{t(e.message())}</p> }.into_any(),
                    }
                })}}
            </Transition>
            <p class="muted small"><a href=all data-test="record-history">{t(Msg::RecordEventsAll)}</a></p>
        </section>
    }
}
