//! `/staff/tenants/{id}`: one tenant's figures, its events per hour over the last seven days
//! (an SVG drawn on the server, so it is there without JavaScript), a replay of its failed and
//! dead events, and the form that starts an impersonation.
//!
//! Start is a plain form post, not a hydrated one: the impersonation's banner is added to pages
//! by the server, so the first impersonated page must be a full page load.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::events::EventStatus;
use crate::api::health::reason_text;
use crate::api::staff_tenant::{HourBar, StaffReplay, TenantDetail, staff_tenant};
use crate::components::form::CsrfField;
use crate::components::health::pill;
use crate::i18n::{Msg, t, use_lang};
use crate::pages::events::notes::status_msg;
use crate::pages::staff::dashboard::{alerts_text, connection_msg};
use crate::pages::staff::managed_webhooks::StaffWebhookHealth;
use vocabulary::SupportAccess;

/// The tenant page.
#[component]
pub fn StaffTenantPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let detail = Resource::new_blocking(id, staff_tenant);
    let webhooks = Resource::new_blocking(id, crate::api::managed_webhooks::staff_webhook_health);
    let replayed = move || query.read().get("replayed");
    view! {
        <p><a href="/staff">{t(Msg::StaffBackToDashboard)}</a></p>
        {move || replayed().map(|n| view! {
            <p class="banner success" role="status">{format!("{} {n}", t(Msg::StaffReplayed))}</p>
        })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <Detail detail /> }.into_any(),
                    Err(e) => view! { <p class="banner error" role="alert">{t(e.message())}</p> }.into_any(),
                }
            })}
        </Suspense>
        <StaffWebhookHealth data=webhooks />
    }
}

#[component]
fn Detail(detail: TenantDetail) -> impl IntoView {
    let row = detail.row;
    let never = || t(Msg::StaffNever).to_owned();
    let replay = ServerAction::<StaffReplay>::new();
    let id = row.id.to_string();
    let start_id = id.clone();
    let support = detail.support;
    let connection = t(connection_msg(&row));
    let lang = use_lang();
    let problems = row
        .problems
        .iter()
        .map(|p| view! { <li>{reason_text(p, lang)}</li> })
        .collect_view();
    let history = detail
        .history
        .iter()
        .map(|e| {
            let end = e.resolved_at.clone().unwrap_or_else(|| t(Msg::HealthStillOpen).to_owned());
            view! {
                <tr><td>{e.opened_at.clone()}</td><td>{pill(e.state)} " " {reason_text(&e.reason, lang)}</td><td>{end}</td></tr>
            }
        })
        .collect_view();
    let notifications = detail
        .notifications
        .iter()
        .map(|n| {
            view! {
                <tr data-status=n.status.slug()>
                    <td>{n.at.clone()}</td>
                    <td>{reason_text(&n.reason, lang)}</td>
                    <td>{format!("{:?} · {:?}", n.notice, n.channel)}</td>
                    <td>{n.status.slug()} {n.error.clone().map(|e| view! { " " <code class="small">{e}</code> })}</td>
                    <td class="num">{n.attempts}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h1 data-test="tenant-name">{row.name.clone()}</h1>
        <section class="card" data-test="staff-problems">
            <h2>{t(Msg::StaffProblemsTitle)}</h2>
            <p>{pill(row.health)} " " {row.since.clone().map(|at| view! { {t(Msg::HealthSince)} " " <time>{at}</time> })}</p>
            <ul class="plain">{problems}</ul>
            <p class="small">{t(Msg::StaffColAlerts)} ": " {alerts_text(&row.alerts)}</p>
            <table class="table data"><tbody>{history}</tbody></table>
        </section>
        <section class="card">
            <h2>{t(Msg::StaffNotificationsTitle)}</h2>
            <table class="table data" data-test="staff-notifications"><tbody>{notifications}</tbody></table>
        </section>
        <section class="card">
            <dl class="figures">
                <dt>{t(Msg::StaffColConnected)}</dt>
                <dd>{connection}</dd>
                <dt>{t(Msg::StaffColBacklog)}</dt><dd data-test="backlog">{row.backlog}</dd>
                <dt>{t(Msg::StaffColFailed)}</dt><dd data-test="failed">{row.failed}</dd>
                <dt>{t(Msg::StaffColDead)}</dt><dd data-test="dead">{row.dead}</dd>
                <dt>{t(Msg::StaffColLastEvent)}</dt><dd>{row.last_event.unwrap_or_else(never)}</dd>
                <dt>{t(Msg::StaffColLastSync)}</dt><dd>{row.last_sync.unwrap_or_else(never)}</dd>
                <dt>{t(Msg::StaffColApiCalls)}</dt>
                <dd>{format!("{} / {}", row.api_calls, row.api_budget)}</dd>
            </dl>
            <ActionForm action=replay attr:class="row">
                <CsrfField />
                <input type="hidden" name="tenant_id" value=id />
                <button type="submit" data-test="staff-replay">{t(Msg::StaffReplayFailed)}</button>
            </ActionForm>
        </section>
        <section class="card">
            <h2>{t(Msg::StaffChartTitle)}</h2>
            <Chart hours=detail.hours />
        </section>
        <section class="card">
            <h2>{t(Msg::StaffImpersonateTitle)}</h2>
            {match support {
                SupportAccess::Forbidden => view! {
                    <p class="banner warn" data-test="support-forbidden">{t(Msg::StaffSupportForbidden)}</p>
                }.into_any(),
                SupportAccess::Allowed | SupportAccess::ReadOnly => {
                    let id = start_id;
                    view! {
                    <p class="intro">{t(if support == SupportAccess::ReadOnly {
                        Msg::StaffImpersonateIntroReadOnly
                    } else {
                        Msg::StaffImpersonateIntro
                    })}</p>
                    <form method="post" action="/api/impersonation_start" class="stack staff-impersonate">
                        <CsrfField />
                        <input type="hidden" name="tenant_id" value=id />
                        <label>{t(Msg::StaffImpersonateReason)}
                            <input name="reason" required minlength="10" maxlength="500" />
                        </label>
                        <label>{t(Msg::StaffImpersonateTicket)}
                            <input name="ticket" maxlength="100" />
                        </label>
                        <button type="submit" class="primary" data-test="impersonate">{t(Msg::StaffImpersonate)}</button>
                    </form>
                }.into_any()
                }
            }}
        </section>
    }
}

/// Statuses in the order the bars stack them (bottom first) and the legend lists them.
const STACK: [EventStatus; 8] = [
    EventStatus::Processed,
    EventStatus::Ignored,
    EventStatus::Rejected,
    EventStatus::Received,
    EventStatus::Queued,
    EventStatus::Processing,
    EventStatus::Failed,
    EventStatus::Dead,
];
const BAR_WIDTH: i64 = 5;
const HEIGHT: i64 = 160;

/// Stacked bars, one per hour, scaled to the busiest hour.
#[component]
fn Chart(hours: Vec<HourBar>) -> impl IntoView {
    let max = hours
        .iter()
        .map(|h| h.counts.iter().map(|(_, n)| n).sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let width = BAR_WIDTH * i64::try_from(hours.len()).unwrap_or(0);
    let bars = hours
        .iter()
        .enumerate()
        .flat_map(|(i, hour)| {
            let x = i64::try_from(i).unwrap_or(0) * BAR_WIDTH;
            let mut y = HEIGHT;
            STACK
                .into_iter()
                .filter_map(|status| {
                    let n = hour.counts.iter().find(|(s, _)| *s == status)?.1;
                    // Rounded up, so that a single event in a busy week still shows.
                    let h = (n * HEIGHT + max - 1) / max;
                    y -= h;
                    let title = format!("{} · {}: {n}", hour.hour, t(status_msg(status)));
                    Some(view! {
                        <rect x=x y=y width=BAR_WIDTH - 1 height=h class=format!("segment {}", status.as_str())>
                            <title>{title}</title>
                        </rect>
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect_view();
    let legend = STACK
        .into_iter()
        .map(|s| view! { <li><span class=format!("swatch {}", s.as_str())></span>{t(status_msg(s))}</li> })
        .collect_view();
    let first = hours.first().map(|h| h.hour.clone()).unwrap_or_default();
    view! {
        <svg class="chart" data-test="events-chart" role="img" viewBox=format!("0 0 {width} {HEIGHT}")
            preserveAspectRatio="none" aria-label=t(Msg::StaffChartTitle)>
            <line x1="0" y1=HEIGHT x2=width y2=HEIGHT class="axis" />
            {bars}
        </svg>
        <p class="muted small">{format!("{} {first} · {} {max}", t(Msg::StaffChartFrom), t(Msg::StaffChartMax))}</p>
        <ul class="legend">{legend}</ul>
    }
}
