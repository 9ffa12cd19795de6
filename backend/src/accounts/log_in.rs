//! Log in a tenant user: throttled, constant work for unknown emails.

use std::net::IpAddr;

use crate::audit::{self, Action, Actor};
use crate::db::{CrossTenant, Db};
use crate::email::Email;
use crate::error::{Error, Result};
use crate::ids::{TenantId, UserId};
use crate::throttle::{self, DeviceToken};
use crate::timestamp::Timestamp;

/// Check `password` for the user with `email`.
///
/// Refused with `TooManyAttempts { retry_after_secs }` — before the password is looked at —
/// while this account and `client_ip` wait after their failures, or either is over its ceiling
/// ([`throttle`]). Wrong password and unknown email both answer `InvalidCredentials` after the
/// same argon2 work, and are recorded as failures; success clears the failures of this account
/// from this address. Refusals for an existing user are written to the audit log of each of
/// their companies (a throttled account once per throttle window), so owners see their accounts
/// being tried.
pub async fn log_in(
    db: &Db,
    email: &Email,
    password: &str,
    client_ip: IpAddr,
    now: Timestamp,
) -> Result<UserId> {
    checked(db, email, password, (client_ip, None), now).await
}

/// [`log_in`] from a browser that may hold a device token (its `device` cookie): a device that
/// logged in to this account before is not held by the account-wide ceiling, so strangers'
/// failures cannot lock the owner out of their own browser. On success, returns the token the
/// browser keeps from now on (its own, or a new one), remembered for this account.
pub async fn log_in_on_device(
    db: &Db,
    email: &Email,
    password: &str,
    client_ip: IpAddr,
    device: Option<DeviceToken>,
    now: Timestamp,
) -> Result<(UserId, DeviceToken)> {
    let user_id = checked(db, email, password, (client_ip, device.as_ref()), now).await?;
    let device = throttle::remember_device(db, email.as_str(), device, now).await?;
    Ok((user_id, device))
}

async fn checked(
    db: &Db,
    email: &Email,
    password: &str,
    client: (IpAddr, Option<&DeviceToken>),
    now: Timestamp,
) -> Result<UserId> {
    let client_ip = client.0;
    let lookup = async {
        // On PostgreSQL the app role may not read password hashes; a security-definer function
        // hands out one, by e-mail (migration 20261207000801_least_privilege).
        let found: Option<(UserId, String)> = with_db!(db, pool {
            sqlite => sqlx::query_as("select id, password_hash from users where email = $1")
                .bind(email.as_str())
                .fetch_optional(pool)
                .await,
            postgres => sqlx::query_as("select id, password_hash from inventory_sync_login_user($1)")
                .bind(email.as_str())
                .fetch_optional(pool)
                .await,
        })?;
        Ok(found)
    };
    let outcome = throttle::guarded_log_in(db, email.as_str(), client, password, now, lookup).await;
    let refusal = match &outcome {
        Err(Error::InvalidCredentials) => Some(Action::LoginFailed),
        Err(Error::TooManyAttempts { .. }) => Some(Action::LoginThrottled),
        _ => None,
    };
    if let Some(action) = refusal {
        let detail = format!("{} ({client_ip})", email.as_str());
        audit_refusal(db, email, action, &detail, now).await?;
    }
    outcome
}

async fn audit_refusal(
    db: &Db,
    email: &Email,
    action: Action,
    detail: &str,
    now: Timestamp,
) -> Result<()> {
    let tenants: Vec<TenantId> = with_cross_tenant!(db, CrossTenant::Memberships, pool => sqlx::query_scalar(
        "select m.tenant_id from memberships m join users u on u.id = m.user_id \
         where u.email = $1",
    )
    .bind(email.as_str())
    .fetch_all(pool)
    .await)?;
    for tenant in tenants {
        // A throttled attacker retries all the time: one entry per window says it all.
        if action == Action::LoginThrottled
            && audit::recorded_since(db, tenant, action, detail, now - throttle::WINDOW).await?
        {
            continue;
        }
        audit::record(db, Some(tenant), Actor::System, action, detail, now).await?;
    }
    Ok(())
}
