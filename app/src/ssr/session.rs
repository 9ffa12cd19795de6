//! The session: who is logged in, which tenant they act for, and the CSRF token.
//!
//! The session keeps the actor (a tenant user, or later a staff member) apart from the tenant being
//! acted for, so that staff impersonation only sets `acting_tenant` and changes nothing else.

use std::net::{IpAddr, Ipv4Addr};

use base64::Engine as _;
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::state::AppState;
use crate::error::AppError;

/// Session key of the [`AuthState`].
pub const AUTH_KEY: &str = "auth";
/// Session key of the CSRF token.
pub const CSRF_KEY: &str = "csrf";
/// Session key of when a tenant user's session began (epoch milliseconds): a password reset
/// ends the sessions that began before it.
pub const STARTED_KEY: &str = "started";
/// Cookie holding an anonymous visitor's CSRF nonce (their token is derived from it).
pub const ANONYMOUS_CSRF_COOKIE: &str = "csrf";

/// This request's anonymous CSRF nonce: the visitor's cookie, or a new one that the server sets
/// on the response. Put into request extensions by the server.
#[derive(Clone, Debug)]
pub struct AnonymousCsrf(pub String);

/// Who is behind the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    /// A tenant user, by user id.
    User(i64),
    /// A staff member, by staff id.
    Staff(i64),
}

/// What the session says about authentication.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthState {
    /// Who is logged in.
    pub actor: Actor,
    /// The tenant whose data they see, if any.
    pub acting_tenant: Option<i64>,
}

/// A tenant user acting for their tenant, as checked against the database on this request.
#[derive(Clone, Debug)]
pub struct TenantUser {
    /// The tenant acted for.
    pub tenant_id: backend::TenantId,
    /// The user.
    pub user_id: backend::UserId,
    /// The tenant's name.
    pub company: String,
    /// The user's role in the tenant (for support staff: admin, whose changes the impersonation
    /// layer refuses until elevated).
    pub role: backend::Role,
    /// Set when this is a staff member impersonating the tenant; `user_id` is then the owner
    /// acted as.
    pub support: Option<Support>,
}

/// The staff side of an impersonating session.
#[derive(Clone, Copy, Debug)]
pub struct Support {
    /// The staff member responsible.
    pub staff_id: backend::StaffId,
    /// The impersonation.
    pub impersonation: backend::impersonation::ImpersonationId,
    /// Whether write access was granted.
    pub elevated: bool,
}

/// The client's address, put into request extensions by the server.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

/// The session of the current request.
pub async fn current() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "session layer missing");
        AppError::Internal
    })
}

/// The client's address (unspecified if the server did not record one).
pub async fn client_ip() -> IpAddr {
    leptos_axum::extract::<axum::Extension<ClientIp>>()
        .await
        .map(|ip| ip.0.0)
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// The CSRF token forms must send back: the session's once logged in; before that one derived
/// from the visitor's CSRF cookie, so that showing the login page stores no session.
pub async fn csrf_token(state: &AppState, session: &Session) -> Result<String, AppError> {
    if let Some(token) = session.get::<String>(CSRF_KEY).await.map_err(internal)? {
        return Ok(token);
    }
    let nonce = leptos_axum::extract::<axum::Extension<AnonymousCsrf>>()
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "anonymous CSRF layer missing");
            AppError::Internal
        })?;
    Ok(state.keys.anonymous_csrf_token(&nonce.0.0))
}

/// A new random anonymous CSRF nonce.
pub fn new_anonymous_nonce() -> String {
    new_token()
}

/// Logs `user` in, acting for `tenant`, under a new session id and a new CSRF token.
pub async fn start(
    session: &Session,
    user: backend::UserId,
    tenant: backend::TenantId,
) -> Result<(), AppError> {
    // A new id defeats session fixation: an id planted before login is worthless after it.
    session.cycle_id().await.map_err(internal)?;
    let auth = AuthState {
        actor: Actor::User(user.get()),
        acting_tenant: Some(tenant.get()),
    };
    session.insert(AUTH_KEY, &auth).await.map_err(internal)?;
    session
        .insert(CSRF_KEY, new_token())
        .await
        .map_err(internal)?;
    session
        .insert(STARTED_KEY, backend::Timestamp::now().as_millis())
        .await
        .map_err(internal)?;
    Ok(())
}

/// Ends the session: deletes it from the store and expires the cookie.
pub async fn end(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(internal)
}

/// The tenant user behind this session, checked against the database on every call so that a
/// removed member loses access at once.
pub async fn tenant_user(state: &AppState, session: &Session) -> Result<TenantUser, AppError> {
    let auth: AuthState = session
        .get(AUTH_KEY)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotAuthenticated)?;
    let (user, tenant) = match (auth.actor, auth.acting_tenant) {
        (Actor::User(user), Some(tenant)) => (user, tenant),
        (Actor::Staff(_), Some(tenant)) => {
            return super::impersonation::tenant_user(state, session, tenant).await;
        }
        (_, None) => return Err(AppError::NotAuthenticated),
    };
    let (user_id, tenant_id) = (backend::UserId::new(user), backend::TenantId::new(tenant));
    // Sessions from before this key existed count as begun at the epoch.
    let started: i64 = session.get(STARTED_KEY).await.map_err(internal)?.unwrap_or(0);
    let started = backend::Timestamp::from_millis(started);
    let membership =
        match backend::accounts::session_membership(&state.db, tenant_id, user_id, started).await {
            Ok(m) => m,
            Err(backend::Error::NotFound) => {
                // No longer a member, or the password was reset since: this session is over.
                end(session).await?;
                return Err(AppError::NotAuthenticated);
            }
            Err(e) => return Err(e.into()),
        };
    Ok(TenantUser {
        tenant_id,
        user_id,
        company: membership.company_name.to_string(),
        role: membership.role,
        support: None,
    })
}

/// Records in the tenant's audit log that this user did `action`. A failed write of the log is
/// logged and does not undo (or fail) what was done.
pub async fn audit(
    state: &AppState,
    ctx: &TenantUser,
    action: backend::audit::Action,
    detail: &str,
) {
    let actor = match ctx.support {
        Some(support) => backend::audit::Actor::Impersonating {
            staff: support.staff_id,
            user: ctx.user_id,
        },
        None => backend::audit::Actor::User(ctx.user_id),
    };
    let now = backend::Timestamp::now();
    let recorded =
        backend::audit::record(&state.db, Some(ctx.tenant_id), actor, action, detail, now).await;
    if let Err(e) = recorded {
        tracing::error!(error = ?e, action = action.as_str(), "audit log write failed");
    }
}

/// Refuses unless the user manages the company (its owner or an admin): connection, settings,
/// webhook URLs (credentials), invites, replays and sync requests.
pub fn require_manager(ctx: &TenantUser) -> Result<(), AppError> {
    if ctx.role.manages() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Refuses changes while support staff impersonate without write access. The server's
/// impersonation layer refuses every state-changing request of such a session before it gets
/// here; this is the second check, in the function itself.
pub fn require_write(ctx: &TenantUser) -> Result<(), AppError> {
    match ctx.support {
        Some(support) if !support.elevated => Err(AppError::ReadOnlySupport),
        Some(_) | None => Ok(()),
    }
}

/// Refuses what only the tenant's own people may do, even when support staff have write access:
/// switching company, managing the team (an invite would let staff in for good).
pub fn require_own_session(ctx: &TenantUser) -> Result<(), AppError> {
    match ctx.support {
        Some(_) => Err(AppError::NotForSupport),
        None => Ok(()),
    }
}

pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn internal(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "session store failed");
    AppError::Internal
}
