//! `/events` (the default view): the webhooks received, newest first, filtered by kind,
//! status, time range and record number, paged by keyset, with the count of each status for
//! the filter. The filter is a plain GET form and the pages plain links, so every view has a
//! URL to bookmark and share and works without JavaScript; replaying a selection (or the
//! failed and dead events of the filter, after a confirmation) is a plain form post to
//! `POST /events/replay`. With JavaScript the newest page follows new events and status
//! changes by itself.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::notes::{action_msg, kind_msg, note, status_msg, status_pill};
use crate::api::events::retention::{Retention, SetEventRetention, event_retention};
use crate::api::events::{
    EventStatus, EventView, HistoryQuery, HistoryView, StatusCount, event_history,
};
use crate::components::form::{CsrfField, ErrorBanner, last_error};
use crate::components::runs::number;
use crate::i18n::{Msg, t};
use economic::Entity;

/// The webhooks received.
#[component]
pub fn EventList() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let map = params.read();
        let pairs: Vec<(String, String)> = crate::api::events::query::PARAMS
            .iter()
            .filter_map(|k| map.get(k).map(|v| ((*k).to_owned(), v)))
            .collect();
        HistoryQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    });
    let param = move |key: &'static str| Memo::new(move |_| params.read().get(key));
    let before = param("before");
    let after = param("after");
    let replayed = param("replayed");
    let confirm = Memo::new(move |_| params.read().get("confirm").is_some());
    let on_newest = move || before.get().is_none() && after.get().is_none();
    let tick = super::live::follow(Signal::derive(on_newest));
    let page = Resource::new_blocking(
        move || (query.get(), before.get(), after.get(), tick.get()),
        |(q, before, after, _)| {
            let text = |s: String| (!s.is_empty()).then_some(s);
            event_history(
                q.kind,
                q.status,
                text(q.from),
                text(q.until),
                text(q.number),
                before,
                after,
            )
        },
    );

    view! {
        <p class="intro">{t(Msg::EventsIntro)}</p>
        <FilterForm query />
        {move || replayed.get().map(|n| {
            let n: u64 = n.parse().unwrap_or(0);
            let text = if n == 0 { t(Msg::HistoryReplayedNone).to_owned() } else { format!("{} {}", number(n), t(Msg::HistoryReplayed)) };
            view! { <p class="banner success" role="status" data-test="replayed">{text}</p> }
        })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(view) => {
                        let q = query.get_untracked();
                        let counts = counts_nav(&q, &view.counts);
                        let confirming = confirm.get_untracked().then(|| confirm_form(&q, &view.counts));
                        view! {
                            {counts}
                            {confirming}
                            {list(&q, view, on_newest())}
                        }
                        .into_any()
                    }
                    Err(e) => view! { <p class="banner error" role="alert">{t(e.message())}</p> }.into_any(),
                }
            })}
        </Transition>
        <RetentionForm />
    }
}

/// How long the company keeps its events: a plain form (a server function), managers only
/// on the server.
#[component]
fn RetentionForm() -> impl IntoView {
    let params = use_query_map();
    let saved = move || params.read().get("retention").is_some();
    let save = ServerAction::<SetEventRetention>::new();
    let error = last_error(save.value());
    let current = Resource::new(move || save.version().get(), |_| event_retention());
    view! {
        <section class="card retention" data-test="retention">
            <h2>{t(Msg::HistoryRetentionTitle)}</h2>
            <p class="muted small">{t(Msg::HistoryRetentionText)}</p>
            <Show when=saved>
                <p class="banner success" role="status">{t(Msg::HistoryRetentionSaved)}</p>
            </Show>
            <ErrorBanner error=error />
            <ActionForm action=save attr:class="row">
                <CsrfField />
                <label>{t(Msg::HistoryRetentionDays)}
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            let keep = current.await.ok();
                            view! {
                                <select name="days" data-test="retention-days">
                                    {Retention::ALL.into_iter().map(|k| view! {
                                        <option value=k.days() selected=keep == Some(k)>{k.days()} " " {t(Msg::HistoryDays)}</option>
                                    }).collect_view()}
                                </select>
                            }
                        })}
                    </Transition>
                </label>
                <button type="submit" data-test="retention-save">{t(Msg::HistoryRetentionSave)}</button>
            </ActionForm>
        </section>
    }
}

/// The filter: a GET form whose fields are the URL's parameters.
#[component]
fn FilterForm(query: Memo<HistoryQuery>) -> impl IntoView {
    let q = move || query.get();
    let kinds = Entity::ALL.into_iter().map(move |k| {
        view! { <option value=k.as_str() selected=move || q().kind == Some(k)>{t(kind_msg(k))}</option> }
    });
    let statuses = EventStatus::ALL.into_iter().map(move |s| {
        view! { <option value=s.as_str() selected=move || q().status == Some(s)>{t(status_msg(s))}</option> }
    });
    view! {
        <form method="get" action="/events" class="filters card" role="search" data-test="filters">
            <label>{t(Msg::EventsColKind)}
                <select name="kind" data-test="filter-kind">
                    <option value="">{t(Msg::HistoryAllKinds)}</option>
                    {kinds.collect_view()}
                </select>
            </label>
            <label>{t(Msg::EventsColStatus)}
                <select name="status" data-test="filter-status">
                    <option value="">{t(Msg::HistoryAllStatuses)}</option>
                    {statuses.collect_view()}
                </select>
            </label>
            <label>{t(Msg::HistoryFrom)}
                <input type="datetime-local" name="from" value=move || q().from data-test="filter-from" />
            </label>
            <label>{t(Msg::HistoryUntil)}
                <input type="datetime-local" name="until" value=move || q().until data-test="filter-until" />
            </label>
            <label>{t(Msg::HistoryNumber)}
                <input type="search" name="number" value=move || q().number placeholder=t(Msg::HistoryNumberHint) maxlength="25" data-test="filter-number" />
            </label>
            <div class="filter-buttons">
                <button type="submit" data-test="filter-submit">{t(Msg::HistoryFilter)}</button>
                <Show when=move || !q().is_empty()>
                    <a href="/events" class="clear">{t(Msg::HistoryClear)}</a>
                </Show>
            </div>
        </form>
    }
}

/// How many events of each status the filter has; each a link to the filter with that status.
fn counts_nav(q: &HistoryQuery, counts: &[StatusCount]) -> impl IntoView + use<> {
    let all = q.with_status(None).href("/events", &[]);
    let links = counts
        .iter()
        .map(|c| {
            let href = q.with_status(Some(c.status)).href("/events", &[]);
            let current = (q.status == Some(c.status)).then_some("page");
            let n = format!("{}{}", number(c.count.unsigned_abs()), if c.more { "+" } else { "" });
            view! {
                <a href=href aria-current=current class=format!("count {}", c.status.as_str()) data-count=c.status.as_str()>
                    {t(status_msg(c.status))} " " <strong>{n}</strong>
                </a>
            }
        })
        .collect_view();
    view! {
        <nav class="status-counts" aria-label=t(Msg::HistoryCountsLabel) data-test="counts">
            <a href=all aria-current=q.status.is_none().then_some("page") class="count">{t(Msg::HistoryAllStatuses)}</a>
            {links}
        </nav>
    }
}

/// The hidden fields that carry the filter through a form post (so the answer can come back
/// to the same view).
fn filter_fields(q: &HistoryQuery) -> impl IntoView + use<> {
    let q = q.clone();
    view! {
        <input type="hidden" name="kind" value=q.kind.map(Entity::as_str).unwrap_or_default() />
        <input type="hidden" name="status" value=q.status.map(EventStatus::as_str).unwrap_or_default() />
        <input type="hidden" name="from" value=q.from />
        <input type="hidden" name="until" value=q.until />
        <input type="hidden" name="number" value=q.number />
    }
}

/// "Replay every failed and dead event of this filter?", with the numbers and a cancel link.
fn confirm_form(q: &HistoryQuery, counts: &[StatusCount]) -> impl IntoView + use<> {
    let of = |s: EventStatus| {
        counts
            .iter()
            .find(|c| c.status == s && q.status.is_none_or(|f| f == s))
            .map_or((0, false), |c| (c.count, c.more))
    };
    let ((failed, f_more), (dead, d_more)) = (of(EventStatus::Failed), of(EventStatus::Dead));
    let n = format!(
        "{}{}",
        number((failed + dead).unsigned_abs()),
        if f_more || d_more { "+" } else { "" }
    );
    view! {
        <section class="card confirm" role="alertdialog" aria-labelledby="confirm-title" data-test="confirm">
            <h2 id="confirm-title">{t(Msg::HistoryConfirmTitle)}</h2>
            <p><strong>{n}</strong> " " {t(Msg::HistoryConfirmText)}</p>
            <form method="post" action="/events/replay" class="row">
                <CsrfField />
                {filter_fields(q)}
                <input type="hidden" name="scope" value="filter" />
                <button type="submit" data-test="confirm-replay">{t(Msg::HistoryConfirmYes)}</button>
                <a href=q.href("/events", &[])>{t(Msg::HistoryCancel)}</a>
            </form>
        </section>
    }
}

/// The table inside the selection form, the buttons under it and the pager.
fn list(q: &HistoryQuery, view: HistoryView, newest: bool) -> impl IntoView + use<> {
    if view.events.is_empty() {
        let none = if q.is_empty() {
            Msg::EventsNone
        } else {
            Msg::HistoryNoMatch
        };
        return view! { <section class="card"><p class="muted">{t(none)}</p></section> }.into_any();
    }
    let any_replayable = view.events.iter().any(|e| e.status.replayable());
    let confirm_href = q.href("/events", &["confirm=1".to_owned()]);
    let export_href = q.href("/events/export.csv", &[]);
    let newer = view
        .newer
        .map(|c| q.href("/events", &[format!("after={c}")]));
    let older = view
        .older
        .map(|c| q.href("/events", &[format!("before={c}")]));
    let first = (!newest).then(|| q.href("/events", &[]));
    view! {
        <section class="card">
            <form method="post" action="/events/replay" data-test="selection">
                <CsrfField />
                {filter_fields(q)}
                <div class="table-scroll"><table class="table events" data-test="events">
                    <thead><tr>
                        <th><span class="visually-hidden">{t(Msg::HistorySelect)}</span></th>
                        <th>{t(Msg::EventsColReceived)}</th>
                        <th>{t(Msg::EventsColKind)}</th>
                        <th>{t(Msg::EventsColAction)}</th>
                        <th>{t(Msg::EventsColNumbers)}</th>
                        <th>{t(Msg::EventsColStatus)}</th>
                        <th>{t(Msg::EventsColNote)}</th>
                        <th><span class="visually-hidden">{t(Msg::EventsColActions)}</span></th>
                    </tr></thead>
                    <tbody>{view.events.into_iter().map(row).collect_view()}</tbody>
                </table></div>
                <div class="row actions">
                    {any_replayable.then(|| view! {
                        <button type="submit" name="scope" value="selected" data-test="replay-selected">{t(Msg::HistoryReplaySelected)}</button>
                    })}
                    <a href=confirm_href data-test="replay-filter">{t(Msg::HistoryReplayFilter)}</a>
                    <a href=export_href download="events.csv" data-test="export">{t(Msg::HistoryExport)}</a>
                </div>
            </form>
            <p class="pager">
                {first.map(|href| view! { <a href=href>{t(Msg::EventsNewest)}</a> })}
                {newer.map(|href| view! { <a href=href rel="prev" data-test="newer">"← " {t(Msg::HistoryNewer)}</a> })}
                {older.map(|href| view! { <a href=href rel="next" data-test="older">{t(Msg::EventsOlder)} " →"</a> })}
            </p>
        </section>
    }
    .into_any()
}

fn row(e: EventView) -> impl IntoView {
    let id = e.id;
    let href = format!("/events/{id}");
    let select = e.status.replayable().then(|| {
        view! { <input type="checkbox" name="id" value=id aria-label=format!("{} #{id}", t(Msg::HistorySelect)) data-test="select" /> }
    });
    // Processed events can be replayed too, but the button is for the ones that need it.
    let replay = matches!(e.status, EventStatus::Failed | EventStatus::Dead).then(|| {
        view! { <button type="submit" name="only" value=id class="link-button" data-test="replay">{t(Msg::EventsReplay)}</button> }
    });
    view! {
        <tr data-status=e.status.as_str() data-event=id>
            <td>{select}</td>
            <td><a href=href data-test="open"><time>{e.received_at}</time></a></td>
            <td>{t(kind_msg(e.kind))}</td>
            <td>{e.action.map(|a| t(action_msg(a))).unwrap_or("—")}</td>
            <td class="mono">{e.numbers}</td>
            <td>{status_pill(e.status)}</td>
            <td class="muted small" data-test="note">{note(e.note)}</td>
            <td>{replay}</td>
        </tr>
    }
}
