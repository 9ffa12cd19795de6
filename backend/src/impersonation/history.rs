//! The tenant's view of support access: every impersonation of the company, newest first, with
//! the requests that changed something.

use serde::Serialize;

use super::{EndReason, ImpersonationId};
use crate::db::Db;
use crate::error::Result;
use crate::ids::TenantId;
use crate::timestamp::Timestamp;

/// One impersonation, as the tenant sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// Its id.
    pub id: ImpersonationId,
    /// The staff member's name.
    pub staff_name: String,
    /// The reason they gave.
    pub reason: String,
    /// Their ticket reference, if any.
    pub ticket: Option<String>,
    /// When it began.
    pub started_at: Timestamp,
    /// When it ended, if it has.
    pub ended_at: Option<Timestamp>,
    /// Why it ended.
    pub end_reason: Option<EndReason>,
    /// When write access was granted, and why.
    pub elevated: Option<(Timestamp, String)>,
    /// How many requests were made.
    pub requests: i64,
    /// The requests that could change something (not GET), oldest first.
    pub changes: Vec<Request>,
}

/// One request made while impersonating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    /// The HTTP method.
    pub method: String,
    /// The path (without any credential).
    pub path: String,
    /// The answer's status.
    pub status: u16,
    /// When.
    pub at: Timestamp,
}

/// The tenant's newest `limit` impersonations.
pub async fn for_tenant(db: &Db, tenant_id: TenantId, limit: u32) -> Result<Vec<Record>> {
    type Row = (
        ImpersonationId,
        String,
        String,
        Option<String>,
        Timestamp,
        Option<Timestamp>,
        Option<String>,
        Option<Timestamp>,
        Option<String>,
        i64,
    );
    let rows: Vec<Row> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select i.id, s.name, i.reason, i.ticket, i.started_at, i.ended_at, i.end_reason, \
                i.elevated_at, i.elevation_reason, \
                (select count(*) from impersonation_requests r \
                 where r.tenant_id = i.tenant_id and r.impersonation_id = i.id) \
         from impersonations i join staff s on s.id = i.staff_id \
         where i.tenant_id = $1 order by i.started_at desc, i.id desc limit $2",
    )
    .bind(tenant_id)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await)?;
    let mut records = Vec::with_capacity(rows.len());
    for (id, staff_name, reason, ticket, started_at, ended_at, end, elevated_at, why, requests) in
        rows
    {
        records.push(Record {
            id,
            staff_name,
            reason,
            ticket,
            started_at,
            ended_at,
            end_reason: end.as_deref().map(EndReason::from_db).transpose()?,
            elevated: elevated_at.map(|at| (at, why.unwrap_or_default())),
            requests,
            changes: changes(db, tenant_id, id).await?,
        });
    }
    Ok(records)
}

async fn changes(db: &Db, tenant_id: TenantId, id: ImpersonationId) -> Result<Vec<Request>> {
    let rows: Vec<(String, String, i32, Timestamp)> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select method, path, status, created_at from impersonation_requests \
         where tenant_id = $1 and impersonation_id = $2 and method not in ('GET', 'HEAD') \
         order by id",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_all(conn)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(method, path, status, at)| Request {
            method,
            path,
            status: u16::try_from(status).unwrap_or(0),
            at,
        })
        .collect())
}
