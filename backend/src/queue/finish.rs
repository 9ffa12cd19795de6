//! Recording how the events of a batch ended: their new status, outcome or error, and one
//! attempt row each. Runs inside the batch's fenced transaction, together with the record
//! writes, so an event is `processed` exactly when its change is committed.
//!
//! As in `events::store`, PostgreSQL gets one `unnest` statement per batch ([`postgres`]: a
//! 100,000-event backlog would otherwise cost 200,000 round trips); SQLite, in-process, a
//! statement per row.

mod postgres;

use sqlx::SqliteConnection;

use super::{Fenced, Lease};
use crate::error::{Error, Result};
use crate::events::{EventId, Outcome};
use crate::timestamp::Timestamp;

/// How one event of a batch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    /// Applied: what it did.
    Processed(Outcome),
    /// Folded into `into`, another event of the same record that did the work.
    Coalesced {
        /// The event that did the work.
        into: EventId,
    },
    /// Failed; may run again at `at`.
    Retry {
        /// Why it failed.
        error: String,
        /// When it may run again.
        at: Timestamp,
    },
    /// Failed for good (last attempt, or an error no retry can fix); replay it by hand.
    Dead {
        /// Why it failed.
        error: String,
    },
    /// Not attempted after all (the tenant's e-conomic access is paused): back in the queue,
    /// its attempt given back.
    Paused {
        /// Why the tenant is paused.
        reason: String,
    },
    /// Not attempted: the tenant's e-conomic API budget is spent. Back in the queue until
    /// `until`, its attempt given back.
    Deferred {
        /// Why it waits.
        reason: String,
        /// When it may run.
        until: Timestamp,
    },
}

/// The attempt a batch was: who ran it, when, and how many e-conomic calls it made. Made by
/// [`Attempt::ending_now`], so that every writer stamps its end the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt<'a> {
    /// The worker.
    pub worker: &'a str,
    /// When the batch started.
    pub started_at: Timestamp,
    /// When it finished.
    pub finished_at: Timestamp,
    /// e-conomic calls the batch made.
    pub api_calls: u32,
}

impl<'a> Attempt<'a> {
    /// The attempt of `worker` that began at `started_at`, made `api_calls` e-conomic calls, and
    /// ends now (when its events are finished).
    pub fn ending_now(worker: &'a str, started_at: Timestamp, api_calls: u32) -> Attempt<'a> {
        Attempt {
            worker,
            started_at,
            finished_at: Timestamp::now(),
            api_calls,
        }
    }
}

/// One event's new columns.
struct Row {
    id: i64,
    status: &'static str,
    outcome: Option<String>,
    coalesced_into: Option<i64>,
    error: Option<String>,
    next_attempt_at: i64,
    processed_at: Option<i64>,
    refund: i64,
    /// The attempt row's outcome; `None` for a coalesced event, which made no attempt.
    attempt: Option<&'static str>,
}

impl Row {
    fn new(id: EventId, done: &Done, at: Timestamp) -> Result<Row> {
        let json = |o: &Outcome| serde_json::to_string(o).map_err(Error::internal);
        let blank = Row {
            id: id.get(),
            status: "processed",
            outcome: None,
            coalesced_into: None,
            error: None,
            next_attempt_at: 0,
            processed_at: Some(at.as_millis()),
            refund: 0,
            attempt: Some("processed"),
        };
        Ok(match done {
            Done::Processed(outcome) => Row {
                outcome: Some(json(outcome)?),
                ..blank
            },
            Done::Coalesced { into } => Row {
                outcome: Some(json(&Outcome::Coalesced { into: *into })?),
                coalesced_into: Some(into.get()),
                attempt: None,
                ..blank
            },
            Done::Retry { error, at: next } => Row {
                status: "failed",
                error: Some(error.clone()),
                next_attempt_at: next.as_millis(),
                processed_at: None,
                attempt: Some("failed"),
                ..blank
            },
            Done::Dead { error } => Row {
                status: "dead",
                error: Some(error.clone()),
                processed_at: None,
                attempt: Some("dead"),
                ..blank
            },
            Done::Paused { reason } => Row {
                status: "queued",
                error: Some(reason.clone()),
                processed_at: None,
                refund: 1,
                attempt: Some("paused"),
                ..blank
            },
            Done::Deferred { reason, until } => Row {
                status: "queued",
                error: Some(reason.clone()),
                next_attempt_at: until.as_millis(),
                processed_at: None,
                refund: 1,
                attempt: None,
                ..blank
            },
        })
    }
}

/// Record how each event ended, in the transaction fenced by the batch's lease. Only events
/// still held by that lease change.
pub async fn finish(
    tx: &mut Fenced,
    attempt: &Attempt<'_>,
    done: &[(EventId, Done)],
) -> Result<()> {
    let (tx, lease) = tx.split();
    let rows = done
        .iter()
        .map(|(id, d)| Row::new(*id, d, attempt.finished_at))
        .collect::<Result<Vec<_>>>()?;
    with_tx!(tx, conn {
        sqlite => finish_sqlite(conn, lease, attempt, &rows).await,
        postgres => postgres::finish(conn, lease, attempt, &rows).await,
    })?;
    // For `/metrics`: counted with the statements, before the caller commits (a lost commit
    // is rare and shows as a lease error of its own).
    for (_, d) in done {
        metrics::counter!("inventory_sync_attempts_total", "outcome" => d.label()).increment(1);
        if matches!(d, Done::Processed(_) | Done::Coalesced { .. }) {
            metrics::counter!("inventory_sync_events_applied_total").increment(1);
        }
    }
    Ok(())
}

impl Done {
    /// The metrics label of this ending.
    fn label(&self) -> &'static str {
        match self {
            Done::Processed(_) => "processed",
            Done::Coalesced { .. } => "coalesced",
            Done::Retry { .. } => "failed",
            Done::Dead { .. } => "dead",
            Done::Paused { .. } => "paused",
            Done::Deferred { .. } => "deferred",
        }
    }
}

async fn finish_sqlite(
    conn: &mut SqliteConnection,
    lease: &Lease,
    attempt: &Attempt<'_>,
    rows: &[Row],
) -> sqlx::Result<()> {
    for row in rows {
        let updated = sqlx::query(
            "update webhook_events set status = $3, outcome = $4, coalesced_into = $5, \
             last_error = $6, next_attempt_at = $7, processed_at = $8, \
             attempts = attempts - $9, lease_token = null, updated_at = $10 \
             where id = $1 and tenant_id = $2 and lease_token = $11",
        )
        .bind(row.id)
        .bind(lease.tenant_id)
        .bind(row.status)
        .bind(row.outcome.as_deref())
        .bind(row.coalesced_into)
        .bind(row.error.as_deref())
        .bind(row.next_attempt_at)
        .bind(row.processed_at)
        .bind(row.refund)
        .bind(attempt.finished_at)
        .bind(lease.token)
        .execute(&mut *conn)
        .await?;
        let Some(outcome) = row.attempt.filter(|_| updated.rows_affected() == 1) else {
            continue;
        };
        sqlx::query(
            "insert into event_attempts (tenant_id, event_id, attempt, worker, started_at, \
             finished_at, outcome, error, api_calls, created_at, updated_at) \
             select $1, id, attempts, $2, $3, $4, $5, $6, $7, $4, $4 \
             from webhook_events where id = $8 and tenant_id = $1",
        )
        .bind(lease.tenant_id)
        .bind(attempt.worker)
        .bind(attempt.started_at)
        .bind(attempt.finished_at)
        .bind(outcome)
        .bind(row.error.as_deref())
        .bind(i64::from(attempt.api_calls))
        .bind(row.id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
