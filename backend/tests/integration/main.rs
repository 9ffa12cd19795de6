//! The backend's one integration test binary. Every database test is written once with
//! `db_test!` and runs on a fresh SQLite and a fresh PostgreSQL database.

mod helpers;

mod accounts;
mod concurrency;
mod db;
mod economic_connection;
mod health;
mod history;
mod invites;
mod mail;
mod parsing;
mod row_level_security;
mod second_factor;
mod shared_agreement;
mod staff_audit;
mod sync_settings;
mod tenancy;
mod throttling;
mod webhook_credentials;
mod webhook_events;
