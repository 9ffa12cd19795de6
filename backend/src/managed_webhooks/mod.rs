//! One-click webhook setup (issue 13): the app creates, updates, re-enables and deletes the
//! tenant's webhooks in e-conomic through the Webhooks API, and checks their health — whether
//! e-conomic has each webhook the app manages, whether it points at our current URL and whether
//! e-conomic disabled it. The manual copy-paste flow stays for agreements where the API refuses
//! (the agreement's user lacks the rights: 403).
//!
//! Every outcome is stored ([`store`]), not only returned: a form posted without JavaScript is
//! answered with a redirect, and the page then shows what happened from the database.

mod store;

use economic::types::ApiWebhook;
use economic::{Client, ClientError, Entity, IdempotencyKey};
use rand::RngCore;

use crate::db::Db;
use crate::error::Result;
use crate::ids::TenantId;
use crate::secrets::Keys;
use crate::sync::budget::{self, Priority};
use crate::timestamp::Timestamp;
use crate::webhook_credentials as credentials;

pub use store::{Health, ManagedWebhook, due_for_check, list};

/// What the last action on a webhook came to, in words the page can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// e-conomic now has the webhook (it did not before).
    Created,
    /// The existing webhook was set to our current values.
    Updated,
    /// A webhook e-conomic had disabled is enabled again.
    Reenabled,
    /// e-conomic no longer has it.
    Deleted,
    /// e-conomic's webhook changed since we read it (stale `objectVersion`): nothing was
    /// changed; we read it again, so the next try can succeed.
    Conflict,
    /// e-conomic refused: the agreement's user lacks the rights (403, or 401). The manual
    /// steps are the way.
    Forbidden,
    /// e-conomic refused the request itself (another 4xx).
    Refused,
    /// e-conomic could not be reached or was busy; try again later.
    Unavailable,
    /// The tenant has not connected e-conomic.
    NotConnected,
}

impl Outcome {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Reenabled => "reenabled",
            Outcome::Deleted => "deleted",
            Outcome::Conflict => "conflict",
            Outcome::Forbidden => "forbidden",
            Outcome::Refused => "refused",
            Outcome::Unavailable => "unavailable",
            Outcome::NotConnected => "not_connected",
        }
    }

    /// The outcome of a stored name.
    pub fn parse(text: &str) -> Option<Outcome> {
        [
            Outcome::Created,
            Outcome::Updated,
            Outcome::Reenabled,
            Outcome::Deleted,
            Outcome::Conflict,
            Outcome::Forbidden,
            Outcome::Refused,
            Outcome::Unavailable,
            Outcome::NotConnected,
        ]
        .into_iter()
        .find(|o| o.as_str() == text)
    }

    /// Whether e-conomic did what was asked.
    pub fn succeeded(self) -> bool {
        match self {
            Outcome::Created | Outcome::Updated | Outcome::Reenabled | Outcome::Deleted => true,
            Outcome::Conflict
            | Outcome::Forbidden
            | Outcome::Refused
            | Outcome::Unavailable
            | Outcome::NotConnected => false,
        }
    }

    fn of_error(error: &ClientError) -> Outcome {
        match error {
            ClientError::Unauthorized { .. } => Outcome::Forbidden,
            ClientError::Rejected { status: 409, .. } => Outcome::Conflict,
            ClientError::Rejected { .. } | ClientError::NotFound(_) => Outcome::Refused,
            ClientError::RateLimited { .. }
            | ClientError::Server { .. }
            | ClientError::Timeout
            | ClientError::Connect(_) => Outcome::Unavailable,
            // Our bug or a bad base URL: shown as "try later", logged for us.
            ClientError::Decode(_) | ClientError::InvalidRequest(_) => {
                tracing::error!(error = %error, "webhooks API call failed");
                Outcome::Unavailable
            }
        }
    }
}

/// Where our webhooks point: the public base URL, e.g. `https://sync.example.com`.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The database.
    pub db: &'a Db,
    /// For the grant token and the URL credentials.
    pub keys: &'a Keys,
    /// The e-conomic client.
    pub client: &'a Client,
    /// Our public base URL (no trailing slash).
    pub public_url: &'a str,
}

/// The tenant's current webhook URL for `kind`, as e-conomic must call it.
pub async fn current_url(target: Target<'_>, tenant_id: TenantId, kind: Entity) -> Result<String> {
    let token = credentials::url_token(target.db, target.keys, tenant_id, kind).await?;
    let path = credentials::webhook_path(tenant_id, kind, &token);
    Ok(format!("{}{path}", target.public_url.trim_end_matches('/')))
}

/// Create the tenant's `kind` webhook in e-conomic, or set the existing one to our current
/// URL, type, name, data and content type (and enabled). Uses the `objectVersion` last read;
/// a stale one is [`Outcome::Conflict`], never a second webhook. A create whose answer is lost
/// (timeout) is sent once more with the same `Idempotency-Key`.
pub async fn ensure(
    target: Target<'_>,
    tenant_id: TenantId,
    kind: Entity,
    now: Timestamp,
) -> Result<Outcome> {
    let Some(grant) = crate::connection::grant_token(target.db, target.keys, tenant_id).await?
    else {
        return store::record(target.db, tenant_id, kind, Outcome::NotConnected, None, now).await;
    };
    let url = current_url(target, tenant_id, kind).await?;
    let api = target.client.webhooks_api(grant.expose());
    let known = store::get(target.db, tenant_id, kind).await?;
    let mut calls = 0u32;
    let was_disabled = known
        .as_ref()
        .is_some_and(|k| k.remote_disabled == Some(true));
    // The version we hold, or e-conomic's current one (then: ours to update, as the API lists
    // only what this app created), or none: create.
    let version = match known.and_then(|k| k.object_version.filter(|_| k.managed)) {
        Some(version) => Some(version),
        None => {
            calls += 1;
            match api.get_webhook(kind).await {
                Ok(remote) => Some(remote.object_version.unwrap_or_default()),
                Err(ClientError::NotFound(_)) => None,
                Err(e) => return finish(target, tenant_id, kind, calls, Err(e), now).await,
            }
        }
    };
    let mut wanted = ApiWebhook::rackbeat(kind, url);
    let result = match version {
        Some(version) => {
            wanted.object_version = Some(version);
            calls += 1;
            match api.update(&wanted, &new_key()).await {
                Ok(()) if was_disabled => Ok(Outcome::Reenabled),
                Ok(()) => Ok(Outcome::Updated),
                // Deleted in e-conomic meanwhile: create it again.
                Err(ClientError::NotFound(_)) => {
                    wanted.object_version = None;
                    create(&api, &wanted, &mut calls).await
                }
                Err(e) => Err(e),
            }
        }
        None => create(&api, &wanted, &mut calls).await,
    };
    let outcome = finish(target, tenant_id, kind, calls, result, now).await?;
    // Read back what e-conomic now holds (its new objectVersion), so the next change, the
    // health line and a conflict's retry all start from e-conomic's state.
    if outcome != Outcome::Forbidden && outcome != Outcome::Unavailable {
        let read = api.get_webhook(kind).await;
        budget::record_now(target.db, tenant_id, now, 1).await?;
        match read {
            Ok(remote) => store::observe(target.db, tenant_id, kind, Some(&remote), now).await?,
            Err(ClientError::NotFound(_)) => {
                store::observe(target.db, tenant_id, kind, None, now).await?
            }
            Err(e) => tracing::debug!(error = %e, "reading the webhook back failed"),
        }
    }
    Ok(outcome)
}

/// `POST` with one retry under the same key when the answer was lost.
async fn create(
    api: &economic::WebhooksApi<'_>,
    wanted: &ApiWebhook,
    calls: &mut u32,
) -> std::result::Result<Outcome, ClientError> {
    let key = new_key();
    *calls += 1;
    let first = api.create(wanted, &key).await;
    let answer = match first {
        Err(ClientError::Timeout | ClientError::Connect(_)) => {
            // e-conomic may have created it before the answer was lost: the same key makes the
            // retry return the first answer instead of a second webhook (or a 409).
            *calls += 1;
            api.create(wanted, &key).await
        }
        other => other,
    };
    answer.map(|_| Outcome::Created)
}

async fn finish(
    target: Target<'_>,
    tenant_id: TenantId,
    kind: Entity,
    calls: u32,
    result: std::result::Result<Outcome, ClientError>,
    now: Timestamp,
) -> Result<Outcome> {
    budget::record_now(target.db, tenant_id, now, calls).await?;
    let (outcome, detail) = match result {
        Ok(outcome) => (outcome, None),
        Err(e) => (Outcome::of_error(&e), Some(e.to_string())),
    };
    store::record(target.db, tenant_id, kind, outcome, detail.as_deref(), now).await
}

/// Delete the tenant's `kind` webhook in e-conomic (already gone counts as deleted).
pub async fn remove(
    target: Target<'_>,
    tenant_id: TenantId,
    kind: Entity,
    now: Timestamp,
) -> Result<Outcome> {
    let Some(grant) = crate::connection::grant_token(target.db, target.keys, tenant_id).await?
    else {
        return store::record(target.db, tenant_id, kind, Outcome::NotConnected, None, now).await;
    };
    let api = target.client.webhooks_api(grant.expose());
    let result = match api.delete(kind, &new_key()).await {
        Ok(()) | Err(ClientError::NotFound(_)) => Ok(Outcome::Deleted),
        Err(e) => Err(e),
    };
    let outcome = finish(target, tenant_id, kind, 1, result, now).await?;
    if outcome == Outcome::Deleted {
        store::observe(target.db, tenant_id, kind, None, now).await?;
    }
    Ok(outcome)
}

/// After a URL regeneration: point e-conomic's webhook at the new URL in the same step, if the
/// app manages it. `None` when it does not (the user updates e-conomic by hand).
pub async fn follow_regenerated_url(
    target: Target<'_>,
    tenant_id: TenantId,
    kind: Entity,
    now: Timestamp,
) -> Result<Option<Outcome>> {
    let managed = store::get(target.db, tenant_id, kind)
        .await?
        .is_some_and(|m| m.managed);
    if !managed {
        return Ok(None);
    }
    ensure(target, tenant_id, kind, now).await.map(Some)
}

/// The health check: one list call, and what e-conomic holds for each kind is stored. Returns
/// `None` when it could look, else why not. `priority` is the budget class: `Background` for
/// the schedule, `Scheduled` when the tenant asked.
pub async fn check(
    db: &Db,
    keys: &Keys,
    client: &Client,
    tenant_id: TenantId,
    priority: Priority,
    now: Timestamp,
) -> Result<Option<Outcome>> {
    let Some(grant) = crate::connection::grant_token(db, keys, tenant_id).await? else {
        store::check_failed(db, tenant_id, Outcome::NotConnected, now).await?;
        return Ok(Some(Outcome::NotConnected));
    };
    let usage = budget::usage(db, tenant_id, now, budget::DAILY_LIMIT).await?;
    if !usage.allows(priority) {
        return Ok(Some(Outcome::Unavailable));
    }
    let listed = client.webhooks_api(grant.expose()).list_all().await;
    let (remote, calls) = match listed {
        Ok(found) => found,
        Err(e) => {
            budget::record_now(db, tenant_id, now, 1).await?;
            let outcome = Outcome::of_error(&e);
            store::check_failed(db, tenant_id, outcome, now).await?;
            return Ok(Some(outcome));
        }
    };
    budget::record_now(db, tenant_id, now, calls).await?;
    for kind in Entity::ALL {
        let found = remote.iter().find(|w| w.entity() == Some(kind));
        let known = store::get(db, tenant_id, kind).await?;
        // A kind the app never touched and e-conomic lacks needs no row.
        if known.is_some() || found.is_some() {
            store::observe(db, tenant_id, kind, found, now).await?;
        }
    }
    Ok(None)
}

/// A fresh random `Idempotency-Key` (128 bits, hex).
fn new_key() -> IdempotencyKey {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    IdempotencyKey::from_random(bytes)
}
