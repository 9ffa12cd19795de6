//! `/settings/apps/economic/sync`: the API budget (the day's calls of the whole e-conomic
//! agreement, and e-conomic's token bucket), and per entity how it is kept up to date,
//! its first import, the run now and the last one, the last check of all records; "Sync now"
//! and "Check all records now" as plain forms, so they work without JavaScript too.
//!
//! The data refreshes itself in the browser: every second while a run waits or runs (to follow
//! its progress), every five seconds otherwise. The cards and their buttons stay put; only the
//! facts inside them are redrawn, so a button never moves under a click.

mod entity;

use economic::Entity;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use std::time::Duration;

use super::tabs::EconomicTabs;
use crate::api::economic::{TokenBucketView, economic_bucket};
use crate::api::sync::{
    BudgetLevel, BudgetView, RequestSync, SyncRequest, SyncView, sync_overview,
};
use crate::components::form::{ErrorBanner, last_error};
use crate::components::runs::{number, progress_bar};
use crate::error::AppError;
use crate::i18n::{Msg, t};

/// The data as loaded, shared by the page's parts.
type SyncResource = Resource<Result<SyncView, AppError>>;

/// The Sync tab.
#[component]
pub fn SyncPage() -> impl IntoView {
    view! {
        <EconomicTabs />
        <Sync />
    }
}

#[component]
fn Sync() -> impl IntoView {
    let request = ServerAction::<RequestSync>::new();
    let error = last_error(request.value());
    let tick = RwSignal::new(0u64);
    let fast = RwSignal::new(false);
    // Effects run in the browser only; a new period replaces the old timer.
    Effect::new(move || {
        let every = Duration::from_secs(if fast.get() { 1 } else { 5 });
        if let Ok(handle) = set_interval_with_handle(move || tick.update(|n| *n += 1), every) {
            on_cleanup(move || handle.clear());
        }
    });
    let data: SyncResource = Resource::new_blocking(
        move || (tick.get(), request.version().get()),
        |_| sync_overview(),
    );
    let bucket = Resource::new_blocking(move || tick.get(), |_| economic_bucket());
    Effect::new(move || {
        if let Some(Ok(view)) = data.get()
            && fast.get_untracked() != view.active
        {
            fast.set(view.active);
        }
    });

    view! {
        <p class="intro">{t(Msg::SyncIntro)}</p>
        <ErrorBanner error />
        <Show when=move || error.get().is_none()>
            <ResultBanner />
        </Show>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! {
                        {(!view.connected).then(not_connected)}
                        {budget(view.budget)}
                        {view.connected.then(|| view! {
                            <Transition fallback=|| ()>
                                {move || Suspend::new(async move {
                                    token_bucket(bucket.await.ok().flatten())
                                })}
                            </Transition>
                        })}
                    }
                    .into_any(),
                    Err(e) => view! { <p class="banner error" role="alert">{t(e.message())}</p> }.into_any(),
                }
            })}
        </Transition>
        {Entity::ALL.into_iter().map(|e| entity::card(e, data, request)).collect_view()}
    }
}

/// What the last button press did, from the URL it led to (with and without JavaScript).
#[component]
fn ResultBanner() -> impl IntoView {
    let query = use_query_map();
    let entity_in = move |name: &str| query.read().get(name).and_then(|s| Entity::from_slug(&s));
    let started = move || {
        let request = query
            .read()
            .get("request")
            .and_then(|r| SyncRequest::from_slug(&r))
            .unwrap_or(SyncRequest::SyncNow);
        entity_in("started").and_then(|e| started_msg(e, request))
    };
    let busy = move || entity_in("busy").and_then(busy_msg);
    view! {
        {move || started().map(|msg| view! {
            <p class="banner success" role="status" data-test="sync-started">{t(msg)}</p>
        })}
        {move || busy().map(|msg| view! {
            <p class="banner info" role="status" data-test="sync-busy">{t(msg)}</p>
        })}
    }
}

fn started_msg(entity: Entity, request: SyncRequest) -> Option<Msg> {
    match (entity, request) {
        (Entity::Customers, SyncRequest::SyncNow) => Some(Msg::SyncStartedCustomers),
        (Entity::Products, SyncRequest::SyncNow) => Some(Msg::SyncStartedProducts),
        (Entity::Customers, SyncRequest::CheckAll) => Some(Msg::CheckStartedCustomers),
        (Entity::Products, SyncRequest::CheckAll) => Some(Msg::CheckStartedProducts),
        // Invoices have no buttons: the server refuses to start their runs.
        (Entity::Invoices, SyncRequest::SyncNow | SyncRequest::CheckAll) => None,
    }
}

fn busy_msg(entity: Entity) -> Option<Msg> {
    match entity {
        Entity::Customers => Some(Msg::SyncBusyCustomers),
        Entity::Products => Some(Msg::SyncBusyProducts),
        Entity::Invoices => None,
    }
}

fn not_connected() -> impl IntoView {
    view! {
        <p class="banner info" role="status" data-test="sync-not-connected">
            {t(Msg::SyncNotConnected)} " "
            <a href="/settings/apps/economic">{t(Msg::SyncNotConnectedLink)}</a>
        </p>
    }
}

fn budget(b: BudgetView) -> impl IntoView {
    let percent = b.percent();
    let held = match b.level {
        BudgetLevel::Open => None,
        BudgetLevel::BackgroundHeld => Some(Msg::BudgetBackgroundHeld),
        BudgetLevel::ScheduledHeld => Some(Msg::BudgetScheduledHeld),
        BudgetLevel::AllHeld => Some(Msg::BudgetAllHeld),
    };
    let frees_at = b.frees_at.clone();
    view! {
        <section class="card budget" data-test="budget" data-level=format!("{:?}", b.level)>
            <h2>{t(Msg::BudgetTitle)}</h2>
            <p class="budget-used">
                <strong data-test="budget-used">{number(b.used)}</strong> " " {t(Msg::SyncOf)} " "
                <span data-test="budget-limit">{number(u64::from(b.limit))}</span> " " {t(Msg::BudgetUsedTail)}
                <span class="muted">" (" {percent} "%)"</span>
            </p>
            <div class="budget-meter">
                {progress_bar(Some(percent), Msg::BudgetTitle)}
                // The thresholds where background work and then the hourly sync stop.
                <span class="mark" style="left: 80%" aria-hidden="true"></span>
                <span class="mark" style="left: 95%" aria-hidden="true"></span>
            </div>
            {held.map(|msg| view! {
                <p class="banner warn" role="status" data-test="budget-held">
                    {t(msg)}
                    {frees_at.map(|at| view! { " " {t(Msg::BudgetFreesAt)} " " <time>{at}</time> "." })}
                </p>
            })}
            <p class="muted small">{t(Msg::BudgetRule)} " " {t(Msg::BudgetPerAgreement)}</p>
        </section>
    }
}

/// e-conomic's token bucket for the agreement: how full it is, as its last answer said.
fn token_bucket(bucket: Option<TokenBucketView>) -> impl IntoView {
    let body = match bucket {
        Some(b) => {
            let percent = (u64::from(b.used) * 100)
                .checked_div(u64::from(b.limit))
                .unwrap_or(100)
                .min(100);
            view! {
                <p class="budget-used">
                    <strong data-test="bucket-used">{number(u64::from(b.used))}</strong> " " {t(Msg::SyncOf)} " "
                    <span data-test="bucket-limit">{number(u64::from(b.limit))}</span> " "
                    {t(Msg::BucketTokensPer)} " " <span data-test="bucket-window">{b.window_secs}</span> " "
                    {t(Msg::BucketSeconds)}
                    <span class="muted">" (" {percent} "%; " {t(Msg::BucketReportedAt)} " " <time>{b.reported_at}</time> ")"</span>
                </p>
                <div class="budget-meter">{progress_bar(Some(percent), Msg::BucketTitle)}</div>
            }
            .into_any()
        }
        None => {
            view! { <p class="muted" data-test="bucket-unknown">{t(Msg::BucketNotReported)}</p> }
                .into_any()
        }
    };
    view! {
        <section class="card budget" data-test="bucket">
            <h2>{t(Msg::BucketTitle)}</h2>
            {body}
            <p class="muted small">{t(Msg::BucketRule)}</p>
        </section>
    }
}
