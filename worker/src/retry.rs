//! When a failed event runs again: exponential backoff with jitter and a cap, after the svix
//! worker's `calculate_retry_delay` — but a `Retry-After` from e-conomic is honoured whole (up to
//! the cap) instead of clamped, since it is e-conomic's rate limit we would otherwise hit again.

use std::time::Duration;

use rand::Rng;

/// ±20 % of jitter, so the retries of a burst do not all arrive at once.
const JITTER: f64 = 0.2;

/// The retry schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The delay after the first failure; each further failure doubles it.
    pub base: Duration,
    /// The longest delay.
    pub cap: Duration,
    /// Attempts before an event is dead.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    /// 10 s, 20 s, 40 s, … capped at 1 h; dead after 12 attempts (about 5½ hours in all).
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_secs(10),
            cap: Duration::from_secs(3600),
            max_attempts: 12,
        }
    }
}

impl RetryPolicy {
    /// How long to wait after attempt number `attempts` failed (`retry_after`: what e-conomic
    /// asked for); `None` when that was the last attempt.
    pub fn delay(&self, attempts: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if attempts >= self.max_attempts {
            return None;
        }
        let doublings = attempts.saturating_sub(1).min(30);
        let exponential = self.base.saturating_mul(1 << doublings).min(self.cap);
        let factor = rand::thread_rng().gen_range(1.0 - JITTER..=1.0 + JITTER);
        let jittered = exponential.mul_f64(factor).min(self.cap);
        Some(jittered.max(retry_after.unwrap_or_default().min(self.cap)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_with_jitter_up_to_the_cap_then_gives_up() {
        let policy = RetryPolicy {
            base: Duration::from_secs(10),
            cap: Duration::from_secs(60),
            max_attempts: 5,
        };
        let within = |d: Option<Duration>, secs: f64| {
            let d = d.expect("retried").as_secs_f64();
            assert!(
                d >= secs * 0.8 - 1e-9 && d <= (secs * 1.2).min(60.0) + 1e-9,
                "{d} vs {secs}"
            );
        };
        within(policy.delay(1, None), 10.0);
        within(policy.delay(2, None), 20.0);
        within(policy.delay(3, None), 40.0);
        within(policy.delay(4, None), 60.0);
        assert_eq!(policy.delay(5, None), None);
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let policy = RetryPolicy {
            base: Duration::from_millis(10),
            cap: Duration::from_secs(30),
            max_attempts: 5,
        };
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(7))),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(3600))),
            Some(Duration::from_secs(30))
        );
    }
}
