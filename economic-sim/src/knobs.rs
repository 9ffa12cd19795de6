//! Fault knobs: how badly the simulated e-conomic behaves. All default to "well-behaved".

use economic::Entity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Fault and behaviour settings; change at run time with `SimHandle::set_knobs` or
/// `PUT /_sim/api/knobs`. Shares are probabilities in `0.0..=1.0`. The REST faults (latency,
/// 5xx, 429, hangs, the per-second limit) hit the Webhooks API alike; the token bucket is one
/// per agreement, shared by both APIs and every app, as e-conomic's is.
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
    /// e-conomic's per-agreement token bucket: tokens per window (reported: 10,000 per 60 s);
    /// `None` = no bucket (benchmarks that measure the simulator itself). Every answer carries
    /// `X-CallCost` and `X-RateLimiting`; a spent bucket answers 429 with `Retry-After`.
    pub token_bucket_limit: Option<u32>,
    /// The token bucket's window, in seconds.
    pub token_bucket_window_secs: u64,
    /// The Webhooks API's event type names, where they differ from the product's guesses
    /// (`Entity::event_type`): e.g. `{"products": "PRODUCT_CHANGED"}`. Only `CUSTOMER_UPDATED`
    /// and `INVOICE_BOOKED` are confirmed by public sources.
    pub event_type_names: BTreeMap<Entity, String>,
    /// Event types `GET /EventTypes` does not offer (creating one answers `WebhookInvalidType`).
    pub event_types_not_offered: Vec<Entity>,
    /// The Webhooks API refuses `http://` URLs (`WebhookInvalidUrlScheme`) as e-conomic does;
    /// with this on it lets `http://` through for loopback hosts only (127.0.0.1, localhost,
    /// `[::1]`), which a real e-conomic could never call anyway: demo mode and local tests.
    pub allow_http_loopback: bool,
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
            token_bucket_limit: Some(10_000),
            token_bucket_window_secs: 60,
            event_type_names: BTreeMap::new(),
            event_types_not_offered: Vec::new(),
            allow_http_loopback: true,
        }
    }
}

impl Knobs {
    /// The event type name the Webhooks API uses for `kind`.
    pub fn event_type_name(&self, kind: Entity) -> String {
        self.event_type_names
            .get(&kind)
            .cloned()
            .unwrap_or_else(|| kind.event_type().to_owned())
    }

    /// The entity of an offered event type name.
    pub fn entity_of_event_type(&self, name: &str) -> Option<Entity> {
        Entity::ALL
            .into_iter()
            .filter(|kind| !self.event_types_not_offered.contains(kind))
            .find(|&kind| self.event_type_name(kind) == name)
    }
}
