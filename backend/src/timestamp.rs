//! Points in time as stored in the database: unix epoch milliseconds UTC in `bigint` columns.
//!
//! Both databases store an `i64` the same way, so timestamps sort and compare in SQL on either.
//! Functions that decide by time take a `now: Timestamp` so tests can move the clock.

use std::fmt;
use std::ops::{Add, Sub};

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// A point in time with millisecond precision, UTC.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, sqlx::Type,
)]
#[sqlx(transparent)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The current time, truncated to milliseconds.
    pub fn now() -> Self {
        Self::from(OffsetDateTime::now_utc())
    }

    /// From unix epoch milliseconds.
    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// Unix epoch milliseconds.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// As a `time` value in UTC (clamped to `time`'s range, which stored values never leave).
    pub fn to_offset_date_time(self) -> OffsetDateTime {
        let nanos = i128::from(self.0) * 1_000_000;
        OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(if self.0 < 0 {
            OffsetDateTime::UNIX_EPOCH
        } else {
            time::PrimitiveDateTime::MAX.assume_utc()
        })
    }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-29T15:00:00.123Z` (same as `Display`).
    pub fn to_rfc3339(self) -> String {
        self.to_string()
    }

    /// The time from `earlier` to `self` (negative when `earlier` is later).
    pub fn duration_since(self, earlier: Timestamp) -> Duration {
        Duration::milliseconds(self.0.saturating_sub(earlier.0))
    }

    /// Whole seconds from `self` until `later`, rounded up; 0 if `later` is not after `self`.
    pub fn secs_until(self, later: Timestamp) -> u64 {
        let millis = later.0.saturating_sub(self.0);
        u64::try_from(millis).map_or(0, |m| m.div_ceil(1000))
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(t: OffsetDateTime) -> Self {
        let millis = t.unix_timestamp_nanos() / 1_000_000;
        // `OffsetDateTime` spans ±9999 years, well inside i64 milliseconds.
        Self(i64::try_from(millis).unwrap_or(i64::MAX))
    }
}

impl From<Timestamp> for OffsetDateTime {
    fn from(t: Timestamp) -> Self {
        t.to_offset_date_time()
    }
}

impl Add<Duration> for Timestamp {
    type Output = Timestamp;

    fn add(self, d: Duration) -> Timestamp {
        let millis = i64::try_from(d.whole_milliseconds()).unwrap_or(i64::MAX);
        Timestamp(self.0.saturating_add(millis))
    }
}

impl Sub<Duration> for Timestamp {
    type Output = Timestamp;

    fn sub(self, d: Duration) -> Timestamp {
        let millis = i64::try_from(d.whole_milliseconds()).unwrap_or(i64::MAX);
        Timestamp(self.0.saturating_sub(millis))
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339, e.g. `2026-11-29T15:00:00.123Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.to_offset_date_time();
        match t.format(&time::format_description::well_known::Rfc3339) {
            Ok(s) => f.write_str(&s),
            Err(_) => write!(f, "{}ms", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn round_trips_through_offset_date_time() {
        let t = datetime!(2026-11-29 15:00:00.123 UTC);
        let ts = Timestamp::from(t);
        assert_eq!(ts.as_millis(), 1_795_964_400_123);
        assert_eq!(ts.to_offset_date_time(), t);
        assert_eq!(ts.to_string(), "2026-11-29T15:00:00.123Z");
        assert_eq!(ts.to_rfc3339(), "2026-11-29T15:00:00.123Z");
    }

    #[test]
    fn arithmetic_and_seconds_until() {
        let ts = Timestamp::from_millis(10_000);
        assert_eq!((ts + Duration::minutes(15)).as_millis(), 910_000);
        assert_eq!((ts - Duration::seconds(1)).as_millis(), 9_000);
        assert_eq!(ts.secs_until(Timestamp::from_millis(10_001)), 1);
        assert_eq!(ts.secs_until(Timestamp::from_millis(12_000)), 2);
        assert_eq!(ts.secs_until(Timestamp::from_millis(5_000)), 0);
    }
}
