//! The operator's `/metrics` (Prometheus text format), behind a bearer token.
//!
//! Counters and histograms are recorded where things happen, through the `metrics` facade
//! (webhooks here in the server, attempts and sync runs in `backend`, e-conomic calls in the
//! client); the exporter renders them. Queue depth and age and the active sessions are read from
//! the database at scrape time. Without `METRICS_TOKEN` the route answers 404, so nothing is
//! public by accident.

use std::sync::OnceLock;

use app::ssr::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use subtle::ConstantTimeEq as _;

/// The token `/metrics` wants as `Authorization: Bearer …`, if metrics are on.
#[derive(Clone)]
pub struct MetricsToken(pub Option<String>);

/// The process's recorder (one per process: the tests start many applications in one).
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let buckets = [
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ];
        let builder = PrometheusBuilder::new()
            .set_buckets(&buckets)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        match builder.install_recorder() {
            Ok(handle) => handle,
            // Another recorder is installed (not ours): render an empty registry.
            Err(e) => {
                tracing::warn!(error = %e, "metrics recorder not installed");
                PrometheusBuilder::new().build_recorder().handle()
            }
        }
    })
}

/// Installs the recorder, so that counters count from start-up on.
pub fn install() {
    handle();
}

/// `GET /metrics`.
pub fn router(token: Option<String>) -> Router<AppState> {
    Router::new()
        .route("/metrics", get(scrape))
        .layer(Extension(MetricsToken(token.filter(|t| !t.is_empty()))))
}

async fn scrape(
    State(state): State<AppState>,
    Extension(token): Extension<MetricsToken>,
    headers: HeaderMap,
) -> Response {
    let Some(expected) = token.0 else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .unwrap_or("");
    if !bool::from(sent.as_bytes().ct_eq(expected.as_bytes())) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response();
    }
    sample(&state).await;
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle().render(),
    )
        .into_response()
}

/// The token of an `Authorization: Bearer <token>` value. The scheme is case-insensitive
/// (RFC 9110, section 11.1): Prometheus and curl users write `bearer` too.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim_start())
}

/// The gauges read from the database.
async fn sample(state: &AppState) {
    use backend::events::EventStatus;
    let now = backend::Timestamp::now().as_millis();
    match backend::events::queue_depth(&state.db).await {
        Ok(rows) => {
            for status in [
                EventStatus::Received,
                EventStatus::Queued,
                EventStatus::Processing,
                EventStatus::Failed,
                EventStatus::Dead,
            ] {
                let row = rows.iter().find(|(s, _, _)| *s == status);
                let depth = row.map_or(0, |(_, n, _)| *n);
                let age = row
                    .and_then(|(_, _, oldest)| *oldest)
                    .map_or(0.0, |at| (now - at.as_millis()).max(0) as f64 / 1000.0);
                let label = status.as_str();
                metrics::gauge!("inventory_sync_queue_depth", "status" => label).set(depth as f64);
                metrics::gauge!("inventory_sync_queue_oldest_age_seconds", "status" => label)
                    .set(age);
            }
        }
        Err(e) => tracing::warn!(error = ?e, "metrics: queue depth unavailable"),
    }
    match crate::sessions::active(&state.db).await {
        Ok(n) => metrics::gauge!("inventory_sync_sessions_active").set(n as f64),
        Err(e) => tracing::warn!(error = %e, "metrics: session count unavailable"),
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn the_scheme_is_case_insensitive() {
        for value in ["Bearer s3cret", "bearer s3cret", "BEARER  s3cret"] {
            assert_eq!(bearer_token(value), Some("s3cret"), "{value}");
        }
        assert_eq!(bearer_token("Basic s3cret"), None);
        assert_eq!(bearer_token("Bearers3cret"), None);
    }
}
