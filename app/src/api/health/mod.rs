//! Sync health for the home page: per entity its mode, health and freshness; the
//! open problems with the one action that fixes each; the history; for a new company the
//! onboarding checklist. Everything sent to the page is typed; the browser build cannot link
//! `backend`, so the model's reasons and fixes have page-side mirrors here, converted
//! exhaustively on the server ([`convert`]).

#[cfg(feature = "ssr")]
mod convert;
pub mod settings;

use economic::Entity;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::CsrfToken;
use crate::api::sync::Mode;
use crate::components::runs::entity_msg;
use crate::error::AppError;
use crate::i18n::{Lang, Msg};

#[cfg(feature = "ssr")]
pub use convert::{alert_mail, alert_text};
#[cfg(feature = "ssr")]
pub(crate) use convert::{context, episode_view, reason_view, state_view};

/// How an entity, a problem or the company is doing (mirror of the backend's `State`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum HealthState {
    /// In sync.
    Ok,
    /// Late; catches up by itself.
    Delayed,
    /// Stuck until someone acts.
    Broken,
}

impl HealthState {
    /// The CSS class and `data-state` value.
    pub fn slug(self) -> &'static str {
        match self {
            HealthState::Ok => "ok",
            HealthState::Delayed => "delayed",
            HealthState::Broken => "broken",
        }
    }
}

/// Why a problem is one (mirror of the backend's `Reason`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProblemReason {
    /// e-conomic refuses the grant token.
    TokenRefused,
    /// e-conomic disabled the entity's webhook.
    WebhookDisabled(Entity),
    /// The webhook the app created is gone from e-conomic.
    WebhookMissing(Entity),
    /// e-conomic's webhook points elsewhere.
    WebhookMisdirected(Entity),
    /// A check of all records repaired changes no webhook reported.
    WebhookUnreported {
        /// Which entity.
        entity: Entity,
        /// How many changes.
        changes: u64,
    },
    /// e-conomic changed a record and no webhook came.
    WebhookQuiet {
        /// Which entity.
        entity: Entity,
        /// The record.
        record: String,
    },
    /// Events fail (dead ones wait for a replay).
    EventsFailing {
        /// Failed, retried.
        failed: u64,
        /// Failed every attempt.
        dead: u64,
    },
    /// Events wait long.
    Backlog {
        /// How many.
        waiting: u64,
    },
    /// The API budget is used up.
    BudgetExhausted {
        /// Calls in 24 hours.
        used: u64,
        /// The limit.
        limit: u32,
    },
    /// The entity's last run gave up.
    SyncFailing(Entity),
}

/// The one action that fixes a problem (mirror of the backend's `Fix`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FixAction {
    /// Connect again (a link to the connection settings).
    Reconnect,
    /// Enable the webhook again in e-conomic (a button).
    ReenableWebhook(Entity),
    /// Create the webhook again in e-conomic (a button).
    RecreateWebhook(Entity),
    /// Look at the webhooks in e-conomic now (a button).
    CheckWebhooks,
    /// Check the webhook in e-conomic by hand (a link to the Advanced settings).
    OpenWebhookSettings(Entity),
    /// Check all records now (a button).
    CheckAllRecords(Entity),
    /// Sync now (a button).
    SyncNow(Entity),
    /// Replay every failed event (a button).
    ReplayFailed,
    /// Nothing to press; the event history shows the queue (a link).
    WatchQueue,
    /// Nothing to press; the Sync tab shows the budget (a link).
    WaitForBudget,
}

impl FixAction {
    /// Where a link fix leads; `None` for a button (posted to [`fix_problem`]).
    pub fn link(self) -> Option<String> {
        match self {
            FixAction::Reconnect => Some("/settings/apps/economic".to_owned()),
            FixAction::OpenWebhookSettings(e) => Some(format!(
                "/settings/apps/economic/advanced#webhook-{}",
                e.as_str()
            )),
            FixAction::WatchQueue => Some("/events".to_owned()),
            FixAction::WaitForBudget => Some("/settings/apps/economic/sync".to_owned()),
            FixAction::ReenableWebhook(_)
            | FixAction::RecreateWebhook(_)
            | FixAction::CheckWebhooks
            | FixAction::CheckAllRecords(_)
            | FixAction::SyncNow(_)
            | FixAction::ReplayFailed => None,
        }
    }
}

/// One problem, as the home page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemView {
    /// Why.
    pub reason: ProblemReason,
    /// Delayed or broken.
    pub state: HealthState,
    /// Since when (UTC).
    pub since: String,
    /// What fixes it.
    pub fix: FixAction,
    /// The code [`fix_problem`] takes.
    pub fix_code: String,
}

/// One entity's health.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityHealthView {
    /// Which.
    pub entity: Entity,
    /// Hourly, webhooks or off.
    pub mode: Mode,
    /// Its state.
    pub state: HealthState,
    /// Seconds since its data was last known to match e-conomic; `None` if never.
    pub fresh_secs: Option<u64>,
}

/// One episode of the history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpisodeView {
    /// Its id.
    pub id: i64,
    /// Why (its latest figures).
    pub reason: ProblemReason,
    /// Its latest state.
    pub state: HealthState,
    /// When it opened (UTC).
    pub opened_at: String,
    /// When it resolved (UTC); `None` while open.
    pub resolved_at: Option<String>,
}

/// A webhook entity's setup, for the onboarding checklist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookStep {
    /// Which.
    pub entity: Entity,
    /// The app created it in e-conomic.
    pub created: bool,
    /// A webhook of it has arrived.
    pub received: bool,
}

/// The steps of the guide, as far as the company got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Onboarding {
    /// e-conomic is connected.
    pub connected: bool,
    /// The Advanced settings were saved (each entity's mode chosen).
    pub chosen: bool,
    /// The entities on webhooks (empty: everything hourly, no webhooks needed).
    pub webhooks: Vec<WebhookStep>,
    /// When the first webhook arrived (UTC).
    pub first_event: Option<String>,
}

impl Onboarding {
    /// Whether every step is done.
    pub fn done(&self) -> bool {
        self.connected
            && self.chosen
            && self.webhooks.iter().all(|w| w.received)
            && (self.webhooks.is_empty() || self.first_event.is_some())
    }
}

/// The home page's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeView {
    /// Whether e-conomic is connected (before, nothing can be in sync or not).
    pub connected: bool,
    /// The worst state.
    pub state: HealthState,
    /// Customers, products, invoices.
    pub entities: Vec<EntityHealthView>,
    /// The current problems, worst first.
    pub problems: Vec<ProblemView>,
    /// The newest episodes, open and resolved.
    pub history: Vec<EpisodeView>,
    /// The guide's steps; `None` once all are done.
    pub onboarding: Option<Onboarding>,
    /// Whether the user may press the fixes (owners and admins).
    pub can_fix: bool,
}

/// How many episodes the home page lists.
pub const HISTORY: u32 = 10;

/// The caller's company's health, live.
#[server(prefix = "/api", endpoint = "home_health", input = leptos::server_fn::codec::GetUrl)]
pub async fn home_health() -> Result<HomeView, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    convert::home(&ctx, backend::Timestamp::now()).await
}

/// Does the fix `fix` (a [`ProblemView::fix_code`]) for the caller's company, then assesses
/// its health at once; owners and admins.
#[server(prefix = "/api", endpoint = "fix_problem")]
pub async fn fix_problem(csrf_token: CsrfToken, fix: String) -> Result<(), AppError> {
    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    ctx.manager()?;
    let write = ctx.writable()?;
    let fix = backend::health::Fix::parse(&fix).ok_or(AppError::NotFound)?;
    convert::fix(&ctx, &write, fix, backend::Timestamp::now()).await?;
    leptos_axum::redirect("/?fixed=1");
    Ok(())
}

/// A reason in words, with its entity and figures.
pub fn reason_text(reason: &ProblemReason, lang: Lang) -> String {
    let entity = |e: Entity| entity_msg(e).text(lang);
    match reason {
        ProblemReason::TokenRefused => Msg::HealthReasonTokenRefused.text(lang).to_owned(),
        ProblemReason::WebhookDisabled(e) => {
            format!(
                "{}: {}",
                entity(*e),
                Msg::HealthReasonWebhookDisabled.text(lang)
            )
        }
        ProblemReason::WebhookMissing(e) => {
            format!(
                "{}: {}",
                entity(*e),
                Msg::HealthReasonWebhookMissing.text(lang)
            )
        }
        ProblemReason::WebhookMisdirected(e) => {
            format!(
                "{}: {}",
                entity(*e),
                Msg::HealthReasonWebhookMisdirected.text(lang)
            )
        }
        ProblemReason::WebhookUnreported { entity: e, changes } => format!(
            "{}: {} ({changes} {})",
            entity(*e),
            Msg::HealthReasonWebhookUnreported.text(lang),
            Msg::HealthChanges.text(lang)
        ),
        ProblemReason::WebhookQuiet { entity: e, record } => format!(
            "{}: {} ({} {record})",
            entity(*e),
            Msg::HealthReasonWebhookQuiet.text(lang),
            Msg::HealthRecord.text(lang)
        ),
        ProblemReason::EventsFailing { failed, dead } if *dead > 0 => format!(
            "{} ({dead} {}, {failed} {})",
            Msg::HealthReasonEventsDead.text(lang),
            Msg::HealthDead.text(lang),
            Msg::HealthFailed.text(lang)
        ),
        ProblemReason::EventsFailing { failed, .. } => format!(
            "{} ({failed} {})",
            Msg::HealthReasonEventsFailing.text(lang),
            Msg::HealthFailed.text(lang)
        ),
        ProblemReason::Backlog { waiting } => format!(
            "{} ({waiting} {})",
            Msg::HealthReasonBacklog.text(lang),
            Msg::HealthWaiting.text(lang)
        ),
        ProblemReason::BudgetExhausted { used, limit } => {
            format!("{} ({used} / {limit})", Msg::HealthReasonBudget.text(lang))
        }
        ProblemReason::SyncFailing(e) => {
            format!(
                "{}: {}",
                entity(*e),
                Msg::HealthReasonSyncFailing.text(lang)
            )
        }
    }
}

/// A fix in words (the button's or link's label).
pub fn fix_msg(fix: FixAction) -> Msg {
    match fix {
        FixAction::Reconnect => Msg::HealthFixReconnect,
        FixAction::ReenableWebhook(_) => Msg::HealthFixReenable,
        FixAction::RecreateWebhook(_) => Msg::HealthFixRecreate,
        FixAction::CheckWebhooks => Msg::HealthFixCheckWebhooks,
        FixAction::OpenWebhookSettings(_) => Msg::HealthFixOpenWebhookSettings,
        FixAction::CheckAllRecords(_) => Msg::HealthFixCheckAll,
        FixAction::SyncNow(_) => Msg::HealthFixSyncNow,
        FixAction::ReplayFailed => Msg::HealthFixReplay,
        FixAction::WatchQueue => Msg::HealthFixWatchQueue,
        FixAction::WaitForBudget => Msg::HealthFixWaitBudget,
    }
}
