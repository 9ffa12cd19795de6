//! Request middleware for the browser-facing routes.

pub mod api_errors;
pub mod client_ip;
pub mod csrf;
pub mod headers;
pub mod impersonation;
pub mod referer;
pub mod require_login;
