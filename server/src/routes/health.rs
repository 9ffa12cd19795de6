//! `/healthz` (the process answers) and `/readyz` (the database answers too).

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
}

async fn healthz() -> Json<Status> {
    Json(Status {
        status: "ok",
        database: None,
    })
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Status>) {
    match state.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(Status {
                status: "ok",
                database: Some(state.db.backend_name()),
            }),
        ),
        Err(e) => {
            tracing::warn!(error = ?e, "readiness check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Status {
                    status: "unavailable",
                    database: Some(state.db.backend_name()),
                }),
            )
        }
    }
}
