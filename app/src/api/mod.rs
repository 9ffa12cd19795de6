//! Server functions: the browser's API. Each checks who is asking and calls `backend`.
//!
//! Every state-changing function takes `csrf_token`: the server's CSRF layer checks it before the
//! function runs; the argument exists so that forms and hydrated calls carry it in the body.

pub mod activity;
pub mod auth;
pub mod data;
pub mod economic;
pub mod events;
pub mod health;
pub mod impersonation;
pub mod managed_webhooks;
pub mod rejected;
pub mod revoke;
pub mod session;
pub mod staff;
pub mod staff_tenant;
pub mod sync;
pub mod team;
