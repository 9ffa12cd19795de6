//! `POST /webhooks/economic/{tenant_id}/{kind}/{token}`: e-conomic's webhook calls.
//!
//! The path of a webhook, kept short on purpose: verify the credential → parse → store the event
//! (committed, [`writer`]) → 2xx. Applying it is the `worker` crate's job: the writer rings the
//! workers after its commit. Outside the session and CSRF layers:
//! e-conomic has no session and never signs; the credential in the URL is the authentication.
//!
//! Answers: 200 stored (`received`, or `ignored` when the kind is not enabled or e-conomic is not
//! connected); 200 too for an authenticated request we cannot use (stored once as `rejected`:
//! e-conomic retries every non-2xx and disables a webhook that keeps failing, so one odd product
//! number must not switch off a tenant's live sync); 404 for an unknown tenant, unknown kind, a
//! wrong/expired credential, any other method or any other path under `/webhooks/` (one answer,
//! no hint; such paths never reach the browser routes, whose CSRF layer would log them); 413 body
//! over 64 KiB (nothing stored); 429 after waiting 10 s for the tenant's turn; 503 when the
//! database is unavailable (e-conomic retries).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::ssr::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use backend::events::{self, EventStatus, NewEvent};
use backend::settings::REASON_NOT_CONNECTED;
use backend::{Db, Keys, TenantId, Timestamp, webhook_credentials};
use economic::Entity;
use tokio::sync::Semaphore;

mod cache;
mod writer;

use cache::Cache;
use writer::Failure;
pub use writer::{Wake, Writer};

/// Largest body accepted (e-conomic's `postData` is at most 4000 characters).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Requests of one tenant handled at the same time; more wait their turn.
const TENANT_CONCURRENCY: usize = 64;
/// How long a request waits for its tenant's turn before 429.
const TENANT_WAIT: Duration = Duration::from_secs(10);
/// What a 429 asks e-conomic to wait.
const RETRY_AFTER_SECS: &str = "5";

/// What the handler needs: not the whole [`AppState`].
#[derive(Clone)]
struct Ingest {
    db: Db,
    keys: Keys,
    limiter: Arc<TenantLimiter>,
    cache: Arc<Cache>,
    writer: Writer,
}

/// The webhook routes, with their own body limit; events are stored through `writer`.
pub fn router(state: &AppState, writer: Writer) -> Router<AppState> {
    let ingest = Ingest {
        db: state.db.clone(),
        keys: state.keys.clone(),
        limiter: Arc::new(TenantLimiter::default()),
        cache: Arc::new(Cache::default()),
        writer,
    };
    let webhook = || post(receive).fallback(no_such_webhook);
    Router::new()
        .route("/webhooks/economic/{tenant_id}/{kind}/{token}", webhook())
        // e-conomic keeps the URL as pasted: a trailing slash is the same webhook.
        .route("/webhooks/economic/{tenant_id}/{kind}/{token}/", webhook())
        .route("/webhooks", any(no_such_webhook))
        .route("/webhooks/", any(no_such_webhook))
        .route("/webhooks/{*rest}", any(no_such_webhook))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(ingest)
}

async fn receive(
    State(ingest): State<Ingest>,
    Path((tenant, kind, token)): Path<(String, String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let received_at = Timestamp::now();
    // Parse at the boundary; every failure here is the same 404 as a wrong credential.
    let (Ok(tenant_id), Some(kind)) = (tenant.parse::<TenantId>(), Entity::from_slug(&kind)) else {
        return not_found();
    };
    let outcome = handle(
        &ingest,
        tenant_id,
        kind,
        &token,
        &uri,
        &headers,
        body,
        received_at,
    )
    .await;
    let status = outcome.status();
    let stored = outcome.extensions().get::<EventStatus>().copied();
    let result = match (stored, status.as_u16()) {
        (Some(event), _) => event.as_str(),
        (None, 404) => "not_found",
        (None, 429) => "throttled",
        (None, 503) => "unavailable",
        (None, _) => "error",
    };
    metrics::counter!("inventory_sync_webhooks_received_total", "kind" => kind.as_str(), "outcome" => result)
        .increment(1);
    metrics::histogram!("inventory_sync_webhook_ingest_seconds", "kind" => kind.as_str())
        .record(started.elapsed().as_secs_f64());
    tracing::info!(
        tenant = %tenant_id,
        kind = kind.as_str(),
        status = status.as_u16(),
        latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "webhook"
    );
    outcome
}

#[allow(clippy::too_many_arguments)]
async fn handle(
    ingest: &Ingest,
    tenant_id: TenantId,
    kind: Entity,
    token: &str,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
    received_at: Timestamp,
) -> Response {
    if token.len() != webhook_credentials::TOKEN_LEN {
        return not_found();
    }
    let verified = ingest
        .cache
        .verify(
            &ingest.db,
            &ingest.keys,
            tenant_id,
            kind,
            token,
            received_at,
        )
        .await;
    let verified = match verified {
        Ok(Some(verified)) => verified,
        Ok(None) => return not_found(),
        Err(e) => return unavailable(&e),
    };
    // Only verified requests take a place in the tenant's queue: forged ones cannot crowd it.
    let Some(_permit) = ingest.limiter.acquire(tenant_id).await else {
        return too_many();
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let query = uri.query();
    let parsed = economic::webhook::parse(kind, query, content_type.as_deref(), &body);
    let ignored = match verified.connected {
        false => Some(REASON_NOT_CONNECTED),
        true => verified.settings.disabled_reason(kind),
    };
    let (status, action, reason) = match (ignored, parsed) {
        (Some(reason), parsed) => (EventStatus::Ignored, parsed.ok(), Some(reason.to_owned())),
        (None, Ok(action)) => (EventStatus::Received, Some(action), None),
        (None, Err(e)) => (EventStatus::Rejected, None, Some(e.to_string())),
    };
    let event = NewEvent {
        kind,
        status,
        action,
        content_type,
        // The query string only: the credential is in the path and never stored.
        raw_query: query.map(str::to_owned),
        raw_body: body.to_vec(),
        reason: reason.map(|r| events::cap_reason(&r)),
        received_at,
    };
    // e-conomic sends a request it got no 2xx for again; we answer 2xx, but a forged or odd
    // client may repeat it too: an identical rejected request is stored once per window.
    if event.status == EventStatus::Rejected {
        match events::recent_rejected(&ingest.db, tenant_id, &event).await {
            Ok(Some(id)) => return answer(id, event.status, event.reason.as_deref()),
            Ok(None) => {}
            Err(e) => return unavailable(&e),
        }
    }
    let (status, reason) = (event.status, event.reason.clone());
    // Committed before we answer (group commit): a 2xx promises e-conomic the event is durable.
    match ingest.writer.store(tenant_id, event).await {
        Ok(id) => answer(id, status, reason.as_deref()),
        Err(Failure::Db(e)) => unavailable(&e),
        Err(Failure::Stopped) => retry_later(StatusCode::SERVICE_UNAVAILABLE),
    }
}

/// 200 with what became of the request. A rejected one is a 2xx too: e-conomic would retry a
/// body that can never succeed and, after repeated failures, disable the whole webhook.
fn answer(id: events::EventId, status: EventStatus, reason: Option<&str>) -> Response {
    let body = serde_json::json!({ "status": status.as_str(), "event_id": id, "reason": reason });
    let mut response = (StatusCode::OK, axum::Json(body)).into_response();
    // For the metrics in `receive`: what the request became.
    response.extensions_mut().insert(status);
    response
}

/// Any other path or method under `/webhooks/`: the same answer as a wrong credential.
async fn no_such_webhook() -> Response {
    not_found()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}

fn too_many() -> Response {
    let mut response = (StatusCode::TOO_MANY_REQUESTS, "too many requests").into_response();
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_static(RETRY_AFTER_SECS),
    );
    response
}

/// A database failure: 503 so that e-conomic retries later (500 for our own bugs).
fn unavailable(error: &backend::Error) -> Response {
    tracing::error!(error = ?error, "webhook ingest failed");
    retry_later(match error {
        backend::Error::Database(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    })
}

fn retry_later(status: StatusCode) -> Response {
    let mut response = (status, "temporarily unavailable").into_response();
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_static(RETRY_AFTER_SECS),
    );
    response
}

/// Per-tenant concurrency: one tenant's burst waits for its own permits and never takes the
/// whole database pool from the others; a burst the database can absorb is only delayed.
#[derive(Default)]
struct TenantLimiter {
    tenants: Mutex<HashMap<TenantId, Arc<Semaphore>>>,
}

impl TenantLimiter {
    /// A permit for `tenant`, waiting up to [`TENANT_WAIT`]; `None` when that ran out.
    async fn acquire(&self, tenant: TenantId) -> Option<tokio::sync::OwnedSemaphorePermit> {
        let semaphore = {
            // A std mutex held only to look up or insert: never across an await.
            let mut tenants = self.tenants.lock().unwrap_or_else(|e| e.into_inner());
            tenants
                .entry(tenant)
                .or_insert_with(|| Arc::new(Semaphore::new(TENANT_CONCURRENCY)))
                .clone()
        };
        tokio::time::timeout(TENANT_WAIT, semaphore.acquire_owned())
            .await
            .ok()?
            .ok()
    }
}
