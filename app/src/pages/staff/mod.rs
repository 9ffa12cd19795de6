//! The staff pages (F17): log-in in two steps, the dashboard and a tenant's page.

pub mod dashboard;
pub mod login;
pub mod outbox;
pub mod tenant;
pub mod verify;
pub mod webhook_health;
