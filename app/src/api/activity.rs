//! The company's activity log for its owners: logins, connection, settings, webhook URLs and
//! invites, and what support staff did (F18), read from the audit log.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// How many entries the page shows.
pub const LIMIT: u32 = 200;

/// What was done (mirror of the backend's audit `Action`; converted exhaustively).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivityAction {
    /// A log-in.
    LoggedIn,
    /// A wrong password for one of the company's users.
    LoginFailed,
    /// Log-ins of one of the company's users slowed down after failures.
    LoginThrottled,
    /// Advanced Settings saved.
    SettingsSaved,
    /// e-conomic connected.
    Connected,
    /// e-conomic disconnected.
    Disconnected,
    /// A webhook URL regenerated.
    WebhookUrlRegenerated,
    /// The previous webhook URLs stopped at once.
    WebhookUrlRevoked,
    /// A webhook created, updated, re-enabled or deleted in e-conomic by the app.
    EconomicWebhookChanged,
    /// An invite created.
    InviteCreated,
    /// An invite accepted.
    InviteAccepted,
    /// Events replayed.
    EventsReplayed,
    /// A dead event dismissed.
    EventDismissed,
    /// A member's role changed.
    RoleChanged,
    /// Support started looking at the company's account.
    ImpersonationStarted,
    /// Support staff were granted write access while impersonating.
    ImpersonationElevated,
    /// An impersonation ended.
    ImpersonationEnded,
    /// The owner changed what support staff may do.
    SupportAccessChanged,
    /// A staff account was created (never the company's; listed for completeness).
    StaffCreated,
    /// A staff member logged in (never the company's; listed for completeness).
    StaffLoggedIn,
    /// A staff account was disabled (never the company's; listed for completeness).
    StaffDisabled,
    /// A staff member's second factor was unlocked (never the company's; listed for
    /// completeness).
    StaffUnlocked,
    /// A sync problem began.
    ProblemOpened,
    /// A sync problem resolved.
    ProblemResolved,
    /// A message about a problem was delivered.
    NotificationSent,
    /// A message about a problem could not be delivered.
    NotificationFailed,
    /// The alert webhook was set or removed.
    AlertWebhookChanged,
    /// A user chose a new password with a mailed link.
    PasswordReset,
}

/// Who did it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivityActor {
    /// A user of the company, by name.
    User(String),
    /// Support staff, by name.
    Staff(String),
    /// Support staff acting as one of the company's users, by the staff member's name.
    Support(String),
    /// The system itself.
    System,
}

/// One entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    /// When (UTC, formatted).
    pub at: String,
    /// Who.
    pub actor: ActivityActor,
    /// What.
    pub action: ActivityAction,
    /// Details (never secrets).
    pub detail: String,
}

/// The company's newest [`LIMIT`] entries; owners only.
#[server(prefix = "/api", endpoint = "activity_log", input = leptos::server_fn::codec::GetUrl)]
pub async fn activity_log() -> Result<Vec<ActivityView>, AppError> {
    use backend::audit::{Action as A, Actor};

    use crate::ssr::format;

    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    ctx.owner()?;
    let entries = backend::audit::for_tenant(&state.db, ctx.tenant_id, LIMIT).await?;
    Ok(entries
        .into_iter()
        .map(|e| {
            let name = e.actor_name.unwrap_or_default();
            ActivityView {
                at: format::timestamp(e.created_at),
                actor: match e.actor {
                    Actor::User(_) => ActivityActor::User(name),
                    Actor::Staff(_) => ActivityActor::Staff(name),
                    Actor::Impersonating { .. } => ActivityActor::Support(name),
                    Actor::System => ActivityActor::System,
                },
                action: match e.action {
                    A::LoggedIn => ActivityAction::LoggedIn,
                    A::LoginFailed => ActivityAction::LoginFailed,
                    A::LoginThrottled => ActivityAction::LoginThrottled,
                    A::SettingsSaved => ActivityAction::SettingsSaved,
                    A::Connected => ActivityAction::Connected,
                    A::Disconnected => ActivityAction::Disconnected,
                    A::WebhookUrlRegenerated => ActivityAction::WebhookUrlRegenerated,
                    A::WebhookUrlRevoked => ActivityAction::WebhookUrlRevoked,
                    A::EconomicWebhookChanged => ActivityAction::EconomicWebhookChanged,
                    A::InviteCreated => ActivityAction::InviteCreated,
                    A::InviteAccepted => ActivityAction::InviteAccepted,
                    A::EventsReplayed => ActivityAction::EventsReplayed,
                    A::EventDismissed => ActivityAction::EventDismissed,
                    A::RoleChanged => ActivityAction::RoleChanged,
                    A::ImpersonationStarted => ActivityAction::ImpersonationStarted,
                    A::ImpersonationElevated => ActivityAction::ImpersonationElevated,
                    A::ImpersonationEnded => ActivityAction::ImpersonationEnded,
                    A::SupportAccessChanged => ActivityAction::SupportAccessChanged,
                    A::StaffCreated => ActivityAction::StaffCreated,
                    A::StaffLoggedIn => ActivityAction::StaffLoggedIn,
                    A::StaffDisabled => ActivityAction::StaffDisabled,
                    A::StaffUnlocked => ActivityAction::StaffUnlocked,
                    A::ProblemOpened => ActivityAction::ProblemOpened,
                    A::ProblemResolved => ActivityAction::ProblemResolved,
                    A::NotificationSent => ActivityAction::NotificationSent,
                    A::NotificationFailed => ActivityAction::NotificationFailed,
                    A::AlertWebhookChanged => ActivityAction::AlertWebhookChanged,
                    A::PasswordReset => ActivityAction::PasswordReset,
                },
                detail: e.detail,
            }
        })
        .collect())
}
