//! What the session stores about who is logged in, and the checked view of a tenant user.
//!
//! The bottom of the server-side modules: `session`, `staff` and `impersonation` build on these
//! types and keys, and this module uses none of them.
//!
//! The session keeps the actor (a tenant user or a staff member) apart from the tenant being
//! acted for, so that staff impersonation only sets `acting_tenant` and changes nothing else.

use std::net::IpAddr;

use base64::Engine as _;
use rand::RngCore as _;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Session key of the [`AuthState`].
pub const AUTH_KEY: &str = "auth";
/// Session key of the CSRF token.
pub const CSRF_KEY: &str = "csrf";
/// The form field carrying the CSRF token.
pub const CSRF_FIELD: &str = "csrf_token";
/// The header carrying the CSRF token (for scripts); it wins over the form field.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Cookie holding an anonymous visitor's CSRF nonce (their token is derived from it).
pub const ANONYMOUS_CSRF_COOKIE: &str = "csrf";

/// This request's anonymous CSRF nonce: the visitor's cookie, or a new one that the server sets
/// on the response. Put into request extensions by the server.
#[derive(Clone, Debug)]
pub struct AnonymousCsrf(pub String);

/// The client's address, put into request extensions by the server.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

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

/// A new random token (CSRF tokens and anonymous nonces): 256 bits, URL-safe base64.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A failed session store, logged here and answered as `Internal`.
pub fn internal(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "session store failed");
    AppError::Internal
}
