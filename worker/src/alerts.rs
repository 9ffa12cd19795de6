//! The alert task: sends the alert webhook notifications the episodes recorded — a
//! JSON POST with a `text` field (Slack, Teams) and the structured fields, signed with
//! `X-Inventory-Sync-Signature` — and records each attempt. A receiver that fails is retried
//! with backoff, then given up ([`backend::health::alerts::finish`]). The task has its own
//! HTTP client and touches no sync work: a slow or broken receiver delays nothing else.

use backend::Timestamp;
use backend::health::alerts::{self, Attempted, Delivery, SIGNATURE_HEADER};
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use crate::health::{ALERT_POLL, Watch};
use crate::periodic::periodic;

/// Most notifications claimed per round.
const PER_ROUND: i64 = 100;
/// POSTs in flight at once.
const CONCURRENCY: usize = 8;
/// The longest error text kept from a receiver.
const MAX_ERROR: usize = 300;

/// Deliver due alerts until `stop`.
pub async fn run(watch: Watch, stop: CancellationToken) {
    periodic("alerts", ALERT_POLL, stop, || async {
        match deliver_due(&watch, Timestamp::now()).await {
            Ok(0) => {}
            Ok(sent) => tracing::debug!(sent, "alert webhooks attempted"),
            Err(e) => tracing::error!(error = ?e, "sending alert webhooks failed"),
        }
    })
    .await;
}

/// Attempt every alert due at `now`; returns how many were attempted. Tests call it directly.
pub async fn deliver_due(watch: &Watch, now: Timestamp) -> backend::Result<usize> {
    let (db, keys) = (&watch.env.db, &watch.env.keys);
    let due = alerts::claim_due(db, keys, now, PER_ROUND).await?;
    let attempted = due.len();
    let results: Vec<backend::Result<()>> = futures::stream::iter(due)
        .map(|d| async move {
            let outcome = send(watch, &d, now).await;
            alerts::finish(db, &d, &outcome, now).await
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    for result in results {
        result?;
    }
    Ok(attempted)
}

/// One POST.
async fn send(watch: &Watch, d: &Delivery, now: Timestamp) -> Attempted {
    let text = (watch.render)(d);
    let body = alerts::payload(d, &text, &watch.public_url, now);
    let signature = alerts::signature(&d.secret, &body, now);
    let answer = watch
        .http
        .post(&d.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, signature)
        .header("X-Inventory-Sync-Event", d.notice.as_str())
        // The same for every attempt of one notification: a receiver can drop repeats.
        .header("X-Inventory-Sync-Delivery", d.id.to_string())
        .body(body)
        .send()
        .await;
    match answer {
        Ok(response) if response.status().is_success() => Attempted::Delivered {
            status: response.status().as_u16(),
        },
        Ok(response) => Attempted::Failed {
            error: format!("the receiver answered {}", response.status()),
            status: Some(response.status().as_u16()),
        },
        Err(e) => {
            let error = if e.is_timeout() {
                "the receiver did not answer in time".to_owned()
            } else if e.is_connect() {
                "the receiver could not be reached".to_owned()
            } else {
                e.to_string().chars().take(MAX_ERROR).collect()
            };
            Attempted::Failed {
                error,
                status: None,
            }
        }
    }
}
