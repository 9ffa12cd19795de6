//! Storing received webhook events in batches: the webhook endpoint's group-commit writer hands
//! over everything that arrived meanwhile, and one commit (one fsync) makes all of it durable.
//!
//! The two databases get different SQL here, on purpose, because this is the hot path of a
//! 100,000-request burst:
//! - PostgreSQL ([`postgres`]): one `insert … select from unnest($1::bigint[], …)` per batch. The statement text
//!   never changes, so it is prepared once per connection, and being a single statement it commits
//!   on its own: one round trip per batch. (A multi-row `values (…), (…)` has a different text for
//!   every batch size, so each batch paid a parse, a plan and an extra round trip.)
//! - SQLite has no arrays; it is in-process, so round trips cost nothing and a multi-row insert
//!   inside one transaction is what counts.

mod postgres;

use economic::WebhookAction;
use sqlx::{Connection, SqliteConnection};

use super::{EventId, NewEvent};
use crate::db::{Conn, CrossTenant, Db};
use crate::error::{Error, Result};
use crate::ids::TenantId;

/// Store one event, committed before this returns. Returns its id.
pub async fn ingest(db: &Db, tenant_id: TenantId, event: &NewEvent) -> Result<EventId> {
    let ids = ingest_many(db, &[(tenant_id, event)]).await?;
    ids.into_iter()
        .next()
        .ok_or_else(|| Error::internal("insert returned no id"))
}

/// Store several events (of any tenants) atomically: all are committed, or none. Returns their
/// ids in order.
pub async fn ingest_many(db: &Db, events: &[(TenantId, &NewEvent)]) -> Result<Vec<EventId>> {
    ingest_batch(
        &mut db.acquire_cross_tenant(CrossTenant::WebhookIngest).await?,
        events,
    )
    .await
}

/// [`ingest_many`] on a connection the caller keeps between batches (the webhook writer).
pub async fn ingest_batch(
    conn: &mut Conn,
    events: &[(TenantId, &NewEvent)],
) -> Result<Vec<EventId>> {
    let rows = events
        .iter()
        .map(|(tenant_id, event)| Row::new(*tenant_id, event))
        .collect::<Result<Vec<_>>>()?;
    let mut ids = with_tx!(conn, conn {
        sqlite => insert_sqlite(conn, &rows).await,
        postgres => postgres::insert(conn, &rows).await,
    })?;
    if ids.len() != rows.len() {
        return Err(Error::internal(format!(
            "stored {} events but got {} ids back",
            rows.len(),
            ids.len()
        )));
    }
    // Ids are assigned in row order within one statement, but RETURNING's row order is not
    // guaranteed: sorting restores the rows' order.
    ids.sort_unstable();
    Ok(ids)
}

/// The columns, in the order both inserts list them.
const COLUMNS: &str = "tenant_id, kind, status, action, old_number, new_number, invoice_number, \
    content_type, raw_query, raw_body, reason, received_at, record_key";

/// Rows per SQLite statement (15 parameters each; SQLite allows 32,766 parameters).
const SQLITE_ROWS_PER_STATEMENT: usize = 1000;

async fn insert_sqlite(
    conn: &mut SqliteConnection,
    rows: &[Row<'_>],
) -> sqlx::Result<Vec<EventId>> {
    // One transaction for the whole batch: its commit is the durability point for all of them.
    let mut tx = conn.begin().await?;
    let mut ids = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(SQLITE_ROWS_PER_STATEMENT) {
        let mut insert = sqlx::QueryBuilder::new(format!(
            "insert into webhook_events ({COLUMNS}, created_at, updated_at) "
        ));
        insert.push_values(chunk, |mut values, row| {
            values
                .push_bind(row.tenant_id)
                .push_bind(row.kind)
                .push_bind(row.status)
                .push_bind(row.action.as_deref())
                .push_bind(row.old_number.as_deref())
                .push_bind(row.new_number.as_deref())
                .push_bind(row.invoice_number.as_deref())
                .push_bind(row.event.content_type.as_deref())
                .push_bind(row.event.raw_query.as_deref())
                .push_bind(row.event.raw_body.as_slice())
                .push_bind(row.event.reason.as_deref())
                .push_bind(row.event.received_at)
                .push_bind(row.record_key.as_deref())
                .push_bind(row.event.received_at)
                .push_bind(row.event.received_at);
        });
        insert.push(" returning id");
        let chunk_ids: Vec<EventId> = insert.build_query_scalar().fetch_all(&mut *tx).await?;
        ids.extend(chunk_ids);
    }
    tx.commit().await?;
    Ok(ids)
}

/// The columns derived from a [`NewEvent`].
struct Row<'a> {
    tenant_id: TenantId,
    kind: &'static str,
    status: &'static str,
    action: Option<String>,
    old_number: Option<String>,
    new_number: Option<String>,
    invoice_number: Option<String>,
    /// The record the sync engine re-fetches: the number, the new one of a renumbering.
    record_key: Option<String>,
    event: &'a NewEvent,
}

impl<'a> Row<'a> {
    fn new(tenant_id: TenantId, event: &'a NewEvent) -> Result<Self> {
        let action = event
            .action
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(Error::internal)?;
        let (old_number, new_number, invoice_number) = match &event.action {
            None => (None, None, None),
            Some(WebhookAction::Created(n)) => (None, Some(n.to_string()), None),
            Some(WebhookAction::Updated(n)) => (Some(n.to_string()), Some(n.to_string()), None),
            Some(WebhookAction::Renumbered { old, new }) => {
                (Some(old.to_string()), Some(new.to_string()), None)
            }
            Some(WebhookAction::Deleted(n)) => (Some(n.to_string()), None, None),
            Some(WebhookAction::InvoiceBooked(n)) => (None, None, Some(n.to_string())),
        };
        let record_key = new_number
            .clone()
            .or_else(|| old_number.clone())
            .or_else(|| invoice_number.clone());
        Ok(Row {
            tenant_id,
            record_key,
            kind: event.kind.as_str(),
            status: event.status.as_str(),
            action,
            old_number,
            new_number,
            invoice_number,
            event,
        })
    }
}
