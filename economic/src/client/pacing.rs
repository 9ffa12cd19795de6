//! Pacing by e-conomic's token bucket: the client remembers, per agreement (grant token), what
//! the last answer said about the bucket ([`RateLimitStatus`]), and before each call waits until
//! the bucket has room, instead of running into 429s. Every worker of the process shares one
//! [`Client`](super::Client) and so one book; other processes (and other apps on the agreement)
//! spend the same bucket, which the next answer's header shows, so the estimate corrects itself
//! with every answer.
//!
//! The estimate between answers assumes the bucket drains evenly (the window's tokens spread over
//! the window); calls sent before their answers are back are added to it, so a burst of
//! concurrent calls does not all pass on the same old number.

use crate::rate_limit::RateLimitStatus;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// Of every window's tokens, this share (in percent) stays free: other apps on the agreement,
/// and the calls in flight whose cost we only guess.
const HEADROOM_PERCENT: u32 = 5;

/// The bucket as last seen for one agreement, for the Sync page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketView {
    /// The last answer's report.
    pub status: RateLimitStatus,
    /// When that answer came.
    pub observed_at: OffsetDateTime,
    /// Tokens estimated to be in use now (the report, drained since, plus calls sent since).
    pub used_now: u32,
}

#[derive(Clone, Copy)]
struct Seen {
    status: RateLimitStatus,
    at: Instant,
    at_utc: OffsetDateTime,
    /// Tokens of calls sent since the answer (each counted at the last known cost).
    pending: u32,
}

impl Seen {
    fn used_at(&self, now: Instant) -> f64 {
        let drained = now.duration_since(self.at).as_secs_f64() * self.status.refill_per_second();
        (f64::from(self.status.used) - drained).max(0.0) + f64::from(self.pending)
    }
}

/// The per-agreement bucket book. Keyed by grant token (the only name of an agreement the
/// client knows); its `Debug` never shows a key.
#[derive(Default)]
pub(crate) struct Pacing {
    seen: Mutex<HashMap<String, Seen>>,
}

impl std::fmt::Debug for Pacing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let agreements = self.seen.lock().map_or(0, |s| s.len());
        f.debug_struct("Pacing")
            .field("agreements", &agreements)
            .finish()
    }
}

impl Pacing {
    /// How long a call on `grant` must wait for room, reserving its cost when it need not.
    pub(crate) fn reserve(&self, grant: &str, now: Instant) -> Option<Duration> {
        let Ok(mut seen) = self.seen.lock() else {
            return None;
        };
        let entry = seen.get_mut(grant)?;
        let cost = entry.status.call_cost.unwrap_or(1).max(1);
        let limit = f64::from(entry.status.limit);
        let room = limit * f64::from(100 - HEADROOM_PERCENT) / 100.0;
        let used = entry.used_at(now);
        if used + f64::from(cost) <= room {
            entry.pending = entry.pending.saturating_add(cost);
            return None;
        }
        let wait = (used + f64::from(cost) - room) / entry.status.refill_per_second();
        Some(Duration::from_secs_f64(wait.clamp(0.01, entry.status.window.as_secs_f64())))
    }

    /// Records what an answer said about the bucket.
    pub(crate) fn observe(&self, grant: &str, status: RateLimitStatus) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.insert(
                grant.to_owned(),
                Seen {
                    status,
                    at: Instant::now(),
                    at_utc: OffsetDateTime::now_utc(),
                    pending: 0,
                },
            );
        }
    }

    /// The bucket of `grant` as last seen, if any answer reported it.
    pub(crate) fn view(&self, grant: &str) -> Option<BucketView> {
        let seen = self.seen.lock().ok()?;
        let entry = seen.get(grant)?;
        let used_now = entry.used_at(Instant::now()).round();
        Some(BucketView {
            status: entry.status,
            observed_at: entry.at_utc,
            used_now: used_now.clamp(0.0, f64::from(u32::MAX)) as u32,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(used: u32) -> RateLimitStatus {
        RateLimitStatus {
            used,
            limit: 100,
            window: Duration::from_secs(10),
            call_cost: Some(2),
        }
    }

    #[test]
    fn waits_when_the_bucket_is_nearly_spent_and_reserves_what_it_sends() {
        let pacing = Pacing::default();
        let now = Instant::now();
        assert_eq!(pacing.reserve("g", now), None, "nothing known: go");
        pacing.observe("g", status(80));
        // 80 used, 95 usable: seven calls of 2 go at once, the eighth must wait.
        for _ in 0..7 {
            assert_eq!(pacing.reserve("g", now), None);
        }
        let wait = pacing.reserve("g", now).expect("waits");
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1), "{wait:?}");
        // A fresh answer replaces the estimate.
        pacing.observe("g", status(10));
        assert_eq!(pacing.reserve("g", Instant::now()), None);
        assert_eq!(pacing.view("other"), None);
        assert!(pacing.view("g").is_some_and(|v| v.used_now >= 10));
        pacing.observe("secret-grant", status(1));
        assert!(!format!("{pacing:?}").contains("secret-grant"));
    }
}
