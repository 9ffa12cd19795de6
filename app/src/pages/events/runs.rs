//! `/events?view=runs`: every sync run, newest first, with its kind, state, counts and
//! duration; keyset paging by `before=<run id>`; the newest page follows new runs.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::sync::{RUNS_PAGE_SIZE, RunStatus, RunView, sync_runs};
use crate::components::runs::{duration, entity_msg, kind_msg, number, status_pill, waiting};
use crate::i18n::{Msg, t};

/// The run history.
#[component]
pub fn RunList() -> impl IntoView {
    let query = use_query_map();
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|b| b.parse::<i64>().ok())
    };
    let tick = RwSignal::new(0u64);
    // Only the newest page follows new runs; older pages stay put. Effects run in the browser only.
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
    let runs = Resource::new_blocking(
        move || (before(), tick.get()),
        |(before, _)| sync_runs(before),
    );

    view! {
        <p class="intro">{t(Msg::RunsIntro)}</p>
        <section class="card">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match runs.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">{t(Msg::RunsNone)}</p> }.into_any(),
                        Ok(list) => {
                            let full = list.len() == RUNS_PAGE_SIZE as usize;
                            let older = full.then(|| list.last().map(|r| r.id)).flatten();
                            view! {
                                <div class="table-scroll"><table class="table runs" data-test="runs">
                                    <thead><tr>
                                        <th>{t(Msg::RunsColTime)}</th>
                                        <th>{t(Msg::RunsColRun)}</th>
                                        <th>{t(Msg::RunsColStatus)}</th>
                                        <th>{t(Msg::RunsColRecords)}</th>
                                        <th class="num">{t(Msg::RunsColChanges)}</th>
                                        <th class="num">{t(Msg::RunsColCalls)}</th>
                                        <th>{t(Msg::RunsColDuration)}</th>
                                        <th>{t(Msg::RunsColNote)}</th>
                                    </tr></thead>
                                    <tbody>{list.into_iter().map(row).collect_view()}</tbody>
                                </table></div>
                                <p class="pager">
                                    {before().map(|_| view! { <a href="/events?view=runs">{t(Msg::RunsNewest)}</a> })}
                                    {older.map(|id| view! { <a href=format!("/events?view=runs&before={id}")>{t(Msg::RunsOlder)} " →"</a> })}
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

fn row(r: RunView) -> impl IntoView {
    let time = r.started_at.clone().unwrap_or_else(|| r.created_at.clone());
    let took = r.duration_secs.map(duration);
    let read = match r.status {
        RunStatus::Queued => None,
        RunStatus::Running | RunStatus::Done | RunStatus::Failed => Some(match r.records_total {
            Some(total) => format!(
                "{} {} {}",
                number(r.records_done),
                t(Msg::SyncOf),
                number(total)
            ),
            None => number(r.records_done),
        }),
    };
    let c = r.counts;
    let changes = format!(
        "{} / {} / {}",
        number(c.created),
        number(c.updated),
        number(c.deleted)
    );
    let note = match (r.error, r.waiting) {
        (Some(error), _) => Some(view! { {t(Msg::SyncError)} " " <code>{error}</code> }.into_any()),
        (None, Some(w)) => Some(waiting(w).into_any()),
        (None, None) => None,
    };
    view! {
        <tr data-status=r.status.as_str() data-run=r.id>
            <td><time>{time}</time></td>
            <td><strong>{t(entity_msg(r.entity))}</strong><div class="muted small">{t(kind_msg(r.kind))}</div></td>
            <td>{status_pill(r.status)}</td>
            <td class="nowrap">{read.unwrap_or_else(|| "—".to_owned())}</td>
            <td class="num">{changes}</td>
            <td class="num">{number(r.api_calls)}</td>
            <td class="nowrap">{took.unwrap_or_else(|| "—".to_owned())}</td>
            <td class="muted small" data-test="note">{note}</td>
        </tr>
    }
}
