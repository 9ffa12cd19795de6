//! What happens to a call before its handler runs, for the REST API and the Webhooks API alike:
//! the fault knobs (latency, the per-second limit, random 429 / 500 / hang-then-504) and
//! e-conomic's token bucket — one per agreement, shared by both APIs and every app, refilling
//! evenly over its window. Each API renders a refusal in its own error format; both send the
//! bucket's headers on every answer.

use crate::knobs::Knobs;
use crate::state::{AgreementSlot, Shared};
use axum::http::{HeaderValue, Method};
use axum::response::Response;
use economic::rate_limit::{CALL_COST_HEADER, RATE_LIMITING_HEADER, RateLimitStatus};
use rand::Rng;
use std::time::{Duration, Instant};

/// Why a call is not served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// 429 with `Retry-After` seconds.
    TooMany(u64),
    /// 500.
    Failed,
    /// Hung, then 504.
    TimedOut,
}

/// The token bucket of one agreement: tokens in use, as of when.
#[derive(Debug)]
pub(crate) struct Bucket {
    used: f64,
    at: Instant,
}

impl Default for Bucket {
    fn default() -> Self {
        Self {
            used: 0.0,
            at: Instant::now(),
        }
    }
}

impl Bucket {
    /// Drains what the time since the last look gave back, then charges `cost` if it fits;
    /// returns the state to report, and the wait for room when it does not fit.
    fn charge(
        &mut self,
        cost: u32,
        limit: u32,
        window: Duration,
        now: Instant,
    ) -> (RateLimitStatus, Option<Duration>) {
        let per_second = f64::from(limit) / window.as_secs_f64().max(1.0);
        let drained = now.duration_since(self.at).as_secs_f64() * per_second;
        self.used = (self.used - drained).max(0.0);
        self.at = now;
        let over = self.used + f64::from(cost) - f64::from(limit);
        let wait = (over > 0.0).then(|| Duration::from_secs_f64(over / per_second));
        if wait.is_none() {
            self.used += f64::from(cost);
        }
        let status = RateLimitStatus {
            used: self.used.ceil().clamp(0.0, f64::from(limit)) as u32,
            limit,
            window,
            call_cost: Some(cost),
        };
        (status, wait)
    }
}

/// What a call costs, in tokens (an inference: e-conomic says only that "each endpoint has a
/// different cost"): a write 2, a single record 1, a collection page 1 plus 1 per 250 rows asked
/// for (a page of 1000 costs 5), any Webhooks API call 1.
pub(crate) fn cost(method: &Method, path: &str, page_size: Option<usize>) -> u32 {
    if path.starts_with(crate::webhooks_api::BASE_PATH) {
        return 1;
    }
    if method != Method::GET {
        return 2;
    }
    let collection = matches!(
        path.trim_end_matches('/'),
        "/customers"
            | "/products"
            | "/invoices/booked"
            | "/customer-groups"
            | "/product-groups"
            | "/units"
            | "/vat-zones"
            | "/payment-terms"
    );
    match collection {
        true => {
            let rows = page_size.unwrap_or(crate::query::DEFAULT_PAGE_SIZE);
            1 + u32::try_from(rows / 250).unwrap_or(4).min(4)
        }
        false => 1,
    }
}

/// Runs the knobs and the bucket for one call of `cost` tokens on `slot`. `Ok` carries the
/// bucket's state to report (`None` without a bucket); a refusal carries it too.
pub(crate) async fn admit(
    shared: &Shared,
    slot: &AgreementSlot,
    cost: u32,
) -> (Option<RateLimitStatus>, Result<(), Refusal>) {
    let knobs = shared.knobs();
    if knobs.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.latency_ms)).await;
    }
    let over = knobs
        .rate_limit_per_second
        .and_then(|limit| over_per_second(&slot.window, limit));
    if let Some(wait) = over {
        return (None, Err(Refusal::TooMany(wait.as_secs().max(1))));
    }
    let mut status = None;
    if let Some(limit) = knobs.token_bucket_limit.filter(|l| *l > 0) {
        let window = Duration::from_secs(knobs.token_bucket_window_secs.max(1));
        let charged = slot
            .bucket
            .lock()
            .map(|mut b| b.charge(cost, limit, window, Instant::now()));
        if let Ok((reported, wait)) = charged {
            status = Some(reported);
            if let Some(wait) = wait {
                slot.bucket_refusals
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
                return (status, Err(Refusal::TooMany(seconds)));
            }
        }
    }
    let (hang, limited, failed) = faults(shared, &knobs);
    if hang {
        tokio::time::sleep(Duration::from_millis(knobs.timeout_hang_ms)).await;
        return (status, Err(Refusal::TimedOut));
    }
    if limited {
        return (status, Err(Refusal::TooMany(knobs.retry_after_secs)));
    }
    if failed {
        return (status, Err(Refusal::Failed));
    }
    (status, Ok(()))
}

/// Puts the bucket's headers on an answer.
pub(crate) fn with_bucket(mut response: Response, status: Option<RateLimitStatus>) -> Response {
    if let Some(status) = status {
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&status.header_value()) {
            headers.insert(RATE_LIMITING_HEADER, value);
        }
        if let Some(cost) = status.call_cost {
            headers.insert(CALL_COST_HEADER, HeaderValue::from(cost));
        }
    }
    response
}

/// Rolls the random faults; a plain function so the RNG lock is never held across an await.
fn faults(shared: &Shared, knobs: &Knobs) -> (bool, bool, bool) {
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
fn over_per_second(window: &std::sync::Mutex<(Instant, u32)>, limit: u32) -> Option<Duration> {
    let mut w = window.lock().ok()?;
    let now = Instant::now();
    if now.duration_since(w.0) >= Duration::from_secs(1) {
        *w = (now, 0);
    }
    w.1 += 1;
    (w.1 > limit).then(|| Duration::from_secs(1).saturating_sub(now.duration_since(w.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_refuses_when_spent_and_refills_evenly() {
        let mut bucket = Bucket::default();
        let start = bucket.at;
        let window = Duration::from_secs(10);
        for _ in 0..50 {
            assert_eq!(bucket.charge(2, 100, window, start).1, None);
        }
        let (status, wait) = bucket.charge(2, 100, window, start);
        assert_eq!(status.used, 100);
        assert_eq!(wait, Some(Duration::from_millis(200)));
        // One second gives back a tenth of the window's tokens.
        let (status, wait) = bucket.charge(2, 100, window, start + Duration::from_secs(1));
        assert_eq!((status.used, wait), (92, None));
    }

    #[test]
    fn costs_by_endpoint() {
        assert_eq!(cost(&Method::GET, "/customers/1", None), 1);
        assert_eq!(cost(&Method::GET, "/customers", None), 1);
        assert_eq!(cost(&Method::GET, "/products", Some(1000)), 5);
        assert_eq!(cost(&Method::PUT, "/products/x", None), 2);
        assert_eq!(cost(&Method::POST, "/webhooksapi/v1.0.0/webhooks", None), 1);
    }
}
