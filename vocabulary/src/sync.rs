//! Sync runs (what started one, where it is) and how an entity is kept up to date.

use serde::{Deserialize, Serialize};

/// What started a run, and so what it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    /// The first import after connecting: every record (invoices: a recent window).
    Import,
    /// The hourly sync: records changed since the watermark.
    Hourly,
    /// The reconciliation ("Check all records now"): every record number compared with ours.
    Reconcile,
    /// "Sync now": what the hourly sync does, at once.
    Manual,
}

impl RunKind {
    /// Every kind.
    pub const ALL: [RunKind; 4] = [
        RunKind::Import,
        RunKind::Hourly,
        RunKind::Reconcile,
        RunKind::Manual,
    ];

    /// As stored.
    pub const fn as_str(self) -> &'static str {
        match self {
            RunKind::Import => "import",
            RunKind::Hourly => "hourly",
            RunKind::Reconcile => "reconcile",
            RunKind::Manual => "manual",
        }
    }

    /// The kind stored as `text`, if any.
    pub fn from_slug(text: &str) -> Option<RunKind> {
        RunKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Waiting for a worker (or for its next attempt: a retry, the API budget).
    Queued,
    /// A worker is reading pages.
    Running,
    /// Finished.
    Done,
    /// Gave up; its error says why.
    Failed,
}

impl RunStatus {
    /// Every status.
    pub const ALL: [RunStatus; 4] = [
        RunStatus::Queued,
        RunStatus::Running,
        RunStatus::Done,
        RunStatus::Failed,
    ];

    /// As stored, also the page's CSS class and `data-status` value.
    pub const fn as_str(self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::Running => "running",
            RunStatus::Done => "done",
            RunStatus::Failed => "failed",
        }
    }

    /// The status stored as `text`, if any.
    pub fn from_slug(text: &str) -> Option<RunStatus> {
        RunStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the run is still to finish (queued or running).
    pub const fn is_active(self) -> bool {
        match self {
            RunStatus::Queued | RunStatus::Running => true,
            RunStatus::Done | RunStatus::Failed => false,
        }
    }
}

/// How one entity (customers, products) is kept up to date: by the hourly sync, by
/// e-conomic's webhooks, or not at all. One value, so that "hourly and webhooks at once" cannot
/// be represented: the settings form's two boxes are parsed into it at the form's boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Neither.
    Off,
    /// The hourly sync.
    Hourly,
    /// Live, by e-conomic's webhooks.
    Webhook,
}

impl Mode {
    /// As the audit log writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Mode::Off => "off",
            Mode::Hourly => "hourly",
            Mode::Webhook => "webhook",
        }
    }

    /// The mode of the form's two boxes; `None` when both are ticked (a conflict the page
    /// reports).
    pub const fn from_boxes(hourly: bool, webhook: bool) -> Option<Mode> {
        match (hourly, webhook) {
            (true, true) => None,
            (true, false) => Some(Mode::Hourly),
            (false, true) => Some(Mode::Webhook),
            (false, false) => Some(Mode::Off),
        }
    }

    /// Whether the hourly box is ticked.
    pub const fn hourly(self) -> bool {
        matches!(self, Mode::Hourly)
    }

    /// Whether the webhook box is ticked.
    pub const fn webhook(self) -> bool {
        matches!(self, Mode::Webhook)
    }
}
