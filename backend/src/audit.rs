//! The audit log: who did what, for staff actions and impersonation (F18) and the tenant's
//! support-access log. Append-only.

use serde::Serialize;

use crate::db::{CrossTenant, Db, Tx};
use crate::error::{Error, Result};
use crate::ids::{StaffId, TenantId, UserId};
use crate::timestamp::Timestamp;

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// A tenant user in their own session.
    User(UserId),
    /// A staff member in the staff dashboard.
    Staff(StaffId),
    /// A staff member impersonating a tenant user.
    Impersonating {
        /// The staff member responsible.
        staff: StaffId,
        /// The user being impersonated.
        user: UserId,
    },
    /// The system itself (jobs, CLI).
    System,
}

impl Actor {
    fn columns(self) -> (Option<UserId>, Option<StaffId>) {
        match self {
            Actor::User(user) => (Some(user), None),
            Actor::Staff(staff) => (None, Some(staff)),
            Actor::Impersonating { staff, user } => (Some(user), Some(staff)),
            Actor::System => (None, None),
        }
    }

    fn from_columns(user: Option<UserId>, staff: Option<StaffId>) -> Actor {
        match (user, staff) {
            (Some(user), Some(staff)) => Actor::Impersonating { staff, user },
            (Some(user), None) => Actor::User(user),
            (None, Some(staff)) => Actor::Staff(staff),
            (None, None) => Actor::System,
        }
    }
}

/// What was done: a stable name in the database, a translated text on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
    pub fn as_str(self) -> &'static str {
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

    fn from_db(name: &str) -> Result<Action> {
        Action::ALL
            .into_iter()
            .find(|a| a.as_str() == name)
            .ok_or_else(|| Error::internal(format!("unknown audit action {name:?} in database")))
    }
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The tenant concerned, if any.
    pub tenant_id: Option<TenantId>,
    /// Who acted.
    pub actor: Actor,
    /// Their name now (the user's, or the staff member's), if they still exist.
    pub actor_name: Option<String>,
    /// What was done.
    pub action: Action,
    /// Free text (e.g. the reason given); never secrets.
    pub detail: String,
    /// When.
    pub created_at: Timestamp,
}

/// Append an entry.
pub async fn record(
    db: &Db,
    tenant_id: Option<TenantId>,
    actor: Actor,
    action: Action,
    detail: &str,
    now: Timestamp,
) -> Result<()> {
    let (user, staff) = actor.columns();
    const INSERT: &str = "insert into audit_log \
         (tenant_id, actor_user_id, actor_staff_id, action, detail, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $6)";
    match tenant_id {
        Some(tenant) => with_tenant!(db, tenant, conn => sqlx::query(INSERT)
            .bind(tenant)
            .bind(user)
            .bind(staff)
            .bind(action.as_str())
            .bind(detail)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ()))?,
        // A staff member's own actions (log-in, enrolment) belong to no tenant.
        None => with_cross_tenant!(db, CrossTenant::Staff, conn => sqlx::query(INSERT)
            .bind(None::<TenantId>)
            .bind(user)
            .bind(staff)
            .bind(action.as_str())
            .bind(detail)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ()))?,
    }
    Ok(())
}

/// Append an entry for the tenant inside `tx` (it commits with what it records).
pub async fn record_in(
    tx: &mut Tx,
    tenant_id: TenantId,
    actor: Actor,
    action: Action,
    detail: &str,
    now: Timestamp,
) -> Result<()> {
    let (user, staff) = actor.columns();
    with_tx!(tx, conn => sqlx::query(
        "insert into audit_log \
         (tenant_id, actor_user_id, actor_staff_id, action, detail, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(tenant_id)
    .bind(user)
    .bind(staff)
    .bind(action.as_str())
    .bind(detail)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Whether the tenant's log has an entry of `action` with exactly `detail` since `since`.
pub async fn recorded_since(
    db: &Db,
    tenant_id: TenantId,
    action: Action,
    detail: &str,
    since: Timestamp,
) -> Result<bool> {
    let found: i64 = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "select count(*) from audit_log \
         where tenant_id = $1 and created_at > $4 and action = $2 and detail = $3",
    )
    .bind(tenant_id)
    .bind(action.as_str())
    .bind(detail)
    .bind(since)
    .fetch_one(conn)
    .await)?;
    Ok(found > 0)
}

/// The tenant's entries, newest first, at most `limit` (the tenant's support-access log).
pub async fn for_tenant(db: &Db, tenant_id: TenantId, limit: u32) -> Result<Vec<Entry>> {
    type Row = (
        Option<TenantId>,
        Option<UserId>,
        Option<StaffId>,
        Option<String>,
        String,
        String,
        Timestamp,
    );
    let rows: Vec<Row> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select a.tenant_id, a.actor_user_id, a.actor_staff_id, coalesce(s.name, u.name), \
                a.action, a.detail, a.created_at \
         from audit_log a \
         left join users u on u.id = a.actor_user_id \
         left join staff s on s.id = a.actor_staff_id \
         where a.tenant_id = $1 order by a.created_at desc, a.id desc limit $2",
    )
    .bind(tenant_id)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await)?;
    rows.into_iter()
        .map(
            |(tenant_id, user, staff, actor_name, action, detail, created_at)| {
                Ok(Entry {
                    tenant_id,
                    actor: Actor::from_columns(user, staff),
                    actor_name,
                    action: Action::from_db(&action)?,
                    detail,
                    created_at,
                })
            },
        )
        .collect()
}
