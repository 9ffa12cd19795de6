//! `/staff`: every tenant's sync health by the same model as the companies' home pages, open
//! problems first (broken before delayed, oldest first) with since when, and the alert
//! webhook's deliveries; searchable, sortable and paged by plain GET links and forms, so the
//! state is in the URL and works without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::health::reason_text;
use crate::api::staff::{AlertDelivery, PER_PAGE, TenantRow, TenantSort, staff_tenants};
use crate::api::sync::Mode;
use crate::components::health::pill;
use crate::error::AppError;
use crate::i18n::{Msg, t, use_lang};

/// The dashboard.
#[component]
pub fn StaffDashboardPage() -> impl IntoView {
    let query = use_query_map();
    let search = move || query.read().get("q").unwrap_or_default();
    let sort = move || TenantSort::from_code(&query.read().get("sort").unwrap_or_default());
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0)
    };
    let tenants = Resource::new_blocking(
        move || (search(), sort(), page()),
        |(search, sort, page)| staff_tenants(search, sort, Some(page)),
    );
    view! {
        <h1>{t(Msg::StaffDashboardTitle)}</h1>
        <p class="intro">{t(Msg::StaffDashboardIntro)}</p>
        {move || query.read().get("ended").map(|why| {
            let msg = if why == "expired" { Msg::StaffImpersonationExpired } else { Msg::StaffImpersonationRevoked };
            view! { <p class="banner warn" role="status" data-test="impersonation-ended">{t(msg)}</p> }
        })}
        <form method="get" action="/staff" class="inline-form" role="search">
            <input type="search" name="q" value=search aria-label=t(Msg::StaffSearch)
                placeholder=t(Msg::StaffSearch) />
            <input type="hidden" name="sort" value=move || sort().code() />
            <button type="submit">{t(Msg::StaffSearch)}</button>
        </form>
        <p class="sort-links">
            {t(Msg::StaffSortBy)} " "
            {move || {
                TenantSort::ALL
                    .into_iter()
                    .map(|s| {
                        let href = format!("/staff?q={}&sort={}", urlencode(&search()), s.code());
                        view! { <a href=href class:active=move || sort() == s>{t(sort_msg(s))}</a> " " }
                    })
                    .collect_view()
            }}
        </p>
        <crate::pages::staff::outbox::OutboxCard />
        <section class="card">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match tenants.await {
                        Ok(rows) if rows.is_empty() => {
                            view! { <p class="muted">{t(Msg::StaffNoTenants)}</p> }.into_any()
                        }
                        Ok(rows) => {
                            let more = rows.len() == PER_PAGE as usize;
                            let link = move |to: u32| {
                                format!("/staff?q={}&sort={}&page={to}", urlencode(&search()), sort().code())
                            };
                            let at = page();
                            view! {
                                <TenantTable rows />
                                <p class="sort-links">
                                    {(at > 0).then(|| view! { <a href=link(at - 1) rel="prev">{t(Msg::StaffPagePrev)}</a> " " })}
                                    {more.then(|| view! { <a href=link(at + 1) rel="next">{t(Msg::StaffPageNext)}</a> })}
                                </p>
                            }.into_any()
                        }
                        Err(e) => error_view(e),
                    }
                })}
            </Suspense>
        </section>
        <crate::pages::staff::managed_webhooks::StaffSharedAgreements />
    }
}

fn error_view(e: AppError) -> AnyView {
    view! { <p class="banner error" role="alert">{t(e.message())}</p> }.into_any()
}

#[component]
fn TenantTable(rows: Vec<TenantRow>) -> impl IntoView {
    view! {
        <table class="table tenants" data-test="tenants">
            <thead><tr>
                <th>{t(Msg::StaffColTenant)}</th>
                <th>{t(Msg::StaffColHealth)}</th>
                <th>{t(Msg::StaffColConnected)}</th>
                <th>{t(Msg::StaffColModes)}</th>
                <th>{t(Msg::StaffColBacklog)}</th>
                <th>{t(Msg::StaffColFailed)}</th>
                <th>{t(Msg::StaffColDead)}</th>
                <th>{t(Msg::StaffColLastEvent)}</th>
                <th>{t(Msg::StaffColLastSync)}</th>
                <th>{t(Msg::StaffColApiCalls)}</th>
                <th>{t(Msg::StaffColAlerts)}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|row| view! { <Row row /> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn Row(row: TenantRow) -> impl IntoView {
    let never = || t(Msg::StaffNever).to_owned();
    let modes = format!(
        "{}: {} · {}: {} · {}: {}",
        t(Msg::SyncEntityProducts),
        t(mode_msg(row.products)),
        t(Msg::SyncEntityCustomers),
        t(mode_msg(row.customers)),
        t(Msg::SyncEntityInvoices),
        t(mode_msg(row.invoices)),
    );
    let has_dead = row.dead > 0;
    let connection = t(connection_msg(&row));
    let lang = use_lang();
    let problems = row
        .problems
        .iter()
        .map(|p| view! { <li>{reason_text(p, lang)}</li> })
        .collect_view();
    let since = row.since.clone().map(
        |at| view! { <span class="muted small">{t(Msg::HealthSince)} " " <time>{at}</time></span> },
    );
    view! {
        <tr class:attention=row.needs_attention data-tenant=row.id.to_string() data-state=row.health.slug()>
            <td><a href=format!("/staff/tenants/{}", row.id)>{row.name}</a></td>
            <td class="small">{pill(row.health)} " " {since} <ul class="plain">{problems}</ul></td>
            <td>{connection}</td>
            <td class="small">{modes}</td>
            <td class="num">{row.backlog}</td>
            <td class="num">{row.failed}</td>
            <td class="num" class:bad=has_dead>{row.dead}</td>
            <td>{row.last_event.unwrap_or_else(never)}</td>
            <td>{row.last_sync.unwrap_or_else(never)}</td>
            <td class="num">{format!("{} / {}", row.api_calls, row.api_budget)}</td>
            <td class="small" data-test="alerts">{alerts_text(&row.alerts)}</td>
        </tr>
    }
}

/// The alert webhook's deliveries in a few words.
pub(crate) fn alerts_text(alerts: &AlertDelivery) -> String {
    match alerts {
        AlertDelivery::None => t(Msg::StaffAlertsNone).to_owned(),
        AlertDelivery::Ok(None) => t(Msg::StaffAlertsOk).to_owned(),
        AlertDelivery::Ok(Some(at)) => format!("{} ({at})", t(Msg::StaffAlertsOk)),
        AlertDelivery::Pending(n) => format!("{n} {}", t(Msg::StaffAlertsPending)),
        AlertDelivery::Failed(n) => format!("{n} {}", t(Msg::StaffAlertsFailed)),
    }
}

/// Connected, connected but the grant token refused, or not connected.
pub(crate) fn connection_msg(row: &TenantRow) -> Msg {
    match (row.connected, row.token_refused) {
        (true, false) => Msg::StaffYes,
        (true, true) => Msg::StaffTokenRefused,
        (false, _) => Msg::StaffNo,
    }
}

fn mode_msg(mode: Mode) -> Msg {
    match mode {
        Mode::Hourly => Msg::StaffModeHourly,
        Mode::Webhook => Msg::StaffModeWebhook,
        Mode::Off => Msg::StaffModeOff,
    }
}

fn sort_msg(sort: TenantSort) -> Msg {
    match sort {
        TenantSort::Problems => Msg::StaffSortProblems,
        TenantSort::Name => Msg::StaffSortName,
        TenantSort::Backlog => Msg::StaffSortBacklog,
        TenantSort::ApiCalls => Msg::StaffSortApiCalls,
    }
}

/// Percent-encodes a query value (the search text) for a link.
fn urlencode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}
