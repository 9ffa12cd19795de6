//! Sign up a company: a tenant, its first user (the owner) and the membership, all or nothing.

use serde::Serialize;

use crate::db::{CrossTenant, Db};
use crate::email::Email;
use crate::error::{Error, Result, ResultExt, USERS_EMAIL};
use crate::ids::{TenantId, UserId};
use crate::names::{CompanyName, PersonName};
use crate::password::{self, Password};
use crate::timestamp::Timestamp;

/// The parsed sign-up form.
#[derive(Debug, Clone)]
pub struct SignUp {
    /// The new tenant's name.
    pub company_name: CompanyName,
    /// The owner's name.
    pub name: PersonName,
    /// The owner's login email.
    pub email: Email,
    /// The owner's password.
    pub password: Password,
}

/// What a sign-up (or an accepted invite) created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SignedUp {
    /// The tenant the user now belongs to.
    pub tenant_id: TenantId,
    /// The new user.
    pub user_id: UserId,
}

/// Create the tenant, its owner and the owner's membership in one transaction.
///
/// Errors: `EmailTaken` if a user has that email (nothing is saved).
pub async fn sign_up(db: &Db, form: SignUp) -> Result<SignedUp> {
    // The cheap check first: a taken email costs no argon2 work (the insert below still decides,
    // for a race between two sign-ups with one email).
    let taken: Option<UserId> = with_db!(db, pool => sqlx::query_scalar(
        "select id from users where email = $1",
    )
    .bind(form.email.as_str())
    .fetch_optional(pool)
    .await)?;
    if taken.is_some() {
        return Err(Error::EmailTaken);
    }
    // Hash before the transaction: 50 ms of argon2 must not hold SQLite's write lock.
    let password_hash = password::hash(&form.password).await?;
    let now = Timestamp::now();
    // One transaction so that a taken email (or a crash) leaves no tenant without an owner.
    // Every statement writes, so SQLite takes the write lock at the first one and never has to
    // upgrade a read snapshot (which would fail with SQLITE_BUSY instead of waiting).
    // Across tenants: the tenant is created here, so no transaction can name it yet.
    let signed_up = with_cross_tenant!(db, CrossTenant::SignUp, conn => {
        let mut tx = sqlx::Connection::begin(conn).await?;
        let tenant_id: TenantId = sqlx::query_scalar(
            "insert into tenants (name, created_at, updated_at) values ($1, $2, $2) returning id",
        )
        .bind(form.company_name.as_str())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let user_id: UserId = sqlx::query_scalar(
            "insert into users (email, name, password_hash, created_at, updated_at) \
             values ($1, $2, $3, $4, $4) returning id",
        )
        .bind(form.email.as_str())
        .bind(form.name.as_str())
        .bind(&password_hash)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .on_unique(USERS_EMAIL, || Error::EmailTaken)?;
        sqlx::query(
            "insert into memberships (tenant_id, user_id, role, created_at, updated_at) \
             values ($1, $2, 'owner', $3, $3)",
        )
        .bind(tenant_id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok::<_, Error>(SignedUp { tenant_id, user_id })
    })?;
    Ok(signed_up)
}
