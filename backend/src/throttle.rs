//! Login throttling (F1): failed attempts are recorded per account and per client IP, and a
//! login is refused — before any password is checked — once either has too many recent failures.
//!
//! Only failures are recorded; refused (throttled) attempts are not, so an attacker cannot keep an
//! account locked beyond the window by hammering it. Concurrent attempts may overshoot a limit by
//! a few; that is fine for throttling.

use std::future::Future;
use std::net::IpAddr;

use time::Duration;

use crate::db::Db;
use crate::error::{Error, Result};
use crate::password;
use crate::timestamp::Timestamp;

/// How far back failures count.
pub const WINDOW: Duration = Duration::minutes(15);
/// Failures per account within [`WINDOW`] after which logins to it are refused.
pub const MAX_ACCOUNT_FAILURES: i64 = 10;
/// Failures per client IP (IPv6: per /64) within [`WINDOW`] after which its logins are refused.
pub const MAX_IP_FAILURES: i64 = 50;

/// The throttle key of a client address. IPv6 clients usually own a whole /64, so that is what
/// counts; IPv4-mapped IPv6 addresses count as the IPv4 address.
pub(crate) fn ip_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            format!("{}/64", std::net::Ipv6Addr::from(prefix))
        }
    }
}

/// Check the throttle, then the password, and record the outcome.
///
/// `lookup` finds the account's id and stored hash (`None` if unknown: the password is then
/// checked against a dummy hash so the answer takes as long). Errors: `TooManyAttempts` (before
/// any password work), `InvalidCredentials`.
pub(crate) async fn guarded_log_in<T>(
    db: &Db,
    account: &str,
    client_ip: IpAddr,
    password: &str,
    now: Timestamp,
    lookup: impl Future<Output = Result<Option<(T, String)>>>,
) -> Result<T> {
    let ip = ip_key(client_ip);
    check(db, account, &ip, now).await?;
    let found = lookup.await?;
    let (id, stored) = found.unzip();
    // An absurdly long password can never be right (we refuse to set one); still pay the same
    // hashing cost, but on a bounded input.
    let candidate = if password.chars().count() > password::MAX_CHARS {
        ""
    } else {
        password
    };
    let stored = if candidate.is_empty() { None } else { stored };
    if password::verify(candidate, stored).await?
        && let Some(id) = id
    {
        clear(db, account).await?;
        return Ok(id);
    }
    record_failure(db, account, &ip, now).await?;
    Err(Error::InvalidCredentials)
}

/// Refuse if the account or the IP has reached its failure limit within the window.
async fn check(db: &Db, account: &str, ip: &str, now: Timestamp) -> Result<()> {
    let by_account = blocked_until(db, "account", account, MAX_ACCOUNT_FAILURES, now).await?;
    let by_ip = blocked_until(db, "ip", ip, MAX_IP_FAILURES, now).await?;
    match by_account.max(by_ip) {
        Some(until) => Err(Error::TooManyAttempts {
            retry_after_secs: now.secs_until(until).max(1),
        }),
        None => Ok(()),
    }
}

/// When `limit` failures of `key` are within the window, the time the oldest of the newest
/// `limit` leaves it (then the count drops below the limit); otherwise `None`.
async fn blocked_until(
    db: &Db,
    column: &'static str,
    key: &str,
    limit: i64,
    now: Timestamp,
) -> Result<Option<Timestamp>> {
    // `column` is one of two literals above, never input.
    let sql = format!(
        "select attempted_at from login_attempts where {column} = $1 and attempted_at > $2 \
         order by attempted_at desc limit 1 offset $3"
    );
    let nth: Option<Timestamp> = with_db!(db, pool => sqlx::query_scalar(&sql)
        .bind(key)
        .bind(now - WINDOW)
        .bind(limit - 1)
        .fetch_optional(pool)
        .await)?;
    Ok(nth.map(|t| t + WINDOW))
}

/// Record a failure, and drop failures that have left the window (an indexed delete that usually
/// finds nothing) so that the table stays small without a scheduled job.
async fn record_failure(db: &Db, account: &str, ip: &str, now: Timestamp) -> Result<()> {
    with_db!(db, pool => sqlx::query(
        "insert into login_attempts (account, ip, attempted_at, created_at, updated_at) \
         values ($1, $2, $3, $3, $3)",
    )
    .bind(account)
    .bind(ip)
    .bind(now)
    .execute(pool)
    .await
    .map(|_| ()))?;
    prune(db, now).await?;
    Ok(())
}

/// A successful login forgives the account's failures (not the IP's).
async fn clear(db: &Db, account: &str) -> Result<()> {
    with_db!(db, pool => sqlx::query("delete from login_attempts where account = $1")
        .bind(account)
        .execute(pool)
        .await
    .map(|_| ()))?;
    Ok(())
}

/// Delete attempts older than the window (they no longer count); returns how many. Every failed
/// login does this too; call it from a periodic job if you like.
pub async fn prune(db: &Db, now: Timestamp) -> Result<u64> {
    let sql = "delete from login_attempts where attempted_at <= $1";
    let done = with_db!(db, pool => sqlx::query(sql)
        .bind(now - WINDOW)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_keys() {
        let key = |s: &str| ip_key(s.parse().expect("ip"));
        assert_eq!(key("192.0.2.7"), "192.0.2.7");
        assert_eq!(key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:ffff::1"), key("2001:db8:1:2::9"));
    }
}
