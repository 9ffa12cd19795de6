//! Staff sessions: the password, then the second factor, then the dashboard.
//!
//! Between the two steps the session holds only a short-lived "password checked" mark, which no
//! page treats as logged in. A full staff session is an [`AuthState`] with a staff actor and no
//! tenant (so every tenant page refuses it), and it ends by itself after
//! [`AppState::staff_idle_secs`] without a request. A disabled account's sessions end at their
//! next request.

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::auth::{AUTH_KEY, Actor, AuthState, CSRF_KEY, internal, new_token};
use super::state::AppState;
use crate::error::AppError;

/// Session key of the mark that the password was right and the second factor is due.
pub const PENDING_KEY: &str = "staff_pending";
/// Session key of the time (epoch ms) of the staff session's last request.
pub const SEEN_KEY: &str = "staff_seen";
/// How long the second step may take after the password.
const PENDING_MILLIS: i64 = 5 * 60 * 1000;

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Pending {
    staff_id: i64,
    since: i64,
    /// The one-time enrolment link's token, when the log-in came through it.
    #[serde(default)]
    enrol: Option<String>,
}

/// A logged-in staff member, as checked on this request.
#[derive(Clone, Debug)]
pub struct StaffMember {
    /// Who.
    pub staff_id: backend::StaffId,
    /// Their name.
    pub name: String,
}

/// The password was right: the second factor is due next, under a new session id. `enrol` is
/// the enrolment link's token, when the log-in came through it.
pub async fn begin(
    session: &Session,
    staff_id: backend::StaffId,
    enrol: Option<String>,
) -> Result<(), AppError> {
    session.cycle_id().await.map_err(internal)?;
    let pending = Pending {
        staff_id: staff_id.get(),
        since: backend::Timestamp::now().as_millis(),
        enrol,
    };
    session.insert(PENDING_KEY, pending).await.map_err(internal)
}

/// The staff member whose password was checked in this session a moment ago.
pub async fn pending(session: &Session) -> Result<backend::StaffId, AppError> {
    Ok(backend::StaffId::new(pending_mark(session).await?.staff_id))
}

/// The enrolment link's token the pending log-in came with (empty if none: refused later).
pub async fn pending_enrolment_link(session: &Session) -> Result<String, AppError> {
    Ok(pending_mark(session).await?.enrol.unwrap_or_default())
}

async fn pending_mark(session: &Session) -> Result<Pending, AppError> {
    let pending: Pending = session
        .get(PENDING_KEY)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotAuthenticated)?;
    if backend::Timestamp::now().as_millis() - pending.since > PENDING_MILLIS {
        return Err(AppError::NotAuthenticated);
    }
    Ok(pending)
}

/// Both factors checked: a staff session under a new id and a new CSRF token.
pub async fn complete(session: &Session, staff_id: backend::StaffId) -> Result<(), AppError> {
    session.cycle_id().await.map_err(internal)?;
    session
        .remove::<Pending>(PENDING_KEY)
        .await
        .map_err(internal)?;
    let auth = AuthState {
        actor: Actor::Staff(staff_id.get()),
        acting_tenant: None,
    };
    session.insert(AUTH_KEY, &auth).await.map_err(internal)?;
    session
        .insert(CSRF_KEY, new_token())
        .await
        .map_err(internal)?;
    session
        .insert(SEEN_KEY, backend::Timestamp::now().as_millis())
        .await
        .map_err(internal)
}

/// The staff member behind this session, on the staff side: refused while they impersonate a
/// tenant (stop first), so no staff page or function is reachable from inside an impersonation.
pub async fn member(state: &AppState, session: &Session) -> Result<StaffMember, AppError> {
    let auth: AuthState = session
        .get(AUTH_KEY)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotAuthenticated)?;
    if matches!(auth.actor, Actor::Staff(_)) && auth.acting_tenant.is_some() {
        return Err(AppError::Impersonating);
    }
    checked(state, session, auth).await
}

/// The staff member behind this session, impersonating or not; an idle or disabled one's
/// session is ended here.
pub(crate) async fn checked(
    state: &AppState,
    session: &Session,
    auth: AuthState,
) -> Result<StaffMember, AppError> {
    let Actor::Staff(staff_id) = auth.actor else {
        return Err(AppError::NotAuthenticated);
    };
    let now = backend::Timestamp::now().as_millis();
    let seen: i64 = session.get(SEEN_KEY).await.map_err(internal)?.unwrap_or(0);
    let idle_millis = i64::try_from(state.staff_idle_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let staff = match backend::staff::get(&state.db, backend::StaffId::new(staff_id)).await {
        Ok(staff) => Some(staff),
        Err(backend::Error::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let active = staff.filter(|s| s.disabled_at.is_none() && now - seen <= idle_millis);
    let Some(staff) = active else {
        session.flush().await.map_err(internal)?;
        return Err(AppError::NotAuthenticated);
    };
    session.insert(SEEN_KEY, now).await.map_err(internal)?;
    Ok(StaffMember {
        staff_id: staff.id,
        name: staff.name,
    })
}
