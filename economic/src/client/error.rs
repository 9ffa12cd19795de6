//! The client's error type: one variant per way a call can fail, so callers know whether to retry.

use crate::types::ErrorBody;
use std::time::Duration;

/// Why an e-conomic call failed. Error bodies are boxed to keep `Result`s small.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// 404: the resource does not exist (or was deleted or renumbered).
    #[error("not found: {}", .0.message)]
    NotFound(Box<ErrorBody>),
    /// 401/403: the app secret or agreement grant token is wrong or revoked.
    #[error("unauthorized ({status}): {}", .body.message)]
    Unauthorized {
        /// 401 or 403.
        status: u16,
        /// e-conomic's error body.
        body: Box<ErrorBody>,
    },
    /// 429: slow down; wait `retry_after` if given.
    #[error("rate limited (retry after {retry_after:?})")]
    RateLimited {
        /// Parsed `Retry-After` header.
        retry_after: Option<Duration>,
    },
    /// 5xx: e-conomic failed; retry later.
    #[error("server error {status}: {}", .body.as_ref().map_or("", |b| b.message.as_str()))]
    Server {
        /// The status code.
        status: u16,
        /// e-conomic's error body, when it sent one.
        body: Option<Box<ErrorBody>>,
    },
    /// No answer within the configured timeout; retry later.
    #[error("request timed out")]
    Timeout,
    /// Could not connect (or the connection broke); retry later.
    #[error("connection failed: {0}")]
    Connect(String),
    /// Another 4xx (validation, bad filter, …): retrying the same request will not help.
    #[error("request rejected ({status}): {}", .body.message)]
    Rejected {
        /// The status code.
        status: u16,
        /// e-conomic's error body (validation details in `errors`).
        body: Box<ErrorBody>,
    },
    /// The response was not the JSON we expected.
    #[error("could not decode the response: {0}")]
    Decode(String),
    /// The request could not be built (bad base URL, …).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

impl ClientError {
    /// Whether the same call may succeed later: rate limits, 5xx, timeouts, connection errors.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. } | Self::Server { .. } | Self::Timeout | Self::Connect(_)
        )
    }

    /// e-conomic's error code, when its answer named one (the Webhooks API's problem+json
    /// `errorCode`, e.g. `WebhookAlreadyExistsForEventType`).
    pub fn error_code(&self) -> Option<&str> {
        let body = match self {
            Self::NotFound(body)
            | Self::Unauthorized { body, .. }
            | Self::Rejected { body, .. } => Some(body),
            Self::Server { body, .. } => body.as_ref(),
            Self::RateLimited { .. }
            | Self::Timeout
            | Self::Connect(_)
            | Self::Decode(_)
            | Self::InvalidRequest(_) => None,
        };
        body.and_then(|b| b.error_code.as_deref())
    }

    /// The delay the server asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    pub(crate) fn from_transport(error: &reqwest::Error) -> Self {
        if error.is_timeout() {
            Self::Timeout
        } else if error.is_builder() {
            Self::InvalidRequest(error.to_string())
        } else if error.is_decode() {
            Self::Decode(error.to_string())
        } else {
            // Connect errors and connections broken mid-request are equally retryable.
            Self::Connect(error_chain(error))
        }
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
