//! The session: logging in and out, the CSRF token, and the tenant user behind a session.

use std::net::{IpAddr, Ipv4Addr};

use tower_sessions::Session;

// The session's keys and stored types live in `auth`, below this module and the staff and
// impersonation modules; the server's layers know them by these paths.
pub use super::auth::{
    ANONYMOUS_CSRF_COOKIE, AUTH_KEY, Actor, AnonymousCsrf, AuthState, CSRF_KEY, ClientIp, Support,
    TenantUser,
};
use super::auth::{internal, new_token};

/// Session key of when a tenant user's session began (epoch milliseconds): a password reset
/// ends the sessions that began before it.
pub const STARTED_KEY: &str = "started";
use super::state::AppState;
use crate::error::AppError;

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
    let started: i64 = session
        .get(STARTED_KEY)
        .await
        .map_err(internal)?
        .unwrap_or(0);
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
