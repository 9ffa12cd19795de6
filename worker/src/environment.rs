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
    /// The sync runs' schedule and the API budget.
    pub sync: SyncConfig,
    /// The health sweep, the webhook checks and the alerts.
    pub health: HealthConfig,
}

/// How often health is looked at, and the model's thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthConfig {
    /// Between two detection sweeps across all tenants.
    pub sweep_every: Duration,
    /// Between two looks at a tenant's managed webhooks in e-conomic (one list call each).
    pub webhook_check_every: Duration,
    /// How long an alert webhook receiver may take to answer.
    pub alert_timeout: Duration,
    /// The model's thresholds.
    pub model: backend::health::Config,
}

impl Default for HealthConfig {
    fn default() -> Self {
        HealthConfig {
            sweep_every: Duration::from_secs(60),
            webhook_check_every: Duration::from_secs(300),
            alert_timeout: Duration::from_secs(10),
            model: backend::health::Config::default(),
        }
    }
}

/// When sync runs are due, and the API budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncConfig {
    /// Between two hourly runs of a tenant's entity.
    pub hourly: Duration,
    /// Between two reconciliations of a tenant's entity.
    pub reconcile: Duration,
    /// e-conomic calls a tenant may make in 24 hours.
    pub daily_call_limit: u32,
    /// Days of booked invoices the first import brings.
    pub invoice_import_days: u32,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            hourly: Duration::from_secs(3600),
            reconcile: Duration::from_secs(86_400),
            daily_call_limit: backend::sync::budget::DAILY_LIMIT,
            invoice_import_days: 90,
        }
    }
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
            sync: SyncConfig::default(),
            health: HealthConfig::default(),
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
