//! Server functions: the browser's API. Each begins at the entrance (`crate::ssr::entrance`),
//! which checks who is asking and yields what the function may work with, then calls `backend`.
//!
//! Every state-changing function takes a [`CsrfToken`] and hands it to the entrance: the
//! server's CSRF layer checks it before the function runs, the entrance once more; the argument
//! exists so that forms and hydrated calls carry it in the body.

pub mod activity;
pub mod auth;
pub mod data;
pub mod economic;
pub mod events;
pub mod health;
pub mod impersonation;
pub mod mail;
pub mod managed_webhooks;
pub mod rejected;
pub mod revoke;
pub mod session;
pub mod staff;
pub mod staff_tenant;
pub mod sync;
pub mod team;

use serde::{Deserialize, Serialize};

/// The CSRF token a state-changing form sends back in its `csrf_token` field (the hidden input
/// of `CsrfField`). Only the entrance reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CsrfToken(String);

impl CsrfToken {
    /// The token as sent.
    #[cfg(feature = "ssr")]
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}
