//! Fault knobs: how badly the simulated e-conomic behaves. All default to "well-behaved".

use serde::{Deserialize, Serialize};

/// Fault and behaviour settings; change at run time with `SimHandle::set_knobs` or
/// `PUT /_sim/api/knobs`. Shares are probabilities in `0.0..=1.0`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Knobs {
    /// Added latency on every REST response, in milliseconds.
    pub latency_ms: u64,
    /// Share of REST requests answered with 500.
    pub error_rate: f64,
    /// Share of REST requests answered with 429 and `Retry-After`.
    pub rate_limited_rate: f64,
    /// `Retry-After` seconds sent with 429s.
    pub retry_after_secs: u64,
    /// Share of REST requests that hang for `timeout_hang_ms` before answering 504.
    pub timeout_rate: f64,
    /// How long a "timed out" request hangs.
    pub timeout_hang_ms: u64,
    /// Per-agreement limit of REST requests per second (429 beyond it); `None` = unlimited.
    pub rate_limit_per_second: Option<u32>,
    /// Delay before each webhook is sent, in milliseconds.
    pub webhook_delay_ms: u64,
    /// Share of webhooks delivered twice.
    pub webhook_duplicate_rate: f64,
    /// Shuffle webhooks queued within `webhook_reorder_window_ms` before sending.
    pub webhook_reorder: bool,
    /// How long the sender gathers webhooks to shuffle when `webhook_reorder` is on.
    pub webhook_reorder_window_ms: u64,
    /// Do not send webhooks for deletes (the "deletes don't trigger webhooks" world).
    pub drop_delete_webhooks: bool,
    /// Retries after a failed delivery (non-2xx, connection error or timeout).
    pub webhook_retries: u32,
    /// First retry delay; doubled on each further retry.
    pub webhook_backoff_ms: u64,
    /// Timeout for one webhook request.
    pub webhook_timeout_ms: u64,
    /// Webhook requests in flight at once (1 keeps them in order).
    pub webhook_concurrency: usize,
    /// Disable a webhook configuration (`isDisabled`) after this many consecutive failed
    /// deliveries (after retries); `None` = never (e-conomic's threshold is undocumented).
    pub webhook_disable_after_failures: Option<u32>,
    /// Percent-encode merge-field values (e-conomic's behaviour is undocumented; off = raw text).
    pub url_encode_values: bool,
    /// The agreement's user lacks the rights to manage webhooks: every Webhooks API call gets
    /// 403 problem+json (the app must fall back to the manual flow).
    pub webhooks_api_forbidden: bool,
    /// The Webhooks API makes each write, then waits this long before answering (a client with
    /// a shorter timeout never sees the answer: the case `Idempotency-Key` exists for). A
    /// repeated key's stored answer comes at once.
    pub webhooks_api_answer_delay_ms: u64,
}

impl Default for Knobs {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            error_rate: 0.0,
            rate_limited_rate: 0.0,
            retry_after_secs: 1,
            timeout_rate: 0.0,
            timeout_hang_ms: 60_000,
            rate_limit_per_second: None,
            webhook_delay_ms: 0,
            webhook_duplicate_rate: 0.0,
            webhook_reorder: false,
            webhook_reorder_window_ms: 50,
            drop_delete_webhooks: false,
            webhook_retries: 3,
            webhook_backoff_ms: 1_000,
            webhook_timeout_ms: 10_000,
            webhook_concurrency: 64,
            webhook_disable_after_failures: None,
            url_encode_values: false,
            webhooks_api_forbidden: false,
            webhooks_api_answer_delay_ms: 0,
        }
    }
}
