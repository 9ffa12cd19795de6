//! e-conomic's token bucket, as its answers report it. Besides the 50,000 calls a day of fair use,
//! e-conomic meters each agreement with a bucket of tokens (reported: 10,000 per 60 seconds)
//! shared by every app and by the REST and OpenAPI services on the agreement. Each call costs
//! tokens ("each endpoint has a different cost"); every answer says what this call cost and how
//! much of the bucket is used:
//!
//! ```text
//! X-CallCost: 3
//! X-RateLimiting: token-limit-10000-per-60-seconds: 147/10000
//! ```
//!
//! A spent bucket answers 429. The format is the one recorded by live probes of a public client
//! (Pogoe/EConomic.NET); the simulator writes it with [`RateLimitStatus::header_value`].

use std::time::Duration;

/// The header naming a call's cost in tokens.
pub const CALL_COST_HEADER: &str = "X-CallCost";
/// The header naming the bucket's state.
pub const RATE_LIMITING_HEADER: &str = "X-RateLimiting";

/// The bucket as one answer reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitStatus {
    /// Tokens used within the window, this call included.
    pub used: u32,
    /// Tokens per window.
    pub limit: u32,
    /// The window the limit applies to.
    pub window: Duration,
    /// What the call that got this answer cost, when reported.
    pub call_cost: Option<u32>,
}

impl RateLimitStatus {
    /// Reads `X-RateLimiting` (`token-limit-10000-per-60-seconds: 147/10000`, any case, spaces
    /// around `:` and `/` allowed) with the `X-CallCost` value, if any. `None` if it is not that.
    pub fn parse(rate_limiting: &str, call_cost: Option<&str>) -> Option<RateLimitStatus> {
        let text = rate_limiting.trim().to_ascii_lowercase();
        let rest = text.strip_prefix("token-limit-")?;
        let (limit, rest) = rest.split_once("-per-")?;
        let (seconds, rest) = rest.split_once("-seconds")?;
        let (used, total) = rest.trim_start().strip_prefix(':')?.split_once('/')?;
        let limit: u32 = limit.parse().ok()?;
        let seconds: u64 = seconds.parse().ok()?;
        let used: u32 = used.trim().parse().ok()?;
        // The total repeats the limit; it must at least be a number.
        total.trim().parse::<u32>().ok()?;
        if limit == 0 || seconds == 0 {
            return None;
        }
        Some(RateLimitStatus {
            used,
            limit,
            window: Duration::from_secs(seconds),
            call_cost: call_cost.and_then(|c| c.trim().parse().ok()),
        })
    }

    /// The `X-RateLimiting` value for this state.
    pub fn header_value(&self) -> String {
        format!(
            "token-limit-{}-per-{}-seconds: {}/{}",
            self.limit,
            self.window.as_secs(),
            self.used,
            self.limit
        )
    }

    /// Tokens left in the window; never negative.
    pub fn remaining(&self) -> u32 {
        self.limit.saturating_sub(self.used)
    }

    /// Tokens the bucket gains back per second.
    pub fn refill_per_second(&self) -> f64 {
        f64::from(self.limit) / self.window.as_secs_f64().max(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_the_recorded_format() {
        let status =
            RateLimitStatus::parse("token-limit-10000-per-60-seconds: 147/10000", Some("3"))
                .expect("parses");
        assert_eq!(status.used, 147);
        assert_eq!(status.limit, 10_000);
        assert_eq!(status.window, Duration::from_secs(60));
        assert_eq!(status.call_cost, Some(3));
        assert_eq!(status.remaining(), 9_853);
        assert_eq!(
            status.header_value(),
            "token-limit-10000-per-60-seconds: 147/10000"
        );
        let spaced = RateLimitStatus::parse("Token-Limit-500-per-10-Seconds :12 / 500", None)
            .expect("case and spaces");
        assert_eq!(
            (spaced.used, spaced.limit, spaced.call_cost),
            (12, 500, None)
        );
        for bad in [
            "",
            "10000 per minute",
            "token-limit-x-per-60-seconds: 1/2",
            "token-limit-0-per-60-seconds: 1/0",
        ] {
            assert_eq!(RateLimitStatus::parse(bad, None), None, "{bad}");
        }
    }
}
