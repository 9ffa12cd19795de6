//! Where a webhook event is in its life, how one attempt to apply it ended, and how long events
//! are kept.

use serde::{Deserialize, Serialize};

/// Where an event is in its life; stored, and written in URLs, by [`EventStatus::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Stored, not yet processed.
    Received,
    /// Back in the queue: replayed by hand, or taken up again after its worker stopped.
    Queued,
    /// A worker is applying it.
    Processing,
    /// Applied.
    Processed,
    /// Not for processing (kind not enabled); `reason` says why.
    Ignored,
    /// The request could not be parsed; `reason` has the parse error.
    Rejected,
    /// The last attempt failed; will be retried.
    Failed,
    /// Every attempt failed; can be replayed by hand.
    Dead,
}

impl EventStatus {
    /// All statuses, in life order (the history filter's order).
    pub const ALL: [EventStatus; 8] = [
        EventStatus::Received,
        EventStatus::Queued,
        EventStatus::Processing,
        EventStatus::Processed,
        EventStatus::Ignored,
        EventStatus::Rejected,
        EventStatus::Failed,
        EventStatus::Dead,
    ];

    /// The stored text, also the URL's slug and the page's CSS class, e.g. `"received"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            EventStatus::Received => "received",
            EventStatus::Queued => "queued",
            EventStatus::Processing => "processing",
            EventStatus::Processed => "processed",
            EventStatus::Ignored => "ignored",
            EventStatus::Rejected => "rejected",
            EventStatus::Failed => "failed",
            EventStatus::Dead => "dead",
        }
    }

    /// The status stored (and written in URLs) as `text`, if any.
    pub fn from_slug(text: &str) -> Option<Self> {
        EventStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether a replay can be asked for.
    pub const fn replayable(self) -> bool {
        matches!(
            self,
            EventStatus::Processed | EventStatus::Failed | EventStatus::Dead
        )
    }

    /// Whether the status can no longer change by itself (the page stops following it).
    pub const fn settled(self) -> bool {
        match self {
            EventStatus::Processed
            | EventStatus::Ignored
            | EventStatus::Rejected
            | EventStatus::Dead => true,
            EventStatus::Received
            | EventStatus::Queued
            | EventStatus::Processing
            | EventStatus::Failed => false,
        }
    }
}

/// How one attempt to apply an event ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// Applied.
    Processed,
    /// Failed; the event runs again.
    Failed,
    /// Failed for the last time (or for good).
    Dead,
    /// Not attempted after all: the tenant's e-conomic access was paused.
    Paused,
}

impl AttemptOutcome {
    /// Every outcome.
    pub const ALL: [AttemptOutcome; 4] = [
        AttemptOutcome::Processed,
        AttemptOutcome::Failed,
        AttemptOutcome::Dead,
        AttemptOutcome::Paused,
    ];

    /// The stored text, e.g. `"processed"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Processed => "processed",
            AttemptOutcome::Failed => "failed",
            AttemptOutcome::Dead => "dead",
            AttemptOutcome::Paused => "paused",
        }
    }

    /// The outcome stored as `text`, if any.
    pub fn from_slug(text: &str) -> Option<Self> {
        AttemptOutcome::ALL.into_iter().find(|o| o.as_str() == text)
    }
}

/// How long a company keeps its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Retention {
    /// 30 days.
    Days30,
    /// 90 days (the default).
    #[default]
    Days90,
    /// 365 days.
    Days365,
}

impl Retention {
    /// Every choice, shortest first.
    pub const ALL: [Retention; 3] = [Retention::Days30, Retention::Days90, Retention::Days365];

    /// The number of days (also the form's value, and what is stored).
    pub const fn days(self) -> i64 {
        match self {
            Retention::Days30 => 30,
            Retention::Days90 => 90,
            Retention::Days365 => 365,
        }
    }

    /// The choice of `days`, if it is one.
    pub fn from_days(days: i64) -> Option<Retention> {
        Retention::ALL.into_iter().find(|r| r.days() == days)
    }
}
