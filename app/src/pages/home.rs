//! `/`: is everything in sync, and if not, what to do. For each entity its mode, health and
//! freshness ("opdateret for 2 min. siden"); the open problems, each with its fix as a button
//! (or a link where there is nothing to press); the recent history; for a new company the
//! guide's steps, following themselves live (the page refreshes every few seconds until the
//! first event has arrived, then every 15 seconds).
//!
//! Visitors who are not logged in go to the login page, staff to their dashboard.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

use crate::api::health::{
    EntityHealthView, EpisodeView, FixProblem, HealthState, HomeView, Onboarding, ProblemView,
    fix_msg, home_health, reason_text,
};
use crate::api::session::SessionResource;
use crate::api::sync::Mode;
use crate::components::form::{CsrfField, ErrorBanner, last_error};
use crate::components::health::pill;
use crate::components::runs::entity_msg;
use crate::error::AppError;
use crate::i18n::{Msg, t, use_lang};

/// The home page.
#[component]
pub fn Home() -> impl IntoView {
    let fix = ServerAction::<FixProblem>::new();
    let error = last_error(fix.value());
    let tick = RwSignal::new(0u64);
    let fast = RwSignal::new(false);
    // Effects run in the browser only; a new period replaces the old timer.
    Effect::new(move || {
        let every = Duration::from_secs(if fast.get() { 3 } else { 15 });
        if let Ok(handle) = set_interval_with_handle(move || tick.update(|n| *n += 1), every) {
            on_cleanup(move || handle.clear());
        }
    });
    let data = Resource::new_blocking(move || (tick.get(), fix.version().get()), |_| home_health());
    Effect::new(move || {
        if let Some(Ok(view)) = data.get() {
            let onboarding = view.onboarding.is_some();
            if fast.get_untracked() != onboarding {
                fast.set(onboarding);
            }
        }
    });
    let fixed = move || use_query_map().read().get("fixed").is_some();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! {
                        <h1>{t(Msg::HomeTitle)}</h1>
                        <ErrorBanner error />
                        {move || fixed().then(|| view! {
                            <p class="banner success" role="status">{t(Msg::HealthFixed)}</p>
                        })}
                        <Overview view fix />
                    }.into_any(),
                    Err(AppError::NotAuthenticated) => view! { <Elsewhere /> }.into_any(),
                    Err(e) => view! { <p class="banner error" role="alert">{t(e.message())}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Not a company's user: staff to their dashboard, everyone else to the login page.
#[component]
fn Elsewhere() -> impl IntoView {
    let session = expect_context::<SessionResource>();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let staff = session.await.map(|s| s.staff.is_some()).unwrap_or(false);
                let path = if staff { "/staff" } else { "/login" };
                view! { <Redirect path /> }
            })}
        </Transition>
    }
}

#[component]
fn Overview(view: HomeView, fix: ServerAction<FixProblem>) -> impl IntoView {
    let (summary, class) = match view.state {
        HealthState::Ok => (Msg::HealthStateOk, "banner success"),
        HealthState::Delayed => (Msg::HealthStateDelayed, "banner warn"),
        HealthState::Broken => (Msg::HealthStateBroken, "banner error"),
    };
    let can_fix = view.can_fix;
    let no_problems = view.problems.is_empty();
    let problems = view
        .problems
        .into_iter()
        .map(|p| view! { <ProblemItem p can_fix fix /> })
        .collect_view();
    let connected = view.connected;
    view! {
        {view.onboarding.map(|o| view! { <Guide o /> })}
        {connected.then(|| view! {
            <p class=class role="status" data-test="health-state" data-state=view.state.slug()>{t(summary)}</p>
        })}
        <section class="card">
            <table class="table health" data-test="entities">
                <tbody>
                    {view.entities.into_iter().map(|e| view! { <EntityRow e connected /> }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card" data-test="problems">
            <h2>{t(Msg::HealthProblemsTitle)}</h2>
            {if no_problems {
                view! { <p class="muted">{t(Msg::HealthNoProblems)}</p> }.into_any()
            } else {
                view! { <ul class="problems">{problems}</ul> }.into_any()
            }}
            {(!can_fix && view.state != HealthState::Ok).then(|| view! {
                <p class="muted small">{t(Msg::HealthMembersCannotFix)}</p>
            })}
        </section>
        {(!view.history.is_empty()).then(|| view! { <History episodes=view.history /> })}
    }
}

/// One entity: its mode, health and freshness; before e-conomic is connected, that it is not,
/// with the way to connect (nothing is in sync yet, so nothing is "OK").
#[component]
fn EntityRow(e: EntityHealthView, connected: bool) -> impl IntoView {
    let mode = match e.mode {
        Mode::Hourly => Msg::HealthModeHourly,
        Mode::Webhook => Msg::HealthModeWebhook,
        Mode::Off => Msg::HealthModeOff,
    };
    let fresh = match (connected, e.mode, e.fresh_secs) {
        (false, _, _) | (true, Mode::Off, _) => String::new(),
        (true, _, None) => t(Msg::HealthNever).to_owned(),
        (true, _, Some(secs)) => fresh_text(secs),
    };
    let state = if connected {
        (e.mode != Mode::Off).then(|| pill(e.state)).into_any()
    } else {
        view! {
            <span class="pill health-not-connected">{t(Msg::HealthNotConnected)}</span>
            " "
            <a href="/settings/apps/economic" data-test="connect">{t(Msg::HealthConnect)}</a>
        }
        .into_any()
    };
    let data_state = if connected {
        e.state.slug()
    } else {
        "not_connected"
    };
    view! {
        <tr data-entity=e.entity.as_str() data-state=data_state>
            <th scope="row">{t(entity_msg(e.entity))}</th>
            <td>{t(mode)}</td>
            <td>{state}</td>
            <td class="muted" data-test="fresh">{fresh}</td>
        </tr>
    }
}

/// "opdateret for 2 min. siden": the largest unit only.
fn fresh_text(secs: u64) -> String {
    if secs < 30 {
        return t(Msg::HealthUpdatedNow).to_owned();
    }
    let amount = match secs {
        0..60 => format!("{secs} {}", t(Msg::UnitSeconds)),
        60..3600 => format!("{} {}", secs / 60, t(Msg::UnitMinutes)),
        _ => format!("{} {}", secs / 3600, t(Msg::UnitHours)),
    };
    format!("{} {amount} {}", t(Msg::HealthUpdated), t(Msg::HealthAgo))
}

#[component]
fn ProblemItem(p: ProblemView, can_fix: bool, fix: ServerAction<FixProblem>) -> impl IntoView {
    let lang = use_lang();
    let action = match p.fix.link() {
        Some(href) => view! {
            <a class="button" href=href data-test="fix-link">{t(fix_msg(p.fix))}</a>
        }
        .into_any(),
        None if can_fix => view! {
            <ActionForm action=fix attr:class="inline">
                <CsrfField />
                <input type="hidden" name="fix" value=p.fix_code.clone() />
                <button type="submit" class="primary" data-test="fix" data-fix=p.fix_code>
                    {t(fix_msg(p.fix))}
                </button>
            </ActionForm>
        }
        .into_any(),
        None => view! { <span class="muted">{t(fix_msg(p.fix))}</span> }.into_any(),
    };
    view! {
        <li class=format!("problem {}", p.state.slug()) data-state=p.state.slug()>
            <p>{pill(p.state)} " " <strong>{reason_text(&p.reason, lang)}</strong></p>
            <p class="muted small">{t(Msg::HealthSince)} " " <time>{p.since}</time></p>
            {action}
        </li>
    }
}

#[component]
fn History(episodes: Vec<EpisodeView>) -> impl IntoView {
    let lang = use_lang();
    let rows = episodes
        .into_iter()
        .map(|e| {
            let end = match e.resolved_at {
                Some(at) => format!("{} {at}", t(Msg::HealthResolvedAt)),
                None => t(Msg::HealthStillOpen).to_owned(),
            };
            view! {
                <tr data-episode=e.id>
                    <td>{e.opened_at}</td>
                    <td>{pill(e.state)} " " {reason_text(&e.reason, lang)}</td>
                    <td class="muted">{end}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>{t(Msg::HealthHistoryTitle)}</h2>
            <table class="table data" data-test="history"><tbody>{rows}</tbody></table>
        </section>
    }
}

/// The guide's steps: connect → choose per entity → webhooks created or copied → first event.
#[component]
fn Guide(o: Onboarding) -> impl IntoView {
    let step = |done: bool, label: Msg, href: &'static str| {
        view! {
            <li class:done=done data-done=done.to_string()>
                <span aria-hidden="true">{if done { "✓ " } else { "○ " }}</span>
                {t(label)}
                {(!done).then(|| view! { " " <a href=href>{t(Msg::HealthStepGo)}</a> })}
            </li>
        }
    };
    let webhooks_needed = !o.webhooks.is_empty();
    let webhooks_done = o.webhooks.iter().all(|w| w.created || w.received);
    let details = o
        .webhooks
        .iter()
        .map(|w| {
            let how = match (w.received, w.created) {
                (true, _) => Msg::HealthStepReceived,
                (false, true) => Msg::HealthStepCreated,
                (false, false) => Msg::HealthStepWaiting,
            };
            view! { <li>{t(entity_msg(w.entity))} ": " {t(how)}</li> }
        })
        .collect_view();
    let first = match (webhooks_needed, o.first_event) {
        (false, _) => view! { <li class="done">{t(Msg::HealthStepNotNeeded)}</li> }.into_any(),
        (true, Some(at)) => view! {
            <li class="done" data-done="true" data-test="first-event">
                "✓ " {t(Msg::HealthStepFirstEvent)} " " <time>{at}</time>
            </li>
        }
        .into_any(),
        (true, None) => view! {
            <li data-done="false" data-test="first-event">
                "○ " {t(Msg::HealthStepFirstEvent)} " – " {t(Msg::HealthStepWaiting)}
            </li>
        }
        .into_any(),
    };
    view! {
        <section class="card onboarding" data-test="onboarding">
            <h2>{t(Msg::HealthOnboardingTitle)}</h2>
            <p class="intro">{t(Msg::HealthOnboardingIntro)}</p>
            <ol class="steps">
                {step(o.connected, Msg::HealthStepConnect, "/settings/apps/economic")}
                {step(o.chosen, Msg::HealthStepChoose, "/settings/apps/economic/advanced")}
                {webhooks_needed.then(|| view! {
                    {step(webhooks_done, Msg::HealthStepWebhooks, "/settings/apps/economic/advanced#economic-webhooks")}
                    <ul class="plain small">{details}</ul>
                })}
                {first}
            </ol>
        </section>
    }
}
