//! The PostgreSQL form of finishing a batch: one statement for every event of it, whatever its
//! size. The arrays of [`Row`]s are joined to the events they name, the events updated, and the
//! attempts inserted from the rows the update returned, so an attempt is recorded exactly for an
//! event this lease still held (as SQLite's statement per row does), and no second statement
//! joins the attempts to the tenant's events (without planner statistics that join became a
//! hash join over all of them).

use sqlx::PgConnection;

use super::{Attempt, Row};
use crate::queue::Lease;

pub(super) async fn finish(
    conn: &mut PgConnection,
    lease: &Lease,
    attempt: &Attempt<'_>,
    rows: &[Row],
) -> sqlx::Result<()> {
    sqlx::query(
        "with done as ( \
             update webhook_events e set status = u.status, outcome = u.outcome, \
             coalesced_into = u.coalesced_into, last_error = u.error, \
             next_attempt_at = u.next_at, processed_at = u.processed_at, \
             attempts = e.attempts - u.refund, lease_token = null, updated_at = $3 \
             from unnest($4::bigint[], $5::text[], $6::text[], $7::bigint[], $8::text[], \
                         $9::bigint[], $10::bigint[], $11::bigint[], $12::text[]) \
                  as u(id, status, outcome, coalesced_into, error, next_at, processed_at, refund, \
                       attempt) \
             where e.id = u.id and e.tenant_id = $1 and e.lease_token = $2 \
             returning e.id, e.attempts, u.attempt, u.error) \
         insert into event_attempts (tenant_id, event_id, attempt, worker, started_at, \
         finished_at, outcome, error, api_calls, created_at, updated_at) \
         select $1, id, attempts, $13, $14, $3, attempt, error, $15, $3, $3 \
         from done where attempt is not null",
    )
    .bind(lease.tenant_id)
    .bind(lease.token)
    .bind(attempt.finished_at)
    .bind(rows.iter().map(|r| r.id).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.status).collect::<Vec<_>>())
    .bind(
        rows.iter()
            .map(|r| r.outcome.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(rows.iter().map(|r| r.coalesced_into).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.error.as_deref()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.next_attempt_at).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.processed_at).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.refund).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.attempt).collect::<Vec<_>>())
    .bind(attempt.worker)
    .bind(attempt.started_at)
    .bind(i64::from(attempt.api_calls))
    .execute(conn)
    .await?;
    Ok(())
}
