//! Staff (support) accounts (F17): created from the command line, separate from tenant users,
//! logging in to the staff dashboard with the same hashing and throttling as users.

use std::net::IpAddr;

use serde::Serialize;

use crate::db::Db;
use crate::email::Email;
use crate::error::{Error, Result, ResultExt, STAFF_EMAIL};
use crate::ids::StaffId;
use crate::names::PersonName;
use crate::password::{self, Password};
use crate::throttle;
use crate::timestamp::Timestamp;

/// A staff member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Staff {
    /// Its id.
    pub id: StaffId,
    /// Login email.
    pub email: Email,
    /// Display name.
    pub name: String,
}

/// Staff and users with the same email are throttled separately.
fn throttle_key(email: &Email) -> String {
    format!("staff:{email}")
}

/// Create a staff account. Errors: `EmailTaken` if a staff member has that email.
pub async fn create(
    db: &Db,
    email: &Email,
    name: &PersonName,
    password: &Password,
) -> Result<StaffId> {
    let password_hash = password::hash(password).await?;
    let now = Timestamp::now();
    let id = with_db!(db, pool => sqlx::query_scalar(
        "insert into staff (email, name, password_hash, created_at, updated_at) \
         values ($1, $2, $3, $4, $4) returning id",
    )
    .bind(email.as_str())
    .bind(name.as_str())
    .bind(&password_hash)
    .bind(now)
    .fetch_one(pool)
    .await
    .on_unique(STAFF_EMAIL, || Error::EmailTaken))?;
    Ok(id)
}

/// Log a staff member in; same rules as [`crate::accounts::log_in`].
pub async fn log_in(
    db: &Db,
    email: &Email,
    password: &str,
    client_ip: IpAddr,
    now: Timestamp,
) -> Result<StaffId> {
    let lookup = async {
        let found: Option<(StaffId, String)> = with_db!(db, pool => sqlx::query_as(
            "select id, password_hash from staff where email = $1",
        )
        .bind(email.as_str())
        .fetch_optional(pool)
        .await)?;
        Ok(found)
    };
    throttle::guarded_log_in(db, &throttle_key(email), client_ip, password, now, lookup).await
}

/// The staff member. Errors: `NotFound`.
pub async fn get(db: &Db, staff_id: StaffId) -> Result<Staff> {
    let row: Option<(StaffId, String, String)> = with_db!(db, pool => sqlx::query_as(
        "select id, email, name from staff where id = $1",
    )
    .bind(staff_id)
    .fetch_optional(pool)
    .await)?;
    let (id, email, name) = row.ok_or(Error::NotFound)?;
    Ok(Staff {
        id,
        email: Email::from_db(email),
        name,
    })
}
