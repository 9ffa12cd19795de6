//! Log in a tenant user: throttled, constant work for unknown emails.

use std::net::IpAddr;

use crate::db::Db;
use crate::email::Email;
use crate::error::Result;
use crate::ids::UserId;
use crate::throttle;
use crate::timestamp::Timestamp;

/// Check `password` for the user with `email`.
///
/// Refused with `TooManyAttempts { retry_after_secs }` — before the password is looked at —
/// while this account and `client_ip` wait after their failures, or either is over its ceiling
/// ([`throttle`]). Wrong password and unknown email both answer `InvalidCredentials` after the
/// same argon2 work, and are recorded as failures; success clears the account's failures.
pub async fn log_in(
    db: &Db,
    email: &Email,
    password: &str,
    client_ip: IpAddr,
    now: Timestamp,
) -> Result<UserId> {
    let lookup = async {
        let found: Option<(UserId, String)> = with_db!(db, pool => sqlx::query_as(
            "select id, password_hash from users where email = $1",
        )
        .bind(email.as_str())
        .fetch_optional(pool)
        .await)?;
        Ok(found)
    };
    throttle::guarded_log_in(db, email.as_str(), client_ip, password, now, lookup).await
}
