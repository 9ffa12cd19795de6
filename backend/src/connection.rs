//! A tenant's connection to e-conomic: the agreement grant token, verified with a real
//! `GET /self` before it is stored, and stored encrypted ([`crate::secrets`]). The app secret token
//! is server configuration (in the [`economic::Client`]).
//!
//! The agreement's identity (its number, from `GET /self`) is stored with it: several companies
//! may connect the same agreement, and then share its webhooks (one per type) and its API
//! budget ([`crate::managed_webhooks::shared`]). Connecting also asks the Webhooks API once
//! whether the app may use it on this agreement (it needs the SuperUser role), which decides
//! whether webhooks are created for the company by default.

use economic::{Client, ClientError, Secret};
use serde::Serialize;

use crate::db::Db;
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::secrets::Keys;
use crate::timestamp::Timestamp;

/// What the UI shows about a connection; never the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Connection {
    /// e-conomic's agreement number (one per e-conomic company).
    pub agreement_number: i64,
    /// The e-conomic company's name, as `/self` reported it when connecting.
    pub company_name: String,
    /// When the tenant connected (or last replaced the token).
    pub connected_at: Timestamp,
    /// Set when e-conomic refused the token (401/403) while syncing: the tenant's sync work
    /// waits until the tenant connects again.
    pub paused: Option<Pause>,
    /// Whether the Webhooks API let the app in when connecting (`None`: could not tell).
    pub webhooks_api_allowed: Option<bool>,
}

/// Why and since when a tenant's sync work waits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pause {
    /// When e-conomic refused the token.
    pub since: Timestamp,
    /// e-conomic's answer, for support.
    pub reason: String,
}

/// Verify `grant_token` with `GET /self` and store it (encrypted), replacing any previous
/// connection. Errors: [`Error::EconomicRejected`] (wrong or revoked token),
/// [`Error::EconomicUnavailable`] (try again later); in both cases nothing is saved.
pub async fn connect(
    db: &Db,
    keys: &Keys,
    client: &Client,
    tenant_id: TenantId,
    grant_token: &str,
    now: Timestamp,
) -> Result<Connection> {
    let grant_token = grant_token.trim();
    // A token is printable ASCII without spaces; anything else (a pasted CR/LF) could never be
    // accepted, and would not even fit in an HTTP header.
    if grant_token.is_empty() || !grant_token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::EconomicRejected);
    }
    let info = client.agreement(grant_token).self_info().await;
    crate::sync::budget::record_now(db, tenant_id, now, 1).await?;
    let info = info.map_err(from_client_error)?;
    let api = client.webhooks_api(grant_token);
    let allowed = crate::managed_webhooks::probe(db, &api, info.agreement_number, now).await?;
    crate::sync::budget::record_now(db, tenant_id, now, 1).await?;
    let (ciphertext, nonce) = keys.seal(&aad(tenant_id), grant_token.as_bytes())?;
    let connection = Connection {
        agreement_number: info.agreement_number,
        company_name: info.company.name,
        connected_at: now,
        paused: None,
        webhooks_api_allowed: allowed,
    };
    // The connection and its first import commit together: a tenant is never connected
    // without its data on the way.
    let mut tx = db.begin(tenant_id).await?;
    with_tx!(tx, conn => sqlx::query(
        "insert into economic_connections (tenant_id, grant_token_ciphertext, grant_token_nonce, \
         agreement_number, company_name, connected_at, webhooks_api_allowed, created_at, \
         updated_at) values ($1, $2, $3, $4, $5, $6, $7, $6, $6) \
         on conflict (tenant_id) do update set \
         grant_token_ciphertext = excluded.grant_token_ciphertext, \
         grant_token_nonce = excluded.grant_token_nonce, \
         agreement_number = excluded.agreement_number, company_name = excluded.company_name, \
         connected_at = excluded.connected_at, paused_at = null, pause_reason = null, \
         webhooks_api_allowed = excluded.webhooks_api_allowed, \
         updated_at = excluded.updated_at",
    )
    .bind(tenant_id)
    .bind(&ciphertext)
    .bind(&nonce)
    .bind(connection.agreement_number)
    .bind(&connection.company_name)
    .bind(now)
    .bind(allowed)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    crate::sync::import_on_connect(&mut tx, tenant_id, now).await?;
    tx.commit().await?;
    Ok(connection)
}

/// The tenant's connection, if any.
pub async fn get(db: &Db, tenant_id: TenantId) -> Result<Option<Connection>> {
    type Row = (
        i64,
        String,
        Timestamp,
        Option<Timestamp>,
        Option<String>,
        Option<bool>,
    );
    let row: Option<Row> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select agreement_number, company_name, connected_at, paused_at, pause_reason, \
         webhooks_api_allowed from economic_connections where tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(conn)
    .await)?;
    Ok(row.map(
        |(agreement_number, company_name, connected_at, paused_at, reason, allowed)| Connection {
            agreement_number,
            company_name,
            connected_at,
            paused: paused_at.map(|since| Pause {
                since,
                reason: reason.unwrap_or_default(),
            }),
            webhooks_api_allowed: allowed,
        },
    ))
}

/// Whether the Webhooks API let the app in (as last found out); `None` when not connected or
/// unknown.
pub async fn webhooks_api_allowed(db: &Db, tenant_id: TenantId) -> Result<Option<bool>> {
    Ok(get(db, tenant_id)
        .await?
        .and_then(|c| c.webhooks_api_allowed))
}

/// Records what the Webhooks API last said about the app's rights (a 403 on a later call, or
/// a success after the user granted the role).
pub async fn set_webhooks_api_allowed(db: &Db, tenant_id: TenantId, allowed: bool) -> Result<()> {
    with_tenant!(db, tenant_id, conn => sqlx::query(
        "update economic_connections set webhooks_api_allowed = $2 where tenant_id = $1",
    )
    .bind(tenant_id)
    .bind(allowed)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// e-conomic refused the tenant's token while syncing: pause its sync work (no queue of the
/// tenant is claimed) until it connects again. Pausing a paused tenant keeps the first time.
pub async fn pause(db: &Db, tenant_id: TenantId, reason: &str, now: Timestamp) -> Result<()> {
    with_tenant!(db, tenant_id, conn => sqlx::query(
        "update economic_connections set paused_at = coalesce(paused_at, $2), \
         pause_reason = coalesce(pause_reason, $3), updated_at = $2 where tenant_id = $1",
    )
    .bind(tenant_id)
    .bind(now)
    .bind(reason)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The tenant's decrypted grant token (for the sync engine's calls), if connected.
pub async fn grant_token(db: &Db, keys: &Keys, tenant_id: TenantId) -> Result<Option<Secret>> {
    let row: Option<(Vec<u8>, Vec<u8>)> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select grant_token_ciphertext, grant_token_nonce from economic_connections \
         where tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(conn)
    .await)?;
    let Some((ciphertext, nonce)) = row else {
        return Ok(None);
    };
    let plain = keys.open(&aad(tenant_id), &ciphertext, &nonce)?;
    let token = String::from_utf8(plain)
        .map_err(|_| Error::internal("decrypted grant token is not UTF-8"))?;
    Ok(Some(Secret::new(token)))
}

/// Forget the tenant's connection (the token is deleted). Not connected is not an error.
pub async fn disconnect(db: &Db, tenant_id: TenantId) -> Result<()> {
    with_tenant!(db, tenant_id, conn => sqlx::query("delete from economic_connections where tenant_id = $1")
        .bind(tenant_id)
        .execute(conn)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Tests only: the tenant counts as connected with grant token `grant_token` to agreement 1,
/// without asking e-conomic and without queueing the first import (webhook tests that never
/// reach e-conomic).
#[cfg(feature = "testing")]
pub async fn connect_offline(
    db: &Db,
    keys: &Keys,
    tenant_id: TenantId,
    grant_token: &str,
    now: Timestamp,
) -> Result<()> {
    let (ciphertext, nonce) = keys.seal(&aad(tenant_id), grant_token.as_bytes())?;
    with_tenant!(db, tenant_id, conn => sqlx::query(
        "insert into economic_connections (tenant_id, grant_token_ciphertext, grant_token_nonce, \
         agreement_number, company_name, connected_at, created_at, updated_at) \
         values ($1, $2, $3, 1, 'Offline test agreement', $4, $4, $4)",
    )
    .bind(tenant_id)
    .bind(&ciphertext)
    .bind(&nonce)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Associated data binding a ciphertext to its tenant: a token copied into another tenant's
/// row does not decrypt.
fn aad(tenant_id: TenantId) -> Vec<u8> {
    format!("economic_connections:{tenant_id}").into_bytes()
}

fn from_client_error(error: ClientError) -> Error {
    match error {
        ClientError::Unauthorized { .. }
        | ClientError::Rejected { .. }
        | ClientError::NotFound(_) => Error::EconomicRejected,
        ClientError::Timeout
        | ClientError::Connect(_)
        | ClientError::Server { .. }
        | ClientError::RateLimited { .. } => Error::EconomicUnavailable(error),
        // A response we cannot read, or a request we cannot build: our bug or a bad base URL.
        ClientError::Decode(_) | ClientError::InvalidRequest(_) => Error::internal(error),
    }
}
