//! The staff pages: log-in in two steps, the dashboard and a tenant's page.

pub mod dashboard;
pub mod login;
pub mod managed_webhooks;
pub mod outbox;
pub mod tenant;
pub mod verify;
