//! Server-only helpers for the server functions: the entrance every function begins with, the
//! session beneath it, shared state, error mapping.
//!
//! Layered bottom-up, without circles: `auth` (what the session stores) ← `staff` ←
//! `impersonation` ← `session` ← `entrance`.

pub mod auth;
pub mod entrance;
pub mod errors;
pub mod format;
pub mod impersonation;
pub mod session;
pub mod staff;
pub mod state;
