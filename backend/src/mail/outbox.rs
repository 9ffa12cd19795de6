//! The outbox: mails written in their cause's transaction ([`enqueue`]), claimed and delivered by
//! the server's mail sender ([`claim_due`], then [`mark_sent`], [`retry_later`] or
//! [`give_up`]), and watched by staff ([`health`]).
//!
//! A claim lasts [`CLAIM_FOR`]: a sender that dies mid-delivery leaves the mail to another after
//! that, and two senders never hold one mail at once (PostgreSQL: `for update skip locked`;
//! SQLite: one `update … returning` under the write lock). Each claim counts an attempt.

use serde::Serialize;
use time::Duration;

use crate::db::{CrossTenant, Db, Tx};
use crate::email::Email;
use crate::error::{Error, Result};
use crate::health::alert_mail::{self, Delivered};
use crate::health::alerts::NotificationId;
use crate::ids::TenantId;
use crate::mail::{Mail, MailKind};
use crate::timestamp::Timestamp;

/// How long a sender's claim on a mail lasts (far longer than an SMTP delivery may take).
pub const CLAIM_FOR: Duration = Duration::minutes(5);
/// A pending mail older than this makes the outbox count as stuck on the staff dashboard.
pub const STUCK_AFTER: Duration = Duration::minutes(15);

/// An outbox row's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, sqlx::Type)]
#[sqlx(transparent)]
pub struct MailId(i64);

impl MailId {
    /// The raw id (logs, the `Message-ID` header).
    pub fn get(self) -> i64 {
        self.0
    }
}

/// Write `mail` into the outbox inside `tx`: it is sent once `tx` commits, and never if `tx`
/// rolls back. A company's mail goes in that company's transaction; a mail of no company in a
/// transaction across tenants ([`CrossTenant::Mail`]).
pub async fn enqueue(tx: &mut Tx, mail: &Mail, now: Timestamp) -> Result<MailId> {
    let id: MailId = with_tx!(tx, conn => sqlx::query_scalar(
        "insert into outbox (tenant_id, kind, recipient, subject, body_text, body_html, status, \
         attempts, next_attempt_at, notification_id, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $8, $7, $7) returning id",
    )
    .bind(mail.tenant_id)
    .bind(mail.kind.as_str())
    .bind(mail.to.as_str())
    .bind(&mail.subject)
    .bind(&mail.text)
    .bind(&mail.html)
    .bind(now)
    .bind(mail.notification)
    .fetch_one(&mut *conn)
    .await)?;
    Ok(id)
}

/// A mail claimed for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    /// Its id.
    pub id: MailId,
    /// The recipient.
    pub to: Email,
    /// What it is for.
    pub kind: MailKind,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
    /// Attempts including this one.
    pub attempts: i32,
    /// When it was enqueued.
    pub created_at: Timestamp,
    /// The company's alert notification it delivers, if it is one.
    pub notification: Option<(TenantId, NotificationId)>,
}

type ClaimRow = (
    MailId,
    String,
    String,
    String,
    String,
    String,
    i32,
    Timestamp,
    Option<TenantId>,
    Option<NotificationId>,
);

/// Claim up to `limit` mails that are due at `now`, oldest first, for [`CLAIM_FOR`].
pub async fn claim_due(db: &Db, now: Timestamp, limit: i64) -> Result<Vec<OutboxMail>> {
    let mut tx = db.begin_cross_tenant(CrossTenant::Mail).await?;
    // PostgreSQL: rows another process is claiming are skipped, not waited for; SQLite has one
    // writer at a time, so the update alone is the claim.
    let sql = |lock: &str| {
        format!(
            "update outbox set claimed_until = $1, attempts = attempts + 1, updated_at = $2 \
             where id in (select id from outbox where status = 'pending' and next_attempt_at <= $2 \
             and (claimed_until is null or claimed_until <= $2) \
             order by next_attempt_at, id limit $3{lock}) \
             returning id, recipient, kind, subject, body_text, body_html, attempts, created_at, \
             tenant_id, notification_id"
        )
    };
    let (sqlite_sql, postgres_sql) = (sql(""), sql(" for update skip locked"));
    let rows: Vec<ClaimRow> = with_tx!(tx, conn {
        sqlite => sqlx::query_as(&sqlite_sql)
            .bind(now + CLAIM_FOR)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await,
        postgres => sqlx::query_as(&postgres_sql)
            .bind(now + CLAIM_FOR)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await,
    })?;
    tx.commit().await?;
    let mut mails = rows
        .into_iter()
        .map(
            |(id, to, kind, subject, text, html, attempts, created_at, tenant, notification)| {
                let kind = MailKind::from_db(&kind).ok_or_else(|| {
                    Error::internal(format!("unknown mail kind {kind:?} in the outbox"))
                })?;
                Ok(OutboxMail {
                    id,
                    to: Email::from_db(to),
                    kind,
                    subject,
                    text,
                    html,
                    attempts,
                    created_at,
                    notification: tenant.zip(notification),
                })
            },
        )
        .collect::<Result<Vec<_>>>()?;
    mails.sort_by_key(|m| m.id.0);
    Ok(mails)
}

/// The SMTP server took `mail`: it is sent, and a secret body is wiped
/// ([`MailKind::carries_secret`]).
pub async fn mark_sent(db: &Db, mail: &OutboxMail, now: Timestamp) -> Result<()> {
    let wipe = mail.kind.carries_secret();
    with_cross_tenant!(db, CrossTenant::Mail, pool => sqlx::query(
        "update outbox set status = 'sent', sent_at = $1, claimed_until = null, last_error = null, \
         body_text = case when $2 then '' else body_text end, \
         body_html = case when $2 then '' else body_html end, updated_at = $1 \
         where id = $3",
    )
    .bind(now)
    .bind(wipe)
    .bind(mail.id)
    .execute(pool)
    .await
    .map(|_| ()))?;
    if let Some((tenant_id, id)) = mail.notification {
        alert_mail::delivered(db, tenant_id, id, &mail.to, Delivered::Sent, now).await?;
    }
    Ok(())
}

/// Delivery failed for now (`error`, e.g. the SMTP server is down): try again at `next`.
pub async fn retry_later(
    db: &Db,
    id: MailId,
    error: &str,
    next: Timestamp,
    now: Timestamp,
) -> Result<()> {
    with_cross_tenant!(db, CrossTenant::Mail, pool => sqlx::query(
        "update outbox set next_attempt_at = $1, claimed_until = null, last_error = $2, \
         updated_at = $3 where id = $4 and status = 'pending'",
    )
    .bind(next)
    .bind(error)
    .bind(now)
    .bind(id)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Delivery is hopeless (`error`: the server refused the mail for good, or it waited too long):
/// the mail is failed and no longer tried (and its alert notification, if it is one, says so).
pub async fn give_up(db: &Db, mail: &OutboxMail, error: &str, now: Timestamp) -> Result<()> {
    with_cross_tenant!(db, CrossTenant::Mail, pool => sqlx::query(
        "update outbox set status = 'failed', claimed_until = null, last_error = $1, \
         updated_at = $2 where id = $3 and status = 'pending'",
    )
    .bind(error)
    .bind(now)
    .bind(mail.id)
    .execute(pool)
    .await
    .map(|_| ()))?;
    if let Some((tenant_id, id)) = mail.notification {
        let failed = Delivered::Failed(error);
        alert_mail::delivered(db, tenant_id, id, &mail.to, failed, now).await?;
    }
    Ok(())
}

/// The outbox at a glance, for the staff dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxHealth {
    /// Mails waiting to be sent (never tried, or to be tried again).
    pub pending: i64,
    /// Of those, the ones whose last attempt failed.
    pub failing: i64,
    /// Mails given up on in the last 7 days.
    pub failed_recently: i64,
    /// Mails sent in the last 24 hours.
    pub sent_last_day: i64,
    /// When the oldest pending mail was enqueued.
    pub oldest_pending_at: Option<Timestamp>,
    /// The most recent delivery error of a pending or failed mail.
    pub last_error: Option<String>,
}

impl OutboxHealth {
    /// Whether staff should look: a mail failed for good recently, one is failing now, or one has
    /// waited longer than [`STUCK_AFTER`] (e.g. no SMTP server is configured).
    pub fn is_stuck(&self, now: Timestamp) -> bool {
        self.failing > 0
            || self.failed_recently > 0
            || self
                .oldest_pending_at
                .is_some_and(|at| at <= now - STUCK_AFTER)
    }

    /// Whole seconds the oldest pending mail has waited at `now`.
    pub fn oldest_pending_secs(&self, now: Timestamp) -> Option<u64> {
        self.oldest_pending_at.map(|at| at.secs_until(now))
    }
}

/// The outbox's state at `now`, across every company (staff only).
pub async fn health(db: &Db, now: Timestamp) -> Result<OutboxHealth> {
    type Counts = (i64, i64, i64, i64, Option<Timestamp>);
    let (pending, failing, failed_recently, sent_last_day, oldest_pending_at): Counts = with_cross_tenant!(db, CrossTenant::Staff, pool => sqlx::query_as(
            "select \
             coalesce(sum(case when status = 'pending' then 1 else 0 end), 0), \
             coalesce(sum(case when status = 'pending' and last_error is not null then 1 else 0 end), 0), \
             coalesce(sum(case when status = 'failed' and updated_at >= $1 then 1 else 0 end), 0), \
             coalesce(sum(case when status = 'sent' and sent_at >= $2 then 1 else 0 end), 0), \
             min(case when status = 'pending' then created_at end) \
             from outbox where status = 'pending' or updated_at >= $1",
        )
        .bind(now - Duration::days(7))
        .bind(now - Duration::days(1))
        .fetch_one(pool)
        .await)?;
    let last_error: Option<String> = with_cross_tenant!(db, CrossTenant::Staff, pool => sqlx::query_scalar(
        "select last_error from outbox where last_error is not null and status <> 'sent' \
         order by updated_at desc, id desc limit 1",
    )
    .fetch_optional(pool)
    .await)?;
    Ok(OutboxHealth {
        pending,
        failing,
        failed_recently,
        sent_last_day,
        oldest_pending_at,
        last_error,
    })
}

/// One mail of a company, as its list of notifications shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentMail {
    /// Its id.
    pub id: MailId,
    /// What it is for.
    pub kind: MailKind,
    /// The recipient.
    pub to: Email,
    /// The subject line.
    pub subject: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i32,
    /// The last delivery error, if any.
    pub last_error: Option<String>,
    /// When it was enqueued.
    pub created_at: Timestamp,
    /// When the SMTP server took it.
    pub sent_at: Option<Timestamp>,
}

type SentRow = (
    MailId,
    String,
    String,
    String,
    String,
    i32,
    Option<String>,
    Timestamp,
    Option<Timestamp>,
);

/// The company's newest `limit` mails (sent, waiting or failed), newest first.
pub async fn for_tenant(db: &Db, tenant_id: TenantId, limit: i64) -> Result<Vec<SentMail>> {
    let rows: Vec<SentRow> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select id, kind, recipient, subject, status, attempts, last_error, created_at, sent_at \
         from outbox where tenant_id = $1 order by created_at desc, id desc limit $2",
    )
    .bind(tenant_id)
    .bind(limit)
    .fetch_all(conn)
    .await)?;
    rows.into_iter()
        .map(
            |(id, kind, to, subject, status, attempts, last_error, created_at, sent_at)| {
                Ok(SentMail {
                    id,
                    kind: MailKind::from_db(&kind).ok_or_else(|| {
                        Error::internal(format!("unknown mail kind {kind:?} in the outbox"))
                    })?,
                    to: Email::from_db(to),
                    subject,
                    status,
                    attempts,
                    last_error,
                    created_at,
                    sent_at,
                })
            },
        )
        .collect()
}
