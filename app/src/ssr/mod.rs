//! Server-only helpers for the server functions: shared state, the session, error mapping.

pub mod device;
pub mod errors;
pub mod format;
pub mod impersonation;
pub mod session;
pub mod staff;
pub mod state;
