//! `/staff`: every tenant's sync health, problem tenants first; searchable and sortable by plain
//! GET links and forms, so the state is in the URL and works without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::staff::{SyncMode, TenantRow, TenantSort, staff_tenants};
use crate::error::AppError;
use crate::i18n::{Msg, t};

/// The dashboard.
#[component]
pub fn StaffDashboardPage() -> impl IntoView {
    let query = use_query_map();
    let search = move || query.read().get("q").unwrap_or_default();
    let sort = move || TenantSort::from_code(&query.read().get("sort").unwrap_or_default());
    let tenants = Resource::new_blocking(
        move || (search(), sort()),
        |(search, sort)| staff_tenants(search, sort),
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
                        Ok(rows) => view! { <TenantTable rows /> }.into_any(),
                        Err(e) => error_view(e),
                    }
                })}
            </Suspense>
        </section>
        <crate::pages::staff::webhook_health::StaffSharedAgreements />
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
                <th>{t(Msg::StaffColConnected)}</th>
                <th>{t(Msg::StaffColModes)}</th>
                <th>{t(Msg::StaffColBacklog)}</th>
                <th>{t(Msg::StaffColFailed)}</th>
                <th>{t(Msg::StaffColDead)}</th>
                <th>{t(Msg::StaffColLastEvent)}</th>
                <th>{t(Msg::StaffColLastSync)}</th>
                <th>{t(Msg::StaffColApiCalls)}</th>
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
    view! {
        <tr class:attention=row.needs_attention data-tenant=row.id.to_string()>
            <td><a href=format!("/staff/tenants/{}", row.id)>{row.name}</a></td>
            <td>{connection}</td>
            <td class="small">{modes}</td>
            <td class="num">{row.backlog}</td>
            <td class="num">{row.failed}</td>
            <td class="num" class:bad=has_dead>{row.dead}</td>
            <td>{row.last_event.unwrap_or_else(never)}</td>
            <td>{row.last_sync.unwrap_or_else(never)}</td>
            <td class="num">{format!("{} / {}", row.api_calls, row.api_budget)}</td>
        </tr>
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

fn mode_msg(mode: SyncMode) -> Msg {
    match mode {
        SyncMode::Hourly => Msg::StaffModeHourly,
        SyncMode::Webhook => Msg::StaffModeWebhook,
        SyncMode::Off => Msg::StaffModeOff,
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
