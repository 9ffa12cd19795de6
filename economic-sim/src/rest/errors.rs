//! e-conomic-shaped error responses: `{message, developerHint, logId, httpStatusCode, logTime, errors?}`.

use crate::error::SimError;
use crate::state::Shared;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use economic::types::ErrorBody;
use serde_json::{Value, json};
use std::sync::Arc;

/// The real 404 developer hint (fixture `404.json`).
pub(crate) const NOT_FOUND_HINT: &str = "The API tries to provide all the resource urls you need. If you have hard coded urls yourself, then try to look at the enclosing collection for hypermedia information on where the resource you are looking for could be.";

/// An error response with e-conomic's body.
pub(crate) fn error_response(
    shared: &Shared,
    status: StatusCode,
    message: &str,
    hint: &str,
    errors: Option<Value>,
) -> Response {
    (
        status,
        Json(error_body(shared, status, message, hint, errors)),
    )
        .into_response()
}

/// e-conomic's error body (its time without an offset, as e-conomic writes `logTime`).
pub(crate) fn error_body(
    shared: &Shared,
    status: StatusCode,
    message: &str,
    hint: &str,
    errors: Option<Value>,
) -> ErrorBody {
    let log_time = shared
        .now()
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]"
        ))
        .unwrap_or_default();
    ErrorBody {
        message: message.to_owned(),
        developer_hint: Some(hint.to_owned()),
        log_id: Some(shared.log_id()),
        http_status_code: status.as_u16(),
        log_time: Some(log_time),
        errors,
        error_code: None,
        allowed_filtering_fields: None,
    }
}

/// The documented 404.
pub(crate) fn not_found(shared: &Shared) -> Response {
    error_response(
        shared,
        StatusCode::NOT_FOUND,
        "Resource not found.",
        NOT_FOUND_HINT,
        None,
    )
}

/// A 400 validation error on one property.
pub(crate) fn validation(shared: &Shared, property: &str, message: &str) -> Response {
    let errors =
        json!({ property: { "errors": [ { "errorCode": "E04300", "message": message } ] } });
    error_response(
        shared,
        StatusCode::BAD_REQUEST,
        "Validation error.",
        "Inspect validation errors and correct your request.",
        Some(errors),
    )
}

/// Maps a store error to its response.
pub(crate) fn from_sim_error(shared: &Shared, error: &SimError) -> Response {
    match error {
        SimError::NotFound(_) | SimError::UnknownAgreement => not_found(shared),
        SimError::Conflict(what) => {
            validation(shared, "number", &format!("{what} already exists."))
        }
        SimError::Validation { field, message } => validation(shared, field, message),
        SimError::Io(_) | SimError::HttpClient(_) => error_response(
            shared,
            StatusCode::INTERNAL_SERVER_ERROR,
            "An error occurred.",
            "Try again later.",
            None,
        ),
    }
}

/// Unknown routes answer the documented 404.
pub(crate) async fn fallback(State(shared): State<Arc<Shared>>) -> Response {
    not_found(&shared)
}
