//! The e-mail channel of alerts: when an episode opens or resolves, its company's owners and
//! admins are told — each in their language, as they chose (at once, in the daily digest, or
//! not at all) — through the mail outbox, in the transaction that opens or resolves the episode
//! ([`record`]). One notification row per episode and event stands for all of its mails; the
//! mail sender reports each mail's delivery back ([`delivered`]), into that row and the activity
//! log, failures included.

use super::alerts::{Notice, NotificationId};
use super::episodes::{self, Episode, EpisodeId};
use crate::audit::{self, Action, Actor};
use crate::db::{Db, Tx};
use crate::email::Email;
use crate::error::Result;
use crate::ids::TenantId;
use crate::mail::{self, NotificationKind, Recipient};
use crate::timestamp::Timestamp;

/// One alert e-mail to write: what happened to which company, for whom.
#[derive(Debug, Clone, Copy)]
pub struct AlertMail<'a> {
    /// Opened or resolved.
    pub notice: Notice,
    /// The company's name.
    pub company: &'a str,
    /// The episode, as it stands.
    pub episode: &'a Episode,
    /// Who reads it (their name and language).
    pub recipient: &'a Recipient,
    /// `PUBLIC_URL`, for the links.
    pub public_url: &'a str,
}

/// Writes an alert e-mail for one recipient, in their language: the app renders it from its
/// translations (the same words as the home page).
pub type MailText = fn(&AlertMail<'_>) -> mail::Notification;

/// What the e-mail channel needs from the sweep.
#[derive(Debug, Clone, Copy)]
pub struct Mailing<'a> {
    /// Writes the mails.
    pub text: MailText,
    /// `PUBLIC_URL`, for their links.
    pub public_url: &'a str,
}

/// Tell the company's owners and admins about `episode`'s `notice`, inside `tx`, and record the
/// notification: `pending` while its mails wait in the outbox, `skipped` (with why) when no one
/// wants a mail now (all opted out or chose the digest).
pub(super) async fn record(
    tx: &mut Tx,
    tenant_id: TenantId,
    episode: EpisodeId,
    notice: Notice,
    mailing: Mailing<'_>,
    now: Timestamp,
) -> Result<()> {
    let Some(id) = super::alerts::insert_email(tx, tenant_id, episode, notice, now).await? else {
        // Recorded by a racing sweep already: its mails are on their way.
        return Ok(());
    };
    let company: String = with_tx!(tx, conn => sqlx::query_scalar(
        "select name from tenants where id = $1",
    )
    .bind(tenant_id)
    .fetch_one(&mut *conn)
    .await)?;
    let episode = episodes::get_in(tx, tenant_id, episode).await?;
    let kind = match notice {
        Notice::Opened => NotificationKind::ProblemOpened,
        Notice::Resolved => NotificationKind::ProblemResolved,
    };
    let render = |recipient: &Recipient| {
        (mailing.text)(&AlertMail {
            notice,
            company: &company,
            episode: &episode,
            recipient,
            public_url: mailing.public_url,
        })
    };
    let notified = mail::notify(tx, tenant_id, kind, Some(id), render, now).await?;
    if notified.mailed.is_empty() {
        let why = format!(
            "no one wants a mail at once ({} in the daily digest, {} opted out)",
            notified.digested, notified.skipped
        );
        super::alerts::skip_in(tx, tenant_id, id, &why, now).await?;
    }
    Ok(())
}

/// How one alert mail's delivery ended.
#[derive(Debug, Clone, Copy)]
pub enum Delivered<'a> {
    /// The SMTP server took it.
    Sent,
    /// Given up (refused for good, or too old): why.
    Failed(&'a str),
}

/// Record how one of notification `id`'s mails (to `to`) ended: the notification is `sent`
/// once a mail of it is (unless one failed), `failed` once one failed; each delivery is in the
/// activity log.
pub(crate) async fn delivered(
    db: &Db,
    tenant_id: TenantId,
    id: NotificationId,
    to: &Email,
    outcome: Delivered<'_>,
    now: Timestamp,
) -> Result<()> {
    let mut tx = db.begin(tenant_id).await?;
    let (action, error) = match outcome {
        Delivered::Sent => (Action::NotificationSent, None),
        Delivered::Failed(error) => (Action::NotificationFailed, Some(error)),
    };
    let about: Option<(String, i64)> = with_tx!(tx, conn => sqlx::query_as(
        "select event, episode_id from health_notifications where tenant_id = $1 and id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await)?;
    let Some((event, episode)) = about else {
        // The company or the episode is gone (deleted): nothing to record it in.
        return Ok(());
    };
    with_tx!(tx, conn => sqlx::query(
        "update health_notifications set \
         status = case when $3 then 'failed' when status = 'pending' then 'sent' else status end, \
         attempts = attempts + 1, last_error = coalesce($4, last_error), \
         sent_at = case when $3 then sent_at else coalesce(sent_at, $5) end, updated_at = $5 \
         where tenant_id = $1 and id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(error.is_some())
    .bind(error.map(|e| format!("{to}: {e}")))
    .bind(now)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    let what = format!("e-mail {event} #{episode} → {to}");
    let detail = match error {
        Some(error) => format!("{what}: {error}"),
        None => what,
    };
    audit::record_in(&mut tx, tenant_id, Actor::System, action, &detail, now).await?;
    tx.commit().await
}
