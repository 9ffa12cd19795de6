//! Authentication (`X-AppSecretToken` + `X-AgreementGrantToken`, 401 otherwise) and the REST
//! fault knobs: latency, per-agreement rate limit, random 429 / 5xx / hang-then-504.

use super::errors::error_response;
use crate::state::Shared;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use rand::Rng;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const UNAUTHORIZED_HINT: &str = "Supply valid X-AppSecretToken and X-AgreementGrantToken headers. Try using the value 'demo' for both to access the demo agreement: https://restapi.e-conomic.com/?demo=true";

/// The request's app secret token and agreement grant token headers, as text.
pub(crate) fn tokens(headers: &axum::http::HeaderMap) -> (Option<String>, Option<String>) {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    (text("x-appsecrettoken"), text("x-agreementgranttoken"))
}

/// Middleware: authenticate, count the call, apply knobs, then run the handler with the
/// agreement slot in the request extensions.
pub(crate) async fn authenticate(
    State(shared): State<Arc<Shared>>,
    mut request: Request,
    next: Next,
) -> Response {
    let (app, grant) = {
        // Scoped so no borrow of the (non-Sync) request lives across an await.
        tokens(request.headers())
    };
    let slot = grant.as_deref().and_then(|g| shared.slot(g));
    let Some(slot) = slot.filter(|_| app.as_deref() == Some(shared.app_secret_token.as_str()))
    else {
        return error_response(
            &shared,
            StatusCode::UNAUTHORIZED,
            "Unauthorized. The X-AppSecretToken or X-AgreementGrantToken is missing or invalid.",
            UNAUTHORIZED_HINT,
            None,
        );
    };
    slot.calls.fetch_add(1, Ordering::Relaxed);
    let knobs = shared.knobs();
    if knobs.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.latency_ms)).await;
    }
    let over = knobs
        .rate_limit_per_second
        .and_then(|limit| over_limit(&slot.window, limit));
    if let Some(wait) = over {
        return too_many(&shared, wait.as_secs().max(1));
    }
    let (hang, limited, failed) = faults(&shared, &knobs);
    if hang {
        tokio::time::sleep(Duration::from_millis(knobs.timeout_hang_ms)).await;
        return error_response(
            &shared,
            StatusCode::GATEWAY_TIMEOUT,
            "Gateway timeout.",
            "Try again later.",
            None,
        );
    }
    if limited {
        return too_many(&shared, knobs.retry_after_secs);
    }
    if failed {
        return error_response(
            &shared,
            StatusCode::INTERNAL_SERVER_ERROR,
            "An error occurred.",
            "Simulated server error; try again later.",
            None,
        );
    }
    request.extensions_mut().insert(slot);
    next.run(request).await
}

/// Rolls the random faults; a plain function so the RNG lock is never held across an await.
fn faults(shared: &Shared, knobs: &crate::knobs::Knobs) -> (bool, bool, bool) {
    if knobs.timeout_rate <= 0.0 && knobs.rate_limited_rate <= 0.0 && knobs.error_rate <= 0.0 {
        // The common case: no shared RNG lock on the hot path.
        return (false, false, false);
    }
    match shared.rng.lock() {
        Ok(mut rng) => (
            roll(&mut *rng, knobs.timeout_rate),
            roll(&mut *rng, knobs.rate_limited_rate),
            roll(&mut *rng, knobs.error_rate),
        ),
        Err(_) => (false, false, false),
    }
}

fn roll(rng: &mut impl Rng, share: f64) -> bool {
    share > 0.0 && rng.gen_bool(share.clamp(0.0, 1.0))
}

/// Fixed one-second window; `Some(wait)` when the request exceeds `limit`.
fn over_limit(window: &std::sync::Mutex<(Instant, u32)>, limit: u32) -> Option<Duration> {
    let mut w = window.lock().ok()?;
    let now = Instant::now();
    if now.duration_since(w.0) >= Duration::from_secs(1) {
        *w = (now, 0);
    }
    w.1 += 1;
    (w.1 > limit).then(|| Duration::from_secs(1).saturating_sub(now.duration_since(w.0)))
}

fn too_many(shared: &Shared, retry_after_secs: u64) -> Response {
    let mut response = error_response(
        shared,
        StatusCode::TOO_MANY_REQUESTS,
        "Too many requests.",
        "Check info in the response headers.",
        None,
    );
    if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}
