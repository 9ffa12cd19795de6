//! Request middleware for the browser-facing routes.

pub mod client_ip;
pub mod csrf;
