//! Notifications about problems: one per episode, event (opened, resolved) and channel,
//! recorded in the transaction that opens or resolves the episode, then delivered.
//!
//! The alert webhook channel is delivered by the worker's alert task: it claims due rows
//! ([`claim_due`]), POSTs [`payload`] signed with [`signature`], and records the outcome
//! ([`finish`]) — retried with backoff, then `failed`; its failures never touch the sync. The
//! e-mail channel goes through the mail outbox ([`super::alert_mail`]).

use std::fmt;

use hmac::{Hmac, Mac};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use time::Duration;

use super::alert_mail::{self, Mailing};
use super::alert_webhook;
use super::episodes::{self, Episode, EpisodeId};
use crate::audit::{self, Action, Actor};
use crate::db::{CrossTenant, Db, Tx};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::secrets::Keys;
use crate::timestamp::Timestamp;

/// Attempts before an alert webhook notification is given up (`failed`).
pub const MAX_ATTEMPTS: u32 = 8;
/// The wait before the first retry; doubled after each further failure (±20 %), capped.
const RETRY_BASE: Duration = Duration::seconds(30);
/// The longest wait between two attempts.
const RETRY_CAP: Duration = Duration::hours(1);
/// How long a claimed notification is held by the task sending it (a crashed sender's rows come
/// back after this).
const HOLD: Duration = Duration::minutes(2);
/// The header that carries the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`.
pub const SIGNATURE_HEADER: &str = "X-Inventory-Sync-Signature";

/// What happened to the episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// The problem began.
    Opened,
    /// The problem resolved by itself.
    Resolved,
}

impl Notice {
    /// As stored and sent.
    pub const fn as_str(self) -> &'static str {
        match self {
            Notice::Opened => "opened",
            Notice::Resolved => "resolved",
        }
    }

    fn parse(text: &str) -> Result<Notice> {
        match text {
            "opened" => Ok(Notice::Opened),
            "resolved" => Ok(Notice::Resolved),
            other => Err(Error::internal(format!("unknown notice {other:?}"))),
        }
    }
}

/// How a notification travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The company's alert webhook.
    Webhook,
    /// E-mail to the company's owners and admins.
    Email,
}

impl Channel {
    /// As stored.
    pub const fn as_str(self) -> &'static str {
        match self {
            Channel::Webhook => "webhook",
            Channel::Email => "email",
        }
    }

    fn parse(text: &str) -> Result<Channel> {
        match text {
            "webhook" => Ok(Channel::Webhook),
            "email" => Ok(Channel::Email),
            other => Err(Error::internal(format!("unknown channel {other:?}"))),
        }
    }
}

/// Where a notification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting to be sent (or retried).
    Pending,
    /// Delivered.
    Sent,
    /// Every attempt failed.
    Failed,
    /// Not sent, and never will be (`last_error` says why).
    Skipped,
}

impl Status {
    fn parse(text: &str) -> Result<Status> {
        Ok(match text {
            "pending" => Status::Pending,
            "sent" => Status::Sent,
            "failed" => Status::Failed,
            "skipped" => Status::Skipped,
            other => return Err(Error::internal(format!("unknown status {other:?}"))),
        })
    }
}

/// A notification's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[sqlx(transparent)]
#[serde(transparent)]
pub struct NotificationId(i64);

impl fmt::Display for NotificationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Record the notifications of `episode`'s `notice`, in the transaction that opened or resolved
/// it: one per channel, so each arrives once however often the sweep runs. The e-mails are
/// written to the outbox here too ([`alert_mail::record`]).
pub(super) async fn record(
    tx: &mut Tx,
    tenant_id: TenantId,
    episode: EpisodeId,
    notice: Notice,
    mailing: Mailing<'_>,
    now: Timestamp,
) -> Result<()> {
    let webhook: Option<i64> = with_tx!(tx, conn => sqlx::query_scalar(
        "select tenant_id from alert_webhooks where tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(&mut *conn)
    .await)?;
    if webhook.is_some() {
        insert(tx, tenant_id, episode, notice, Channel::Webhook, now).await?;
    }
    alert_mail::record(tx, tenant_id, episode, notice, mailing, now).await
}

/// Record the e-mail notification of `episode`'s `notice` as pending; `None` when it is
/// recorded already.
pub(super) async fn insert_email(
    tx: &mut Tx,
    tenant_id: TenantId,
    episode: EpisodeId,
    notice: Notice,
    now: Timestamp,
) -> Result<Option<NotificationId>> {
    insert(tx, tenant_id, episode, notice, Channel::Email, now).await
}

async fn insert(
    tx: &mut Tx,
    tenant_id: TenantId,
    episode: EpisodeId,
    notice: Notice,
    channel: Channel,
    now: Timestamp,
) -> Result<Option<NotificationId>> {
    let id: Option<NotificationId> = with_tx!(tx, conn => sqlx::query_scalar(
        "insert into health_notifications (tenant_id, episode_id, event, channel, status, \
         next_attempt_at, created_at, updated_at) \
         values ($1, $2, $3, $4, 'pending', $5, $5, $5) \
         on conflict (episode_id, event, channel) do nothing returning id",
    )
    .bind(tenant_id)
    .bind(episode)
    .bind(notice.as_str())
    .bind(channel.as_str())
    .bind(now)
    .fetch_optional(&mut *conn)
    .await)?;
    Ok(id)
}

/// Mark notification `id` skipped, with why, inside `tx`.
pub(super) async fn skip_in(
    tx: &mut Tx,
    tenant_id: TenantId,
    id: NotificationId,
    why: &str,
    now: Timestamp,
) -> Result<()> {
    with_tx!(tx, conn => sqlx::query(
        "update health_notifications set status = 'skipped', last_error = $3, updated_at = $4 \
         where tenant_id = $1 and id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(why)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// One notification as the company's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Its id.
    pub id: NotificationId,
    /// The episode it is about.
    pub episode: Episode,
    /// Opened or resolved.
    pub notice: Notice,
    /// How it travels.
    pub channel: Channel,
    /// Where it is.
    pub status: Status,
    /// Attempts so far.
    pub attempts: u32,
    /// Why the last attempt failed, or why it was skipped.
    pub last_error: Option<String>,
    /// The receiver's HTTP status at the last attempt.
    pub response_status: Option<u16>,
    /// When it was delivered.
    pub sent_at: Option<Timestamp>,
    /// When the next attempt is due (pending ones).
    pub next_attempt_at: Timestamp,
    /// When it was recorded.
    pub created_at: Timestamp,
}

type Row = (
    NotificationId,
    EpisodeId,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<i64>,
    Option<Timestamp>,
    Timestamp,
    Timestamp,
);

/// The tenant's notifications, newest first, at most `limit`.
pub async fn list(db: &Db, tenant_id: TenantId, limit: u32) -> Result<Vec<Notification>> {
    let rows: Vec<Row> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select id, episode_id, event, channel, status, attempts, last_error, response_status, \
         sent_at, next_attempt_at, created_at from health_notifications where tenant_id = $1 \
         order by id desc limit $2",
    )
    .bind(tenant_id)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await)?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, episode, notice, channel, status, attempts, error, code, sent, next, created) in rows {
        out.push(Notification {
            id,
            episode: episodes::get(db, tenant_id, episode).await?,
            notice: Notice::parse(&notice)?,
            channel: Channel::parse(&channel)?,
            status: Status::parse(&status)?,
            attempts: u32::try_from(attempts).unwrap_or(0),
            last_error: error,
            response_status: code.and_then(|c| u16::try_from(c).ok()),
            sent_at: sent,
            next_attempt_at: next,
            created_at: created,
        });
    }
    Ok(out)
}

/// An alert webhook notification taken for sending.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The notification.
    pub id: NotificationId,
    /// Whose.
    pub tenant_id: TenantId,
    /// The company's name.
    pub company: String,
    /// Opened or resolved.
    pub notice: Notice,
    /// The episode it is about.
    pub episode: Episode,
    /// Where to POST.
    pub url: String,
    /// The signing key.
    pub secret: String,
    /// Attempts before this one.
    pub attempts: u32,
}

/// Take up to `limit` alert webhook notifications that are due at `now`, holding each for a
/// while so that another process does not send it too. A notification whose company removed
/// its alert webhook meanwhile is recorded as skipped.
pub async fn claim_due(db: &Db, keys: &Keys, now: Timestamp, limit: i64) -> Result<Vec<Delivery>> {
    let due: Vec<(
        NotificationId,
        TenantId,
        EpisodeId,
        String,
        i64,
        Timestamp,
        String,
    )> = with_cross_tenant!(db, CrossTenant::HealthSweep, pool => sqlx::query_as(
            "select n.id, n.tenant_id, n.episode_id, n.event, n.attempts, n.next_attempt_at, \
             t.name from health_notifications n join tenants t on t.id = n.tenant_id \
             where n.status = 'pending' and n.channel = 'webhook' and n.next_attempt_at <= $1 \
             order by n.next_attempt_at, n.id limit $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
    let mut taken = Vec::with_capacity(due.len());
    for (id, tenant_id, episode, notice, attempts, next, company) in due {
        // Optimistic: only the process that moves `next_attempt_at` from what it read sends it.
        let claimed = with_tenant!(db, tenant_id, conn => sqlx::query(
            "update health_notifications set next_attempt_at = $3, updated_at = $4 \
             where tenant_id = $1 and id = $2 and status = 'pending' and next_attempt_at = $5",
        )
        .bind(tenant_id)
        .bind(id)
        .bind(now + HOLD)
        .bind(now)
        .bind(next)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
        if claimed != 1 {
            continue;
        }
        let Some(hook) = alert_webhook::get(db, keys, tenant_id).await? else {
            skip(db, tenant_id, id, "the alert webhook was removed", now).await?;
            continue;
        };
        taken.push(Delivery {
            id,
            tenant_id,
            company,
            notice: Notice::parse(&notice)?,
            episode: episodes::get(db, tenant_id, episode).await?,
            url: hook.url.as_str().to_owned(),
            secret: hook.secret,
            attempts: u32::try_from(attempts).unwrap_or(0),
        });
    }
    Ok(taken)
}

async fn skip(
    db: &Db,
    tenant_id: TenantId,
    id: NotificationId,
    why: &str,
    now: Timestamp,
) -> Result<()> {
    with_tenant!(db, tenant_id, conn => sqlx::query(
        "update health_notifications set status = 'skipped', last_error = $3, updated_at = $4 \
         where tenant_id = $1 and id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(why)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The JSON body of a delivery: `text` (what Slack and Teams show) and the structured fields.
pub fn payload(d: &Delivery, text: &str, public_url: &str, now: Timestamp) -> Vec<u8> {
    let e = &d.episode;
    let body = serde_json::json!({
        "text": text,
        "event": d.notice.as_str(),
        "company": { "id": d.tenant_id.get(), "name": d.company },
        "problem": {
            "id": e.id.get(),
            "slot": e.slot,
            "reason": e.reason.name(),
            "state": e.state.as_str(),
            "details": e.reason,
            "fix": e.fix.code(),
            "since": e.since.to_rfc3339(),
            "opened_at": e.opened_at.to_rfc3339(),
            "resolved_at": e.resolved_at.map(Timestamp::to_rfc3339),
        },
        "url": format!("{}/", public_url.trim_end_matches('/')),
        "notification_id": d.id.0,
        "sent_at": now.to_rfc3339(),
    });
    body.to_string().into_bytes()
}

/// The signature header's value for `body` sent at `now`: `t=<unix seconds>,v1=<hex of
/// HMAC-SHA256(secret, "<t>.<body>")>` (the receiver recomputes it and compares, and refuses
/// old `t` against replays).
pub fn signature(secret: &str, body: &[u8], now: Timestamp) -> String {
    let t = now.as_millis().div_euclid(1000);
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// How an attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempted {
    /// The receiver answered 2xx.
    Delivered {
        /// Its status.
        status: u16,
    },
    /// No 2xx: an error status, a timeout, no connection.
    Failed {
        /// What went wrong, in words.
        error: String,
        /// The status, if the receiver answered.
        status: Option<u16>,
    },
}

/// Record how the attempt at `d` went: delivered, or retried later, or (after
/// [`MAX_ATTEMPTS`]) failed for good. Delivered and failed are written to the activity log too.
pub async fn finish(db: &Db, d: &Delivery, attempted: &Attempted, now: Timestamp) -> Result<()> {
    let attempts = d.attempts + 1;
    let host = url::Url::parse(&d.url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let what = format!("webhook {} #{} → {host}", d.notice.as_str(), d.episode.id);
    let mut tx = db.begin(d.tenant_id).await?;
    let (status, next, error, code, audit_action) = match attempted {
        Attempted::Delivered { status } => (
            "sent",
            now,
            None,
            Some(*status),
            Some(Action::NotificationSent),
        ),
        Attempted::Failed { error, status } if attempts >= MAX_ATTEMPTS => (
            "failed",
            now,
            Some(error.as_str()),
            *status,
            Some(Action::NotificationFailed),
        ),
        Attempted::Failed { error, status } => (
            "pending",
            now + backoff(attempts),
            Some(error.as_str()),
            *status,
            None,
        ),
    };
    with_tx!(tx, conn => sqlx::query(
        "update health_notifications set status = $3, attempts = $4, next_attempt_at = $5, \
         last_error = $6, response_status = $7, sent_at = $8, updated_at = $9 \
         where tenant_id = $1 and id = $2",
    )
    .bind(d.tenant_id)
    .bind(d.id)
    .bind(status)
    .bind(i64::from(attempts))
    .bind(next)
    .bind(error)
    .bind(code.map(i64::from))
    .bind((status == "sent").then_some(now))
    .bind(now)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    if let Some(action) = audit_action {
        let detail = match error {
            Some(error) => format!("{what}: {error}"),
            None => what,
        };
        audit::record_in(&mut tx, d.tenant_id, Actor::System, action, &detail, now).await?;
    }
    tx.commit().await
}

/// The wait after the `attempts`-th failure: 30 s, 1 min, 2 min, … up to an hour, ±20 %.
fn backoff(attempts: u32) -> Duration {
    let doubled = RETRY_BASE * 2_i32.pow(attempts.saturating_sub(1).min(10));
    let capped = doubled.min(RETRY_CAP);
    let jitter = rand::thread_rng().gen_range(0.8..1.2);
    capped * jitter
}

/// Where a company's alert webhook deliveries stand (the staff dashboard).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryState {
    /// Waiting to be sent or retried.
    pub pending: u64,
    /// Given up.
    pub failed: u64,
    /// The newest delivered.
    pub last_sent_at: Option<Timestamp>,
}

/// The delivery state of each of `tenants` that has notifications by webhook.
pub async fn delivery_states(
    db: &Db,
    tenants: &[TenantId],
) -> Result<Vec<(TenantId, DeliveryState)>> {
    if tenants.is_empty() {
        return Ok(Vec::new());
    }
    let list = tenants
        .iter()
        .map(|t| t.get().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    // The ids are ours (integers), never text from outside.
    let sql = format!(
        "select tenant_id, status, count(*), max(sent_at) from health_notifications \
         where channel = 'webhook' and tenant_id in ({list}) group by tenant_id, status"
    );
    let rows: Vec<(TenantId, String, i64, Option<Timestamp>)> = with_cross_tenant!(db, CrossTenant::Staff, pool => {
        sqlx::query_as(&sql).fetch_all(pool).await
    })?;
    let mut states: Vec<(TenantId, DeliveryState)> = Vec::new();
    for (tenant, status, n, sent) in rows {
        let index = match states.iter().position(|(t, _)| *t == tenant) {
            Some(i) => i,
            None => {
                states.push((tenant, DeliveryState::default()));
                states.len() - 1
            }
        };
        let state = &mut states[index].1;
        let n = u64::try_from(n).unwrap_or(0);
        match Status::parse(&status)? {
            Status::Pending => state.pending += n,
            Status::Failed => state.failed += n,
            Status::Sent => state.last_sent_at = state.last_sent_at.max(sent),
            Status::Skipped => {}
        }
    }
    Ok(states)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_time_dot_body() {
        let now = Timestamp::from_millis(1_700_000_000_123);
        let header = signature("whsec_test", b"{\"text\":\"hi\"}", now);
        let mut mac = Hmac::<Sha256>::new_from_slice(b"whsec_test").expect("key");
        mac.update(b"1700000000.{\"text\":\"hi\"}");
        let expected = hex::encode(mac.finalize().into_bytes());
        assert_eq!(header, format!("t=1700000000,v1={expected}"));
    }

    #[test]
    fn retries_back_off_doubling_up_to_an_hour() {
        let secs = |a| backoff(a).whole_seconds();
        assert!((24..=36).contains(&secs(1)), "{}", secs(1));
        assert!((48..=72).contains(&secs(2)), "{}", secs(2));
        assert!(secs(12) <= 4320 && secs(12) >= 2880, "{}", secs(12));
    }
}
