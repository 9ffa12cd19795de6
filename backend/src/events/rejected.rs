//! Rejected webhooks: requests that carried a valid credential but could not be understood.
//! They are answered 2xx (a retry could never succeed, and e-conomic disables a webhook that
//! keeps failing), stored once per [`REPEAT_WINDOW_MS`], and counted for the settings page's
//! webhook-health warning.

use economic::Entity;

use super::{EventId, EventStatus, NewEvent};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::timestamp::Timestamp;

/// An identical rejected request within this window is not stored again.
pub const REPEAT_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;
/// Longest reason stored: the parser's messages quote the body, which may be 16 KB.
pub const MAX_REASON_CHARS: usize = 200;

/// `reason` cut to [`MAX_REASON_CHARS`] characters (on a character boundary, marked with `…`).
pub fn cap_reason(reason: &str) -> String {
    match reason.char_indices().nth(MAX_REASON_CHARS) {
        Some((at, _)) => format!("{}…", &reason[..at]),
        None => reason.to_owned(),
    }
}

/// The id of a rejected event of `tenant_id` identical to `event` (kind, content type, query,
/// body) received within [`REPEAT_WINDOW_MS`] before it, if any.
pub async fn recent_rejected(
    db: &Db,
    tenant_id: TenantId,
    event: &NewEvent,
) -> Result<Option<EventId>> {
    let since = Timestamp::from_millis(event.received_at.as_millis() - REPEAT_WINDOW_MS);
    let id = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "select id from webhook_events \
         where tenant_id = $1 and status = $2 and kind = $3 and received_at >= $4 \
           and content_type is not distinct from $5 and raw_query is not distinct from $6 \
           and raw_body = $7 \
         order by received_at desc limit 1",
    )
    .bind(tenant_id)
    .bind(EventStatus::Rejected.as_str())
    .bind(event.kind.as_str())
    .bind(since)
    .bind(event.content_type.as_deref())
    .bind(event.raw_query.as_deref())
    .bind(event.raw_body.as_slice())
    .fetch_optional(conn)
    .await)?;
    Ok(id)
}

/// Rejected webhooks of `tenant_id` per kind received since `since`, with the newest reason:
/// the settings page warns about them (a template or a record number that cannot be used).
pub async fn rejected_since(
    db: &Db,
    tenant_id: TenantId,
    since: Timestamp,
) -> Result<Vec<RejectedKind>> {
    let rows: Vec<(String, i64, Timestamp)> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select kind, count(*), max(received_at) from webhook_events \
         where tenant_id = $1 and status = $2 and received_at >= $3 \
         group by kind order by kind",
    )
    .bind(tenant_id)
    .bind(EventStatus::Rejected.as_str())
    .bind(since)
    .fetch_all(conn)
    .await)?;
    let mut kinds = Vec::with_capacity(rows.len());
    for (kind, count, last_at) in rows {
        let kind = Entity::from_slug(&kind)
            .ok_or_else(|| Error::internal(format!("unknown entity {kind:?} in database")))?;
        kinds.push(RejectedKind {
            kind,
            count,
            last_at,
        });
    }
    Ok(kinds)
}

/// Rejected webhooks of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedKind {
    /// The URL's kind.
    pub kind: Entity,
    /// How many were stored (repeats within the window are not).
    pub count: i64,
    /// When the newest arrived.
    pub last_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_capped_on_a_character_boundary() {
        assert_eq!(cap_reason("short"), "short");
        let long = "ø".repeat(MAX_REASON_CHARS + 50);
        let capped = cap_reason(&long);
        assert_eq!(capped.chars().count(), MAX_REASON_CHARS + 1);
        assert!(capped.ends_with('…'));
        assert_eq!(
            cap_reason(&"x".repeat(MAX_REASON_CHARS)).len(),
            MAX_REASON_CHARS
        );
    }
}
