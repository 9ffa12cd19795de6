//! Staff (support) accounts: created from the command line, separate from tenant users,
//! logging in to the staff dashboard with the same hashing and throttling as users, plus a
//! second factor ([`crate::second_factor`]). Disabled accounts cannot log in; they are kept so
//! that the audit log still names who did what.

use std::net::IpAddr;

use serde::Serialize;

use crate::db::Db;
use crate::email::Email;
use crate::error::{Error, Result, ResultExt, STAFF_EMAIL};
use crate::ids::StaffId;
use crate::names::PersonName;
use crate::password::{self, Password};
use crate::throttle::{self, DeviceToken};
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
    /// Whether the second factor is set up.
    pub second_factor: bool,
    /// Whether the second factor is locked after too many codes (`server unlock-staff`).
    pub second_factor_locked: bool,
    /// When the account was disabled, if it was.
    pub disabled_at: Option<Timestamp>,
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
    let id = with_db!(db, conn => sqlx::query_scalar(
        "insert into staff (email, name, password_hash, created_at, updated_at) \
         values ($1, $2, $3, $4, $4) returning id",
    )
    .bind(email.as_str())
    .bind(name.as_str())
    .bind(&password_hash)
    .bind(now)
    .fetch_one(conn)
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
    checked(db, email, password, (client_ip, None), now).await
}

/// [`log_in`] from a browser that may hold a device token; same rules as
/// [`crate::accounts::log_in_on_device`] (the password step only: the second factor has its own
/// ceiling, which no device passes).
pub async fn log_in_on_device(
    db: &Db,
    email: &Email,
    password: &str,
    client_ip: IpAddr,
    device: Option<DeviceToken>,
    now: Timestamp,
) -> Result<(StaffId, DeviceToken)> {
    let staff_id = checked(db, email, password, (client_ip, device.as_ref()), now).await?;
    let device = throttle::remember_device(db, &throttle_key(email), device, now).await?;
    Ok((staff_id, device))
}

async fn checked(
    db: &Db,
    email: &Email,
    password: &str,
    client: (IpAddr, Option<&DeviceToken>),
    now: Timestamp,
) -> Result<StaffId> {
    let lookup = async {
        // On PostgreSQL the app role may not read password hashes (migration
        // 20261207000801_least_privilege): a security-definer function hands out one, by e-mail.
        let found: Option<(StaffId, String)> = with_db!(db, conn {
            sqlite => sqlx::query_as(
                "select id, password_hash from staff where email = $1 and disabled_at is null",
            )
            .bind(email.as_str())
            .fetch_optional(conn)
            .await,
            postgres => sqlx::query_as("select id, password_hash from inventory_sync_login_staff($1)")
                .bind(email.as_str())
                .fetch_optional(conn)
                .await,
        })?;
        Ok(found)
    };
    throttle::guarded_log_in(db, &throttle_key(email), client, password, now, lookup).await
}

type Row = (
    StaffId,
    String,
    String,
    Option<Timestamp>,
    Option<Timestamp>,
    Option<Timestamp>,
);
const COLUMNS: &str =
    "select id, email, name, totp_enabled_at, code_locked_at, disabled_at from staff";

fn from_row((id, email, name, enrolled, locked, disabled_at): Row) -> Staff {
    Staff {
        id,
        email: Email::from_db(email),
        name,
        second_factor: enrolled.is_some(),
        second_factor_locked: locked.is_some(),
        disabled_at,
    }
}

/// The staff member (also when disabled: see `disabled_at`). Errors: `NotFound`.
pub async fn get(db: &Db, staff_id: StaffId) -> Result<Staff> {
    let sql = format!("{COLUMNS} where id = $1");
    let row: Option<Row> = with_db!(db, conn => sqlx::query_as(&sql)
        .bind(staff_id)
        .fetch_optional(conn)
        .await)?;
    row.map(from_row).ok_or(Error::NotFound)
}

/// Every staff account, by email.
pub async fn list(db: &Db) -> Result<Vec<Staff>> {
    let sql = format!("{COLUMNS} order by email");
    let rows: Vec<Row> = with_db!(db, conn => sqlx::query_as(&sql).fetch_all(conn).await)?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// The staff member with `email` (also when disabled). Errors: `NotFound`.
pub async fn by_email(db: &Db, email: &Email) -> Result<Staff> {
    let sql = format!("{COLUMNS} where email = $1");
    let row: Option<Row> = with_db!(db, pool => sqlx::query_as(&sql)
        .bind(email.as_str())
        .fetch_optional(pool)
        .await)?;
    row.map(from_row).ok_or(Error::NotFound)
}

/// Lift the lock of the account with `email`: its second factor accepts codes again, and the
/// failures recorded against its password and its codes are forgotten (an operator's
/// `server unlock-staff`, once they know the staff member asked). Errors: `NotFound`.
pub async fn unlock(db: &Db, email: &Email) -> Result<StaffId> {
    let staff = by_email(db, email).await?;
    crate::second_factor::unlock(db, staff.id).await?;
    throttle::forgive(db, &throttle_key(email)).await?;
    Ok(staff.id)
}

/// Disable the account with `email`: it can no longer log in, and its open sessions end at
/// their next request. Errors: `NotFound`.
pub async fn disable(db: &Db, email: &Email, now: Timestamp) -> Result<StaffId> {
    let id: Option<StaffId> = with_db!(db, conn => sqlx::query_scalar(
        "update staff set disabled_at = coalesce(disabled_at, $1), updated_at = $1 \
         where email = $2 returning id",
    )
    .bind(now)
    .bind(email.as_str())
    .fetch_optional(conn)
    .await)?;
    id.ok_or(Error::NotFound)
}
