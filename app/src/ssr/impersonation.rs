//! The session side of staff impersonation: starting and ending it, and the tenant view
//! it gives.
//!
//! An impersonating session is a staff session ([`Actor::Staff`]) with an `acting_tenant` and
//! the impersonation's id under [`IMPERSONATION_KEY`]. The database row is the authority: each
//! request re-reads it, so Stop in another tab, the time limit, the tenant forbidding support
//! access or a disabled staff account take effect at the next request. The session id is cycled
//! at start and at end.

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::auth::{AUTH_KEY, Actor, AuthState, CSRF_KEY, Support, TenantUser, internal, new_token};
use super::staff::{self, SEEN_KEY};
use super::state::AppState;
use crate::error::AppError;

/// Session key of the running impersonation.
pub const IMPERSONATION_KEY: &str = "impersonation";

/// What the session stores: which impersonation of which tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impersonating {
    /// The tenant.
    pub tenant_id: i64,
    /// The impersonation's id.
    pub id: i64,
}

/// The impersonation this session claims to run, if any (not yet checked against the database).
pub async fn claimed(session: &Session) -> Result<Option<Impersonating>, AppError> {
    let auth: Option<AuthState> = session.get(AUTH_KEY).await.map_err(internal)?;
    let Some(AuthState {
        actor: Actor::Staff(_),
        acting_tenant: Some(_),
    }) = auth
    else {
        return Ok(None);
    };
    session.get(IMPERSONATION_KEY).await.map_err(internal)
}

/// Switches a staff session to impersonating `active`, under a new session id and CSRF token.
pub async fn begin(
    session: &Session,
    active: &backend::impersonation::Active,
) -> Result<(), AppError> {
    session.cycle_id().await.map_err(internal)?;
    let auth = AuthState {
        actor: Actor::Staff(active.staff_id.get()),
        acting_tenant: Some(active.tenant_id.get()),
    };
    session.insert(AUTH_KEY, &auth).await.map_err(internal)?;
    let marker = Impersonating {
        tenant_id: active.tenant_id.get(),
        id: active.id,
    };
    session
        .insert(IMPERSONATION_KEY, marker)
        .await
        .map_err(internal)?;
    session
        .insert(CSRF_KEY, new_token())
        .await
        .map_err(internal)
}

/// Ends the impersonation (in the database too) and falls back to the plain staff session,
/// under a new session id and CSRF token. Returns the tenant that was impersonated.
pub async fn finish(
    state: &AppState,
    session: &Session,
    why: backend::impersonation::EndReason,
) -> Result<Option<backend::TenantId>, AppError> {
    let Some(marker) = claimed(session).await? else {
        return Ok(None);
    };
    let auth: AuthState = session
        .get(AUTH_KEY)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotAuthenticated)?;
    let tenant = backend::TenantId::new(marker.tenant_id);
    let now = backend::Timestamp::now();
    backend::impersonation::end(&state.db, tenant, marker.id, why, now).await?;
    if let Actor::Staff(staff) = auth.actor {
        let actor = backend::audit::Actor::Staff(backend::StaffId::new(staff));
        let action = backend::audit::Action::ImpersonationEnded;
        let recorded =
            backend::audit::record(&state.db, Some(tenant), actor, action, why.as_str(), now).await;
        if let Err(e) = recorded {
            tracing::error!(error = ?e, "audit log write failed");
        }
    }
    session.cycle_id().await.map_err(internal)?;
    let staff_session = AuthState {
        actor: auth.actor,
        acting_tenant: None,
    };
    session
        .insert(AUTH_KEY, &staff_session)
        .await
        .map_err(internal)?;
    session
        .remove::<Impersonating>(IMPERSONATION_KEY)
        .await
        .map_err(internal)?;
    session
        .insert(CSRF_KEY, new_token())
        .await
        .map_err(internal)?;
    session
        .insert(SEEN_KEY, now.as_millis())
        .await
        .map_err(internal)?;
    Ok(Some(tenant))
}

/// The tenant view of an impersonating session: the tenant's owner as the user, with an admin's
/// view. Refused once the impersonation is over.
pub(crate) async fn tenant_user(
    state: &AppState,
    session: &Session,
    tenant: i64,
) -> Result<TenantUser, AppError> {
    let auth: AuthState = session
        .get(AUTH_KEY)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotAuthenticated)?;
    let member = staff::checked(state, session, auth).await?;
    let marker = claimed(session)
        .await?
        .filter(|m| m.tenant_id == tenant)
        .ok_or(AppError::NotAuthenticated)?;
    let tenant_id = backend::TenantId::new(tenant);
    let active = match backend::impersonation::active(&state.db, tenant_id, marker.id).await {
        Ok(active) if active.staff_id == member.staff_id => active,
        Ok(_) | Err(backend::Error::NotFound) => return Err(AppError::NotAuthenticated),
        Err(e) => return Err(e.into()),
    };
    if active.expires_at <= backend::Timestamp::now() {
        return Err(AppError::NotAuthenticated);
    }
    Ok(TenantUser {
        tenant_id,
        user_id: active.acting_as,
        company: active.company,
        // An admin's view, so support sees what the company's managers see; what they may change
        // is decided by `support` (read-only until elevated) and never includes the team.
        role: backend::Role::Admin,
        support: Some(Support {
            staff_id: active.staff_id,
            impersonation: active.id,
            elevated: active.elevated,
        }),
    })
}
