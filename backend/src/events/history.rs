//! The event history as a support person works in it: a tenant's events newest first by
//! `(received_at, id)`, filtered by kind, status, time range and record-number prefix, paged by
//! keyset in both directions, with a count per status for the filter.
//!
//! Never `OFFSET`: a page starts after a [`Cursor`] (the `(received_at, id)` of the row at its
//! edge), so page 500 costs what page 1 costs. Events received in the same millisecond are
//! ordered by id, so no row is skipped or shown twice across a page boundary. Every filter
//! combination is served by one of the `webhook_events_history*` indexes (migration
//! `20261204001401_history`), whose order is the page's order.

use std::fmt;
use std::str::FromStr;

use economic::Entity;

use super::{DbEvent, Event, EventId, EventStatus, SELECT};
use crate::db::Db;
use crate::error::Result;
use crate::ids::TenantId;
use crate::timestamp::Timestamp;

/// Most events one page shows.
pub const MAX_PAGE: u32 = 500;
/// Counts per status stop at this many when the filter matches more than [`EXACT_UP_TO`]
/// events; the page then shows "1,000+" (an exact count of a million rows would cost more
/// than the page it describes).
pub const COUNT_CAP: i64 = 1_000;
/// A filter matching at most this many events gets exact counts, from one grouped query.
pub const EXACT_UP_TO: i64 = 10_000;
/// Longest record-number prefix accepted (e-conomic's product numbers are at most 25
/// characters).
pub const MAX_PREFIX_CHARS: usize = 25;

/// The start of a record number, as typed into the filter: trimmed, non-empty, bounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberPrefix(String);

impl NumberPrefix {
    /// `None` for an empty (or blank) text; cut to [`MAX_PREFIX_CHARS`] (no record number is
    /// longer, so a longer prefix matches nothing either way).
    pub fn parse(text: &str) -> Option<NumberPrefix> {
        let text = text.trim();
        let text = match text.char_indices().nth(MAX_PREFIX_CHARS) {
            Some((end, _)) => &text[..end],
            None => text,
        };
        (!text.is_empty()).then(|| NumberPrefix(text.to_owned()))
    }

    /// The prefix as typed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The exclusive upper end of the range of texts that start with the prefix: the prefix
    /// followed by the largest code point, which sorts (bytewise) after every continuation.
    fn upper(&self) -> String {
        format!("{}\u{10FFFF}", self.0)
    }
}

/// Which events the history shows. Every part is optional; set parts combine with "and".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    /// Only this kind.
    pub kind: Option<Entity>,
    /// Only this status.
    pub status: Option<EventStatus>,
    /// Received at or after.
    pub from: Option<Timestamp>,
    /// Received before.
    pub until: Option<Timestamp>,
    /// Only events about a record whose number starts with this.
    pub number: Option<NumberPrefix>,
}

/// The position of a row in the history's order: where a page starts or ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// The row's `received_at`.
    pub received_at: Timestamp,
    /// The row's id (the tie-break among equal timestamps).
    pub id: EventId,
}

impl Cursor {
    /// The cursor of event `e`.
    pub fn of(e: &Event) -> Cursor {
        Cursor {
            received_at: e.received_at,
            id: e.id,
        }
    }
}

/// As in URLs: `<received_at millis>_<id>`.
impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.received_at.as_millis(), self.id)
    }
}

/// A text that is not a [`Cursor`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a history cursor")]
pub struct InvalidCursor;

impl FromStr for Cursor {
    type Err = InvalidCursor;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (at, id) = s.split_once('_').ok_or(InvalidCursor)?;
        Ok(Cursor {
            received_at: Timestamp::from_millis(at.parse().map_err(|_| InvalidCursor)?),
            id: id.parse().map_err(|_| InvalidCursor)?,
        })
    }
}

/// Which page to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PageAt {
    /// The newest events.
    #[default]
    Newest,
    /// The events just older than the cursor (the "older" link).
    Before(Cursor),
    /// The events just newer than the cursor (the "newer" link).
    After(Cursor),
}

/// One page of the history, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryPage {
    /// The events.
    pub events: Vec<Event>,
    /// Where the older page starts, if there are older events.
    pub older: Option<Cursor>,
    /// Where the newer page starts, if there are newer events.
    pub newer: Option<Cursor>,
}

/// A value bound to a placeholder of a built query.
pub(crate) enum Bind {
    Int(i64),
    Text(String),
}

/// The `where` clause of `filter` for `tenant_id`, starting at placeholder `$1`.
pub(crate) fn conditions(tenant_id: TenantId, filter: &HistoryFilter) -> (String, Vec<Bind>) {
    let mut sql = String::from("tenant_id = $1");
    let mut binds = vec![Bind::Int(tenant_id.get())];
    let mut push = |sql_part: &str, bind: Bind, sql: &mut String| {
        binds.push(bind);
        sql.push_str(&sql_part.replace('?', &format!("${}", binds.len())));
    };
    if let Some(kind) = filter.kind {
        push(
            " and kind = ?",
            Bind::Text(kind.as_str().to_owned()),
            &mut sql,
        );
    }
    if let Some(status) = filter.status {
        push(
            " and status = ?",
            Bind::Text(status.as_str().to_owned()),
            &mut sql,
        );
    }
    if let Some(from) = filter.from {
        push(
            " and received_at >= ?",
            Bind::Int(from.as_millis()),
            &mut sql,
        );
    }
    if let Some(until) = filter.until {
        push(
            " and received_at < ?",
            Bind::Int(until.as_millis()),
            &mut sql,
        );
    }
    if let Some(prefix) = &filter.number {
        push(
            " and record_key >= ?",
            Bind::Text(prefix.0.clone()),
            &mut sql,
        );
        push(" and record_key < ?", Bind::Text(prefix.upper()), &mut sql);
    }
    (sql, binds)
}

/// Adds the keyset condition "before `c`" (`older`) or "after `c`" to `sql`.
fn keyset(sql: &mut String, binds: &mut Vec<Bind>, c: Cursor, older: bool) {
    let (at, id) = (binds.len() + 1, binds.len() + 2);
    let op = if older { '<' } else { '>' };
    // Spelt out rather than as a row value `(received_at, id) < ($a, $b)`: both databases use
    // the index range on received_at for this form.
    let cmp = if older { "<=" } else { ">=" };
    sql.push_str(&format!(
        " and received_at {cmp} ${at} and (received_at {op} ${at} or id {op} ${id})"
    ));
    binds.push(Bind::Int(c.received_at.as_millis()));
    binds.push(Bind::Int(c.id.get()));
}

/// The page `at` of the tenant's events matching `filter`, at most `limit` (capped at
/// [`MAX_PAGE`]) long.
pub async fn page(
    db: &Db,
    tenant_id: TenantId,
    filter: &HistoryFilter,
    at: PageAt,
    limit: u32,
) -> Result<HistoryPage> {
    let limit = limit.clamp(1, MAX_PAGE);
    let (mut sql, mut binds) = conditions(tenant_id, filter);
    let newest_first = match at {
        PageAt::Newest => true,
        PageAt::Before(c) => {
            keyset(&mut sql, &mut binds, c, true);
            true
        }
        PageAt::After(c) => {
            keyset(&mut sql, &mut binds, c, false);
            false
        }
    };
    let order = if newest_first { "desc" } else { "asc" };
    // One more than shown: whether it came says whether there is a page beyond.
    let sql = format!(
        "{SELECT} where {sql} order by received_at {order}, id {order} limit {}",
        limit + 1
    );
    let rows: Vec<DbEvent> = with_tenant!(db, tenant_id, conn => {
        let mut query = sqlx::query_as(&sql);
        for bind in &binds {
            query = match bind {
                Bind::Int(n) => query.bind(*n),
                Bind::Text(t) => query.bind(t.as_str()),
            };
        }
        query.fetch_all(conn).await
    })?;
    let mut events = rows
        .into_iter()
        .map(DbEvent::into_event)
        .collect::<Result<Vec<_>>>()?;
    let beyond = events.len() > limit as usize;
    events.truncate(limit as usize);
    if !newest_first {
        events.reverse();
    }
    let (first, last) = (
        events.first().map(Cursor::of),
        events.last().map(Cursor::of),
    );
    // Across the cursor there is at least the row the cursor came from.
    let (older, newer) = match at {
        PageAt::Newest => (beyond.then_some(last).flatten(), None),
        PageAt::Before(_) => (beyond.then_some(last).flatten(), first),
        PageAt::After(_) => (last, beyond.then_some(first).flatten()),
    };
    Ok(HistoryPage {
        events,
        older,
        newer,
    })
}

/// How many events of a status match a filter, up to [`COUNT_CAP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusCount {
    /// The status.
    pub status: EventStatus,
    /// How many (at most [`COUNT_CAP`]).
    pub count: i64,
    /// Whether there are more than `count`.
    pub more: bool,
}

/// For each status (in life order), how many of the tenant's events match `filter` with its
/// status replaced by that one: what each status button of the filter would show.
///
/// First one grouped count of the filter without its status, stopped after [`EXACT_UP_TO`]
/// rows (a narrow filter — a record number, a short time range — is read through its own
/// index and counted exactly); only a wider filter falls back to one capped count per status,
/// each a bounded walk of the status index.
pub async fn counts(
    db: &Db,
    tenant_id: TenantId,
    filter: &HistoryFilter,
) -> Result<Vec<StatusCount>> {
    let any_status = HistoryFilter {
        status: None,
        ..filter.clone()
    };
    let (sql, binds) = conditions(tenant_id, &any_status);
    let grouped: Vec<(String, i64)> = fetch_counts(
        db,
        tenant_id,
        &format!(
            "select status, count(*) from (select status from webhook_events where {sql} \
             limit {}) capped group by status",
            EXACT_UP_TO + 1
        ),
        &binds,
    )
    .await?;
    let total: i64 = grouped.iter().map(|(_, n)| n).sum();
    if total <= EXACT_UP_TO {
        return EventStatus::ALL
            .into_iter()
            .map(|status| {
                let count = grouped
                    .iter()
                    .find(|(s, _)| s == status.as_str())
                    .map_or(0, |(_, n)| *n);
                Ok(StatusCount {
                    status,
                    count,
                    more: false,
                })
            })
            .collect();
    }
    let mut out = Vec::with_capacity(EventStatus::ALL.len());
    for status in EventStatus::ALL {
        let filter = HistoryFilter {
            status: Some(status),
            ..filter.clone()
        };
        let (sql, binds) = conditions(tenant_id, &filter);
        // Counting stops at the cap: a bounded walk of the status index.
        let sql = format!(
            "select '', count(*) from (select 1 from webhook_events where {sql} limit {}) capped",
            COUNT_CAP + 1
        );
        let n = fetch_counts(db, tenant_id, &sql, &binds)
            .await?
            .first()
            .map_or(0, |(_, n)| *n);
        out.push(StatusCount {
            status,
            count: n.min(COUNT_CAP),
            more: n > COUNT_CAP,
        });
    }
    Ok(out)
}

async fn fetch_counts(
    db: &Db,
    tenant_id: TenantId,
    sql: &str,
    binds: &[Bind],
) -> Result<Vec<(String, i64)>> {
    let rows = with_tenant!(db, tenant_id, conn => {
        let mut query = sqlx::query_as(sql);
        for bind in binds {
            query = match bind {
                Bind::Int(n) => query.bind(*n),
                Bind::Text(t) => query.bind(t.as_str()),
            };
        }
        query.fetch_all(conn).await
    })?;
    Ok(rows)
}

/// The tenant's events about record `number` of `kind` (the number it has after the event),
/// newest first, at most `limit`.
pub async fn of_record(
    db: &Db,
    tenant_id: TenantId,
    kind: Entity,
    number: &str,
    limit: u32,
) -> Result<Vec<Event>> {
    let rows: Vec<DbEvent> = with_tenant!(db, tenant_id, conn => sqlx::query_as(&format!(
        "{SELECT} where tenant_id = $1 and kind = $2 and record_key = $3 \
         order by received_at desc, id desc limit $4"
    ))
    .bind(tenant_id)
    .bind(kind.as_str())
    .bind(number)
    .bind(i64::from(limit.min(MAX_PAGE)))
    .fetch_all(conn)
    .await)?;
    rows.into_iter().map(DbEvent::into_event).collect()
}

/// The tenant's events folded into event `id` (their outcome is "coalesced into `id`"),
/// oldest first.
pub async fn coalesced_into(db: &Db, tenant_id: TenantId, id: EventId) -> Result<Vec<Event>> {
    let rows: Vec<DbEvent> = with_tenant!(db, tenant_id, conn => sqlx::query_as(&format!(
        "{SELECT} where tenant_id = $1 and coalesced_into = $2 order by id limit {MAX_PAGE}"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_all(conn)
    .await)?;
    rows.into_iter().map(DbEvent::into_event).collect()
}

/// What changes when the tenant's history changes: its newest event, and how many of its
/// events wait (with the last change among them). Cheap enough to ask every second: both parts
/// read an index, the second at most a thousand rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LiveMark {
    /// The newest event's position.
    pub newest: Option<Cursor>,
    /// Events waiting (received, queued, processing, failed), counted up to 1,000.
    pub waiting: i64,
    /// The latest `updated_at` among those.
    pub changed: Option<i64>,
}

/// The tenant's [`LiveMark`] now.
pub async fn live_mark(db: &Db, tenant_id: TenantId) -> Result<LiveMark> {
    let newest: Option<(Timestamp, EventId)> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select received_at, id from webhook_events where tenant_id = $1 \
         order by received_at desc, id desc limit 1",
    )
    .bind(tenant_id)
    .fetch_optional(conn)
    .await)?;
    let (waiting, changed): (i64, Option<i64>) = with_tenant!(db, tenant_id, conn => sqlx::query_as(&format!(
        "select count(*), max(updated_at) from (select updated_at from webhook_events \
         where tenant_id = $1 and status in {} limit 1000) w",
        super::WAITING
    ))
    .bind(tenant_id)
    .fetch_one(conn)
    .await)?;
    Ok(LiveMark {
        newest: newest.map(|(received_at, id)| Cursor { received_at, id }),
        waiting,
        changed,
    })
}
