//! The probe: e-conomic silently sending no webhooks is the failure that matters most and the
//! one nothing else reports. When a webhook entity has received nothing for a while, one list
//! call asks e-conomic for its newest change (`sort=-lastUpdated`, page size 1), and we check
//! whether we have that version. If not, and no webhook came since, a change went unreported.
//!
//! At most one call per entity per [`super::Config::quiet_after`] (a few dozen a day against
//! 50,000), counted in the API budget as background work, and only while the budget allows it.

use economic::types::{Customer, Product};
use economic::{Client, ClientError, Entity};

use super::facts::{self, Probe};
use super::signals::Signals;
use super::{Config, Mode};
use crate::db::Db;
use crate::error::Result;
use crate::ids::TenantId;
use crate::records::{CustomerRecord, ProductRecord};
use crate::secrets::Keys;
use crate::sync::budget::{self, Priority};
use crate::timestamp::Timestamp;

/// A change this recent may still be on its way (the webhook in flight or waiting): it proves
/// nothing yet.
const IN_FLIGHT: time::Duration = time::Duration::minutes(2);

/// The webhook entities of `signals` that are due a probe at `now`: on webhooks, connected and
/// not refused, imported, quiet (no webhook, nor since webhooks were switched on) for
/// `quiet_after`, and not probed within it.
pub fn due(signals: &Signals, config: &Config, now: Timestamp) -> Vec<Entity> {
    let Some(connection) = signals.connection else {
        return Vec::new();
    };
    if connection.refused_since.is_some() {
        return Vec::new();
    }
    let quiet =
        |at: Option<Timestamp>| at.is_none_or(|at| now.duration_since(at) >= config.quiet_after);
    [Entity::Customers, Entity::Products]
        .into_iter()
        .filter(|e| mode(signals, *e) == Mode::Webhook)
        .filter(|e| {
            let s = signals.entity(*e);
            let expected_since = s
                .facts
                .last_webhook_at
                .or(signals.settings_saved_at)
                .max(s.imported_at)
                .max(Some(connection.connected_at));
            s.imported_at.is_some()
                && quiet(expected_since)
                && quiet(s.facts.probe.as_ref().map(|p| p.at))
        })
        .collect()
}

fn mode(signals: &Signals, entity: Entity) -> Mode {
    if signals.settings.is_enabled(entity) {
        Mode::Webhook
    } else {
        Mode::Hourly
    }
}

/// What a probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// We have e-conomic's newest change (or it has no records, or the change is in flight).
    UpToDate,
    /// e-conomic changed this record (at this time) and we lack that version.
    Missed(String, Timestamp),
    /// e-conomic refused the grant token: the tenant's sync is paused (evidence, at once).
    TokenRefused,
    /// No look: not connected, the budget, e-conomic unavailable. Nothing recorded.
    Skipped,
}

/// Probe the tenant's `entity` now and record what it found.
pub async fn run(
    db: &Db,
    keys: &Keys,
    client: &Client,
    tenant_id: TenantId,
    entity: Entity,
    limit: u32,
    now: Timestamp,
) -> Result<Found> {
    let Some(grant) = crate::connection::grant_token(db, keys, tenant_id).await? else {
        return Ok(Found::Skipped);
    };
    if !budget::usage(db, tenant_id, now, limit)
        .await?
        .allows(Priority::Background)
    {
        return Ok(Found::Skipped);
    }
    let page = client
        .agreement(grant.expose())
        .list_page_json(entity, 0, 1, None, Some("-lastUpdated"))
        .await;
    budget::record_now(db, tenant_id, now, 1).await?;
    let newest = match page {
        Ok(page) => page.collection.into_iter().next(),
        Err(ClientError::Unauthorized { .. }) => {
            let reason = "e-conomic refused the grant token (health probe)";
            crate::connection::pause(db, tenant_id, reason, now).await?;
            return Ok(Found::TokenRefused);
        }
        Err(e) => {
            tracing::debug!(tenant = %tenant_id, error = %e, "health probe could not look");
            return Ok(Found::Skipped);
        }
    };
    let found = match newest {
        None => Found::UpToDate,
        Some(json) => compare(db, tenant_id, entity, json, now).await?,
    };
    let missed = match &found {
        Found::Missed(record, at) => Some((record.clone(), *at)),
        Found::UpToDate | Found::TokenRefused | Found::Skipped => None,
    };
    facts::record_probe(db, tenant_id, entity, &Probe { at: now, missed }).await?;
    Ok(found)
}

/// Whether we hold the version of e-conomic's newest record.
async fn compare(
    db: &Db,
    tenant_id: TenantId,
    entity: Entity,
    json: serde_json::Value,
    now: Timestamp,
) -> Result<Found> {
    // What we hold of it: its `lastUpdated`, and whether its data equal e-conomic's. Products'
    // `lastUpdated` is cut to the minute, so a change within the minute of the version we hold
    // shows only in the data.
    let (number, remote, local) =
        match entity {
            Entity::Customers => {
                let Ok(c) = serde_json::from_value::<Customer>(json) else {
                    return Ok(Found::UpToDate);
                };
                let local =
                    match crate::records::get::<CustomerRecord>(db, tenant_id, &c.customer_number)
                        .await
                    {
                        Ok(r) if r.deleted_at.is_none() => {
                            let same = r.name == c.name
                                && r.email == c.email
                                && r.currency == c.currency
                                && r.barred == c.barred;
                            r.economic_updated_at.map(|at| (at, same))
                        }
                        Ok(_) | Err(crate::Error::NotFound) => None,
                        Err(e) => return Err(e),
                    };
                (c.customer_number.to_string(), c.last_updated, local)
            }
            Entity::Products => {
                let Ok(p) = serde_json::from_value::<Product>(json) else {
                    return Ok(Found::UpToDate);
                };
                let local =
                    match crate::records::get::<ProductRecord>(db, tenant_id, &p.product_number)
                        .await
                    {
                        Ok(r) if r.deleted_at.is_none() => {
                            let same = r.name == p.name
                                && r.description == p.description
                                && r.sales_price == p.sales_price
                                && r.cost_price == p.cost_price
                                && r.barred == p.barred;
                            r.economic_updated_at.map(|at| (at, same))
                        }
                        Ok(_) | Err(crate::Error::NotFound) => None,
                        Err(e) => return Err(e),
                    };
                (p.product_number.as_str().to_owned(), p.last_updated, local)
            }
            // Booked invoices have no lastUpdated; the reconciliation looks for missing ones.
            Entity::Invoices => return Ok(Found::UpToDate),
        };
    let Some(remote) = remote.map(Timestamp::from) else {
        return Ok(Found::UpToDate);
    };
    let held = local.is_some_and(|(at, same)| at > remote || (at == remote && same));
    if held || now.duration_since(remote) < IN_FLIGHT {
        return Ok(Found::UpToDate);
    }
    // A webhook about it that still waits (for a retry, for the budget, for a replay) did
    // report it: the change is known, only not applied yet (other problems say why).
    let waiting: i64 = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "select count(*) from webhook_events where tenant_id = $1 and kind = $2 \
         and record_key = $3 and status in ('received', 'queued', 'processing', 'failed', 'dead')",
    )
    .bind(tenant_id)
    .bind(entity.as_str())
    .bind(&number)
    .fetch_one(conn)
    .await)?;
    if waiting > 0 {
        return Ok(Found::UpToDate);
    }
    Ok(Found::Missed(number, remote))
}
