//! Tenant users: sign-up, log-in, and who belongs to which tenant with what role.
//!
//! A user may belong to several tenants; the server keeps an "acting tenant" in the session and
//! checks it with [`membership`] on every request.

mod link_token;
mod log_in;
pub mod password_reset;
mod sign_up;

use serde::Serialize;

use crate::db::{CrossTenant, Db};
use crate::email::Email;
use crate::error::{Error, FromDb, Result};
use crate::ids::{TenantId, UserId};

pub use log_in::{log_in, log_in_on_device};
pub(crate) use sign_up::{Joining, NewUser, insert_account};
pub use sign_up::{
    SIGN_UP_VALID_FOR, SignUp, SignedUp, confirm_sign_up, request_sign_up, sign_up,
    sign_up_request_company,
};

pub use vocabulary::Role;

/// A tenant user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Its id.
    pub id: UserId,
    /// Login email, lowercased.
    pub email: Email,
    /// Display name.
    pub name: String,
}

/// One tenant a user belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Membership {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The tenant's name, for a tenant switcher.
    pub company_name: String,
    /// The user's role in it.
    pub role: Role,
}

/// The user with this id. Errors: `NotFound`.
pub async fn user(db: &Db, user_id: UserId) -> Result<User> {
    let row: Option<(UserId, String, String)> = with_db!(db, pool => sqlx::query_as(
        "select id, email, name from users where id = $1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await)?;
    let (id, email, name) = row.ok_or(Error::NotFound)?;
    Ok(User {
        id,
        email: Email::from_db(email),
        name,
    })
}

/// Every tenant the user belongs to, oldest membership first.
pub async fn memberships(db: &Db, user_id: UserId) -> Result<Vec<Membership>> {
    // Across tenants: a user's own companies, found by the user (their memberships only).
    let rows: Vec<(TenantId, String, String)> = with_cross_tenant!(db, CrossTenant::Memberships, pool => sqlx::query_as(
        "select t.id, t.name, m.role from memberships m join tenants t on t.id = m.tenant_id \
         where m.user_id = $1 order by m.created_at, t.id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)?;
    rows.into_iter().map(membership_from_row).collect()
}

/// The user's membership in `tenant_id`. Errors: `NotFound` if the user is not in that tenant —
/// the server's check of the acting tenant on every request.
pub async fn membership(db: &Db, tenant_id: TenantId, user_id: UserId) -> Result<Membership> {
    let row: Option<(TenantId, String, String)> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select t.id, t.name, m.role from memberships m join tenants t on t.id = m.tenant_id \
         where m.tenant_id = $1 and m.user_id = $2",
    )
    .bind(tenant_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await)?;
    membership_from_row(row.ok_or(Error::NotFound)?)
}

/// The user's membership in `tenant_id` for a session that began at `session_started`: as
/// [`membership`], but `NotFound` also when the user's sessions were ended after that moment
/// (a password reset ends them all).
pub async fn session_membership(
    db: &Db,
    tenant_id: TenantId,
    user_id: UserId,
    session_started: crate::Timestamp,
) -> Result<Membership> {
    let row: Option<(TenantId, String, String, crate::Timestamp)> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select t.id, t.name, m.role, u.sessions_valid_from from memberships m \
         join tenants t on t.id = m.tenant_id join users u on u.id = m.user_id \
         where m.tenant_id = $1 and m.user_id = $2",
    )
    .bind(tenant_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await)?;
    let (tenant, company, role, valid_from) = row.ok_or(Error::NotFound)?;
    if session_started < valid_from {
        return Err(Error::NotFound);
    }
    membership_from_row((tenant, company, role))
}

/// The user's language for mails (Danish unless they chose English).
pub async fn language(db: &Db, user_id: UserId) -> Result<crate::mail::Language> {
    let code: Option<String> = with_db!(db, pool => sqlx::query_scalar(
        "select language from users where id = $1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await)?;
    crate::mail::Language::from_db(&code.ok_or(Error::NotFound)?)
}

/// Remember the language the user reads the app in, for their mails.
pub async fn set_language(
    db: &Db,
    user_id: UserId,
    language: crate::mail::Language,
    now: crate::Timestamp,
) -> Result<()> {
    with_db!(db, pool => sqlx::query(
        "update users set language = $1, updated_at = $2 where id = $3 and language <> $1",
    )
    .bind(language.code())
    .bind(now)
    .bind(user_id)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The owner of `tenant_id` (`by`) makes `user_id` an admin or a member again. Errors:
/// `Forbidden` unless `by` is the owner, or when asked to make someone the owner or to change
/// the owner's own role (a company always has its one owner); `NotFound` if `user_id` is not in
/// the tenant.
pub async fn set_role(
    db: &Db,
    tenant_id: TenantId,
    by: UserId,
    user_id: UserId,
    role: Role,
    now: crate::Timestamp,
) -> Result<()> {
    let by_role = match membership(db, tenant_id, by).await {
        Ok(m) => m.role,
        Err(Error::NotFound) => return Err(Error::Forbidden),
        Err(e) => return Err(e),
    };
    if by_role != Role::Owner || role == Role::Owner {
        return Err(Error::Forbidden);
    }
    let target = membership(db, tenant_id, user_id).await?;
    if target.role == Role::Owner {
        return Err(Error::Forbidden);
    }
    with_tenant!(db, tenant_id, conn => sqlx::query(
        "update memberships set role = $1, updated_at = $2 where tenant_id = $3 and user_id = $4",
    )
    .bind(role.as_str())
    .bind(now)
    .bind(tenant_id)
    .bind(user_id)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

fn membership_from_row(
    (tenant_id, company_name, role): (TenantId, String, String),
) -> Result<Membership> {
    Ok(Membership {
        tenant_id,
        company_name,
        role: Role::from_db(&role)?,
    })
}
