//! The staff page of one tenant: its figures, its events per hour over the last week, a
//! replay of its failed and dead events, and the form that starts an impersonation.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::CsrfToken;
use crate::api::events::EventStatus;
use crate::api::staff::TenantRow;
use crate::error::AppError;
use vocabulary::SupportAccess;

/// Hours in the chart: seven days.
pub const CHART_HOURS: u32 = 7 * 24;

/// One hour of the chart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HourBar {
    /// The hour's start (formatted, for the bar's tooltip).
    pub hour: String,
    /// Events received in that hour, by their status now.
    pub counts: Vec<(EventStatus, i64)>,
}

/// The tenant page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantDetail {
    /// The same figures as the dashboard's row.
    pub row: TenantRow,
    /// The last [`CHART_HOURS`] hours, oldest first.
    pub hours: Vec<HourBar>,
    /// What the tenant lets support staff do.
    pub support: SupportAccess,
    /// Its newest sync problems, open and resolved.
    pub history: Vec<crate::api::health::EpisodeView>,
    /// Its newest notifications about them, delivered or not.
    pub notifications: Vec<crate::api::health::settings::NotificationView>,
}

/// How many episodes and notifications the tenant page lists.
pub const RECENT: u32 = 20;

/// One tenant's page; staff only.
#[server(prefix = "/api", endpoint = "staff_tenant", input = leptos::server_fn::codec::GetUrl)]
pub async fn staff_tenant(id: i64) -> Result<TenantDetail, AppError> {
    use crate::ssr::format;

    let staff = crate::ssr::entrance::Staff::read().await?;
    let state = &staff.state;
    let (tenant, now) = (backend::TenantId::new(id), backend::Timestamp::now());
    let ctx = crate::api::health::context(state);
    let health = backend::tenant_health::one(ctx, tenant, now).await?;
    let hours = backend::tenant_health::events_per_hour(&state.db, tenant, now, CHART_HOURS)
        .await?
        .into_iter()
        .map(|h| HourBar {
            hour: format::timestamp(h.hour),
            counts: h.counts,
        })
        .collect();
    let access = backend::impersonation::support_access(&state.db, tenant).await?;
    let history = backend::health::episodes::history(&state.db, tenant, RECENT)
        .await?
        .into_iter()
        .map(crate::api::health::episode_view)
        .collect();
    let notifications = backend::health::alerts::list(&state.db, tenant, RECENT)
        .await?
        .into_iter()
        .map(crate::api::health::settings::ssr::view)
        .collect();
    Ok(TenantDetail {
        row: crate::api::staff::tenant_row(health, state.daily_call_limit),
        hours,
        support: access,
        history,
        notifications,
    })
}

/// Puts the tenant's failed and dead events back in the queue (audited in the tenant's log).
#[server(prefix = "/api", endpoint = "staff_replay")]
pub async fn staff_replay(csrf_token: CsrfToken, tenant_id: i64) -> Result<u64, AppError> {
    let staff = crate::ssr::entrance::Staff::change(csrf_token).await?;
    let state = &staff.state;
    let (tenant, now) = (backend::TenantId::new(tenant_id), backend::Timestamp::now());
    // An unknown tenant is a 404, not "0 replayed".
    backend::tenant_health::one(crate::api::health::context(state), tenant, now).await?;
    let n = backend::queue::replay_failed(&state.db, tenant, now).await?;
    state.signal.notify();
    let action = backend::audit::Action::EventsReplayed;
    let detail = format!("{n} failed events");
    staff.audit(Some(tenant), action, &detail).await;
    leptos_axum::redirect(&format!("/staff/tenants/{tenant_id}?replayed={n}"));
    Ok(n)
}
