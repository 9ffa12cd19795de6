//! One entity's card on the Sync tab: its facts (redrawn as the data refreshes) and, for the
//! polled entities, the two buttons (drawn once).

use economic::Entity;
use leptos::prelude::*;

use super::SyncResource;
use crate::api::sync::{EntityView, Import, Mode, RequestSync, RunStatus, RunView, SyncRequest};
use crate::components::form::CsrfField;
use crate::components::runs::{
    counts, duration, entity_msg, kind_msg, number, progress_bar, records_read, status_pill,
    waiting,
};
use crate::i18n::{Msg, t};

/// The card of `entity`.
pub fn card(
    entity: Entity,
    data: SyncResource,
    request: ServerAction<RequestSync>,
) -> impl IntoView {
    let polled = match entity {
        Entity::Customers | Entity::Products => true,
        Entity::Invoices => false,
    };
    view! {
        <section class="card sync-entity" data-test=format!("entity-{}", entity.as_str())>
            <h2>{t(entity_msg(entity))}</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let view = data.await.ok().and_then(|v| v.entities.into_iter().find(|e| e.entity == entity));
                    view.map(facts)
                })}
            </Transition>
            {polled.then(|| buttons(entity, request))}
        </section>
    }
}

fn facts(e: EntityView) -> impl IntoView {
    let slug = e.entity.as_str();
    let mode = match e.mode {
        Mode::Hourly => Msg::SyncModeHourly,
        Mode::Webhook => Msg::SyncModeWebhooks,
        Mode::Off => Msg::SyncModeOff,
    };
    let unreported = e.unreported.filter(|n| *n > 0).map(|n| {
        view! {
            <p class="banner warn" role="alert" data-test=format!("unreported-warning-{slug}")>
                {t(Msg::SyncUnreportedFound)} " " <strong>{number(n)}</strong> {t(Msg::SyncUnreportedHint)}
            </p>
        }
    });
    let active = e.active.map(|run| {
        let id = run.id;
        view! {
            <dt>{t(Msg::SyncActiveLabel)}</dt>
            <dd data-test=format!("active-run-{slug}") data-run=id>{active_run(run)}</dd>
        }
    });
    let last_run = e.last.as_ref().map(|r| r.id);
    let import_state = e.import.slug();
    let check = e.polled.then(|| {
        view! {
            <dt>{t(Msg::SyncCheckLabel)}</dt>
            <dd data-test=format!("last-check-{slug}")>{e.last_check.map_or_else(never, |r| last_check(r).into_any())}</dd>
        }
    });
    view! {
        {unreported}
        <dl class="facts sync-facts">
            <dt>{t(Msg::SyncModeLabel)}</dt>
            <dd data-test=format!("mode-{slug}")>{t(mode)}</dd>
            <dt>{t(Msg::SyncImportLabel)}</dt>
            <dd data-test=format!("import-progress-{slug}") data-state=import_state>{import(e.import)}</dd>
            {active}
            <dt>{t(Msg::SyncLastLabel)}</dt>
            <dd data-test=format!("last-run-{slug}") data-run=last_run>{e.last.map_or_else(never, |r| last(r).into_any())}</dd>
            {check}
        </dl>
    }
}

fn never() -> AnyView {
    view! { <span class="muted">{t(Msg::SyncNever)}</span> }.into_any()
}

fn import(state: Import) -> impl IntoView {
    match state {
        Import::NotStarted => {
            view! { <span class="muted">{t(Msg::SyncImportNotStarted)}</span> }.into_any()
        }
        Import::Queued(run) => view! {
            {t(Msg::SyncImportQueued)}
            {run.waiting.map(|w| view! { <div class="muted small">{waiting(w)}</div> })}
        }
        .into_any(),
        Import::Running(run) => progress(run, Msg::SyncImportRunning).into_any(),
        Import::Imported(at) => view! {
            <span class="ok">"✓ " {t(Msg::SyncImportDone)}</span> " " <time>{at}</time>
        }
        .into_any(),
        Import::Failed(run) => view! {
            {status_pill(run.status)}
            {run.error.map(|e| view! { " " <code>{e}</code> })}
        }
        .into_any(),
    }
}

/// A running run: its bar, records read, percent and time left.
fn progress(run: RunView, doing: Msg) -> impl IntoView {
    let percent = run.percent();
    let eta = run.eta_secs.map(|secs| {
        view! { " · " {t(Msg::SyncTimeLeft)} " " {duration(secs)} " " {t(Msg::SyncTimeLeftTail)} }
    });
    view! {
        {progress_bar(percent, doing)}
        <div class="small">
            {t(doing)} ": " {records_read(&run)}
            {percent.map(|p| view! { " (" {p} "%)" })}
            {eta}
        </div>
    }
}

fn active_run(run: RunView) -> impl IntoView {
    let kind = t(kind_msg(run.kind));
    match run.status {
        RunStatus::Running => view! {
            <div>{status_pill(run.status)} " " {kind}</div>
            {progress(run, Msg::SyncReading)}
        }
        .into_any(),
        RunStatus::Queued | RunStatus::Done | RunStatus::Failed => view! {
            <div>{status_pill(run.status)} " " {kind}</div>
            {run.waiting.map(|w| view! { <div class="muted small">{waiting(w)}</div> })}
        }
        .into_any(),
    }
}

/// The calls and duration of an ended run: "API calls: 12 · took 4 s".
fn cost(api_calls: u64, duration_secs: Option<u64>) -> impl IntoView {
    let took = duration_secs.map(|secs| view! { " · " {t(Msg::SyncTook)} " " {duration(secs)} });
    view! {
        {t(Msg::SyncApiCalls)} ": " <span data-test="api-calls">{number(api_calls)}</span> {took}
    }
}

fn last(run: RunView) -> impl IntoView {
    view! {
        <div>
            {status_pill(run.status)} " " {t(kind_msg(run.kind))} " · "
            <time>{run.finished_at.clone().unwrap_or_else(|| run.created_at.clone())}</time>
        </div>
        <div class="small muted">
            {records_read(&run)} " · " {counts(run.counts)} " · " {cost(run.api_calls, run.duration_secs)}
        </div>
        {run.error.map(|e| view! { <div class="run-error small">{t(Msg::SyncError)} " " <code>{e}</code></div> })}
    }
}

fn last_check(run: RunView) -> impl IntoView {
    let repaired = match run.status {
        RunStatus::Done if run.counts.changed() == 0 => t(Msg::SyncCheckNothing).to_owned(),
        RunStatus::Done => format!("{}: {}", t(Msg::SyncCheckRepaired), counts(run.counts)),
        RunStatus::Queued | RunStatus::Running | RunStatus::Failed => String::new(),
    };
    view! {
        <div>
            {(run.status == RunStatus::Failed).then(|| status_pill(run.status))} " "
            <time>{run.finished_at.clone().unwrap_or_else(|| run.created_at.clone())}</time>
        </div>
        <div class="small muted">{repaired}</div>
        {run.error.map(|e| view! { <div class="run-error small">{t(Msg::SyncError)} " " <code>{e}</code></div> })}
    }
}

fn buttons(entity: Entity, request: ServerAction<RequestSync>) -> impl IntoView {
    let slug = entity.as_str();
    let button = move |what: SyncRequest| {
        let (label, test, class) = match what {
            SyncRequest::SyncNow => (Msg::SyncNow, format!("sync-now-{slug}"), "primary"),
            SyncRequest::CheckAll => (Msg::SyncCheckNow, format!("check-now-{slug}"), ""),
        };
        view! {
            <ActionForm action=request attr:class="inline-form">
                <CsrfField />
                <input type="hidden" name="entity" value=slug />
                <input type="hidden" name="request" value=what.slug() />
                <button type="submit" class=class data-test=test disabled=move || request.pending().get()>
                    {t(label)}
                </button>
            </ActionForm>
        }
    };
    view! {
        <div class="sync-buttons">
            {button(SyncRequest::SyncNow)}
            {button(SyncRequest::CheckAll)}
        </div>
    }
}
