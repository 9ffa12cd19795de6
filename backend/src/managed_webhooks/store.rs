//! The `managed_webhooks` rows: which webhooks the app manages per tenant, the last action's
//! outcome and the last health check. Every query takes the tenant first and filters by it
//! (except [`due_for_check`], the scheduler's look across tenants).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use economic::Entity;
use economic::types::ApiWebhook;
use sha2::{Digest, Sha256};

use super::Outcome;
use crate::db::{CrossTenant, Db};
use crate::error::Result;
use crate::ids::TenantId;
use crate::timestamp::Timestamp;

/// What the app knows about one of the tenant's webhooks in e-conomic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedWebhook {
    /// Which webhook.
    pub kind: Entity,
    /// Whether the app created it in e-conomic and looks after it.
    pub managed: bool,
    /// The last action's outcome, and when; `None` if only a check wrote the row.
    pub outcome: Option<(Outcome, Timestamp)>,
    /// e-conomic's words for a refusal (for support and logs).
    pub outcome_detail: Option<String>,
    /// e-conomic's `objectVersion` as last read.
    pub object_version: Option<String>,
    /// When e-conomic's list was last read for it.
    pub checked_at: Option<Timestamp>,
    /// Whether e-conomic had it at the last look.
    pub remote_present: Option<bool>,
    /// SHA-256 of the URL e-conomic holds (the URL carries a credential; it is not kept).
    pub remote_url_sha256: Option<String>,
    /// Whether e-conomic had disabled it.
    pub remote_disabled: Option<bool>,
    /// When e-conomic last disabled it.
    pub remote_last_disabled_at: Option<Timestamp>,
    /// Why the last check could not look, if it could not.
    pub check_problem: Option<Outcome>,
}

/// A webhook's health at the last check, against the tenant's current URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// Not looked at yet.
    Unchecked,
    /// e-conomic has it, enabled, pointing at our current URL.
    Healthy,
    /// e-conomic does not have it (deleted there).
    Missing,
    /// It points at another URL (an older one of ours, or something else).
    OtherUrl,
    /// e-conomic disabled it (after failed deliveries); since when, if known.
    Disabled(Option<Timestamp>),
}

impl ManagedWebhook {
    /// The health against `current_url` (the URL the settings page shows now).
    pub fn health(&self, current_url: &str) -> Health {
        match (self.checked_at, self.remote_present) {
            (None, _) | (Some(_), None) => Health::Unchecked,
            (Some(_), Some(false)) => Health::Missing,
            (Some(_), Some(true)) if self.remote_disabled == Some(true) => {
                Health::Disabled(self.remote_last_disabled_at)
            }
            (Some(_), Some(true)) => {
                if self.remote_url_sha256.as_deref() == Some(url_hash(current_url).as_str()) {
                    Health::Healthy
                } else {
                    Health::OtherUrl
                }
            }
        }
    }
}

/// SHA-256 of a URL, base64url.
pub(super) fn url_hash(url: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(url.as_bytes()))
}

type Row = (
    String,
    bool,
    Option<String>,
    Option<Timestamp>,
    Option<String>,
    Option<String>,
    Option<Timestamp>,
    Option<bool>,
    Option<String>,
    Option<bool>,
    Option<Timestamp>,
    Option<String>,
);

const COLUMNS: &str = "kind, managed, outcome, outcome_at, outcome_detail, object_version, \
     checked_at, remote_present, remote_url_sha256, remote_disabled, remote_last_disabled_at, \
     check_problem";

fn from_row(row: Row) -> Option<ManagedWebhook> {
    let (
        kind,
        managed,
        outcome,
        outcome_at,
        detail,
        version,
        checked,
        present,
        hash,
        disabled,
        since,
        problem,
    ) = row;
    Some(ManagedWebhook {
        kind: Entity::from_slug(&kind)?,
        managed,
        outcome: outcome.as_deref().and_then(Outcome::parse).zip(outcome_at),
        outcome_detail: detail,
        object_version: version,
        checked_at: checked,
        remote_present: present,
        remote_url_sha256: hash,
        remote_disabled: disabled,
        remote_last_disabled_at: since,
        check_problem: problem.as_deref().and_then(Outcome::parse),
    })
}

/// The tenant's rows, in the order customers, products, invoices.
pub async fn list(db: &Db, tenant_id: TenantId) -> Result<Vec<ManagedWebhook>> {
    let sql = format!("select {COLUMNS} from managed_webhooks where tenant_id = $1");
    let rows: Vec<Row> = with_tenant!(db, tenant_id, conn => sqlx::query_as(&sql)
        .bind(tenant_id)
        .fetch_all(conn)
        .await)?;
    let mut hooks: Vec<ManagedWebhook> = rows.into_iter().filter_map(from_row).collect();
    hooks.sort_by_key(|h| h.kind);
    Ok(hooks)
}

/// The tenant's row for `kind`, if any.
pub(super) async fn get(
    db: &Db,
    tenant_id: TenantId,
    kind: Entity,
) -> Result<Option<ManagedWebhook>> {
    let sql = format!("select {COLUMNS} from managed_webhooks where tenant_id = $1 and kind = $2");
    let row: Option<Row> = with_tenant!(db, tenant_id, conn => sqlx::query_as(&sql)
        .bind(tenant_id)
        .bind(kind.as_str())
        .fetch_optional(conn)
        .await)?;
    Ok(row.and_then(from_row))
}

/// Store an action's outcome: a success sets `managed` (on, or off after a delete); a failure
/// leaves it as it was.
pub(super) async fn record(
    db: &Db,
    tenant_id: TenantId,
    kind: Entity,
    outcome: Outcome,
    detail: Option<&str>,
    now: Timestamp,
) -> Result<Outcome> {
    let managed: Option<bool> = match outcome {
        Outcome::Created | Outcome::Updated | Outcome::Reenabled => Some(true),
        Outcome::Deleted => Some(false),
        Outcome::Conflict
        | Outcome::Forbidden
        | Outcome::Refused
        | Outcome::Unavailable
        | Outcome::NotConnected => None,
    };
    with_tenant!(db, tenant_id, conn => sqlx::query(
        "insert into managed_webhooks (tenant_id, kind, managed, outcome, outcome_detail, \
         outcome_at, created_at, updated_at) values ($1, $2, coalesce($3, false), $4, $5, $6, $6, $6) \
         on conflict (tenant_id, kind) do update set \
         managed = coalesce($3, managed_webhooks.managed), outcome = excluded.outcome, \
         outcome_detail = excluded.outcome_detail, outcome_at = excluded.outcome_at, \
         updated_at = excluded.updated_at",
    )
    .bind(tenant_id)
    .bind(kind.as_str())
    .bind(managed)
    .bind(outcome.as_str())
    .bind(detail)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(outcome)
}

/// Store what e-conomic holds for `kind` (`None`: it has none). The API lists only webhooks
/// this app created, so one it has is one the app manages.
pub(super) async fn observe(
    db: &Db,
    tenant_id: TenantId,
    kind: Entity,
    remote: Option<&ApiWebhook>,
    now: Timestamp,
) -> Result<()> {
    let present = remote.is_some();
    let hash = remote.map(|r| url_hash(&r.url));
    let disabled = remote.map(|r| r.is_disabled);
    let since = remote
        .and_then(|r| r.last_disabled_date)
        .map(Timestamp::from);
    let version = remote.and_then(|r| r.object_version.clone());
    with_tenant!(db, tenant_id, conn => sqlx::query(
        "insert into managed_webhooks (tenant_id, kind, managed, object_version, checked_at, \
         remote_present, remote_url_sha256, remote_disabled, remote_last_disabled_at, \
         check_problem, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $3, $6, $7, $8, null, $5, $5) \
         on conflict (tenant_id, kind) do update set \
         managed = managed_webhooks.managed or excluded.managed, \
         object_version = excluded.object_version, checked_at = excluded.checked_at, \
         remote_present = excluded.remote_present, \
         remote_url_sha256 = excluded.remote_url_sha256, \
         remote_disabled = excluded.remote_disabled, \
         remote_last_disabled_at = excluded.remote_last_disabled_at, \
         check_problem = null, updated_at = excluded.updated_at",
    )
    .bind(tenant_id)
    .bind(kind.as_str())
    .bind(present)
    .bind(version)
    .bind(now)
    .bind(hash)
    .bind(disabled)
    .bind(since)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The check could not look: keep the last known state, say why, and wait a whole interval
/// before the schedule tries again.
pub(super) async fn check_failed(
    db: &Db,
    tenant_id: TenantId,
    problem: Outcome,
    now: Timestamp,
) -> Result<()> {
    let problem = match problem {
        Outcome::Forbidden => "forbidden",
        Outcome::NotConnected => "not_connected",
        Outcome::Refused | Outcome::Conflict => "refused",
        Outcome::Unavailable
        | Outcome::Created
        | Outcome::Updated
        | Outcome::Reenabled
        | Outcome::Deleted => "unavailable",
    };
    with_tenant!(db, tenant_id, conn => sqlx::query(
        "update managed_webhooks set check_problem = $2, checked_at = $3, updated_at = $3 \
         where tenant_id = $1",
    )
    .bind(tenant_id)
    .bind(problem)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Tenants with a managed webhook not checked since `before`, at most `limit` (the scheduled
/// health check's work list, across tenants).
pub async fn due_for_check(db: &Db, before: Timestamp, limit: i64) -> Result<Vec<TenantId>> {
    let tenants: Vec<TenantId> = with_cross_tenant!(db, CrossTenant::Schedule, pool => sqlx::query_scalar(
        "select distinct tenant_id from managed_webhooks \
         where managed and (checked_at is null or checked_at < $1) order by tenant_id limit $2",
    )
    .bind(before)
    .bind(limit)
    .fetch_all(pool)
    .await)?;
    Ok(tenants)
}
