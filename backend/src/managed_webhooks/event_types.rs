//! The Webhooks API's event type names, read from e-conomic (`GET /EventTypes`) instead of
//! guessed: only `CUSTOMER_UPDATED` and `INVOICE_BOOKED` are confirmed by public sources. The
//! list is cached per agreement for a day (`agreement_event_types`; the same for every company
//! on the agreement, so not tenant data), and each entity's type is found by the name
//! e-conomic's screens give it ("Vare opdateret"), see [`economic::types::webhooks_api::event_type_for`].

use economic::types::webhooks_api::{self, EventType};
use economic::{ClientError, Entity, WebhooksApi};

use crate::db::Db;
use crate::error::Result;
use crate::timestamp::Timestamp;

/// How long a read list is used before it is read again.
pub const CACHE_FOR: time::Duration = time::Duration::hours(24);

/// The agreement's event types: from the cache when fresh, else read (one call, added to
/// `calls`) and cached. An error of the call is the client's.
pub async fn list(
    db: &Db,
    api: &WebhooksApi<'_>,
    agreement_number: i64,
    calls: &mut u32,
    now: Timestamp,
) -> Result<std::result::Result<Vec<EventType>, ClientError>> {
    if let Some(cached) = cached_list(db, agreement_number, now).await? {
        return Ok(Ok(cached));
    }
    *calls += 1;
    match api.event_types().await {
        Ok(types) => {
            store(db, agreement_number, &types, now).await?;
            Ok(Ok(types))
        }
        Err(e) => Ok(Err(e)),
    }
}

/// The event type name e-conomic offers for `kind` on the agreement (`None`: not offered).
pub async fn name_for(
    db: &Db,
    api: &WebhooksApi<'_>,
    agreement_number: i64,
    kind: Entity,
    calls: &mut u32,
    now: Timestamp,
) -> Result<std::result::Result<Option<String>, ClientError>> {
    Ok(list(db, api, agreement_number, calls, now)
        .await?
        .map(|types| webhooks_api::event_type_for(&types, kind).map(|t| t.name.clone())))
}

/// Stores a list read elsewhere (connecting reads it to learn whether the API is allowed).
pub async fn store(
    db: &Db,
    agreement_number: i64,
    types: &[EventType],
    now: Timestamp,
) -> Result<()> {
    let body = serde_json::to_string(types).map_err(crate::error::Error::internal)?;
    with_db!(db, pool => sqlx::query(
        "insert into agreement_event_types (agreement_number, body, fetched_at, created_at, \
         updated_at) values ($1, $2, $3, $3, $3) on conflict (agreement_number) do update set \
         body = excluded.body, fetched_at = excluded.fetched_at, updated_at = excluded.updated_at",
    )
    .bind(agreement_number)
    .bind(body)
    .bind(now)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The agreement's event types as last read from e-conomic, unless older than [`CACHE_FOR`].
pub async fn cached_list(
    db: &Db,
    agreement_number: i64,
    now: Timestamp,
) -> Result<Option<Vec<EventType>>> {
    let row: Option<(String,)> = with_db!(db, pool => sqlx::query_as(
        "select body from agreement_event_types where agreement_number = $1 and fetched_at > $2",
    )
    .bind(agreement_number)
    .bind(now - CACHE_FOR)
    .fetch_optional(pool)
    .await)?;
    // A body that no longer reads (written by an older version) is read again from e-conomic.
    Ok(row.and_then(|(body,)| serde_json::from_str(&body).ok()))
}
