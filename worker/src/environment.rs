//! What every job needs, built once at start-up (after crates.io's worker `Environment`).

use std::time::Duration;

use backend::queue::Signal;
use backend::{Db, Keys};

use crate::retry::RetryPolicy;

/// The workers' settings (from the server's configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerConfig {
    /// Workers in this process; each works one queue at a time.
    pub workers: usize,
    /// How long a claim holds a queue without a heartbeat; a dead worker's queue waits this
    /// long before another takes it.
    pub lease: Duration,
    /// How often an idle worker looks for work when no notification comes (retries that are
    /// due, other processes' events without `LISTEN`).
    pub poll: Duration,
    /// Most events one claim takes.
    pub batch: u32,
    /// How long a stopping worker may finish its batch before it gives the rest back.
    pub shutdown_grace: Duration,
    /// The retry schedule.
    pub retry: RetryPolicy,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            workers: 2,
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(2),
            batch: 20_000,
            shutdown_grace: Duration::from_secs(10),
            retry: RetryPolicy::default(),
        }
    }
}

/// The shared context of the workers of one process.
#[derive(Debug, Clone)]
pub struct Environment {
    /// The database.
    pub db: Db,
    /// Decrypts the tenants' grant tokens.
    pub keys: Keys,
    /// The e-conomic client.
    pub economic: economic::Client,
    /// Rung by ingest when events arrive.
    pub signal: Signal,
    /// Settings.
    pub config: WorkerConfig,
}

impl Environment {
    /// The lease length as the queue functions take it.
    pub(crate) fn lease(&self) -> time::Duration {
        time::Duration::try_from(self.config.lease).unwrap_or(time::Duration::minutes(1))
    }
}
