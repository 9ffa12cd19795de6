//! Throttling of logins (F1) and of the other requests that cost an argon2 hash (sign-up,
//! invite acceptance).
//!
//! Logins: failed attempts are recorded per account and client IP. A hard lock after N failures
//! would let anyone lock any account (ten wrong passwords) or a whole office behind one NAT, so
//! instead each (account, IP) pair waits longer after each failure ([`delay`]: 1 s after the third,
//! doubling up to 15 minutes), and only much looser ceilings apply to an account from all IPs
//! ([`MAX_ACCOUNT_FAILURES`]) and to an IP over all accounts ([`MAX_IP_FAILURES`], credential
//! stuffing). The right password from another IP is not slowed down by an attacker's failures.
//!
//! Only failures are recorded; refused (throttled) attempts are not, so an attacker cannot keep an
//! account waiting beyond the window by hammering it. Concurrent attempts may overshoot a limit by
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
/// Failures of one (account, IP) that are free; each one after waits [`delay`].
pub const FREE_FAILURES: i64 = 2;
/// Failures of an account from all IPs within [`WINDOW`] after which its logins wait.
pub const MAX_ACCOUNT_FAILURES: i64 = 100;
/// Failures from one client IP (IPv6: per /64) over all accounts within [`WINDOW`] after which
/// its logins wait: far above what an office behind one address produces.
pub const MAX_IP_FAILURES: i64 = 300;
/// Attempts per client IP within [`WINDOW`] of an [`Action`] (each costs an argon2 hash), by
/// default: a company signs up once, an office accepts a few invites.
pub const MAX_ACTIONS_PER_IP: i64 = 10;

/// How long one (account, IP) waits after its last failure, having failed `failures` times in
/// the window: nothing for the first [`FREE_FAILURES`], then 1 s, 2 s, 4 s … up to the window.
pub fn delay(failures: i64) -> Duration {
    let over = failures - FREE_FAILURES;
    if over <= 0 {
        return Duration::ZERO;
    }
    // 2^20 s is far past the window already: no shift can overflow.
    Duration::seconds(1i64 << (over - 1).min(20)).min(WINDOW)
}

/// Requests other than a login that are throttled per client IP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Creating a company.
    SignUp,
    /// Accepting an invite (sets a password).
    AcceptInvite,
}

impl Action {
    /// The key its attempts are recorded under; never an email (it has no `@`).
    fn key(self) -> &'static str {
        match self {
            Action::SignUp => "action:sign-up",
            Action::AcceptInvite => "action:accept-invite",
        }
    }
}

/// Counts one attempt of `action` from `client_ip`, refusing it with `TooManyAttempts` when the
/// IP made `limit` (see [`MAX_ACTIONS_PER_IP`]) within the window. Called before any expensive
/// work.
pub async fn attempt(
    db: &Db,
    action: Action,
    client_ip: IpAddr,
    limit: i64,
    now: Timestamp,
) -> Result<()> {
    let ip = ip_key(client_ip);
    let sql = "select attempted_at from login_attempts \
               where account = $1 and ip = $2 and attempted_at > $3 \
               order by attempted_at desc limit 1 offset $4";
    let nth: Option<Timestamp> = with_db!(db, conn => sqlx::query_scalar(sql)
        .bind(action.key())
        .bind(&ip)
        .bind(now - WINDOW)
        .bind(limit.max(1) - 1)
        .fetch_optional(conn)
        .await)?;
    if let Some(oldest) = nth {
        return Err(Error::TooManyAttempts {
            retry_after_secs: now.secs_until(oldest + WINDOW).max(1),
        });
    }
    record_failure(db, action.key(), &ip, now).await
}

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

/// Check the throttle of `account` from `client_ip`, run `verify` (e.g. a second-factor code)
/// and record its outcome exactly as for a password. Errors: `TooManyAttempts` (before
/// `verify` runs), `InvalidCredentials` when it says no.
pub(crate) async fn guarded_check(
    db: &Db,
    account: &str,
    client_ip: IpAddr,
    now: Timestamp,
    verify: impl Future<Output = Result<bool>>,
) -> Result<()> {
    let ip = ip_key(client_ip);
    check(db, account, &ip, now).await?;
    if verify.await? {
        clear(db, account).await?;
        return Ok(());
    }
    record_failure(db, account, &ip, now).await?;
    Err(Error::InvalidCredentials)
}

/// Refuse while the (account, IP) pair's delay runs, or while the account or the IP is over its
/// ceiling; the error says until when.
async fn check(db: &Db, account: &str, ip: &str, now: Timestamp) -> Result<()> {
    let (failures, last): (i64, Option<Timestamp>) = with_db!(db, conn => sqlx::query_as(
        "select count(*), max(attempted_at) from login_attempts \
         where account = $1 and ip = $2 and attempted_at > $3",
    )
    .bind(account)
    .bind(ip)
    .bind(now - WINDOW)
    .fetch_one(conn)
    .await)?;
    let by_pair = last
        .map(|last| last + delay(failures))
        .filter(|until| *until > now);
    let by_account = ceiling(db, "account", account, MAX_ACCOUNT_FAILURES, now).await?;
    let by_ip = ceiling(db, "ip", ip, MAX_IP_FAILURES, now).await?;
    match by_pair.max(by_account).max(by_ip) {
        Some(until) => Err(Error::TooManyAttempts {
            retry_after_secs: now.secs_until(until).max(1),
        }),
        None => Ok(()),
    }
}

/// When `limit` failures of `key` are within the window, the time the oldest of the newest
/// `limit` leaves it (then the count drops below the limit); otherwise `None`.
async fn ceiling(
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
    let nth: Option<Timestamp> = with_db!(db, conn => sqlx::query_scalar(&sql)
        .bind(key)
        .bind(now - WINDOW)
        .bind(limit - 1)
        .fetch_optional(conn)
        .await)?;
    Ok(nth.map(|t| t + WINDOW))
}

/// Record a failure, and drop failures that have left the window (an indexed delete that usually
/// finds nothing) so that the table stays small without a scheduled job.
async fn record_failure(db: &Db, account: &str, ip: &str, now: Timestamp) -> Result<()> {
    with_db!(db, conn => sqlx::query(
        "insert into login_attempts (account, ip, attempted_at, created_at, updated_at) \
         values ($1, $2, $3, $3, $3)",
    )
    .bind(account)
    .bind(ip)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))?;
    prune(db, now).await?;
    Ok(())
}

/// A successful login forgives the account's failures (not the IP's).
async fn clear(db: &Db, account: &str) -> Result<()> {
    with_db!(db, conn => sqlx::query("delete from login_attempts where account = $1")
        .bind(account)
        .execute(conn)
        .await
    .map(|_| ()))?;
    Ok(())
}

/// Delete attempts older than the window (they no longer count); returns how many. Every failed
/// login does this too; call it from a periodic job if you like.
pub async fn prune(db: &Db, now: Timestamp) -> Result<u64> {
    let sql = "delete from login_attempts where attempted_at <= $1";
    let done = with_db!(db, conn => sqlx::query(sql)
        .bind(now - WINDOW)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_after_the_free_failures_and_stop_at_the_window() {
        assert_eq!(delay(0), Duration::ZERO);
        assert_eq!(delay(FREE_FAILURES), Duration::ZERO);
        assert_eq!(delay(FREE_FAILURES + 1), Duration::seconds(1));
        assert_eq!(delay(FREE_FAILURES + 2), Duration::seconds(2));
        assert_eq!(delay(FREE_FAILURES + 5), Duration::seconds(16));
        assert_eq!(delay(FREE_FAILURES + 30), WINDOW);
        assert_eq!(delay(i64::MAX), WINDOW);
    }

    #[test]
    fn ip_keys() {
        let key = |s: &str| ip_key(s.parse().expect("ip"));
        assert_eq!(key("192.0.2.7"), "192.0.2.7");
        assert_eq!(key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:ffff::1"), key("2001:db8:1:2::9"));
    }
}
