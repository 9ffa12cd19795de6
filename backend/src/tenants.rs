//! Tenants (companies) and their members. Every function here is scoped by [`TenantId`].

use serde::Serialize;

use crate::accounts::Role;
use crate::db::Db;
use crate::email::Email;
use crate::error::{Error, FromDb, Result};
use crate::ids::{TenantId, UserId};
use crate::timestamp::Timestamp;

/// A tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tenant {
    /// Its id.
    pub id: TenantId,
    /// The company name.
    pub name: String,
    /// When it signed up.
    pub created_at: Timestamp,
}

/// A user as a member of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    /// The user.
    pub user_id: UserId,
    /// Login email.
    pub email: Email,
    /// Display name.
    pub name: String,
    /// Role in this tenant.
    pub role: Role,
    /// When the user joined this tenant.
    pub joined_at: Timestamp,
}

/// The tenant. Errors: `NotFound`.
pub async fn get(db: &Db, tenant_id: TenantId) -> Result<Tenant> {
    let row: Option<(TenantId, String, Timestamp)> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select id, name, created_at from tenants where id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(conn)
    .await)?;
    let (id, name, created_at) = row.ok_or(Error::NotFound)?;
    Ok(Tenant {
        id,
        name,
        created_at,
    })
}

/// The tenant's members, in the order they joined.
pub async fn members(db: &Db, tenant_id: TenantId) -> Result<Vec<Member>> {
    type Row = (UserId, String, String, String, Timestamp);
    let rows: Vec<Row> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select u.id, u.email, u.name, m.role, m.created_at \
         from memberships m join users u on u.id = m.user_id \
         where m.tenant_id = $1 order by m.created_at, u.id",
    )
    .bind(tenant_id)
    .fetch_all(conn)
    .await)?;
    rows.into_iter()
        .map(|(user_id, email, name, role, joined_at)| {
            Ok(Member {
                user_id,
                email: Email::from_db(email),
                name,
                role: Role::from_db(&role)?,
                joined_at,
            })
        })
        .collect()
}
