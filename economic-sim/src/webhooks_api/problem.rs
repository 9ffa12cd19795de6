//! `application/problem+json` answers, as the Webhooks API sends them.

use crate::state::Shared;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use economic::types::webhooks_api::{ProblemDetails, ProblemError};

/// A problem answer without validation details.
pub(crate) fn problem(
    shared: &Shared,
    status: StatusCode,
    title: &str,
    detail: &str,
    instance: &str,
) -> Response {
    with_errors(shared, status, title, detail, instance, Vec::new())
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
        vec![error],
    )
}

fn with_errors(
    shared: &Shared,
    status: StatusCode,
    title: &str,
    detail: &str,
    instance: &str,
    errors: Vec<ProblemError>,
) -> Response {
    let body = ProblemDetails {
        kind: Some(format!("https://httpstatuses.io/{}", status.as_u16())),
        title: Some(title.to_owned()),
        status: Some(status.as_u16()),
        detail: Some(detail.to_owned()),
        instance: Some(instance.to_owned()),
        errors: (!errors.is_empty()).then_some(errors),
        trace_id: Some(shared.log_id()),
        error_code: None,
        trace_time_utc: shared
            .now()
            .format(&time::format_description::well_known::Rfc3339)
            .ok(),
    };
    let text = serde_json::to_string(&body).unwrap_or_default();
    let mut response = (status, text).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}
