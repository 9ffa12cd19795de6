//! The PostgreSQL form of storing a batch of events: one `insert … select from unnest(…)` with
//! one array per column, the same statement text for any batch size.

use sqlx::PgConnection;

use super::{COLUMNS, Row};
use crate::events::EventId;

pub(super) async fn insert(
    conn: &mut PgConnection,
    rows: &[Row<'_>],
) -> sqlx::Result<Vec<EventId>> {
    let sql = format!(
        "insert into webhook_events ({COLUMNS}, created_at, updated_at) \
         select {COLUMNS}, received_at, received_at \
         from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], \
                     $7::text[], $8::text[], $9::text[], $10::bytea[], $11::text[], $12::bigint[], \
                     $13::text[]) \
              as e({COLUMNS}) \
         returning id"
    );
    // One array per column, not one placeholder per value: the same statement for any batch.
    let column =
        |f: for<'r> fn(&'r Row<'r>) -> Option<&'r str>| rows.iter().map(f).collect::<Vec<_>>();
    sqlx::query_scalar(&sql)
        .bind(rows.iter().map(|r| r.tenant_id.get()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.kind).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.status).collect::<Vec<_>>())
        .bind(column(|r| r.action.as_deref()))
        .bind(column(|r| r.old_number.as_deref()))
        .bind(column(|r| r.new_number.as_deref()))
        .bind(column(|r| r.invoice_number.as_deref()))
        .bind(column(|r| r.event.content_type.as_deref()))
        .bind(column(|r| r.event.raw_query.as_deref()))
        .bind(
            rows.iter()
                .map(|r| r.event.raw_body.as_slice())
                .collect::<Vec<_>>(),
        )
        .bind(column(|r| r.event.reason.as_deref()))
        .bind(
            rows.iter()
                .map(|r| r.event.received_at.as_millis())
                .collect::<Vec<_>>(),
        )
        .bind(column(|r| r.record_key.as_deref()))
        // A single statement commits on its own: no begin/commit round trips.
        .fetch_all(conn)
        .await
}
