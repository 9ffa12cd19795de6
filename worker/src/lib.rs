//! The sync engine's runtime: workers that claim a tenant's queue of one
//! entity, re-fetch the announced records from e-conomic (the webhook is only a hint) and apply
//! them to the tenant's data. The data and rules live in `backend` ([`backend::queue`],
//! [`backend::records`]); this crate is the loop around them.
//!
//! A webhook, end to end: `server`'s route stores it and rings the [`backend::queue::Signal`]
//! → [`runner::Worker`] wakes and claims the queue → [`jobs::run`] groups the events by record
//! and fetches them ([`jobs::fetch`]) → the records are upserted and the events finished in one
//! fenced transaction.
//!
//! Sync runs go the same way: [`scheduler`] (or a tenant's "Sync now", or connecting) creates
//! a run → a worker claims it under the same lease → [`jobs::runs`] reads e-conomic's list a
//! page at a time and stores each page with the same upserts.

pub mod alerts;
pub mod environment;
pub mod health;
pub mod jobs;
pub mod listener;
pub mod managed_webhooks;
pub mod periodic;
pub mod retention;
pub mod retry;
pub mod runner;
pub mod scheduler;

pub use environment::{Environment, HealthConfig, SyncConfig, WorkerConfig};
pub use health::Watch;
pub use periodic::periodic;
pub use retry::RetryPolicy;
pub use runner::{Worker, run_pending_jobs};
