//! The audit log: who did what, for staff actions and impersonation (F18) and the tenant's
//! support-access log. Append-only.

use serde::Serialize;

use crate::db::Db;
use crate::error::Result;
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

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The tenant concerned, if any.
    pub tenant_id: Option<TenantId>,
    /// Who acted.
    pub actor: Actor,
    /// A stable action name, e.g. `"impersonation.start"`.
    pub action: String,
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
    action: &str,
    detail: &str,
    now: Timestamp,
) -> Result<()> {
    let (user, staff) = actor.columns();
    with_db!(db, pool => sqlx::query(
        "insert into audit_log \
         (tenant_id, actor_user_id, actor_staff_id, action, detail, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(tenant_id)
    .bind(user)
    .bind(staff)
    .bind(action)
    .bind(detail)
    .bind(now)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The tenant's entries, newest first, at most `limit` (the tenant's support-access log).
pub async fn for_tenant(db: &Db, tenant_id: TenantId, limit: u32) -> Result<Vec<Entry>> {
    type Row = (
        Option<TenantId>,
        Option<UserId>,
        Option<StaffId>,
        String,
        String,
        Timestamp,
    );
    let rows: Vec<Row> = with_db!(db, pool => sqlx::query_as(
        "select tenant_id, actor_user_id, actor_staff_id, action, detail, created_at \
         from audit_log where tenant_id = $1 order by created_at desc, id desc limit $2",
    )
    .bind(tenant_id)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .map(
            |(tenant_id, user, staff, action, detail, created_at)| Entry {
                tenant_id,
                actor: Actor::from_columns(user, staff),
                action,
                detail,
                created_at,
            },
        )
        .collect())
}
