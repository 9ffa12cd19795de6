//! The company's alerts: its alert webhook (set, new secret, remove; owners and
//! admins) and the list of every notification recorded, delivered or not.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ProblemReason;
use crate::api::CsrfToken;
use crate::error::AppError;

/// How many notifications the list shows.
pub const LIMIT: u32 = 100;

/// Opened or resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoticeView {
    /// The problem began.
    Opened,
    /// It resolved.
    Resolved,
}

/// How it travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChannelView {
    /// The alert webhook.
    Webhook,
    /// E-mail.
    Email,
}

/// Where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryStatus {
    /// Waiting to be sent or retried.
    Pending,
    /// Delivered.
    Sent,
    /// Every attempt failed.
    Failed,
    /// Not sent (the reason is beside it).
    Skipped,
}

impl DeliveryStatus {
    /// The CSS class and `data-status` value.
    pub fn slug(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Skipped => "skipped",
        }
    }
}

/// One notification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationView {
    /// When it was recorded (UTC).
    pub at: String,
    /// The problem it is about.
    pub reason: ProblemReason,
    /// Opened or resolved.
    pub notice: NoticeView,
    /// How it travels.
    pub channel: ChannelView,
    /// Where it is.
    pub status: DeliveryStatus,
    /// Attempts so far.
    pub attempts: u32,
    /// Why the last attempt failed, or why it was not sent (technical, English).
    pub error: Option<String>,
}

/// The alert settings and the notifications.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertsView {
    /// The alert webhook's URL, if set.
    pub url: Option<String>,
    /// Its signing secret (managers only).
    pub secret: Option<String>,
    /// Whether the user may change the settings.
    pub can_edit: bool,
    /// The newest notifications.
    pub notifications: Vec<NotificationView>,
}

/// The company's alert settings and notifications.
#[server(prefix = "/api", endpoint = "alert_settings", input = leptos::server_fn::codec::GetUrl)]
pub async fn alert_settings() -> Result<AlertsView, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    let hook = backend::health::alert_webhook::get(&state.db, &state.keys, ctx.tenant_id).await?;
    let manager = ctx.manager().is_ok();
    let notifications = backend::health::alerts::list(&state.db, ctx.tenant_id, LIMIT).await?;
    Ok(AlertsView {
        url: hook.as_ref().map(|h| h.url.as_str().to_owned()),
        // The secret signs what the receiver trusts: managers, and never support staff.
        secret: hook
            .filter(|_| manager && ctx.support.is_none())
            .map(|h| h.secret),
        can_edit: manager && ctx.support.is_none_or(|s| s.elevated),
        notifications: notifications.into_iter().map(ssr::view).collect(),
    })
}

/// Sets the alert webhook to `url` (https outside demo mode, not this app); a new signing
/// secret when `new_secret` is `"on"` or none existed.
#[server(prefix = "/api", endpoint = "save_alert_webhook")]
pub async fn save_alert_webhook(
    csrf_token: CsrfToken,
    url: String,
    new_secret: Option<String>,
) -> Result<(), AppError> {
    use backend::health::alert_webhook::{self, AlertUrl, UrlRules};

    use crate::ssr::errors;

    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    ctx.manager()?;
    let write = ctx.writable()?;
    let state = &ctx.state;
    let rules = UrlRules {
        allow_http: state.demo,
        public_url: &state.public_url,
    };
    let url = errors::parse(AlertUrl::parse(&url, rules))?;
    let now = backend::Timestamp::now();
    let rotate = new_secret.is_some();
    alert_webhook::set(&state.db, &state.keys, ctx.tenant_id, &url, rotate, now).await?;
    let action = backend::audit::Action::AlertWebhookChanged;
    ctx.audit(&write, action, &format!("set: {}", url.host()))
        .await;
    leptos_axum::redirect("/settings/alerts?saved=1");
    Ok(())
}

/// Removes the alert webhook.
#[server(prefix = "/api", endpoint = "remove_alert_webhook")]
pub async fn remove_alert_webhook(csrf_token: CsrfToken) -> Result<(), AppError> {
    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    ctx.manager()?;
    let write = ctx.writable()?;
    backend::health::alert_webhook::remove(&ctx.state.db, ctx.tenant_id).await?;
    let action = backend::audit::Action::AlertWebhookChanged;
    ctx.audit(&write, action, "removed").await;
    leptos_axum::redirect("/settings/alerts");
    Ok(())
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use backend::health::alerts::{Channel, Notice, Notification, Status};

    use super::{ChannelView, DeliveryStatus, NoticeView, NotificationView};
    use crate::api::health::convert::reason_view;
    use crate::ssr::format;

    /// A notification as the list shows it.
    pub(crate) fn view(n: Notification) -> NotificationView {
        NotificationView {
            at: format::timestamp(n.created_at),
            reason: reason_view(&n.episode.reason),
            notice: match n.notice {
                Notice::Opened => NoticeView::Opened,
                Notice::Resolved => NoticeView::Resolved,
            },
            channel: match n.channel {
                Channel::Webhook => ChannelView::Webhook,
                Channel::Email => ChannelView::Email,
            },
            status: match n.status {
                Status::Pending => DeliveryStatus::Pending,
                Status::Sent => DeliveryStatus::Sent,
                Status::Failed => DeliveryStatus::Failed,
                Status::Skipped => DeliveryStatus::Skipped,
            },
            attempts: n.attempts,
            error: n.last_error,
        }
    }
}
