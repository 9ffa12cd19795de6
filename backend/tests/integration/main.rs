//! The backend's one integration test binary. Every database test is written once with
//! `db_test!` and runs on a fresh SQLite and a fresh PostgreSQL database.

mod helpers;

mod accounts;
mod concurrency;
mod db;
mod invites;
mod parsing;
mod staff_audit;
mod tenancy;
mod throttling;
