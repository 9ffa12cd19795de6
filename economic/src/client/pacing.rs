//! Pacing by e-conomic's token bucket: the client remembers, per agreement (grant token), what
//! the last answer said about the bucket ([`RateLimitStatus`]), and before each call waits until
//! the bucket has room, instead of running into 429s. Every worker of the process shares one
//! [`Client`](super::Client) and so one book; other processes (and other apps on the agreement)
//! spend the same bucket, which the next answer's header shows, so the estimate corrects itself
//! with every answer.
//!
//! The estimate between answers: the reported use, drained evenly since (the window's tokens
//! spread over the window), plus every call sent and not yet answered (counted at the last
//! known cost; a call the server already counted is counted twice until its answer is back —
//! erring on the side of waiting). Until the first answer of an agreement is back only one call
//! goes out, so a burst of concurrent first calls cannot overrun a bucket nobody has seen yet.

use crate::rate_limit::RateLimitStatus;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// Of every window's tokens, this share (in percent) stays free: other apps on the agreement
/// spend the same bucket between our answers.
const HEADROOM_PERCENT: u32 = 5;
/// How long a call waits before looking again while the agreement's first answer is awaited.
const FIRST_ANSWER_WAIT: Duration = Duration::from_millis(10);

/// The bucket as last seen for one agreement, for the Sync page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketView {
    /// The last answer's report.
    pub status: RateLimitStatus,
    /// When that answer came.
    pub observed_at: OffsetDateTime,
    /// Tokens estimated to be in use now (the report, drained since, plus calls in flight).
    pub used_now: u32,
}

#[derive(Clone, Copy, Default)]
struct Seen {
    /// The last report and when it came; `None` before the first answer.
    report: Option<(RateLimitStatus, Instant, OffsetDateTime)>,
    /// Answers came without the headers: nothing to pace by.
    unreported: bool,
    /// Tokens of the calls sent and not yet answered.
    in_flight: u32,
}

impl Seen {
    fn used_at(&self, now: Instant) -> Option<f64> {
        let (status, at, _) = self.report?;
        let drained = now.duration_since(at).as_secs_f64() * status.refill_per_second();
        Some((f64::from(status.used) - drained).max(0.0) + f64::from(self.in_flight))
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
    /// How long a call on `grant` must wait for room (`None`: it may go now, and its cost is
    /// reserved until [`Pacing::answered`]). Returns the cost reserved.
    pub(crate) fn reserve(&self, grant: &str, now: Instant) -> Result<u32, Duration> {
        let Ok(mut seen) = self.seen.lock() else {
            return Ok(0);
        };
        let entry = seen.entry(grant.to_owned()).or_default();
        let Some((status, _, _)) = entry.report else {
            if entry.unreported || entry.in_flight == 0 {
                entry.in_flight += 1;
                return Ok(1);
            }
            return Err(FIRST_ANSWER_WAIT);
        };
        let cost = status.call_cost.unwrap_or(1).max(1);
        let room = f64::from(status.limit) * f64::from(100 - HEADROOM_PERCENT) / 100.0;
        let used = entry.used_at(now).unwrap_or(0.0);
        // A bucket smaller than one call's cost must not stall the client for good: with it
        // empty and nothing in flight, the call goes.
        let oversized = f64::from(cost) > room && entry.in_flight == 0 && used < 1.0;
        if used + f64::from(cost) <= room || oversized {
            entry.in_flight = entry.in_flight.saturating_add(cost);
            return Ok(cost);
        }
        let wait = (used + f64::from(cost) - room) / status.refill_per_second();
        Err(Duration::from_secs_f64(
            wait.clamp(0.01, status.window.as_secs_f64()),
        ))
    }

    /// A call that reserved `cost` got its answer (or failed): `report` is what the answer said
    /// about the bucket, if anything.
    pub(crate) fn answered(&self, grant: &str, cost: u32, report: Option<RateLimitStatus>) {
        let Ok(mut seen) = self.seen.lock() else {
            return;
        };
        let entry = seen.entry(grant.to_owned()).or_default();
        entry.in_flight = entry.in_flight.saturating_sub(cost);
        match report {
            Some(status) => {
                entry.report = Some((status, Instant::now(), OffsetDateTime::now_utc()));
                entry.unreported = false;
            }
            None if entry.report.is_none() => entry.unreported = true,
            None => {}
        }
    }

    /// The bucket of `grant` as last seen, if any answer reported it.
    pub(crate) fn view(&self, grant: &str) -> Option<BucketView> {
        let seen = self.seen.lock().ok()?;
        let entry = seen.get(grant)?;
        let (status, _, at_utc) = entry.report?;
        let used_now = entry.used_at(Instant::now()).unwrap_or(0.0).round();
        Some(BucketView {
            status,
            observed_at: at_utc,
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
    fn one_call_until_the_first_answer_then_by_the_report() {
        let pacing = Pacing::default();
        let now = Instant::now();
        assert_eq!(pacing.reserve("g", now), Ok(1), "the first call goes");
        assert_eq!(
            pacing.reserve("g", now),
            Err(FIRST_ANSWER_WAIT),
            "the rest wait"
        );
        pacing.answered("g", 1, Some(status(80)));
        // 80 used, 95 usable: seven calls of 2 go at once, the eighth must wait.
        for _ in 0..7 {
            assert_eq!(pacing.reserve("g", now), Ok(2));
        }
        let wait = pacing.reserve("g", now).expect_err("waits");
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        // Answers release what they reserved; a fresh report replaces the estimate.
        for _ in 0..7 {
            pacing.answered("g", 2, Some(status(10)));
        }
        assert_eq!(pacing.reserve("g", Instant::now()), Ok(2));
        assert_eq!(pacing.view("other"), None);
        assert!(pacing.view("g").is_some_and(|v| v.used_now >= 10));
    }

    #[test]
    fn answers_without_the_headers_are_not_paced() {
        let pacing = Pacing::default();
        let now = Instant::now();
        assert_eq!(pacing.reserve("g", now), Ok(1));
        pacing.answered("g", 1, None);
        assert_eq!(pacing.reserve("g", now), Ok(1));
        assert_eq!(
            pacing.reserve("g", now),
            Ok(1),
            "no report: nothing holds calls back"
        );
        pacing.answered("secret-grant", 0, Some(status(1)));
        assert!(!format!("{pacing:?}").contains("secret-grant"));
    }
}
