//! The staff side: log in with password and second factor, and the dashboard of every
//! tenant's health. Staff sessions never act for a tenant, so tenant pages refuse them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::CsrfToken;
use crate::api::health::{HealthState, ProblemReason};
use crate::api::sync::Mode;
use crate::error::AppError;

/// What the second step asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecondFactorStep {
    /// First login: set up an authenticator app with this secret, then type its first code.
    Enrol {
        /// The secret in base32, for typing in.
        secret: String,
        /// The same as a QR code (an SVG document rendered on the server).
        qr_svg: String,
    },
    /// A code from the authenticator app, or a recovery code.
    Code,
}

/// One row of the dashboard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantRow {
    /// The tenant id.
    pub id: i64,
    /// Company name.
    pub name: String,
    /// e-conomic connected.
    pub connected: bool,
    /// e-conomic refused the grant token since; the tenant's sync is paused.
    pub token_refused: bool,
    /// Products: hourly or webhook.
    pub products: Mode,
    /// Customers: hourly or webhook.
    pub customers: Mode,
    /// Invoices: webhook or off.
    pub invoices: Mode,
    /// Events waiting or being applied.
    pub backlog: i64,
    /// Events that failed and will be retried.
    pub failed: i64,
    /// Events that failed every attempt.
    pub dead: i64,
    /// When the newest webhook arrived (formatted), if any.
    pub last_event: Option<String>,
    /// When the newest sync run succeeded (formatted), if any.
    pub last_sync: Option<String>,
    /// e-conomic calls in the last 24 hours.
    pub api_calls: i64,
    /// The daily budget the calls count against.
    pub api_budget: u32,
    /// A problem, dead or failed events, or not connected.
    pub needs_attention: bool,
    /// The health model's verdict (the same as the company's home page).
    pub health: HealthState,
    /// The current problems.
    pub problems: Vec<ProblemReason>,
    /// Since when the oldest open problem is open (UTC).
    pub since: Option<String>,
    /// The alert webhook's deliveries.
    pub alerts: AlertDelivery,
}

/// Where a company's alert webhook deliveries stand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlertDelivery {
    /// The company has no alert webhook.
    None,
    /// Nothing failed or waits; the newest delivered (UTC), if any.
    Ok(Option<String>),
    /// Alerts wait to be sent or retried.
    Pending(u64),
    /// Alerts could not be delivered (given up).
    Failed(u64),
}

/// How the dashboard is sorted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TenantSort {
    /// Problem tenants first (the default).
    #[default]
    Problems,
    /// By name.
    Name,
    /// Largest backlog first.
    Backlog,
    /// Most e-conomic calls first.
    ApiCalls,
}

impl TenantSort {
    /// Every order, for the sort links.
    pub const ALL: [TenantSort; 4] = [
        TenantSort::Problems,
        TenantSort::Name,
        TenantSort::Backlog,
        TenantSort::ApiCalls,
    ];

    /// The value in the URL.
    pub fn code(self) -> &'static str {
        match self {
            TenantSort::Problems => "problems",
            TenantSort::Name => "name",
            TenantSort::Backlog => "backlog",
            TenantSort::ApiCalls => "calls",
        }
    }

    /// Parses the URL value; anything else is the default.
    pub fn from_code(code: &str) -> TenantSort {
        TenantSort::ALL
            .into_iter()
            .find(|s| s.code() == code)
            .unwrap_or_default()
    }
}

/// Checks a staff member's email and password; the second factor comes next. `enrol` is the
/// one-time enrolment link's token, when the log-in came through the link.
#[server(prefix = "/api", endpoint = "staff_log_in")]
pub async fn staff_log_in(
    csrf_token: CsrfToken,
    email: String,
    password: String,
    #[server(default)] enrol: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{device, session, staff};

    let visitor = crate::ssr::entrance::Visitor::change(csrf_token).await?;
    let email = backend::Email::parse(&email).map_err(|_| AppError::InvalidCredentials)?;
    let (ip, now) = (session::client_ip().await, backend::Timestamp::now());
    let device = device::sent().await;
    let (staff_id, known) =
        backend::staff::log_in_on_device(&visitor.state.db, &email, &password, ip, device, now)
            .await?;
    device::keep(&visitor.state, &known);
    let enrol = enrol.filter(|token| !token.trim().is_empty());
    staff::begin(&visitor.session, staff_id, enrol).await?;
    leptos_axum::redirect("/staff/verify");
    Ok(())
}

/// What the second step asks this session for: enrolment on the first login, else a code.
#[server(prefix = "/api", endpoint = "staff_second_factor", input = leptos::server_fn::codec::GetUrl)]
pub async fn staff_second_factor() -> Result<SecondFactorStep, AppError> {
    let visitor = crate::ssr::entrance::Visitor::read().await?;
    let state = &visitor.state;
    let staff_id = crate::ssr::staff::pending(&visitor.session).await?;
    if backend::second_factor::is_enrolled(&state.db, staff_id).await? {
        return Ok(SecondFactorStep::Code);
    }
    let link = crate::ssr::staff::pending_enrolment_link(&visitor.session).await?;
    let now = backend::Timestamp::now();
    let enrolment =
        backend::second_factor::enrolment(&state.db, &state.keys, staff_id, &link, now).await?;
    Ok(SecondFactorStep::Enrol {
        secret: enrolment.secret_base32,
        qr_svg: enrolment.qr_svg,
    })
}

/// Confirms the enrolment with the app's first code and logs in; returns the recovery codes,
/// which are shown this once.
#[server(prefix = "/api", endpoint = "staff_enrol")]
pub async fn staff_enrol(csrf_token: CsrfToken, code: String) -> Result<Vec<String>, AppError> {
    use crate::ssr::{session, staff};

    let visitor = crate::ssr::entrance::Visitor::change(csrf_token).await?;
    let state = &visitor.state;
    let staff_id = staff::pending(&visitor.session).await?;
    let link = staff::pending_enrolment_link(&visitor.session).await?;
    let (ip, now) = (session::client_ip().await, backend::Timestamp::now());
    let codes =
        backend::second_factor::confirm(&state.db, &state.keys, staff_id, &link, &code, ip, now)
            .await?;
    staff::complete(&visitor.session, staff_id).await?;
    audit_login(state, staff_id).await;
    Ok(codes)
}

/// Checks the second factor (an app code or a recovery code) and opens the dashboard.
#[server(prefix = "/api", endpoint = "staff_verify")]
pub async fn staff_verify(csrf_token: CsrfToken, code: String) -> Result<(), AppError> {
    use crate::ssr::{session, staff};

    let visitor = crate::ssr::entrance::Visitor::change(csrf_token).await?;
    let state = &visitor.state;
    let staff_id = staff::pending(&visitor.session).await?;
    let (ip, now) = (session::client_ip().await, backend::Timestamp::now());
    backend::second_factor::verify(&state.db, &state.keys, staff_id, &code, ip, now).await?;
    staff::complete(&visitor.session, staff_id).await?;
    audit_login(state, staff_id).await;
    leptos_axum::redirect("/staff");
    Ok(())
}

#[cfg(feature = "ssr")]
async fn audit_login(state: &crate::ssr::state::AppState, staff_id: backend::StaffId) {
    let actor = backend::audit::Actor::Staff(staff_id);
    let action = backend::audit::Action::StaffLoggedIn;
    crate::ssr::entrance::record(state, None, actor, action, "").await;
}

/// Ends the staff session.
#[server(prefix = "/api", endpoint = "staff_log_out")]
pub async fn staff_log_out(csrf_token: CsrfToken) -> Result<(), AppError> {
    let visitor = crate::ssr::entrance::Visitor::change(csrf_token).await?;
    crate::ssr::session::end(&visitor.session).await?;
    leptos_axum::redirect("/staff/login");
    Ok(())
}

/// Companies per page of the dashboard.
pub const PER_PAGE: u32 = 50;

/// Page `page` (from 0, default 0) of the companies whose name contains `search`, in the
/// `sort` order; staff only.
#[server(prefix = "/api", endpoint = "staff_tenants", input = leptos::server_fn::codec::GetUrl)]
pub async fn staff_tenants(
    search: String,
    sort: TenantSort,
    page: Option<u32>,
) -> Result<Vec<TenantRow>, AppError> {
    use backend::tenant_health::{self, Sort};

    let staff = crate::ssr::entrance::Staff::read().await?;
    let state = &staff.state;
    let now = backend::Timestamp::now();
    let sort = match sort {
        TenantSort::Problems => Sort::Problems,
        TenantSort::Name => Sort::Name,
        TenantSort::Backlog => Sort::Backlog,
        TenantSort::ApiCalls => Sort::ApiCalls,
    };
    let ctx = crate::api::health::context(state);
    let page = tenant_health::page(ctx, &search, sort, page.unwrap_or(0), PER_PAGE, now).await?;
    Ok(page
        .rows
        .into_iter()
        .map(|h| tenant_row(h, state.daily_call_limit))
        .collect())
}

/// The dashboard row of one tenant's figures.
#[cfg(feature = "ssr")]
pub(crate) fn tenant_row(h: backend::tenant_health::TenantHealth, api_budget: u32) -> TenantRow {
    use crate::ssr::format;
    TenantRow {
        id: h.tenant_id.get(),
        needs_attention: h.needs_attention(),
        name: h.name,
        connected: h.connected,
        token_refused: h.token_refused,
        products: h.settings.products,
        customers: h.settings.customers,
        invoices: h.settings.mode(backend::economic::Entity::Invoices),
        backlog: h.backlog,
        failed: h.failed,
        dead: h.dead,
        last_event: h.last_event_at.map(format::timestamp),
        last_sync: h.last_sync_at.map(format::timestamp),
        api_calls: h.api_calls_24h,
        api_budget,
        health: crate::api::health::state_view(h.health.state),
        problems: h
            .health
            .problems
            .iter()
            .map(|p| crate::api::health::reason_view(&p.reason))
            .collect(),
        since: h
            .open
            .iter()
            .map(|e| e.opened_at)
            .min()
            .map(format::timestamp),
        alerts: match h.alerts {
            None => AlertDelivery::None,
            Some(d) if d.failed > 0 => AlertDelivery::Failed(d.failed),
            Some(d) if d.pending > 0 => AlertDelivery::Pending(d.pending),
            Some(d) => AlertDelivery::Ok(d.last_sent_at.map(format::timestamp)),
        },
    }
}
