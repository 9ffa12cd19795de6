//! Everything the server knows, without a web framework: database access, accounts and tenancy,
//! staff, audit log, the e-conomic connection, sync settings, webhook credentials and events,
//! and the sync engine's data and rules (the queue, sync runs and the API budget, the tenant's records, the
//! stock ledger). `server` and `app` call these functions; they never write SQL themselves.
//!
//! Conventions: every tenant-scoped function takes a [`TenantId`] first after the [`Db`], and
//! another tenant's row is simply [`Error::NotFound`]. Functions that decide by time take a
//! `now: Timestamp`, so tests can move the clock.

#[macro_use]
mod db;
pub mod accounts;
pub mod audit;
mod backup;
pub mod connection;
mod email;
mod error;
pub mod events;
pub mod health;
mod ids;
pub mod impersonation;
pub mod invites;
mod lease;
pub mod mail;
pub mod managed_webhooks;
mod names;
mod password;
pub mod queue;
pub mod records;
pub mod second_factor;
pub mod secrets;
pub mod settings;
pub mod staff;
pub mod sync;
pub mod tenant_health;
pub mod tenants;
pub mod throttle;
mod timestamp;
pub mod webhook_credentials;

#[cfg(feature = "testing")]
pub mod testing;

pub use accounts::Role;
pub use db::{Conn, CrossTenant, Db, LoginPrivileges, Tx};
/// The e-conomic client crate, re-exported so `app` can name its types without a dependency of
/// its own.
pub use economic;
pub use email::Email;
pub use error::{Error, FieldError, Result};
pub use ids::{StaffId, TenantId, UserId};
pub use names::{CompanyName, PersonName};
pub use password::Password;
pub use secrets::Keys;
pub use timestamp::Timestamp;

/// The argon2id parameters every new password hash uses (OWASP minimum).
pub mod password_params {
    pub use crate::password::{ARGON2_M_COST, ARGON2_P_COST, ARGON2_T_COST, MAX_CHARS, MIN_CHARS};
}
