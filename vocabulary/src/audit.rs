//! What the audit log records: the company's activity page shows it, the server writes it.

use serde::{Deserialize, Serialize};

/// What was done: a stable name in the database, a translated text on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A user logged in.
    LoggedIn,
    /// A wrong password was given for a user of the tenant (detail: the email and address).
    LoginFailed,
    /// Log-ins of a user of the tenant are being slowed down after failures (detail: the email
    /// and address); recorded at most once per throttle window.
    LoginThrottled,
    /// The Advanced Settings were saved (detail: the settings).
    SettingsSaved,
    /// e-conomic was connected (detail: the agreement).
    Connected,
    /// e-conomic was disconnected.
    Disconnected,
    /// A webhook URL was regenerated (detail: the kind).
    WebhookUrlRegenerated,
    /// The previous webhook URLs of a kind were stopped at once (detail: the kind).
    WebhookUrlRevoked,
    /// The app created, updated, re-enabled or deleted a webhook in e-conomic through its
    /// Webhooks API (detail: the kind and what was done).
    EconomicWebhookChanged,
    /// Someone was invited (detail: the email).
    InviteCreated,
    /// An invite was accepted (detail: the email).
    InviteAccepted,
    /// Failed or dead events were queued again (detail: how many).
    EventsReplayed,
    /// A dead event was dismissed: it needs no replay (detail: which).
    EventDismissed,
    /// The owner changed a member's role (detail: the email and the new role).
    RoleChanged,
    /// A staff member started impersonating (detail: the reason).
    ImpersonationStarted,
    /// A staff member was granted write access while impersonating (detail: the reason).
    ImpersonationElevated,
    /// An impersonation ended (detail: why).
    ImpersonationEnded,
    /// The owner changed what support staff may do (detail: the new choice).
    SupportAccessChanged,
    /// A staff account was created (detail: the email).
    StaffCreated,
    /// A staff member logged in with both factors.
    StaffLoggedIn,
    /// A staff account was disabled (detail: the email).
    StaffDisabled,
    /// A staff member's locked second factor was unlocked by an operator (detail: the email).
    StaffUnlocked,
    /// A sync problem began (detail: the problem and its episode).
    ProblemOpened,
    /// A sync problem resolved by itself (detail: the problem and its episode).
    ProblemResolved,
    /// A notification about a problem was delivered (detail: the channel and the episode).
    NotificationSent,
    /// A notification about a problem could not be delivered (detail: the channel and why).
    NotificationFailed,
    /// The company's alert webhook was set or removed (detail: its host).
    AlertWebhookChanged,
    /// A user of the tenant chose a new password with a mailed reset link (every session of
    /// theirs ended).
    PasswordReset,
}

impl Action {
    /// Every action, for the exhaustive round trip through the database.
    pub const ALL: [Action; 28] = [
        Action::LoggedIn,
        Action::LoginFailed,
        Action::LoginThrottled,
        Action::SettingsSaved,
        Action::Connected,
        Action::Disconnected,
        Action::WebhookUrlRegenerated,
        Action::WebhookUrlRevoked,
        Action::EconomicWebhookChanged,
        Action::InviteCreated,
        Action::InviteAccepted,
        Action::EventsReplayed,
        Action::EventDismissed,
        Action::RoleChanged,
        Action::ImpersonationStarted,
        Action::ImpersonationElevated,
        Action::ImpersonationEnded,
        Action::SupportAccessChanged,
        Action::StaffCreated,
        Action::StaffLoggedIn,
        Action::StaffDisabled,
        Action::StaffUnlocked,
        Action::ProblemOpened,
        Action::ProblemResolved,
        Action::NotificationSent,
        Action::NotificationFailed,
        Action::AlertWebhookChanged,
        Action::PasswordReset,
    ];

    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::LoggedIn => "login",
            Action::LoginFailed => "login.failed",
            Action::LoginThrottled => "login.throttled",
            Action::SettingsSaved => "settings.save",
            Action::Connected => "economic.connect",
            Action::Disconnected => "economic.disconnect",
            Action::WebhookUrlRegenerated => "webhook_url.regenerate",
            Action::WebhookUrlRevoked => "webhook_url.revoke",
            Action::EconomicWebhookChanged => "economic_webhook.change",
            Action::InviteCreated => "invite.create",
            Action::InviteAccepted => "invite.accept",
            Action::EventsReplayed => "events.replay",
            Action::EventDismissed => "event.dismiss",
            Action::RoleChanged => "member.role",
            Action::ImpersonationStarted => "impersonation.start",
            Action::ImpersonationElevated => "impersonation.elevate",
            Action::ImpersonationEnded => "impersonation.end",
            Action::SupportAccessChanged => "support_access.change",
            Action::StaffCreated => "staff.created",
            Action::StaffLoggedIn => "staff.login",
            Action::StaffDisabled => "staff.disabled",
            Action::StaffUnlocked => "staff.unlocked",
            Action::ProblemOpened => "health.problem_opened",
            Action::ProblemResolved => "health.problem_resolved",
            Action::NotificationSent => "health.notification_sent",
            Action::NotificationFailed => "health.notification_failed",
            Action::AlertWebhookChanged => "health.alert_webhook",
            Action::PasswordReset => "password.reset",
        }
    }

    /// The action stored as `name`, if any.
    pub fn from_slug(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == name)
    }
}
