//! HTTP-level tests of accounts, tenancy and the e-conomic settings forms: the real server on a
//! random port, driven by HTTP clients with cookie jars. Every database test is written once
//! with `db_test!` and runs on a fresh SQLite and a fresh PostgreSQL database.

mod helpers;

mod activity;
mod anonymous;
mod assets;
mod check_config;
mod csrf;
mod data;
mod economic;
mod export_csv;
mod health;
mod history;
mod impersonation;
mod invite;
mod isolation;
mod live_streams;
mod lockout;
mod login;
mod logout;
mod mail;
mod pages;
mod roles;
mod sessions;
mod shared_agreement;
mod signup;
mod small_fixes;
mod staff;
mod staff_cli;
mod support_access;
mod sync_page;
mod throttle;
