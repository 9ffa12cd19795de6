//! The `managed_webhooks` rows: per tenant and webhook, who makes it ([`Mode`]), whether the
//! app manages it, the last action's outcome and the last health check (with whose URL
//! e-conomic's webhook points at). Every query takes the tenant first and filters by it (except
//! [`due_for_check`], the scheduler's look across tenants).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use economic::Entity;
use economic::types::ApiWebhook;
use sha2::{Digest, Sha256};

use super::{Mode, Outcome, Owner};
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
    /// Who makes it, when the company chose (`None`: not chosen, see [`Mode::default_for`]).
    pub mode: Option<Mode>,
    /// The event type name e-conomic's list gave for it.
    pub event_type: Option<String>,
    /// The company whose URL e-conomic's webhook pointed at at the last look (`None` with
    /// `remote_present`: an address that is not a company's of this server).
    pub remote_owner: Option<TenantId>,
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
    /// It points at another URL of this company (an older one).
    OtherUrl,
    /// e-conomic disabled it (after failed deliveries); since when, if known.
    Disabled(Option<Timestamp>),
    /// e-conomic's webhook of this type points at another company sharing the agreement.
    OtherCompany(TenantId),
    /// e-conomic's webhook of this type points at an address that is not this server's.
    OtherAddress,
}

impl ManagedWebhook {
    /// The health of `tenant_id`'s webhook against `current_url` (the URL the settings page
    /// shows now).
    pub fn health(&self, tenant_id: TenantId, current_url: &str) -> Health {
        match (self.checked_at, self.remote_present, self.remote_owner) {
            (None, _, _) | (Some(_), None, _) => Health::Unchecked,
            (Some(_), Some(false), _) => Health::Missing,
            (Some(_), Some(true), None) => Health::OtherAddress,
            (Some(_), Some(true), Some(owner)) if owner != tenant_id => Health::OtherCompany(owner),
            (Some(_), Some(true), Some(_)) if self.remote_disabled == Some(true) => {
                Health::Disabled(self.remote_last_disabled_at)
            }
            (Some(_), Some(true), Some(_)) => {
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
    Option<String>,
    Option<String>,
    Option<TenantId>,
);

const COLUMNS: &str = "kind, managed, outcome, outcome_at, outcome_detail, object_version, \
     checked_at, remote_present, remote_url_sha256, remote_disabled, remote_last_disabled_at, \
     check_problem, mode, event_type, remote_owner_tenant_id";

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
        mode,
        event_type,
        owner,
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
        mode: mode.as_deref().and_then(Mode::parse),
        event_type,
        remote_owner: owner,
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

/// Store an action's outcome: a success sets `managed` (on, and the mode automatic; or off
/// after a delete), finding another's webhook sets it off; a failure leaves it as it was.
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
        Outcome::Deleted | Outcome::OtherCompany | Outcome::OtherAddress => Some(false),
        Outcome::Conflict
        | Outcome::Forbidden
        | Outcome::AlreadyExists
        | Outcome::HttpsRequired
        | Outcome::TypeNotOffered
        | Outcome::Refused
        | Outcome::Unavailable
        | Outcome::NotConnected => None,
    };
    let mode = (managed == Some(true)).then_some(Mode::Automatic.as_str());
    with_tenant!(db, tenant_id, conn => sqlx::query(
        "insert into managed_webhooks (tenant_id, kind, managed, outcome, outcome_detail, \
         outcome_at, mode, created_at, updated_at) \
         values ($1, $2, coalesce($3, false), $4, $5, $6, $7, $6, $6) \
         on conflict (tenant_id, kind) do update set \
         managed = coalesce($3, managed_webhooks.managed), outcome = excluded.outcome, \
         outcome_detail = excluded.outcome_detail, outcome_at = excluded.outcome_at, \
         mode = coalesce($7, managed_webhooks.mode), updated_at = excluded.updated_at",
    )
    .bind(tenant_id)
    .bind(kind.as_str())
    .bind(managed)
    .bind(outcome.as_str())
    .bind(detail)
    .bind(now)
    .bind(mode)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(outcome)
}

/// Store what e-conomic holds for `kind` (`None`: it has none) and whose URL it points at. The
/// company manages it only when it points at the company's own URL: the API shows every
/// company on the agreement the webhooks this app made for any of them.
pub(super) async fn observe(
    db: &Db,
    tenant_id: TenantId,
    kind: Entity,
    remote: Option<(&ApiWebhook, Owner)>,
    event_type: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    let present = remote.is_some();
    let owner = remote.and_then(|(_, owner)| owner.company());
    let ours = owner == Some(tenant_id);
    let hash = remote.map(|(r, _)| url_hash(&r.url));
    let disabled = remote.map(|(r, _)| r.is_disabled);
    let since = remote
        .and_then(|(r, _)| r.last_disabled_date)
        .map(Timestamp::from);
    let version = remote
        .and_then(|(r, _)| r.object_version.clone())
        .filter(|_| ours);
    with_tenant!(db, tenant_id, conn => sqlx::query(
        "insert into managed_webhooks (tenant_id, kind, managed, object_version, checked_at, \
         remote_present, remote_url_sha256, remote_disabled, remote_last_disabled_at, \
         check_problem, event_type, remote_owner_tenant_id, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $9, $6, $7, $8, null, $10, $11, $5, $5) \
         on conflict (tenant_id, kind) do update set \
         managed = excluded.managed, \
         object_version = excluded.object_version, checked_at = excluded.checked_at, \
         remote_present = excluded.remote_present, \
         remote_url_sha256 = excluded.remote_url_sha256, \
         remote_disabled = excluded.remote_disabled, \
         remote_last_disabled_at = excluded.remote_last_disabled_at, \
         event_type = coalesce(excluded.event_type, managed_webhooks.event_type), \
         remote_owner_tenant_id = excluded.remote_owner_tenant_id, \
         check_problem = null, updated_at = excluded.updated_at",
    )
    .bind(tenant_id)
    .bind(kind.as_str())
    .bind(ours)
    .bind(version)
    .bind(now)
    .bind(hash)
    .bind(disabled)
    .bind(since)
    .bind(present)
    .bind(event_type)
    .bind(owner)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The company's choice of who makes its `kind` webhook.
pub async fn set_mode(
    db: &Db,
    tenant_id: TenantId,
    kind: Entity,
    mode: Mode,
    now: Timestamp,
) -> Result<()> {
    with_tenant!(db, tenant_id, conn => sqlx::query(
        "insert into managed_webhooks (tenant_id, kind, managed, mode, created_at, updated_at) \
         values ($1, $2, false, $3, $4, $4) on conflict (tenant_id, kind) do update set \
         mode = excluded.mode, updated_at = excluded.updated_at",
    )
    .bind(tenant_id)
    .bind(kind.as_str())
    .bind(mode.as_str())
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Who makes the company's `kind` webhook: its choice, else the default for its agreement.
pub async fn mode(db: &Db, tenant_id: TenantId, kind: Entity) -> Result<Mode> {
    let chosen = get(db, tenant_id, kind).await?.and_then(|row| row.mode);
    match chosen {
        Some(mode) => Ok(mode),
        None => {
            let allowed = crate::connection::webhooks_api_allowed(db, tenant_id).await?;
            Ok(Mode::default_for(allowed))
        }
    }
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
        Outcome::Refused
        | Outcome::Conflict
        | Outcome::AlreadyExists
        | Outcome::HttpsRequired
        | Outcome::TypeNotOffered
        | Outcome::OtherCompany
        | Outcome::OtherAddress => "refused",
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

/// Tenants with a webhook the app makes (managed now, or the company's choice) not checked
/// since `before`, at most `limit` (the scheduled health check's work list, across tenants).
/// The choice counts too: a webhook deleted or re-pointed in e-conomic is no longer managed,
/// and the check must go on looking until it is back.
pub async fn due_for_check(db: &Db, before: Timestamp, limit: i64) -> Result<Vec<TenantId>> {
    let tenants: Vec<TenantId> = with_cross_tenant!(db, CrossTenant::Schedule, pool => sqlx::query_scalar(
        "select distinct tenant_id from managed_webhooks \
         where (managed or mode = 'automatic') and (checked_at is null or checked_at < $1) \
         order by tenant_id limit $2",
    )
    .bind(before)
    .bind(limit)
    .fetch_all(pool)
    .await)?;
    Ok(tenants)
}
