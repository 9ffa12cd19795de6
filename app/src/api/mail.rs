//! The e-mail flows: password reset, sign-up confirmation, what an invitation link
//! shows, the demo mail catcher's page, the outbox for staff, and notification preferences.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::CsrfToken;
use crate::error::AppError;

/// Mails a reset link to the address if it has an account. The answer is the same either way
/// (a redirect to `/forgot-password?sent=1`), so the form tells no one which addresses exist.
#[server(prefix = "/api", endpoint = "request_password_reset")]
pub async fn request_password_reset(csrf_token: CsrfToken, email: String) -> Result<(), AppError> {
    use crate::ssr::{errors::parse, session};

    let visitor = crate::ssr::entrance::Visitor::change(csrf_token).await?;
    let state = &visitor.state;
    let email = parse(backend::Email::parse(&email))?;
    let (ip, now) = (session::client_ip().await, backend::Timestamp::now());
    backend::throttle::attempt(
        &state.db,
        backend::throttle::Action::PasswordReset,
        ip,
        state.sign_ups_per_ip,
        now,
    )
    .await?;
    backend::accounts::password_reset::request_password_reset(
        &state.db,
        &email,
        &state.public_url,
        now,
    )
    .await?;
    leptos_axum::redirect("/forgot-password?sent=1");
    Ok(())
}

/// Whether a reset link can still be used; `ResetLinkInvalid` if not.
#[server(prefix = "/api", endpoint = "check_reset_link", input = leptos::server_fn::codec::GetUrl)]
pub async fn check_reset_link(token: String) -> Result<(), AppError> {
    let visitor = crate::ssr::entrance::Visitor::read().await?;
    let state = &visitor.state;
    backend::accounts::password_reset::check_reset_link(
        &state.db,
        &token,
        backend::Timestamp::now(),
    )
    .await?;
    Ok(())
}

/// Sets the new password with a reset link; every session of the user ends, and the browser
/// goes to the login page.
#[server(prefix = "/api", endpoint = "reset_password")]
pub async fn reset_password(
    csrf_token: CsrfToken,
    token: String,
    password: String,
) -> Result<(), AppError> {
    use crate::ssr::errors::parse;

    let visitor = crate::ssr::entrance::Visitor::change(csrf_token).await?;
    let state = &visitor.state;
    let password = parse(backend::Password::parse(&password))?;
    let now = backend::Timestamp::now();
    backend::accounts::password_reset::reset_password(&state.db, &token, password, now).await?;
    leptos_axum::redirect("/login?reset=1");
    Ok(())
}

/// The company a sign-up confirmation link will create; `SignUpLinkInvalid` if the link is
/// expired, used or unknown.
#[server(prefix = "/api", endpoint = "sign_up_link", input = leptos::server_fn::codec::GetUrl)]
pub async fn sign_up_link(token: String) -> Result<String, AppError> {
    let visitor = crate::ssr::entrance::Visitor::read().await?;
    let state = &visitor.state;
    let company =
        backend::accounts::sign_up_request_company(&state.db, &token, backend::Timestamp::now())
            .await?;
    Ok(company)
}

/// Creates the company of a confirmed sign-up and logs its owner in.
#[server(prefix = "/api", endpoint = "confirm_sign_up")]
pub async fn confirm_sign_up(csrf_token: CsrfToken, token: String) -> Result<(), AppError> {
    use crate::ssr::session;

    let visitor = crate::ssr::entrance::Visitor::change(csrf_token).await?;
    let now = backend::Timestamp::now();
    let signed_up = backend::accounts::confirm_sign_up(&visitor.state.db, &token, now).await?;
    session::start(&visitor.session, signed_up.user_id, signed_up.tenant_id).await?;
    leptos_axum::redirect("/settings");
    Ok(())
}

/// What an invitation page says about its link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteInfoView {
    /// The company that invites.
    pub company: String,
    /// Who invited.
    pub invited_by: String,
    /// The invited address.
    pub email: String,
}

/// The company and inviter of an invitation link; `InviteInvalid` or `InviteExpired` otherwise.
#[server(prefix = "/api", endpoint = "invite_info", input = leptos::server_fn::codec::GetUrl)]
pub async fn invite_info(token: String) -> Result<InviteInfoView, AppError> {
    let visitor = crate::ssr::entrance::Visitor::read().await?;
    let state = &visitor.state;
    let info = backend::invites::describe(&state.db, &token, backend::Timestamp::now()).await?;
    Ok(InviteInfoView {
        company: info.company,
        invited_by: info.invited_by,
        email: info.email.to_string(),
    })
}

/// Demo mode only: the mail catcher's page, where every mail sent shows.
#[server(prefix = "/api", endpoint = "demo_mail_page", input = leptos::server_fn::codec::GetUrl)]
pub async fn demo_mail_page() -> Result<Option<String>, AppError> {
    let visitor = crate::ssr::entrance::Visitor::read().await?;
    Ok(visitor.state.demo_mail_page)
}

/// The outbox as the staff dashboard shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxView {
    /// Mails waiting to be sent.
    pub pending: i64,
    /// Of those, the ones whose last attempt failed.
    pub failing: i64,
    /// Mails given up on in the last 7 days.
    pub failed_recently: i64,
    /// Mails sent in the last 24 hours.
    pub sent_last_day: i64,
    /// Minutes the oldest waiting mail has waited.
    pub oldest_pending_minutes: Option<u64>,
    /// The newest delivery error.
    pub last_error: Option<String>,
    /// Whether staff should look (failing, failed, or a mail waiting too long).
    pub stuck: bool,
}

/// The outbox across every company (staff only).
#[server(prefix = "/api", endpoint = "staff_outbox", input = leptos::server_fn::codec::GetUrl)]
pub async fn staff_outbox() -> Result<OutboxView, AppError> {
    let staff = crate::ssr::entrance::Staff::read().await?;
    let state = &staff.state;
    let now = backend::Timestamp::now();
    let health = backend::mail::outbox::health(&state.db, now).await?;
    Ok(OutboxView {
        pending: health.pending,
        failing: health.failing,
        failed_recently: health.failed_recently,
        sent_last_day: health.sent_last_day,
        oldest_pending_minutes: health.oldest_pending_secs(now).map(|s| s / 60),
        last_error: health.last_error.clone(),
        stuck: health.is_stuck(now),
    })
}

/// A kind of notification, as the settings page names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotificationKindView {
    /// A sync problem started.
    ProblemOpened,
    /// A sync problem ended.
    ProblemResolved,
}

/// How a notification arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryView {
    /// A mail at once.
    Immediately,
    /// In the daily digest.
    DailyDigest,
    /// Not at all.
    Never,
}

/// The caller's choice for each kind of notification in the current company.
#[server(prefix = "/api", endpoint = "notification_preferences", input = leptos::server_fn::codec::GetUrl)]
pub async fn notification_preferences()
-> Result<Vec<(NotificationKindView, DeliveryView)>, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    let chosen =
        backend::mail::notifications::preferences(&state.db, ctx.tenant_id, ctx.user_id).await?;
    Ok(chosen
        .into_iter()
        .map(|(kind, delivery)| (kind_view(kind), delivery_view(delivery)))
        .collect())
}

/// Stores the caller's choice for one kind of notification in the current company.
#[server(prefix = "/api", endpoint = "set_notification_preference")]
pub async fn set_notification_preference(
    csrf_token: CsrfToken,
    kind: NotificationKindView,
    delivery: DeliveryView,
) -> Result<(), AppError> {
    use backend::mail::{Delivery, NotificationKind};

    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    ctx.writable()?;
    ctx.own()?;
    let state = &ctx.state;
    let kind = match kind {
        NotificationKindView::ProblemOpened => NotificationKind::ProblemOpened,
        NotificationKindView::ProblemResolved => NotificationKind::ProblemResolved,
    };
    let delivery = match delivery {
        DeliveryView::Immediately => Delivery::Immediately,
        DeliveryView::DailyDigest => Delivery::DailyDigest,
        DeliveryView::Never => Delivery::Never,
    };
    backend::mail::notifications::set_preference(
        &state.db,
        ctx.tenant_id,
        ctx.user_id,
        kind,
        delivery,
        backend::Timestamp::now(),
    )
    .await?;
    leptos_axum::redirect("/settings/notifications?saved=1");
    Ok(())
}

#[cfg(feature = "ssr")]
fn kind_view(kind: backend::mail::NotificationKind) -> NotificationKindView {
    match kind {
        backend::mail::NotificationKind::ProblemOpened => NotificationKindView::ProblemOpened,
        backend::mail::NotificationKind::ProblemResolved => NotificationKindView::ProblemResolved,
    }
}

#[cfg(feature = "ssr")]
fn delivery_view(delivery: backend::mail::Delivery) -> DeliveryView {
    match delivery {
        backend::mail::Delivery::Immediately => DeliveryView::Immediately,
        backend::mail::Delivery::DailyDigest => DeliveryView::DailyDigest,
        backend::mail::Delivery::Never => DeliveryView::Never,
    }
}
