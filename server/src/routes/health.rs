//! `/healthz` (the process answers) and `/readyz` (the database answers too, and every
//! background worker started at start-up still runs).

use app::ssr::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

#[derive(Serialize)]
struct Status {
    status: &'static str,
    database: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    workers: Option<WorkerStatus>,
}

#[derive(Serialize)]
struct WorkerStatus {
    started: usize,
    running: usize,
}

async fn healthz() -> Json<Status> {
    Json(Status {
        status: "ok",
        database: None,
        workers: None,
    })
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Status>) {
    let workers = WorkerStatus {
        started: state.workers.started,
        running: state.workers.count(),
    };
    let database = state.db.ping().await;
    if let Err(e) = &database {
        tracing::warn!(error = ?e, "readiness check: database unreachable");
    }
    let workers_ok = workers.running >= workers.started;
    if !workers_ok {
        tracing::warn!(
            started = workers.started,
            running = workers.running,
            "readiness check: a background worker stopped"
        );
    }
    let ready = database.is_ok() && workers_ok;
    let status = Status {
        status: if ready { "ok" } else { "unavailable" },
        database: Some(state.db.backend_name()),
        workers: Some(workers),
    };
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(status))
}
