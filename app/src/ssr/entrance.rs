//! The entrance of every server function: one call that checks who is asking and yields what
//! the function works with, and proofs of what it may do.
//!
//! - [`Visitor`]: anyone (log in, sign up, the session's own view).
//! - [`Tenant`]: a tenant user acting for their company (or support staff impersonating it),
//!   checked against the database on this request.
//! - [`Staff`]: a staff member on the staff side.
//!
//! Each comes as a read (`read()`, for GET functions) or a change (`change(csrf_token)`, for
//! state-changing ones): a change checks the form's CSRF token against the session's — the
//! server's CSRF layer checked it before the function ran; this is the second look, in the one
//! place that reads the token — and only a change can prove [`Writable`]. The proofs
//! ([`Manager`], [`Writable`], [`Own`], [`Owner`]) are values only the checks make, and the
//! helpers that act with the company's authority demand them: [`Tenant::audit`] and
//! `api::managed_webhooks`'s target need a [`Writable`], the webhook URLs (credentials) a
//! [`Manager`].

use std::marker::PhantomData;
use std::ops::Deref;

use subtle::ConstantTimeEq as _;
use tower_sessions::Session;

use super::auth::{AnonymousCsrf, CSRF_HEADER, CSRF_KEY, TenantUser, internal};
use super::session;
use super::staff::{self, StaffMember};
use super::state::{AppState, app_state};
use crate::api::CsrfToken;
use crate::error::AppError;

/// A request that changes nothing (a GET server function).
#[derive(Debug)]
pub enum Read {}

/// A state-changing request whose CSRF token was checked.
#[derive(Debug)]
pub enum Change {}

/// Anyone: the server's state and the session.
pub struct Visitor<K> {
    /// The server's state.
    pub state: AppState,
    /// The session (logged in or not).
    pub session: Session,
    kind: PhantomData<K>,
}

impl Visitor<Read> {
    /// The entrance of a read.
    pub async fn read() -> Result<Self, AppError> {
        Ok(Visitor::read_in(app_state()?, session::current().await?))
    }

    /// The entrance of a read on a plain route (an axum handler, outside Leptos' context).
    pub fn read_in(state: AppState, session: Session) -> Self {
        Visitor {
            state,
            session,
            kind: PhantomData,
        }
    }
}

impl Visitor<Change> {
    /// The entrance of a change: refused with [`AppError::Csrf`] unless the request's token is
    /// the session's (before login: the one derived from the visitor's CSRF cookie). The
    /// token is `token` (the form's field), or the `X-CSRF-Token` header when a script sent
    /// one, as the server's CSRF layer reads it.
    pub async fn change(token: CsrfToken) -> Result<Self, AppError> {
        let (state, session) = (app_state()?, session::current().await?);
        let headers = leptos_axum::extract::<http::HeaderMap>()
            .await
            .unwrap_or_default();
        let sent = headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(token.as_str());
        let anonymous = leptos_axum::extract::<axum::Extension<AnonymousCsrf>>()
            .await
            .ok()
            .map(|nonce| nonce.0);
        Visitor::change_in(state, session, sent, anonymous.as_ref()).await
    }

    /// The entrance of a change on a plain route: `token` as the request sent it (the header,
    /// else the form field), `anonymous` the visitor's CSRF nonce if the server put one in the
    /// request.
    pub async fn change_in(
        state: AppState,
        session: Session,
        token: &str,
        anonymous: Option<&AnonymousCsrf>,
    ) -> Result<Self, AppError> {
        let expected = match session.get::<String>(CSRF_KEY).await.map_err(internal)? {
            Some(token) => Some(token),
            None => anonymous.map(|nonce| state.keys.anonymous_csrf_token(&nonce.0)),
        };
        let valid = expected
            .is_some_and(|expected| bool::from(expected.as_bytes().ct_eq(token.as_bytes())));
        if !valid {
            tracing::warn!("request refused: CSRF token missing or wrong");
            return Err(AppError::Csrf);
        }
        Ok(Visitor {
            state,
            session,
            kind: PhantomData,
        })
    }
}

impl<K> Visitor<K> {
    /// The tenant user behind the session; [`AppError::NotAuthenticated`] if there is none.
    pub async fn tenant(self) -> Result<Tenant<K>, AppError> {
        let user = session::tenant_user(&self.state, &self.session).await?;
        Ok(Tenant {
            state: self.state,
            session: self.session,
            user,
            kind: PhantomData,
        })
    }

    /// The staff member behind the session, on the staff side (refused while impersonating).
    pub async fn staff(self) -> Result<Staff<K>, AppError> {
        let member = staff::member(&self.state, &self.session).await?;
        Ok(Staff {
            state: self.state,
            session: self.session,
            member,
            kind: PhantomData,
        })
    }
}

/// A tenant user acting for their company, checked against the database on this request (so
/// a removed member loses access at once). Dereferences to the [`TenantUser`]: `ctx.tenant_id`,
/// `ctx.role`.
pub struct Tenant<K> {
    /// The server's state.
    pub state: AppState,
    /// The session.
    pub session: Session,
    user: TenantUser,
    kind: PhantomData<K>,
}

impl Tenant<Read> {
    /// The entrance of a tenant's read.
    pub async fn read() -> Result<Self, AppError> {
        Visitor::read().await?.tenant().await
    }
}

impl Tenant<Change> {
    /// The entrance of a tenant's change (CSRF token checked).
    pub async fn change(token: CsrfToken) -> Result<Self, AppError> {
        Visitor::change(token).await?.tenant().await
    }

    /// Proof that this request may change the company's data: refused while support staff
    /// impersonate without write access. (The server's impersonation layer refuses every
    /// state-changing request of such a session before it gets here; this is the second check.)
    pub fn writable(&self) -> Result<Writable, AppError> {
        match self.user.support {
            Some(support) if !support.elevated => Err(AppError::ReadOnlySupport),
            Some(_) | None => Ok(Writable(())),
        }
    }

    /// Proof that this is the company's own person, not support staff (even with write access):
    /// switching company, managing the team (an invite would let staff in for good).
    pub fn own(&self) -> Result<Own, AppError> {
        match self.user.support {
            Some(_) => Err(AppError::NotForSupport),
            None => Ok(Own(())),
        }
    }

    /// Records in the company's audit log that this user did `action`. A failed write of the log
    /// is logged and does not undo (or fail) what was done.
    pub async fn audit(&self, _: &Writable, action: backend::audit::Action, detail: &str) {
        let actor = match self.user.support {
            Some(support) => backend::audit::Actor::Impersonating {
                staff: support.staff_id,
                user: self.user.user_id,
            },
            None => backend::audit::Actor::User(self.user.user_id),
        };
        record(
            &self.state,
            Some(self.user.tenant_id),
            actor,
            action,
            detail,
        )
        .await;
    }
}

impl<K> Tenant<K> {
    /// Proof that the user manages the company (its owner or an admin): connection, settings,
    /// webhook URLs (credentials), invites, replays and sync requests.
    pub fn manager(&self) -> Result<Manager, AppError> {
        if self.user.role.manages() {
            Ok(Manager(()))
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Proof that the user is the company's owner.
    pub fn owner(&self) -> Result<Owner, AppError> {
        if self.user.role == backend::Role::Owner {
            Ok(Owner(()))
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl<K> Deref for Tenant<K> {
    type Target = TenantUser;

    fn deref(&self) -> &TenantUser {
        &self.user
    }
}

/// A staff member on the staff side, checked on this request.
pub struct Staff<K> {
    /// The server's state.
    pub state: AppState,
    /// The session.
    pub session: Session,
    /// Who.
    pub member: StaffMember,
    kind: PhantomData<K>,
}

impl Staff<Read> {
    /// The entrance of a staff read.
    pub async fn read() -> Result<Self, AppError> {
        Visitor::read().await?.staff().await
    }
}

impl Staff<Change> {
    /// The entrance of a staff change (CSRF token checked).
    pub async fn change(token: CsrfToken) -> Result<Self, AppError> {
        Visitor::change(token).await?.staff().await
    }

    /// Records in `tenant`'s audit log (or the staff log, for `None`) that this staff member did
    /// `action`; a failed write is logged only.
    pub async fn audit(
        &self,
        tenant: Option<backend::TenantId>,
        action: backend::audit::Action,
        detail: &str,
    ) {
        let actor = backend::audit::Actor::Staff(self.member.staff_id);
        record(&self.state, tenant, actor, action, detail).await;
    }
}

/// Proof that the user manages the company ([`Tenant::manager`]).
#[derive(Debug)]
pub struct Manager(());

/// Proof that the request may change the company's data ([`Tenant::writable`]).
#[derive(Debug)]
pub struct Writable(());

/// Proof that the user is the company's own person, not support staff ([`Tenant::own`]).
#[derive(Debug)]
pub struct Own(());

/// Proof that the user is the company's owner ([`Tenant::owner`]).
#[derive(Debug)]
pub struct Owner(());

/// Writes one audit log entry; a failure is logged and otherwise ignored (the log records what
/// was done, it must not undo it).
pub async fn record(
    state: &AppState,
    tenant: Option<backend::TenantId>,
    actor: backend::audit::Actor,
    action: backend::audit::Action,
    detail: &str,
) {
    let now = backend::Timestamp::now();
    let recorded = backend::audit::record(&state.db, tenant, actor, action, detail, now).await;
    if let Err(e) = recorded {
        tracing::error!(error = ?e, action = action.as_str(), "audit log write failed");
    }
}
