//! Sync health: whether a company's data is in sync with e-conomic, and if not,
//! why, since when, and the one action that fixes it.
//!
//! The model is computed from what is already stored — the connection, the settings, the
//! webhooks the app manages, the events, the runs, the API budget — in two steps:
//! [`signals`] gathers the facts (for one tenant, live, or for all tenants at once with a handful
//! of grouped queries), and [`assess()`] turns them into a [`Health`], a pure function that the
//! home page, the staff dashboard and the detection sweep share.
//!
//! Problems are kept as episodes ([`episodes`]): one opens when a problem appears, is updated
//! while it lasts, and resolves by itself when the condition clears; each open and resolve
//! records one notification per channel ([`alerts`] sends the alert webhook, [`alert_mail`]
//! writes the e-mails to the outbox). [`sweep`] is the
//! periodic detection across all tenants; [`probe`] looks, once in a while, whether e-conomic's
//! newest change of a webhook entity reached us (e-conomic silently sending no webhooks).

pub mod alert_mail;
pub mod alert_webhook;
pub mod alerts;
mod assess;
pub mod episodes;
mod facts;
pub mod probe;
pub mod signals;
pub mod sweep;

use economic::Entity;
use serde::{Deserialize, Serialize};
use time::Duration;

use crate::timestamp::Timestamp;

pub use assess::assess;
pub use signals::Signals;

/// How a tenant's entity (or the whole tenant) is doing. Ordered: worse is greater.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// In sync, as far as anything tells.
    Ok,
    /// Late, but it catches up by itself (retries, the budget's window, a backlog).
    Delayed,
    /// Stuck until someone acts.
    Broken,
}

impl State {
    /// As stored and in the alert payload.
    pub const fn as_str(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Delayed => "delayed",
            State::Broken => "broken",
        }
    }

    /// The state of a stored name.
    pub fn parse(text: &str) -> Option<State> {
        [State::Ok, State::Delayed, State::Broken]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// How an entity is kept up to date (from the Advanced settings).
pub use vocabulary::Mode;

/// What a problem is about: a tenant has at most one open episode per slot, so that one cause
/// seen through several symptoms (a webhook first quiet, then found disabled) stays one problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Slot {
    /// The connection to e-conomic.
    Connection,
    /// One entity's webhook: whether e-conomic delivers its changes to us.
    Webhook(Entity),
    /// Events that fail (a storm of them is one problem).
    Events,
    /// Events waiting long to be applied.
    Backlog,
    /// The e-conomic API budget.
    Budget,
    /// One entity's sync runs (the first import, the hourly sync).
    Sync(Entity),
}

impl Slot {
    /// As stored: `connection`, `webhook:products`, `events`, `backlog`, `budget`,
    /// `sync:customers`.
    pub fn key(self) -> String {
        match self {
            Slot::Connection => "connection".to_owned(),
            Slot::Webhook(e) => format!("webhook:{}", e.as_str()),
            Slot::Events => "events".to_owned(),
            Slot::Backlog => "backlog".to_owned(),
            Slot::Budget => "budget".to_owned(),
            Slot::Sync(e) => format!("sync:{}", e.as_str()),
        }
    }
}

/// Why a problem is one, with its figures. Stored as JSON in the episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// e-conomic refused the grant token (revoked, or the app's access withdrawn): nothing syncs.
    TokenRefused,
    /// e-conomic disabled the entity's webhook (after failed deliveries).
    WebhookDisabled {
        /// Whose webhook.
        entity: Entity,
    },
    /// The webhook the app created is gone from e-conomic.
    WebhookMissing {
        /// Whose webhook.
        entity: Entity,
    },
    /// e-conomic's webhook points at another URL than this company's.
    WebhookMisdirected {
        /// Whose webhook.
        entity: Entity,
    },
    /// A check of all records repaired changes that no webhook had reported.
    WebhookUnreported {
        /// Which entity.
        entity: Entity,
        /// How many changes.
        changes: u64,
    },
    /// e-conomic changed a record after the last webhook we received, and no webhook came.
    WebhookQuiet {
        /// Which entity.
        entity: Entity,
        /// The record e-conomic changed.
        record: String,
    },
    /// Events fail: e-conomic errors, or records it refuses. Dead ones wait for a replay.
    EventsFailing {
        /// Events that failed and will be retried.
        failed: u64,
        /// Events that failed every attempt.
        dead: u64,
    },
    /// Events wait long to be applied.
    Backlog {
        /// How many wait.
        waiting: u64,
    },
    /// The e-conomic API budget is (nearly) used up; sync waits until calls leave the window.
    BudgetExhausted {
        /// Calls in the last 24 hours.
        used: u64,
        /// The limit.
        limit: u32,
    },
    /// The entity's last run gave up.
    SyncFailing {
        /// Which entity.
        entity: Entity,
    },
}

impl Reason {
    /// The stored name (the JSON tag).
    pub const fn name(&self) -> &'static str {
        match self {
            Reason::TokenRefused => "token_refused",
            Reason::WebhookDisabled { .. } => "webhook_disabled",
            Reason::WebhookMissing { .. } => "webhook_missing",
            Reason::WebhookMisdirected { .. } => "webhook_misdirected",
            Reason::WebhookUnreported { .. } => "webhook_unreported",
            Reason::WebhookQuiet { .. } => "webhook_quiet",
            Reason::EventsFailing { .. } => "events_failing",
            Reason::Backlog { .. } => "backlog",
            Reason::BudgetExhausted { .. } => "budget_exhausted",
            Reason::SyncFailing { .. } => "sync_failing",
        }
    }
}

/// The one action that fixes a problem; the home page shows it as a button or a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "fix", content = "entity", rename_all = "snake_case")]
pub enum Fix {
    /// Connect e-conomic again with a valid grant token (the connection settings).
    Reconnect,
    /// Enable the webhook again in e-conomic (the app manages it).
    ReenableWebhook(Entity),
    /// Create the webhook in e-conomic again, with our URL (the app manages it).
    RecreateWebhook(Entity),
    /// Look at the webhooks in e-conomic now (one list call).
    CheckWebhooks,
    /// Check the webhook in e-conomic by hand: the app does not manage it (Advanced settings).
    OpenWebhookSettings(Entity),
    /// Check every record of the entity now (the reconciliation).
    CheckAllRecords(Entity),
    /// Run the entity's sync now.
    SyncNow(Entity),
    /// Queue every failed and dead event again.
    ReplayFailed,
    /// Nothing to press: it catches up by itself; the event history shows the queue.
    WatchQueue,
    /// Nothing to press: sync resumes as calls leave the 24-hour window (the Sync tab).
    WaitForBudget,
}

impl Fix {
    /// As the home page's fix button sends it: `reconnect`, `reenable_webhook:products`, …
    pub fn code(self) -> String {
        let (name, entity) = match self {
            Fix::Reconnect => ("reconnect", None),
            Fix::ReenableWebhook(e) => ("reenable_webhook", Some(e)),
            Fix::RecreateWebhook(e) => ("recreate_webhook", Some(e)),
            Fix::CheckWebhooks => ("check_webhooks", None),
            Fix::OpenWebhookSettings(e) => ("open_webhook_settings", Some(e)),
            Fix::CheckAllRecords(e) => ("check_all_records", Some(e)),
            Fix::SyncNow(e) => ("sync_now", Some(e)),
            Fix::ReplayFailed => ("replay_failed", None),
            Fix::WatchQueue => ("watch_queue", None),
            Fix::WaitForBudget => ("wait_for_budget", None),
        };
        match entity {
            Some(e) => format!("{name}:{}", e.as_str()),
            None => name.to_owned(),
        }
    }

    /// The fix of a [`Fix::code`]; `None` for anything else.
    pub fn parse(code: &str) -> Option<Fix> {
        let (name, entity) = match code.split_once(':') {
            Some((name, slug)) => (name, Some(Entity::from_slug(slug)?)),
            None => (code, None),
        };
        Some(match (name, entity) {
            ("reconnect", None) => Fix::Reconnect,
            ("reenable_webhook", Some(e)) => Fix::ReenableWebhook(e),
            ("recreate_webhook", Some(e)) => Fix::RecreateWebhook(e),
            ("check_webhooks", None) => Fix::CheckWebhooks,
            ("open_webhook_settings", Some(e)) => Fix::OpenWebhookSettings(e),
            ("check_all_records", Some(e)) => Fix::CheckAllRecords(e),
            ("sync_now", Some(e)) => Fix::SyncNow(e),
            ("replay_failed", None) => Fix::ReplayFailed,
            ("watch_queue", None) => Fix::WatchQueue,
            ("wait_for_budget", None) => Fix::WaitForBudget,
            _ => return None,
        })
    }
}

/// One problem: what, how bad, since when, what fixes it, and which entities it stalls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// What it is about (its episode's identity).
    pub slot: Slot,
    /// Why, with figures.
    pub reason: Reason,
    /// Delayed or broken (never ok).
    pub state: State,
    /// Since when the condition holds, as far as the evidence says.
    pub since: Timestamp,
    /// The one action that fixes it.
    pub fix: Fix,
    /// The entities whose data it keeps from being fresh.
    pub entities: Vec<Entity>,
}

/// One entity's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityHealth {
    /// Which.
    pub entity: Entity,
    /// How it is kept up to date.
    pub mode: Mode,
    /// The worst state of the problems that touch it.
    pub state: State,
    /// Up to when its data is known to match e-conomic (the last event applied, the last
    /// successful run or check); `None` before anything was synced.
    pub fresh_until: Option<Timestamp>,
}

/// A tenant's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Whether e-conomic is connected (a tenant that is not has no problems, only onboarding).
    pub connected: bool,
    /// The worst of the problems' states.
    pub state: State,
    /// Customers, products, invoices.
    pub entities: Vec<EntityHealth>,
    /// The current problems, worst first.
    pub problems: Vec<Problem>,
}

/// The thresholds of the model (configuration, with defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Events waiting longer than this are a backlog problem.
    pub backlog_after: Duration,
    /// Events failing (and retried) for longer than this are a problem before they are dead.
    pub failing_after: Duration,
    /// A webhook entity that received nothing for this long is probed: did e-conomic change a
    /// record it did not tell us about? Also the probe's interval.
    pub quiet_after: Duration,
    /// e-conomic calls a tenant may make in 24 hours.
    pub daily_call_limit: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            backlog_after: Duration::minutes(10),
            failing_after: Duration::minutes(10),
            quiet_after: Duration::hours(1),
            daily_call_limit: crate::sync::budget::DAILY_LIMIT,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fix_codes_round_trip() {
        let fixes = [
            Fix::Reconnect,
            Fix::ReenableWebhook(Entity::Products),
            Fix::RecreateWebhook(Entity::Customers),
            Fix::CheckWebhooks,
            Fix::OpenWebhookSettings(Entity::Invoices),
            Fix::CheckAllRecords(Entity::Products),
            Fix::SyncNow(Entity::Customers),
            Fix::ReplayFailed,
            Fix::WatchQueue,
            Fix::WaitForBudget,
        ];
        for fix in fixes {
            assert_eq!(Fix::parse(&fix.code()), Some(fix), "{}", fix.code());
        }
        assert_eq!(Fix::parse("reconnect:products"), None);
        assert_eq!(Fix::parse("sync_now"), None);
        assert_eq!(Fix::parse("sync_now:orders"), None);
        assert_eq!(Fix::parse("drop tables"), None);
    }

    #[test]
    fn reasons_are_stored_by_their_name() {
        let reason = Reason::WebhookUnreported {
            entity: Entity::Products,
            changes: 3,
        };
        let json = serde_json::to_value(&reason).expect("json");
        assert_eq!(json["reason"], reason.name());
        assert_eq!(json["entity"], "products");
        let back: Reason = serde_json::from_value(json).expect("parse");
        assert_eq!(back, reason);
    }
}
