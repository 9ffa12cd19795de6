//! Staff impersonation as server functions: start it from the staff tenant page, elevate
//! it, stop it; and the tenant's side: the support-access log and the owner's choice.
//!
//! Start, elevate and stop are the only state-changing requests the server's impersonation
//! layer lets through a read-only impersonation (see `server::middleware::impersonation`).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::CsrfToken;
use crate::error::AppError;

/// One impersonation of the company, as its people see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportSession {
    /// The staff member.
    pub staff: String,
    /// When it began (formatted).
    pub started: String,
    /// How long it lasted, in minutes (so far, if it still runs).
    pub minutes: i64,
    /// Whether it still runs.
    pub running: bool,
    /// The reason given.
    pub reason: String,
    /// The ticket reference, if any.
    pub ticket: Option<String>,
    /// The reason for write access, if it was granted.
    pub elevated: Option<String>,
    /// Requests made in all.
    pub requests: i64,
    /// The requests that could change something: method, path, status.
    pub changes: Vec<(String, String, u16)>,
}

/// The support-access page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportAccessView {
    /// The company's current choice.
    pub choice: vocabulary::SupportAccess,
    /// Whether this user may change it (the owner).
    pub can_change: bool,
    /// The newest impersonations.
    pub sessions: Vec<SupportSession>,
}

/// A staff member starts looking at a tenant's app, read-only, for a reason.
#[server(prefix = "/api", endpoint = "impersonation_start")]
pub async fn impersonation_start(
    csrf_token: CsrfToken,
    tenant_id: i64,
    reason: String,
    ticket: String,
) -> Result<(), AppError> {
    use crate::ssr::impersonation;

    // Refuses a nested start: an impersonating session is not a staff-side session.
    let staff = crate::ssr::entrance::Staff::change(csrf_token).await?;
    let (state, member) = (&staff.state, &staff.member);
    let reason = backend::impersonation::Reason::parse(&reason).ok_or(AppError::ReasonRequired)?;
    let tenant = backend::TenantId::new(tenant_id);
    let now = backend::Timestamp::now();
    let minutes = state.impersonation_minutes;
    let active = backend::impersonation::start(
        &state.db,
        member.staff_id,
        tenant,
        &reason,
        Some(ticket.as_str()),
        minutes,
        now,
    )
    .await
    .map_err(|e| match e {
        backend::Error::Forbidden => AppError::SupportAccessDenied,
        other => other.into(),
    })?;
    impersonation::begin(&staff.session, &active).await?;
    let detail = match ticket.trim() {
        "" => reason.as_str().to_owned(),
        ticket => format!("{} ({ticket})", reason.as_str()),
    };
    let actor = backend::audit::Actor::Impersonating {
        staff: active.staff_id,
        user: active.acting_as,
    };
    let action = backend::audit::Action::ImpersonationStarted;
    crate::ssr::entrance::record(state, Some(active.tenant_id), actor, action, &detail).await;
    leptos_axum::redirect("/settings");
    Ok(())
}

/// Grants write access for the rest of the impersonation, for a second reason.
#[server(prefix = "/api", endpoint = "impersonation_elevate")]
pub async fn impersonation_elevate(csrf_token: CsrfToken, reason: String) -> Result<(), AppError> {
    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    let state = &ctx.state;
    let support = ctx.support.ok_or(AppError::Forbidden)?;
    let reason = backend::impersonation::Reason::parse(&reason).ok_or(AppError::ReasonRequired)?;
    let now = backend::Timestamp::now();
    backend::impersonation::elevate(
        &state.db,
        ctx.tenant_id,
        support.impersonation,
        &reason,
        now,
    )
    .await
    .map_err(|e| match e {
        backend::Error::Forbidden => AppError::SupportAccessDenied,
        other => other.into(),
    })?;
    // Recorded as support's own act: the session was not writable when it asked.
    let actor = backend::audit::Actor::Impersonating {
        staff: support.staff_id,
        user: ctx.user_id,
    };
    let action = backend::audit::Action::ImpersonationElevated;
    crate::ssr::entrance::record(state, Some(ctx.tenant_id), actor, action, reason.as_str()).await;
    leptos_axum::redirect("/settings?elevated=1");
    Ok(())
}

/// Ends the impersonation and returns to the tenant's staff page on the staff session.
#[server(prefix = "/api", endpoint = "impersonation_stop")]
pub async fn impersonation_stop(csrf_token: CsrfToken) -> Result<(), AppError> {
    let visitor = crate::ssr::entrance::Visitor::change(csrf_token).await?;
    let why = backend::impersonation::EndReason::Stopped;
    match crate::ssr::impersonation::finish(&visitor.state, &visitor.session, why).await? {
        Some(tenant) => leptos_axum::redirect(&format!("/staff/tenants/{tenant}")),
        None => leptos_axum::redirect("/staff"),
    }
    Ok(())
}

/// Every impersonation of the caller's company, and its support-access choice; managers only.
#[server(prefix = "/api", endpoint = "support_access", input = leptos::server_fn::codec::GetUrl)]
pub async fn support_access() -> Result<SupportAccessView, AppError> {
    use crate::ssr::format;

    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    ctx.manager()?;
    let choice = backend::impersonation::support_access(&state.db, ctx.tenant_id).await?;
    let now = backend::Timestamp::now();
    let sessions = backend::impersonation::for_tenant(&state.db, ctx.tenant_id, 100)
        .await?
        .into_iter()
        .map(|r| SupportSession {
            staff: r.staff_name,
            started: format::timestamp(r.started_at),
            minutes: (r.ended_at.unwrap_or(now).as_millis() - r.started_at.as_millis()) / 60_000,
            running: r.ended_at.is_none(),
            reason: r.reason,
            ticket: r.ticket,
            elevated: r.elevated.map(|(_, why)| why),
            requests: r.requests,
            changes: r
                .changes
                .into_iter()
                .map(|c| (c.method, c.path, c.status))
                .collect(),
        })
        .collect();
    Ok(SupportAccessView {
        choice,
        can_change: ctx.role == backend::Role::Owner && ctx.support.is_none(),
        sessions,
    })
}

/// The owner decides what support staff may do; forbidding ends running impersonations.
#[server(prefix = "/api", endpoint = "set_support_access")]
pub async fn set_support_access(
    csrf_token: CsrfToken,
    choice: vocabulary::SupportAccess,
) -> Result<(), AppError> {
    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    ctx.own()?;
    ctx.owner()?;
    let write = ctx.writable()?;
    let state = &ctx.state;
    let access = choice;
    let now = backend::Timestamp::now();
    backend::impersonation::set_support_access(&state.db, ctx.tenant_id, access, now).await?;
    let action = backend::audit::Action::SupportAccessChanged;
    ctx.audit(&write, action, access.as_str()).await;
    leptos_axum::redirect("/settings/support?saved=1");
    Ok(())
}
