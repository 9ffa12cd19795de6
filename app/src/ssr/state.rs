//! The state every request can reach.

use axum::extract::FromRef;
use leptos::prelude::*;

use crate::error::AppError;

/// Shared application state, handed to axum and provided to every server function.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Leptos' own settings (site root, addresses).
    pub leptos_options: LeptosOptions,
    /// The database.
    pub db: backend::Db,
    /// The address people and e-conomic reach us at, without a trailing slash.
    pub public_url: String,
    /// The server's secret keys (grant tokens at rest, webhook URL credentials).
    pub keys: backend::Keys,
    /// The e-conomic REST client (configured base URL and app secret token).
    pub economic: backend::economic::Client,
    /// Wakes this process's sync workers (after a replay).
    pub signal: backend::queue::Signal,
    /// e-conomic calls a tenant may make in 24 hours (the API budget shown on the Sync page).
    pub daily_call_limit: u32,
    /// The sync health model's thresholds (the home page assesses with them).
    pub health: backend::health::Config,
    /// Demo mode: an alert webhook may be plain http (a receiver on this machine).
    #[from_ref(skip)]
    pub demo: bool,
    /// Sign-ups and invite acceptances one client address may attempt per throttle window.
    pub sign_ups_per_ip: i64,
    /// How long a staff session lasts without a request before it ends by itself.
    pub staff_idle_secs: u64,
    /// The background workers, for `/readyz`.
    pub workers: Workers,
    /// How many minutes an impersonation lasts.
    #[from_ref(skip)]
    pub impersonation_minutes: u32,
    /// Demo mode only: the page of the bundled e-conomic simulator, shown next to the connect
    /// form so that a new user knows where "e-conomic" is.
    pub demo_simulator_page: Option<String>,
    /// Demo mode only: the page of the bundled mail catcher, where every mail sent shows, so
    /// that a new user can follow the links of sign-up and password reset.
    #[from_ref(skip)]
    pub demo_mail_page: Option<String>,
}

/// How many of the process's background workers (sync workers, scheduler, retention, the
/// notification listener) were started and how many still run.
#[derive(Clone, Debug, Default)]
pub struct Workers {
    /// Started at start-up (0 with `--no-worker`).
    pub started: usize,
    /// Still running: each task holds a [`WorkerRunning`] while it runs.
    pub running: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Workers {
    /// Marks one task as running until the returned guard is dropped (when the task ends,
    /// however it ends).
    pub fn running(&self) -> WorkerRunning {
        self.running
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        WorkerRunning(self.running.clone())
    }

    /// How many run now.
    pub fn count(&self) -> usize {
        self.running.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Held by a running worker task.
#[derive(Debug)]
pub struct WorkerRunning(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Drop for WorkerRunning {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The `AppState` of the current request.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })
}
