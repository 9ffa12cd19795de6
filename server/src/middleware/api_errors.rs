//! Gives server-function errors their real HTTP status.
//!
//! Leptos answers every failed server function with 500 and the error's JSON. This layer reads
//! that JSON back as an [`AppError`] and sets the status the error stands for (422, 401, 429, …),
//! so API clients and monitoring see client errors as client errors. It is the one place where
//! application errors become HTTP statuses.

use app::error::AppError;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// Error bodies are small; anything larger is left as it is.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// Rewrites the status of failed `/api/` responses from the error in their body.
pub async fn set_status(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if !is_api || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, ERROR_BODY_LIMIT).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Some(secs) = error.retry_after_secs() {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The body-size limit answers 413 with an empty body; browsers and scripts get the same
/// explanation as every other refused request instead (webhooks keep their own answer).
pub async fn explain_too_large(request: Request, next: Next) -> Response {
    let is_webhook = request.uri().path().starts_with("/webhooks/");
    let headers = request.headers().clone();
    let response = next.run(request).await;
    if is_webhook || response.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return response;
    }
    crate::middleware::csrf::error_answer(&headers, AppError::TooLarge)
}
