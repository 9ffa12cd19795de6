//! The mail sender: a background task, started by start-up and joined at shutdown, that claims
//! due outbox mails and delivers them ([`deliver_due`]), and writes the daily digests.
//!
//! A mail the SMTP server does not take for now (down, timing out, 4xx) is tried again with
//! exponential backoff and jitter, for [`SenderConfig::give_up_after`]; one it refuses for good
//! (5xx) is failed at once. Each mail is marked sent right after the server took it, so a
//! restart never sends it again (only a crash in between could, and the `Message-ID` then
//! tells the two apart).

use std::time::Duration;

use backend::mail::{digest, outbox};
use backend::{Db, Timestamp};
use tokio_util::sync::CancellationToken;

use super::{Mailer, SendError};

/// Most mails claimed at once.
const BATCH: i64 = 20;
/// How often the daily digests are looked for.
const DIGEST_EVERY: Duration = Duration::from_secs(600);

/// The sender's settings.
#[derive(Debug, Clone)]
pub struct SenderConfig {
    /// How often the outbox is looked at when the last look found nothing.
    pub poll: Duration,
    /// The schedule of retries: doubling from `base`, ±20 % jitter, capped.
    pub retry: worker::RetryPolicy,
    /// How long after it was written a mail is still tried.
    pub give_up_after: Duration,
    /// `PUBLIC_URL`, for links in the digests.
    pub public_url: String,
}

/// Deliver mails until `stop`.
pub async fn run(db: Db, mailer: Mailer, config: SenderConfig, stop: CancellationToken) {
    let mut next_digest = tokio::time::Instant::now();
    loop {
        let delivered = deliver_due(&db, &mailer, &config, &stop, Timestamp::now()).await;
        let busy = match delivered {
            Ok(n) => n == BATCH as usize,
            Err(e) => {
                tracing::error!(error = ?e, "mail sender: the outbox could not be read");
                false
            }
        };
        if tokio::time::Instant::now() >= next_digest {
            next_digest += DIGEST_EVERY;
            let settings = format!("{}/settings/notifications", config.public_url);
            match digest::send_due(&db, &settings, Timestamp::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(digests = n, "daily digests written"),
                Err(e) => tracing::error!(error = ?e, "daily digests failed"),
            }
        }
        if busy && !stop.is_cancelled() {
            continue;
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(config.poll) => {}
        }
    }
}

/// Claim the mails due at `now` and deliver each; returns how many were claimed. A cancelled
/// `stop` ends it between two mails, giving the rest back at once. Tests call it directly.
pub async fn deliver_due(
    db: &Db,
    mailer: &Mailer,
    config: &SenderConfig,
    stop: &CancellationToken,
    now: Timestamp,
) -> backend::Result<usize> {
    let mails = outbox::claim_due(db, now, BATCH).await?;
    for mail in &mails {
        if stop.is_cancelled() {
            outbox::retry_later(db, mail.id, "not sent: shutting down", now, now).await?;
            continue;
        }
        let outcome = mailer.send(mail).await;
        let done = Timestamp::now();
        match outcome {
            Ok(()) => {
                outbox::mark_sent(db, mail, done).await?;
                tracing::info!(mail = mail.id.get(), kind = mail.kind.as_str(), "mail sent");
            }
            Err(SendError::Permanent(error)) => {
                tracing::warn!(mail = mail.id.get(), %error, "mail refused for good");
                outbox::give_up(db, mail, &error, done).await?;
            }
            Err(SendError::Transient(error)) => {
                let age = Duration::from_millis(
                    u64::try_from(done.as_millis() - mail.created_at.as_millis()).unwrap_or(0),
                );
                let attempts = u32::try_from(mail.attempts).unwrap_or(u32::MAX);
                match config.retry.delay(attempts, None) {
                    Some(delay) if age < config.give_up_after => {
                        let next = done + time::Duration::milliseconds(delay.as_millis() as i64);
                        tracing::warn!(mail = mail.id.get(), %error, attempts, "mail not sent; will retry");
                        outbox::retry_later(db, mail.id, &error, next, done).await?;
                    }
                    _ => {
                        tracing::error!(mail = mail.id.get(), %error, attempts, "mail given up");
                        outbox::give_up(db, mail, &error, done).await?;
                    }
                }
            }
        }
    }
    Ok(mails.len())
}
