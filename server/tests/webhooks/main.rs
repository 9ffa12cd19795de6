//! The webhook endpoint end to end: the real server on port 0 over a fresh SQLite and PostgreSQL
//! database, driven with reqwest (and by the e-conomic simulator itself).

mod helpers;

mod backup;
mod body_forms;
mod durability;
mod hardening;
mod health;
mod processes;
mod real_economic;
mod reconcile;
mod runs;
mod simulator;
mod sync;
mod trust;
mod webhooks_api;
