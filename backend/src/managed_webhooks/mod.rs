//! One-click webhook setup (issues 13 and 29): the app creates, updates, re-enables and deletes
//! the company's webhooks in e-conomic through the Webhooks API, and checks their health —
//! whether e-conomic has each webhook, whether it points at our current URL and whether
//! e-conomic disabled it. Per webhook the company chooses: created for me, or I create it myself
//! in e-conomic's screens ([`Mode`]); never both.
//!
//! e-conomic as it is, not as we would like it: the event type names come from its own list
//! ([`event_types`]); there is one webhook per event type and agreement, so a refusal
//! (`WebhookAlreadyExistsForEventType`) is explained, never retried; several companies may share
//! one agreement, and a company owns a webhook only when it points at its own URL ([`owner`]) —
//! another company's is never changed or deleted. The manual copy-paste flow stays for whatever
//! the API cannot do (403: the app lacks the agreement's SuperUser role).
//!
//! Every outcome is stored ([`store`]), not only returned: a form posted without JavaScript is
//! answered with a redirect, and the page then shows what happened from the database.

pub mod duplicates;
pub mod event_types;
mod outcome;
pub mod owner;
pub mod shared;
mod store;

use economic::types::ApiWebhook;
use economic::types::webhooks_api::{self, EventType};
use economic::{Client, ClientError, Entity, IdempotencyKey, WebhooksApi};
use rand::RngCore;

use crate::db::Db;
use crate::error::Result;
use crate::ids::TenantId;
use crate::secrets::Keys;
use crate::sync::budget::{self, Priority};
use crate::timestamp::Timestamp;
use crate::webhook_credentials as credentials;

pub use outcome::{Mode, Outcome};
pub use owner::Owner;
pub use store::{Health, ManagedWebhook, due_for_check, list, mode, set_mode};

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

/// The connected agreement: its Webhooks API handle's grant token and number.
struct Connected {
    grant: economic::Secret,
    agreement_number: i64,
}

async fn connected(db: &Db, keys: &Keys, tenant_id: TenantId) -> Result<Option<Connected>> {
    let grant = crate::connection::grant_token(db, keys, tenant_id).await?;
    let connection = crate::connection::get(db, tenant_id).await?;
    Ok(grant.zip(connection).map(|(grant, c)| Connected {
        grant,
        agreement_number: c.agreement_number,
    }))
}

/// Create the tenant's `kind` webhook in e-conomic, or set its own existing one to our current
/// URL, name, data and content type (and enabled). It reads e-conomic's webhook first: one that
/// points at another company's URL (a company sharing the agreement) or at another address is
/// left alone and reported ([`Outcome::OtherCompany`], [`Outcome::OtherAddress`]). A create whose
/// answer is lost (timeout) is sent once more with the same `Idempotency-Key`.
pub async fn ensure(
    target: Target<'_>,
    tenant_id: TenantId,
    kind: Entity,
    now: Timestamp,
) -> Result<Outcome> {
    let Some(agreement) = connected(target.db, target.keys, tenant_id).await? else {
        return store::record(target.db, tenant_id, kind, Outcome::NotConnected, None, now).await;
    };
    let api = target.client.webhooks_api(agreement.grant.expose());
    let mut calls = 0u32;
    let types =
        event_types::list(target.db, &api, agreement.agreement_number, &mut calls, now).await?;
    let types = match types {
        Ok(types) => types,
        Err(e) => return finish(target.db, tenant_id, kind, calls, Err(e), now).await,
    };
    let Some(event_type) = webhooks_api::event_type_for(&types, kind).map(|t| t.name.clone())
    else {
        let outcome = Ok(Outcome::TypeNotOffered);
        return finish(target.db, tenant_id, kind, calls, outcome, now).await;
    };
    let url = current_url(target, tenant_id, kind).await?;
    let mut wanted = ApiWebhook::rackbeat_as(&event_type, kind, url);
    calls += 1;
    let result = match api.get_webhook(&event_type).await {
        Ok(remote) => match Owner::of(&remote.url, target.public_url, kind) {
            Owner::Company(owner) if owner == tenant_id => {
                wanted.object_version = remote.object_version.clone();
                calls += 1;
                match api.update(&wanted, &new_key()).await {
                    Ok(()) if remote.is_disabled => Ok(Outcome::Reenabled),
                    Ok(()) => Ok(Outcome::Updated),
                    // Deleted in e-conomic meanwhile: create it again.
                    Err(ClientError::NotFound(_)) => {
                        wanted.object_version = None;
                        create(&api, &wanted, &mut calls).await
                    }
                    Err(e) => Err(e),
                }
            }
            Owner::Company(_) => Ok(Outcome::OtherCompany),
            Owner::Elsewhere => Ok(Outcome::OtherAddress),
        },
        Err(ClientError::NotFound(_)) => create(&api, &wanted, &mut calls).await,
        Err(e) => Err(e),
    };
    let outcome = finish(target.db, tenant_id, kind, calls, result, now).await?;
    read_back(target, tenant_id, kind, &api, &event_type, outcome, now).await?;
    Ok(outcome)
}

/// After an action, read what e-conomic now holds (its new `objectVersion`, whose URL), so
/// that the health line, the next change and a conflict's retry start from e-conomic's state.
async fn read_back(
    target: Target<'_>,
    tenant_id: TenantId,
    kind: Entity,
    api: &WebhooksApi<'_>,
    event_type: &str,
    outcome: Outcome,
    now: Timestamp,
) -> Result<()> {
    if !outcome.worth_reading_back() {
        return Ok(());
    }
    let read = api.get_webhook(event_type).await;
    budget::record_now(target.db, tenant_id, now, 1).await?;
    let seen = match read {
        Ok(remote) => Some(remote),
        Err(ClientError::NotFound(_)) => None,
        Err(e) => {
            tracing::debug!(error = %e, "reading the webhook back failed");
            return Ok(());
        }
    };
    let owner = seen
        .as_ref()
        .map(|r| Owner::of(&r.url, target.public_url, kind));
    store::observe(
        target.db,
        tenant_id,
        kind,
        seen.as_ref().zip(owner),
        Some(event_type),
        now,
    )
    .await
}

/// `POST` with one retry under the same key when the answer was lost.
async fn create(
    api: &WebhooksApi<'_>,
    wanted: &ApiWebhook,
    calls: &mut u32,
) -> std::result::Result<Outcome, ClientError> {
    let key = new_key();
    *calls += 1;
    let first = api.create(wanted, &key).await;
    let answer = match first {
        Err(ClientError::Timeout | ClientError::Connect(_)) => {
            // e-conomic may have created it before the answer was lost: the same key makes the
            // retry return the first answer instead of a second webhook (or a refusal).
            *calls += 1;
            api.create(wanted, &key).await
        }
        other => other,
    };
    answer.map(|_| Outcome::Created)
}

async fn finish(
    db: &Db,
    tenant_id: TenantId,
    kind: Entity,
    calls: u32,
    result: std::result::Result<Outcome, ClientError>,
    now: Timestamp,
) -> Result<Outcome> {
    budget::record_now(db, tenant_id, now, calls).await?;
    let (outcome, detail) = match result {
        Ok(outcome) => (outcome, None),
        Err(e) => (Outcome::of_error(&e), Some(e.to_string())),
    };
    // What e-conomic just said about the app's rights decides the default for the company's
    // other webhooks (a role granted or taken away since connecting).
    if outcome == Outcome::Forbidden {
        crate::connection::set_webhooks_api_allowed(db, tenant_id, false).await?;
    } else if outcome.succeeded() {
        crate::connection::set_webhooks_api_allowed(db, tenant_id, true).await?;
    }
    store::record(db, tenant_id, kind, outcome, detail.as_deref(), now).await
}

/// Delete the tenant's `kind` webhook in e-conomic (already gone counts as deleted). Only the
/// company's own: one pointing at another company's URL or another address is left alone.
pub async fn remove(
    target: Target<'_>,
    tenant_id: TenantId,
    kind: Entity,
    now: Timestamp,
) -> Result<Outcome> {
    let Some(agreement) = connected(target.db, target.keys, tenant_id).await? else {
        return store::record(target.db, tenant_id, kind, Outcome::NotConnected, None, now).await;
    };
    let api = target.client.webhooks_api(agreement.grant.expose());
    let mut calls = 0u32;
    let types =
        event_types::list(target.db, &api, agreement.agreement_number, &mut calls, now).await?;
    let name = match &types {
        Ok(types) => webhooks_api::event_type_for(types, kind).map(|t| t.name.clone()),
        Err(_) => None,
    };
    let result = match (types, name) {
        (Err(e), _) => Err(e),
        // Not offered: there cannot be one.
        (Ok(_), None) => Ok(Outcome::Deleted),
        (Ok(_), Some(name)) => {
            calls += 1;
            match api.get_webhook(&name).await {
                Ok(remote) => match Owner::of(&remote.url, target.public_url, kind) {
                    Owner::Company(owner) if owner == tenant_id => {
                        calls += 1;
                        match api.delete(&name, &new_key()).await {
                            Ok(()) | Err(ClientError::NotFound(_)) => Ok(Outcome::Deleted),
                            Err(e) => Err(e),
                        }
                    }
                    Owner::Company(_) => Ok(Outcome::OtherCompany),
                    Owner::Elsewhere => Ok(Outcome::OtherAddress),
                },
                Err(ClientError::NotFound(_)) => Ok(Outcome::Deleted),
                Err(e) => Err(e),
            }
        }
    };
    let outcome = finish(target.db, tenant_id, kind, calls, result, now).await?;
    if outcome == Outcome::Deleted {
        store::observe(target.db, tenant_id, kind, None, None, now).await?;
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

/// The company's choice for `kind` is now "I create it myself": the company's own webhook the
/// app made in e-conomic is deleted (else every change would arrive twice once the user makes
/// one by hand). Returns the delete's outcome, `None` when there was none to delete.
pub async fn choose_manual(
    target: Target<'_>,
    tenant_id: TenantId,
    kind: Entity,
    now: Timestamp,
) -> Result<Option<Outcome>> {
    store::set_mode(target.db, tenant_id, kind, Mode::Manual, now).await?;
    let managed = store::get(target.db, tenant_id, kind)
        .await?
        .is_some_and(|m| m.managed);
    if !managed {
        return Ok(None);
    }
    remove(target, tenant_id, kind, now).await.map(Some)
}

/// The health check: one list call (and the event types, once a day), and what e-conomic
/// holds for each kind is stored, with whose URL it points at (by its path: the worker does not
/// know the public URL; the page compares with the current URL). Returns `None` when it could
/// look, else why not. `priority` is the budget class: `Background` for the schedule,
/// `Scheduled` when the tenant asked.
pub async fn check(
    db: &Db,
    keys: &Keys,
    client: &Client,
    tenant_id: TenantId,
    priority: Priority,
    now: Timestamp,
) -> Result<Option<Outcome>> {
    let Some(agreement) = connected(db, keys, tenant_id).await? else {
        store::check_failed(db, tenant_id, Outcome::NotConnected, now).await?;
        return Ok(Some(Outcome::NotConnected));
    };
    let usage = budget::usage(db, tenant_id, now, budget::DAILY_LIMIT).await?;
    if !usage.allows(priority) {
        return Ok(Some(Outcome::Unavailable));
    }
    let api = client.webhooks_api(agreement.grant.expose());
    let mut calls = 0u32;
    let types = event_types::list(db, &api, agreement.agreement_number, &mut calls, now).await?;
    let listed = match types {
        Ok(types) => api.list_all().await.map(|(hooks, n)| (types, hooks, n)),
        Err(e) => Err(e),
    };
    let (types, remote, list_calls) = match listed {
        Ok(found) => found,
        Err(e) => {
            budget::record_now(db, tenant_id, now, calls + 1).await?;
            let outcome = Outcome::of_error(&e);
            store::check_failed(db, tenant_id, outcome, now).await?;
            return Ok(Some(outcome));
        }
    };
    budget::record_now(db, tenant_id, now, calls + list_calls).await?;
    for kind in Entity::ALL {
        let event_type = webhooks_api::event_type_for(&types, kind).map(|t| t.name.as_str());
        let found = event_type.and_then(|name| remote.iter().find(|w| w.event_type == name));
        let owner = found.map(|w| Owner::of_url_path(&w.url, kind));
        let known = store::get(db, tenant_id, kind).await?;
        // A kind the app never touched and e-conomic lacks needs no row.
        if known.is_some() || found.is_some() {
            store::observe(db, tenant_id, kind, found.zip(owner), event_type, now).await?;
        }
    }
    Ok(None)
}

/// Whether the agreement lets this app use the Webhooks API, by reading its event types (which
/// are cached for the webhooks the app may create next): `Some(false)` when e-conomic refuses
/// (the app lacks the SuperUser role), `None` when it could not tell (unreachable, busy).
pub async fn probe(
    db: &Db,
    api: &WebhooksApi<'_>,
    agreement_number: i64,
    now: Timestamp,
) -> Result<Option<bool>> {
    match api.event_types().await {
        Ok(types) => {
            event_types::store(db, agreement_number, &types, now).await?;
            Ok(Some(true))
        }
        Err(ClientError::Unauthorized { .. }) => Ok(Some(false)),
        Err(e) => {
            tracing::info!(error = %e, "could not tell whether the Webhooks API is allowed");
            Ok(None)
        }
    }
}

/// The event type e-conomic offers for `kind` on the tenant's agreement, from the cached list
/// only (no call): the name and e-conomic's description. `None` when not read yet or not
/// offered.
pub async fn cached_event_type(
    db: &Db,
    agreement_number: i64,
    kind: Entity,
    now: Timestamp,
) -> Result<Option<EventType>> {
    let types = event_types::cached_list(db, agreement_number, now).await?;
    Ok(types.and_then(|types| webhooks_api::event_type_for(&types, kind).cloned()))
}

/// A fresh random `Idempotency-Key` (128 bits, hex).
fn new_key() -> IdempotencyKey {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    IdempotencyKey::from_random(bytes)
}
