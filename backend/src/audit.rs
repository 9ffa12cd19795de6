//! The audit log: who did what, for staff actions and impersonation and the tenant's
//! support-access log. Append-only.

use serde::Serialize;

use crate::db::{CrossTenant, Db, Tx};
use crate::error::{FromDb, Result};
use crate::ids::{StaffId, TenantId, UserId};
use crate::timestamp::Timestamp;

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// A tenant user in their own session.
    User(UserId),
    /// A staff member in the staff dashboard.
    Staff(StaffId),
    /// A staff member impersonating a tenant user.
    Impersonating {
        /// The staff member responsible.
        staff: StaffId,
        /// The user being impersonated.
        user: UserId,
    },
    /// The system itself (jobs, CLI).
    System,
}

impl Actor {
    fn columns(self) -> (Option<UserId>, Option<StaffId>) {
        match self {
            Actor::User(user) => (Some(user), None),
            Actor::Staff(staff) => (None, Some(staff)),
            Actor::Impersonating { staff, user } => (Some(user), Some(staff)),
            Actor::System => (None, None),
        }
    }

    fn from_columns(user: Option<UserId>, staff: Option<StaffId>) -> Actor {
        match (user, staff) {
            (Some(user), Some(staff)) => Actor::Impersonating { staff, user },
            (Some(user), None) => Actor::User(user),
            (None, Some(staff)) => Actor::Staff(staff),
            (None, None) => Actor::System,
        }
    }
}

pub use vocabulary::audit::Action;

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The tenant concerned, if any.
    pub tenant_id: Option<TenantId>,
    /// Who acted.
    pub actor: Actor,
    /// Their name now (the user's, or the staff member's), if they still exist.
    pub actor_name: Option<String>,
    /// What was done.
    pub action: Action,
    /// Free text (e.g. the reason given); never secrets.
    pub detail: String,
    /// When.
    pub created_at: Timestamp,
}

/// Append an entry.
pub async fn record(
    db: &Db,
    tenant_id: Option<TenantId>,
    actor: Actor,
    action: Action,
    detail: &str,
    now: Timestamp,
) -> Result<()> {
    let (user, staff) = actor.columns();
    const INSERT: &str = "insert into audit_log \
         (tenant_id, actor_user_id, actor_staff_id, action, detail, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $6)";
    match tenant_id {
        Some(tenant) => with_tenant!(db, tenant, conn => sqlx::query(INSERT)
            .bind(tenant)
            .bind(user)
            .bind(staff)
            .bind(action.as_str())
            .bind(detail)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ()))?,
        // A staff member's own actions (log-in, enrolment) belong to no tenant.
        None => with_cross_tenant!(db, CrossTenant::Staff, conn => sqlx::query(INSERT)
            .bind(None::<TenantId>)
            .bind(user)
            .bind(staff)
            .bind(action.as_str())
            .bind(detail)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ()))?,
    }
    Ok(())
}

/// Append an entry for the tenant inside `tx` (it commits with what it records).
pub async fn record_in(
    tx: &mut Tx,
    tenant_id: TenantId,
    actor: Actor,
    action: Action,
    detail: &str,
    now: Timestamp,
) -> Result<()> {
    let (user, staff) = actor.columns();
    with_tx!(tx, conn => sqlx::query(
        "insert into audit_log \
         (tenant_id, actor_user_id, actor_staff_id, action, detail, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(tenant_id)
    .bind(user)
    .bind(staff)
    .bind(action.as_str())
    .bind(detail)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Whether the tenant's log has an entry of `action` with exactly `detail` since `since`.
pub async fn recorded_since(
    db: &Db,
    tenant_id: TenantId,
    action: Action,
    detail: &str,
    since: Timestamp,
) -> Result<bool> {
    let found: i64 = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "select count(*) from audit_log \
         where tenant_id = $1 and created_at > $4 and action = $2 and detail = $3",
    )
    .bind(tenant_id)
    .bind(action.as_str())
    .bind(detail)
    .bind(since)
    .fetch_one(conn)
    .await)?;
    Ok(found > 0)
}

/// The tenant's entries, newest first, at most `limit` (the tenant's support-access log).
pub async fn for_tenant(db: &Db, tenant_id: TenantId, limit: u32) -> Result<Vec<Entry>> {
    type Row = (
        Option<TenantId>,
        Option<UserId>,
        Option<StaffId>,
        Option<String>,
        String,
        String,
        Timestamp,
    );
    let rows: Vec<Row> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select a.tenant_id, a.actor_user_id, a.actor_staff_id, coalesce(s.name, u.name), \
                a.action, a.detail, a.created_at \
         from audit_log a \
         left join users u on u.id = a.actor_user_id \
         left join staff s on s.id = a.actor_staff_id \
         where a.tenant_id = $1 order by a.created_at desc, a.id desc limit $2",
    )
    .bind(tenant_id)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await)?;
    rows.into_iter()
        .map(
            |(tenant_id, user, staff, actor_name, action, detail, created_at)| {
                Ok(Entry {
                    tenant_id,
                    actor: Actor::from_columns(user, staff),
                    actor_name,
                    action: Action::from_db(&action)?,
                    detail,
                    created_at,
                })
            },
        )
        .collect()
}
