//! Received webhook events: stored durably before e-conomic gets its 2xx, worked
//! off by the sync engine's queue (which builds on this module, never the other way round),
//! listed newest first with keyset pagination on the id.

use std::fmt;
use std::str::FromStr;

use economic::{Entity, WebhookAction};
use serde::{Deserialize, Serialize};

use crate::db::{CrossTenant, Db};
use crate::error::{Error, FromDb, Result};
use crate::ids::TenantId;
use crate::records::RecordChange;
use crate::records::invoices::InvoiceChange;
use crate::timestamp::Timestamp;

pub(crate) mod history;
mod rejected;
pub mod retention;
mod store;

pub use history::{
    COUNT_CAP, Cursor, EXACT_UP_TO, HistoryFilter, HistoryPage, InvalidCursor, LiveMark, MAX_PAGE,
    MAX_PREFIX_CHARS, NumberPrefix, PageAt, StatusCount, coalesced_into, counts, live_mark,
    of_record, page,
};

pub use rejected::{
    MAX_REASON_CHARS, REPEAT_WINDOW_MS, RejectedKind, cap_reason, recent_rejected, rejected_since,
};
pub use store::{ingest, ingest_batch, ingest_many};
pub use vocabulary::{AttemptOutcome, EventStatus};

/// The statuses of events that still wait to be applied, as an SQL list.
pub(crate) const WAITING: &str = "('received', 'queued', 'processing', 'failed')";

/// A webhook event's id (increasing: newer events have larger ids).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, sqlx::Type,
)]
#[sqlx(transparent)]
#[serde(transparent)]
pub struct EventId(i64);

impl EventId {
    /// Wrap a raw id (from a URL or a cursor). Proves nothing: queries check the tenant.
    pub const fn new(raw: i64) -> Self {
        Self(raw)
    }

    /// The raw id.
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for EventId {
    type Err = std::num::ParseIntError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Self)
    }
}

/// What applying an event did, stored with it and shown in the event history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// A customer or product was re-fetched and applied.
    Record {
        /// The number it had before, when this event (or one folded into it) renumbered it.
        renumbered_from: Option<String>,
        /// What changed locally.
        change: RecordChange,
    },
    /// The record was fetched after this event arrived, so the change it announced is in
    /// already: no call needed.
    UpToDate,
    /// Folded into another event of the same record, which did the work.
    Coalesced {
        /// That event.
        into: EventId,
    },
    /// A booked invoice was fetched and stored (or had been).
    Invoice {
        /// What storing it did.
        change: InvoiceChange,
    },
}

/// An event to store, as the webhook endpoint saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// The URL's kind.
    pub kind: Entity,
    /// `Received`, `Ignored` or `Rejected`.
    pub status: EventStatus,
    /// The parsed action; `None` when rejected.
    pub action: Option<WebhookAction>,
    /// The `Content-Type` header as sent.
    pub content_type: Option<String>,
    /// The query string as sent (never the path: it holds the credential).
    pub raw_query: Option<String>,
    /// The body as sent.
    pub raw_body: Vec<u8>,
    /// Why it was ignored or rejected.
    pub reason: Option<String>,
    /// When the request arrived.
    pub received_at: Timestamp,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Its id.
    pub id: EventId,
    /// The URL's kind.
    pub kind: Entity,
    /// Its status.
    pub status: EventStatus,
    /// The parsed action; `None` when rejected.
    pub action: Option<WebhookAction>,
    /// Old number (customer/product events; empty for a create).
    pub old_number: Option<String>,
    /// New number (customer/product events; empty for a delete).
    pub new_number: Option<String>,
    /// The booked invoice's number (invoice events).
    pub invoice_number: Option<String>,
    /// The `Content-Type` header as sent.
    pub content_type: Option<String>,
    /// The query string as sent (the credential is never stored).
    pub raw_query: Option<String>,
    /// The body, lossily decoded as UTF-8 for display.
    pub raw_body: String,
    /// Why it was ignored or rejected.
    pub reason: Option<String>,
    /// When the request arrived.
    pub received_at: Timestamp,
    /// Application attempts so far.
    pub attempts: i64,
    /// When a failed event runs again.
    pub next_attempt_at: Option<Timestamp>,
    /// The last attempt's error (failed, dead, or taken up again).
    pub last_error: Option<String>,
    /// What applying it did (processed events).
    pub outcome: Option<Outcome>,
    /// When it was processed.
    pub processed_at: Option<Timestamp>,
    /// When a dead event was dismissed (it needs no replay).
    pub dismissed_at: Option<Timestamp>,
}

/// The tenant's events, newest first, at most `limit` (capped at 500), older than `before` if
/// given (keyset pagination: pass the last id of the previous page).
pub async fn list(
    db: &Db,
    tenant_id: TenantId,
    limit: u32,
    before: Option<EventId>,
) -> Result<Vec<Event>> {
    let limit = i64::from(limit.min(500));
    let before = before.map_or(i64::MAX, EventId::get);
    let rows: Vec<DbEvent> = with_tenant!(db, tenant_id, conn => sqlx::query_as(&format!(
        "{SELECT} where tenant_id = $1 and id < $2 order by id desc limit $3"
    ))
    .bind(tenant_id)
    .bind(before)
    .bind(limit)
    .fetch_all(conn)
    .await)?;
    rows.into_iter().map(DbEvent::into_event).collect()
}

/// One of the tenant's events. Errors: `NotFound` (also when it is another tenant's).
pub async fn get(db: &Db, tenant_id: TenantId, id: EventId) -> Result<Event> {
    let row: Option<DbEvent> = with_tenant!(db, tenant_id, conn => sqlx::query_as(&format!(
        "{SELECT} where tenant_id = $1 and id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await)?;
    row.ok_or(Error::NotFound)?.into_event()
}

/// How many events the tenant has (tests, benchmarks, dashboards).
pub async fn count(db: &Db, tenant_id: TenantId) -> Result<i64> {
    let n: i64 = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "select count(*) from webhook_events where tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_one(conn)
    .await)?;
    Ok(n)
}

const SELECT: &str = "select id, kind, status, action, old_number, new_number, invoice_number, \
    content_type, raw_query, raw_body, reason, received_at, attempts, next_attempt_at, \
    last_error, outcome, processed_at, dismissed_at from webhook_events";

/// How many of the tenant's events are in each status (tests, benchmarks, dashboards).
pub async fn count_by_status(
    db: &Db,
    tenant_id: TenantId,
) -> Result<std::collections::HashMap<EventStatus, i64>> {
    let rows: Vec<(String, i64)> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select status, count(*) from webhook_events where tenant_id = $1 group by status",
    )
    .bind(tenant_id)
    .fetch_all(conn)
    .await)?;
    rows.into_iter()
        .map(|(status, n)| Ok((EventStatus::from_db(&status)?, n)))
        .collect()
}

/// How many of the tenant's events still wait to be applied (received, queued, processing or
/// failed).
pub async fn waiting(db: &Db, tenant_id: TenantId) -> Result<i64> {
    let n = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(&format!(
        "select count(*) from webhook_events where tenant_id = $1 and status in {WAITING}"
    ))
    .bind(tenant_id)
    .fetch_one(conn)
    .await)?;
    Ok(n)
}

/// One attempt to apply an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttemptRecord {
    /// Which attempt (1 = the first).
    pub attempt: i64,
    /// The worker that made it.
    pub worker: String,
    /// When its batch started.
    pub started_at: Timestamp,
    /// When its batch finished.
    pub finished_at: Timestamp,
    /// How it ended.
    pub outcome: AttemptOutcome,
    /// The error, if it failed.
    pub error: Option<String>,
    /// e-conomic calls made by its batch.
    pub api_calls: i64,
}

/// The attempts of the tenant's event `id`, first first.
pub async fn attempts(db: &Db, tenant_id: TenantId, id: EventId) -> Result<Vec<AttemptRecord>> {
    type Row = (
        i64,
        String,
        Timestamp,
        Timestamp,
        String,
        Option<String>,
        i64,
    );
    let rows: Vec<Row> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select attempt, worker, started_at, finished_at, outcome, error, api_calls \
         from event_attempts where tenant_id = $1 and event_id = $2 order by id",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_all(conn)
    .await)?;
    rows.into_iter()
        .map(
            |(attempt, worker, started_at, finished_at, outcome, error, api_calls)| {
                Ok(AttemptRecord {
                    attempt,
                    worker,
                    started_at,
                    finished_at,
                    outcome: AttemptOutcome::from_db(&outcome)?,
                    error,
                    api_calls,
                })
            },
        )
        .collect()
}

#[derive(sqlx::FromRow)]
struct DbEvent {
    id: EventId,
    kind: String,
    status: String,
    action: Option<String>,
    old_number: Option<String>,
    new_number: Option<String>,
    invoice_number: Option<String>,
    content_type: Option<String>,
    raw_query: Option<String>,
    raw_body: Vec<u8>,
    reason: Option<String>,
    received_at: Timestamp,
    attempts: i64,
    next_attempt_at: i64,
    last_error: Option<String>,
    outcome: Option<String>,
    processed_at: Option<Timestamp>,
    dismissed_at: Option<Timestamp>,
}

impl DbEvent {
    fn into_event(self) -> Result<Event> {
        let kind = Entity::from_slug(&self.kind).ok_or_else(|| {
            Error::internal(format!("unknown entity {:?} in database", self.kind))
        })?;
        let outcome = self
            .outcome
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(Error::internal)?;
        let status = EventStatus::from_db(&self.status)?;
        let action = self
            .action
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(Error::internal)?;
        Ok(Event {
            id: self.id,
            kind,
            status,
            action,
            old_number: self.old_number,
            new_number: self.new_number,
            invoice_number: self.invoice_number,
            content_type: self.content_type,
            raw_query: self.raw_query,
            raw_body: String::from_utf8_lossy(&self.raw_body).into_owned(),
            reason: self.reason,
            received_at: self.received_at,
            attempts: self.attempts,
            next_attempt_at: (status == EventStatus::Failed)
                .then_some(Timestamp::from_millis(self.next_attempt_at)),
            last_error: self.last_error,
            outcome,
            processed_at: self.processed_at,
            dismissed_at: self.dismissed_at,
        })
    }
}

/// Events waiting or stuck, over all tenants, by status: how many and when the oldest arrived
/// (the operator's `/metrics`; deliberately cross-tenant, like the workers' claim).
pub async fn queue_depth(db: &Db) -> Result<Vec<(EventStatus, i64, Option<Timestamp>)>> {
    let rows: Vec<(String, i64, Option<Timestamp>)> = with_cross_tenant!(db, CrossTenant::Metrics, conn => sqlx::query_as(
        "select status, count(*), min(received_at) from webhook_events \
         where status in ('received', 'queued', 'processing', 'failed', 'dead') group by status",
    )
    .fetch_all(conn)
    .await)?;
    rows.into_iter()
        .map(|(status, n, oldest)| Ok((EventStatus::from_db(&status)?, n, oldest)))
        .collect()
}
