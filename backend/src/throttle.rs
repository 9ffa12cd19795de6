//! Throttling of logins and of the other requests that cost an argon2 hash (sign-up,
//! invite acceptance).
//!
//! Logins: failed attempts are recorded per account and client IP. A hard lock after N failures
//! would let anyone lock any account (ten wrong passwords) or a whole office behind one NAT, so
//! instead each (account, IP) pair waits longer after each failure ([`delay`]: 1 s after the third,
//! doubling up to 15 minutes), and only much looser ceilings apply to an account from all IPs
//! ([`MAX_ACCOUNT_FAILURES`]) and to an IP over all accounts ([`MAX_IP_FAILURES`], credential
//! stuffing). The right password from another IP is not slowed down by an attacker's failures.
//!
//! The account ceiling alone would still let strangers lock an owner out (100 wrong passwords from
//! a dozen addresses, renewed every 15 minutes), so a browser that logged in to the account
//! before passes it: a successful log-in gives the browser a device token (its `device` cookie,
//! [`DeviceToken`]; OWASP's "device cookies"), and a log-in that presents a token remembered for
//! the account is judged by its own (account, IP) delay and the IP ceiling only. A success
//! forgives the failures of its own (account, IP) pair only, never those of other addresses.
//!
//! Only failures are recorded; refused (throttled) attempts are not, so an attacker cannot keep an
//! account waiting beyond the window by hammering it. Concurrent attempts may overshoot a limit by
//! a few; that is fine for throttling (sign-ups and the staff second factor count exactly).

use std::fmt;
use std::future::Future;
use std::net::IpAddr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
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

/// How long a browser stays a known device of an account without logging in to it again.
pub const DEVICE_DAYS: i64 = 180;

/// A browser's device token: the random value of its `device` cookie, set by a successful
/// log-in, that marks the browser as known to the accounts it logged in to. Neither `Display`
/// nor `Serialize`; `Debug` prints `DeviceToken(***)`. Only its SHA-256 is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceToken(String);

impl DeviceToken {
    /// Length of a token in characters (32 random bytes, URL-safe base64 without padding).
    const LEN: usize = 43;

    /// Accepts what we issue, and nothing else (a cookie is outside input).
    pub fn parse(text: &str) -> Option<DeviceToken> {
        let text = text.trim();
        let shaped = text.len() == Self::LEN
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        shaped.then(|| DeviceToken(text.to_owned()))
    }

    fn generate() -> DeviceToken {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        DeviceToken(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The cookie value.
    pub fn expose(&self) -> &str {
        &self.0
    }

    fn hash(&self) -> Vec<u8> {
        Sha256::digest(self.0.as_bytes()).to_vec()
    }
}

impl fmt::Debug for DeviceToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceToken(***)")
    }
}

/// Remembers the browser holding `device` (or a new token, when it held none) as a known device
/// of `account`, after a successful log-in; returns the token the browser should keep. Devices
/// unused for [`DEVICE_DAYS`] are forgotten here too.
pub(crate) async fn remember_device(
    db: &Db,
    account: &str,
    device: Option<DeviceToken>,
    now: Timestamp,
) -> Result<DeviceToken> {
    let device = device.unwrap_or_else(DeviceToken::generate);
    let hash = device.hash();
    let forgotten = now - Duration::days(DEVICE_DAYS);
    with_db!(db, pool => {
        sqlx::query(
            "insert into login_devices (account, token_hash, created_at, updated_at) \
             values ($1, $2, $3, $3) \
             on conflict (account, token_hash) do update set updated_at = excluded.updated_at",
        )
        .bind(account)
        .bind(&hash)
        .bind(now)
        .execute(&mut *pool)
        .await?;
        sqlx::query("delete from login_devices where updated_at < $1")
            .bind(forgotten)
            .execute(&mut *pool)
            .await
            .map(|_| ())
    })?;
    Ok(device)
}

/// Whether `device` logged in to `account` within [`DEVICE_DAYS`].
async fn is_known_device(
    db: &Db,
    account: &str,
    device: &DeviceToken,
    now: Timestamp,
) -> Result<bool> {
    let found: Option<i64> = with_db!(db, pool => sqlx::query_scalar(
        "select id from login_devices where account = $1 and token_hash = $2 and updated_at >= $3",
    )
    .bind(account)
    .bind(device.hash())
    .bind(now - Duration::days(DEVICE_DAYS))
    .fetch_optional(pool)
    .await)?;
    Ok(found.is_some())
}

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
    /// Asking for a password reset mail.
    PasswordReset,
}

impl Action {
    /// The key its attempts are recorded under; never an email (it has no `@`).
    fn key(self) -> &'static str {
        match self {
            Action::SignUp => "action:sign-up",
            Action::AcceptInvite => "action:accept-invite",
            Action::PasswordReset => "action:password-reset",
        }
    }
}

/// Counts one attempt of `action` from `client_ip`, refusing it with `TooManyAttempts` when the
/// IP made `limit` (see [`MAX_ACTIONS_PER_IP`]) within the window. Called before any expensive
/// work.
///
/// The check and the record are one step: a count followed by a separate insert let 64
/// parallel sign-ups through 15 times against a limit of 10. The insert itself counts (`insert
/// … select … where count < limit`); SQLite runs a writing statement under its write lock from
/// the start, and PostgreSQL's attempts of one (action, IP) queue behind a transaction-scoped
/// advisory lock, since under read committed two inserts would each count without the other.
pub async fn attempt(
    db: &Db,
    action: Action,
    client_ip: IpAddr,
    limit: i64,
    now: Timestamp,
) -> Result<()> {
    let ip = ip_key(client_ip);
    let serialise = db.backend_name() == "postgres";
    let lock_key = format!("{}|{ip}", action.key());
    let recorded = with_db!(db, pool => {
        let mut tx = sqlx::Connection::begin(pool).await?;
        if serialise {
            sqlx::query("select pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(&lock_key)
                .execute(&mut *tx)
                .await?;
        }
        let inserted = sqlx::query(
            "insert into login_attempts (account, ip, attempted_at, created_at, updated_at) \
             select $1, $2, $3, $3, $3 where (select count(*) from login_attempts \
             where account = $1 and ip = $2 and attempted_at > $4) < $5",
        )
        .bind(action.key())
        .bind(&ip)
        .bind(now)
        .bind(now - WINDOW)
        .bind(limit.max(1))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok::<_, sqlx::Error>(inserted)
    })?;
    if recorded == 1 {
        prune(db, now).await?;
        return Ok(());
    }
    // Refused: the oldest of the attempts in the window says when the next one may come.
    let sql = "select attempted_at from login_attempts \
               where account = $1 and ip = $2 and attempted_at > $3 \
               order by attempted_at desc limit 1 offset $4";
    let nth: Option<Timestamp> = with_db!(db, pool => sqlx::query_scalar(sql)
        .bind(action.key())
        .bind(&ip)
        .bind(now - WINDOW)
        .bind(limit.max(1) - 1)
        .fetch_optional(pool)
        .await)?;
    let until = nth.map_or(now + WINDOW, |oldest| oldest + WINDOW);
    Err(Error::TooManyAttempts {
        retry_after_secs: now.secs_until(until).max(1),
    })
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
/// checked against a dummy hash so the answer takes as long). `device` is the browser's device
/// token, if it sent one: a known device of the account is not held by the account's ceiling.
/// Errors: `TooManyAttempts` (before any password work), `InvalidCredentials`.
pub(crate) async fn guarded_log_in<T>(
    db: &Db,
    account: &str,
    client: (IpAddr, Option<&DeviceToken>),
    password: &str,
    now: Timestamp,
    lookup: impl Future<Output = Result<Option<(T, String)>>>,
) -> Result<T> {
    let (client_ip, device) = client;
    let ip = ip_key(client_ip);
    let known = match device {
        Some(device) => is_known_device(db, account, device, now).await?,
        None => false,
    };
    check(db, account, &ip, known, now).await?;
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
        clear(db, account, &ip).await?;
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
    check(db, account, &ip, false, now).await?;
    if verify.await? {
        clear(db, account, &ip).await?;
        return Ok(());
    }
    record_failure(db, account, &ip, now).await?;
    Err(Error::InvalidCredentials)
}

/// Refuse while the (account, IP) pair's delay runs, or while the account (unless this is a
/// `known_device` of it) or the IP is over its ceiling; the error says until when.
async fn check(db: &Db, account: &str, ip: &str, known_device: bool, now: Timestamp) -> Result<()> {
    let (failures, last): (i64, Option<Timestamp>) = with_db!(db, pool => sqlx::query_as(
        "select count(*), max(attempted_at) from login_attempts \
         where account = $1 and ip = $2 and attempted_at > $3",
    )
    .bind(account)
    .bind(ip)
    .bind(now - WINDOW)
    .fetch_one(pool)
    .await)?;
    let by_pair = last
        .map(|last| last + delay(failures))
        .filter(|until| *until > now);
    let by_account = if known_device {
        None
    } else {
        ceiling(db, "account", account, MAX_ACCOUNT_FAILURES, now).await?
    };
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

/// A successful login forgives the failures of its own (account, IP) pair: not those of other
/// addresses (an attacker's failures keep counting against the attacker), nor the IP's with
/// other accounts.
async fn clear(db: &Db, account: &str, ip: &str) -> Result<()> {
    with_db!(db, pool => sqlx::query("delete from login_attempts where account = $1 and ip = $2")
        .bind(account)
        .bind(ip)
        .execute(pool)
        .await
    .map(|_| ()))?;
    Ok(())
}

/// Forgets every recorded failure of `account` (from every address): an operator's
/// `server unlock-staff`.
pub(crate) async fn forgive(db: &Db, account: &str) -> Result<()> {
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
    fn device_tokens_are_what_we_issue() {
        let token = DeviceToken::generate();
        assert_eq!(DeviceToken::parse(token.expose()), Some(token.clone()));
        assert_eq!(DeviceToken::parse("short"), None);
        assert_eq!(DeviceToken::parse(&"a;".repeat(22)[..43]), None);
        assert!(!format!("{token:?}").contains(token.expose()));
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
