//! Webhook URL credentials: per tenant and kind, the credential in the URL is
//! `base64url(HMAC-SHA256(webhook key, "tenant_id:kind:generation"))` (256 bits).
//!
//! It is deterministic, so the URL can be shown at any time without storing the secret; only the
//! generation number is stored. Regenerating starts a new generation; the previous one keeps
//! working for a grace period (so the user can update e-conomic), then is refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use economic::Entity;
use subtle::ConstantTimeEq;
use time::Duration;

use crate::db::Db;
use crate::error::Result;
use crate::ids::TenantId;
use crate::secrets::Keys;
use crate::timestamp::Timestamp;

/// How long the previous URL keeps working after [`regenerate`].
pub const GRACE_PERIOD: Duration = Duration::hours(24);

/// Length of a credential in the URL (base64url of 32 bytes, no padding).
pub const TOKEN_LEN: usize = 43;

/// The path e-conomic must POST to: `/webhooks/economic/{tenant_id}/{kind-slug}/{token}`.
/// Prefix it with the public base URL to get what the user copies.
pub fn webhook_path(tenant_id: TenantId, kind: Entity, token: &str) -> String {
    format!("/webhooks/economic/{tenant_id}/{}/{token}", kind.as_str())
}

/// The current credential for the tenant's `kind` webhook URL; creates generation 1 on first use.
pub async fn url_token(db: &Db, keys: &Keys, tenant_id: TenantId, kind: Entity) -> Result<String> {
    let generation = match current_generation(db, tenant_id, kind).await? {
        Some(generation) => generation,
        None => {
            // `on conflict do nothing`: two first views racing both end up with generation 1.
            let now = Timestamp::now();
            with_tenant!(db, tenant_id, conn => sqlx::query(
                "insert into webhook_credentials \
                 (tenant_id, kind, generation, created_at, retired_at, updated_at) \
                 values ($1, $2, 1, $3, null, $3) on conflict do nothing",
            )
            .bind(tenant_id)
            .bind(kind.as_str())
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ()))?;
            current_generation(db, tenant_id, kind).await?.unwrap_or(1)
        }
    };
    Ok(token(keys, tenant_id, kind, generation))
}

/// Start a new generation for the tenant's `kind` URL; the previous one keeps working for
/// [`GRACE_PERIOD`]. Returns nothing: call [`url_token`] for the new credential.
pub async fn regenerate(db: &Db, tenant_id: TenantId, kind: Entity, now: Timestamp) -> Result<()> {
    regenerate_with_grace(db, tenant_id, kind, now, GRACE_PERIOD).await
}

/// [`regenerate`] with an explicit grace period (zero: the old URL stops at once).
pub async fn regenerate_with_grace(
    db: &Db,
    tenant_id: TenantId,
    kind: Entity,
    now: Timestamp,
    grace: Duration,
) -> Result<()> {
    let retire_at = now + grace;
    // In one transaction, so two concurrent regenerations cannot both retire the same
    // generation and insert the same next one (the primary key would refuse the second anyway).
    let mut tx = db.begin(tenant_id).await?;
    with_tx!(tx, tx => async {
        let latest: Option<i64> = sqlx::query_scalar(
            "select max(generation) from webhook_credentials where tenant_id = $1 and kind = $2",
        )
        .bind(tenant_id)
        .bind(kind.as_str())
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "update webhook_credentials set retired_at = $3, updated_at = $4 \
             where tenant_id = $1 and kind = $2 and retired_at is null",
        )
        .bind(tenant_id)
        .bind(kind.as_str())
        .bind(retire_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "insert into webhook_credentials \
             (tenant_id, kind, generation, created_at, retired_at, updated_at) \
             values ($1, $2, $3, $4, null, $4)",
        )
        .bind(tenant_id)
        .bind(kind.as_str())
        .bind(latest.unwrap_or(0) + 1)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        Ok::<(), sqlx::Error>(())
    }
    .await)?;
    tx.commit().await?;
    Ok(())
}

/// Stop every previous URL of the tenant's `kind` at once (the ones still in their grace period
/// after a regeneration, e.g. because the old one leaked). The current URL keeps working.
/// Returns how many were stopped.
pub async fn revoke_previous(
    db: &Db,
    tenant_id: TenantId,
    kind: Entity,
    now: Timestamp,
) -> Result<u64> {
    let stopped = with_tenant!(db, tenant_id, conn => sqlx::query(
        "update webhook_credentials set retired_at = $3, updated_at = $3 \
         where tenant_id = $1 and kind = $2 and retired_at > $3",
    )
    .bind(tenant_id)
    .bind(kind.as_str())
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(stopped)
}

/// Whether `token` is a valid credential for the tenant's `kind` URL at `now`: the current
/// generation, or a previous one still in its grace period. An unknown tenant, or one that never
/// showed its URL, has no valid credential.
pub async fn verify(
    db: &Db,
    keys: &Keys,
    tenant_id: TenantId,
    kind: Entity,
    token: &str,
    now: Timestamp,
) -> Result<bool> {
    let generations = generations(db, tenant_id, kind, now).await?;
    Ok(matches_any(keys, tenant_id, kind, token, &generations, now))
}

/// One generation of a URL credential that is (or, at `now`, was) valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generation {
    /// The generation number.
    pub generation: i64,
    /// When it stops being valid; `None` for the current one.
    pub retired_at: Option<Timestamp>,
}

/// The generations valid at `now`, for callers that cache them briefly and check with
/// [`matches_any`] (which re-checks `retired_at` against its own `now`).
pub async fn generations(
    db: &Db,
    tenant_id: TenantId,
    kind: Entity,
    now: Timestamp,
) -> Result<Vec<Generation>> {
    let rows: Vec<(i64, Option<Timestamp>)> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select generation, retired_at from webhook_credentials \
         where tenant_id = $1 and kind = $2 and (retired_at is null or retired_at > $3)",
    )
    .bind(tenant_id)
    .bind(kind.as_str())
    .bind(now)
    .fetch_all(conn)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(generation, retired_at)| Generation {
            generation,
            retired_at,
        })
        .collect())
}

/// Whether `token` equals the credential of any of `generations` still valid at `now`,
/// compared in constant time.
pub fn matches_any(
    keys: &Keys,
    tenant_id: TenantId,
    kind: Entity,
    token: &str,
    generations: &[Generation],
    now: Timestamp,
) -> bool {
    // Constant time, and every generation is checked (no early exit), so the answer time tells
    // an attacker nothing about how much of a guess was right.
    let mut ok = subtle::Choice::from(0);
    for g in generations {
        let valid = g.retired_at.is_none_or(|at| at > now);
        let expected = self::token(keys, tenant_id, kind, g.generation);
        ok |= expected.as_bytes().ct_eq(token.as_bytes()) & subtle::Choice::from(u8::from(valid));
    }
    bool::from(ok)
}

/// The entity's name inside the credential's HMAC input. Frozen: it predates [`Entity`]'s slugs,
/// and changing it would invalidate every webhook URL already pasted into e-conomic.
fn credential_label(entity: Entity) -> &'static str {
    match entity {
        Entity::Customers => "customer-updated",
        Entity::Products => "product-updated",
        Entity::Invoices => "invoice-booked",
    }
}

/// The credential of one generation (the health model derives the current URL with it).
pub(crate) fn token(keys: &Keys, tenant_id: TenantId, kind: Entity, generation: i64) -> String {
    let message = format!("{tenant_id}:{}:{generation}", credential_label(kind));
    URL_SAFE_NO_PAD.encode(keys.webhook_mac(message.as_bytes()))
}

async fn current_generation(db: &Db, tenant_id: TenantId, kind: Entity) -> Result<Option<i64>> {
    let generation: Option<i64> = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "select max(generation) from webhook_credentials \
         where tenant_id = $1 and kind = $2 and retired_at is null",
    )
    .bind(tenant_id)
    .bind(kind.as_str())
    .fetch_one(conn)
    .await)?;
    Ok(generation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip_and_tokens_are_long_and_distinct() {
        let keys = Keys::generate();
        let t = TenantId::new(1);
        let a = token(&keys, t, Entity::Products, 1);
        assert_eq!(a.len(), TOKEN_LEN);
        assert_ne!(a, token(&keys, t, Entity::Products, 2));
        assert_ne!(a, token(&keys, t, Entity::Customers, 1));
        assert_ne!(a, token(&keys, TenantId::new(2), Entity::Products, 1));
        let generation = |generation, retired_at: Option<i64>| Generation {
            generation,
            retired_at: retired_at.map(Timestamp::from_millis),
        };
        let now = Timestamp::from_millis(1000);
        let kind = Entity::Products;
        let in_grace = [generation(2, None), generation(1, Some(1001))];
        let expired = [generation(2, None), generation(1, Some(1000))];
        assert!(matches_any(&keys, t, kind, &a, &in_grace, now));
        assert!(!matches_any(&keys, t, kind, &a, &expired, now));
        assert!(!matches_any(
            &keys,
            t,
            kind,
            &a,
            &[generation(2, None)],
            now
        ));
        assert_eq!(
            webhook_path(t, Entity::Invoices, "x"),
            "/webhooks/economic/1/invoices/x"
        );
    }
}
