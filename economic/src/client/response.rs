//! Mapping HTTP responses to results: status → [`ClientError`] variant, body → type.

use super::error::ClientError;
use crate::types::{ErrorBody, ProblemDetails};
use serde::de::DeserializeOwned;
use std::time::Duration;
use time::OffsetDateTime;
use time::macros::format_description;

/// Reads a response: 2xx decodes `T`, anything else becomes the matching error.
pub(crate) async fn decode<T: DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T, ClientError> {
    let response = check(response).await?;
    let bytes = response
        .bytes()
        .await
        .map_err(|e| ClientError::from_transport(&e))?;
    serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode(e.to_string()))
}

/// Passes 2xx responses through and turns the rest into errors.
pub(crate) async fn check(response: reqwest::Response) -> Result<reqwest::Response, ClientError> {
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        return Ok(response);
    }
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, OffsetDateTime::now_utc()));
    let problem_json = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"));
    let bytes = response.bytes().await.unwrap_or_default();
    // The newer APIs (Webhooks API) answer problem+json: the same classes, read from its fields.
    let body: Option<ErrorBody> = if problem_json {
        serde_json::from_slice::<ProblemDetails>(&bytes)
            .ok()
            .map(|p| from_problem(p, status))
    } else {
        serde_json::from_slice(&bytes).ok()
    };
    let body_or_default = || {
        Box::new(body.clone().unwrap_or_else(|| ErrorBody {
            message: String::from_utf8_lossy(&bytes).chars().take(500).collect(),
            http_status_code: status,
            ..ErrorBody::default()
        }))
    };
    Err(match status {
        404 => ClientError::NotFound(body_or_default()),
        401 | 403 => ClientError::Unauthorized {
            status,
            body: body_or_default(),
        },
        429 => ClientError::RateLimited { retry_after },
        500..=599 => ClientError::Server {
            status,
            body: body.map(Box::new),
        },
        _ => ClientError::Rejected {
            status,
            body: body_or_default(),
        },
    })
}

/// A problem+json body as an [`ErrorBody`]: `detail` (or `title`) as the message, the trace id
/// as the log id, the validation errors as `errors`.
fn from_problem(problem: ProblemDetails, status: u16) -> ErrorBody {
    // The validation error says what is wrong in this case; `detail` often only says that
    // something is ("Check the errors array").
    let first = problem.errors.as_ref().and_then(|errors| errors.first());
    let message = first
        .map(|e| e.message.clone())
        .filter(|m| !m.is_empty())
        .or_else(|| problem.detail.clone())
        .or_else(|| problem.title.clone())
        .unwrap_or_default();
    let error_code = problem
        .error_code
        .clone()
        .filter(|c| !c.is_empty())
        .or_else(|| first.and_then(|e| e.error_code.clone()));
    ErrorBody {
        message,
        developer_hint: problem.title,
        log_id: problem.trace_id,
        http_status_code: problem.status.unwrap_or(status),
        log_time: problem.trace_time_utc,
        errors: problem
            .errors
            .and_then(|errors| serde_json::to_value(errors).ok()),
        error_code,
        allowed_filtering_fields: None,
    }
}

/// Parses `Retry-After`: delay-seconds or an HTTP date (relative to `now`).
pub fn parse_retry_after(value: &str, now: OffsetDateTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let format = format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let at = time::PrimitiveDateTime::parse(value, format)
        .ok()?
        .assume_utc();
    let delta = at - now;
    Some(Duration::try_from(delta).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn retry_after_forms() {
        let now = datetime!(2026-01-01 00:00:00 UTC);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Thu, 01 Jan 2026 00:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 31 Dec 2025 00:00:30 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
