//! Authentication (`X-AppSecretToken` + `X-AgreementGrantToken`, 401 otherwise), then the fault
//! knobs and the token bucket ([`crate::admission`]) in the REST API's error format.

use super::errors::error_response;
use crate::admission::{self, Refusal};
use crate::state::Shared;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;
use std::sync::atomic::Ordering;

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

/// Middleware: authenticate, count the call, run the knobs and the token bucket
/// ([`crate::admission`]), then the handler with the agreement slot in the request extensions;
/// every answer carries the bucket's headers.
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
    let cost = {
        let page_size = page_size(request.uri().query());
        admission::cost(request.method(), request.uri().path(), page_size)
    };
    let (bucket, admitted) = admission::admit(&shared, &slot, cost).await;
    let response = match admitted {
        Ok(()) => {
            request.extensions_mut().insert(slot);
            next.run(request).await
        }
        Err(Refusal::TooMany(seconds)) => too_many(&shared, seconds),
        Err(Refusal::TimedOut) => error_response(
            &shared,
            StatusCode::GATEWAY_TIMEOUT,
            "Gateway timeout.",
            "Try again later.",
            None,
        ),
        Err(Refusal::Failed) => error_response(
            &shared,
            StatusCode::INTERNAL_SERVER_ERROR,
            "An error occurred.",
            "Simulated server error; try again later.",
            None,
        ),
    };
    admission::with_bucket(response, bucket)
}

/// The `pagesize` asked for, for the call's cost.
fn page_size(query: Option<&str>) -> Option<usize> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| name.eq_ignore_ascii_case("pagesize"))
        .and_then(|(_, value)| value.parse().ok())
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
