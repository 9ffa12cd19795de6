//! The staff pages (F17): log-in in two steps and the dashboard.

pub mod dashboard;
pub mod login;
pub mod verify;
