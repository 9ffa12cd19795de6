//! `application/problem+json` answers, as the Webhooks API sends them: an RFC 9110 `type` link,
//! `errors` always present (empty when there is nothing to list), e-conomic's `errorCode`, and
//! `traceTimeUtc` without an offset (as the OpenAPI services write it).

use crate::state::Shared;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use economic::types::webhooks_api::{ErrorCode, ProblemDetails, ProblemError};

/// A problem answer without validation details.
pub(crate) fn problem(
    shared: &Shared,
    status: StatusCode,
    title: &str,
    detail: &str,
    instance: &str,
) -> Response {
    with_errors(shared, status, title, detail, instance, None, Vec::new())
}

/// A problem answer naming e-conomic's error code.
pub(crate) fn coded(
    shared: &Shared,
    status: StatusCode,
    code: ErrorCode,
    message: &str,
    instance: &str,
) -> Response {
    let error = ProblemError {
        message: message.to_owned(),
        error_code: Some(code.as_str().to_owned()),
        property: None,
    };
    let (title, detail) = match status {
        StatusCode::BAD_REQUEST => (
            "Bad request.",
            "Your request does not pass our validation. Check the errors array for more details.",
        ),
        StatusCode::NOT_FOUND => (
            "Resource not found.",
            "The resource you have been looking for does not exist.",
        ),
        StatusCode::CONFLICT => (
            "Update conflict. Object version does not match.",
            "The resource has been updated by another user. Retrieve the resource/object and try the update again.",
        ),
        _ => ("Error.", message),
    };
    with_errors(
        shared,
        status,
        title,
        detail,
        instance,
        Some(code),
        vec![error],
    )
}

/// A 400 naming the property at fault.
pub(crate) fn invalid(shared: &Shared, property: &str, message: &str, instance: &str) -> Response {
    let error = ProblemError {
        message: message.to_owned(),
        error_code: Some("E04300".to_owned()),
        property: Some(property.to_owned()),
    };
    with_errors(
        shared,
        StatusCode::BAD_REQUEST,
        "Bad request.",
        "Your request does not pass our validation. Check the errors array for more details.",
        instance,
        None,
        vec![error],
    )
}

fn with_errors(
    shared: &Shared,
    status: StatusCode,
    title: &str,
    detail: &str,
    instance: &str,
    code: Option<ErrorCode>,
    errors: Vec<ProblemError>,
) -> Response {
    let section = match status.as_u16() {
        400 => "section-15.5.1",
        401 => "section-15.5.2",
        403 => "section-15.5.4",
        404 => "section-15.5.5",
        409 => "section-15.5.10",
        504 => "section-15.6.5",
        _ => "section-15.6.1",
    };
    let kind = match status.as_u16() {
        429 => "https://tools.ietf.org/html/rfc6585#section-4".to_owned(),
        _ => format!("https://tools.ietf.org/html/rfc9110#{section}"),
    };
    let body = ProblemDetails {
        kind: Some(kind),
        title: Some(title.to_owned()),
        status: Some(status.as_u16()),
        detail: Some(detail.to_owned()),
        // The recorded live answers of e-conomic's OpenAPI services carry no `instance`; the
        // path is only logged.
        instance: None,
        errors: Some(errors),
        trace_id: Some(shared.log_id()),
        error_code: code.map(|c| c.as_str().to_owned()),
        trace_time_utc: Some(economic::datetime::format_openapi(
            shared.now().replace_nanosecond(0).unwrap_or(shared.now()),
        )),
    };
    tracing::debug!(%status, instance, "webhooks API problem");
    let text = serde_json::to_string(&body).unwrap_or_default();
    let mut response = (status, text).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}
