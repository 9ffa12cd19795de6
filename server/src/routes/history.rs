//! The event history's plain routes, beside its pages and server functions:
//!
//! - `POST /events/replay`: replay a selection (`scope=selected` with repeated `id` fields, or
//!   one row's `only=<id>`) or every failed and dead event of the filter (`scope=filter`), then
//!   303 back to the same filtered view with the result (`replayed=<n>`). A no-JavaScript form
//!   sends a selection as repeated fields, which server functions do not read.
//! - `GET /events/export.csv?<filter>`: the filter's events as CSV, streamed page by page from
//!   keyset queries, so memory stays flat however many rows there are.
//! - `GET /events/live`: server-sent events; one `changed` message whenever the company's
//!   history changes (a new event, a status change), for the page to refetch. At most
//!   [`LIVE_PER_SESSION`] at once per session, and each ends soon after its session does
//!   (log-out, a new session id, an impersonation that ended or lost its tenant's consent).
//!
//! All three are behind the session and CSRF layers, take the tenant from the session only,
//! and answer another company's ids as if they did not exist.
//!
//! The CSV is written by hand (a dozen lines): the `csv` crate would be a new dependency for
//! quoting alone, and cells must also be defused against spreadsheet formulas, which it does
//! not do.

use app::api::events::HistoryQuery;
use app::api::events::convert::filter as backend_filter;
use app::error::AppError;
use app::i18n::Lang;
use app::ssr::auth::AnonymousCsrf;
use app::ssr::entrance::{Read, Tenant, Visitor};
use app::ssr::state::AppState;
use axum::Extension;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use backend::economic::WebhookAction;
use backend::events::{Event, EventId, PageAt};
use backend::{Db, TenantId, Timestamp};
use futures::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;
use tower_sessions::Session;

mod live;

pub use live::LIVE_PER_SESSION;

/// Rows per query of the export (each a keyset page; one page is in memory at a time).
const EXPORT_PAGE: u32 = 500;

/// Ends every live stream when the server shuts down (an open stream would otherwise hold
/// graceful shutdown forever).
#[derive(Debug, Clone, Default)]
pub struct Closing(pub CancellationToken);

/// The routes; `closing` ends the live streams.
pub fn router(closing: Closing) -> Router<AppState> {
    let open = live::OpenStreams::default();
    Router::new()
        .route("/events/replay", post(replay))
        .route("/events/export.csv", get(export))
        .route(
            "/events/live",
            get(move |state, session, headers| {
                live::stream(state, session, headers, closing.clone(), open.clone())
            }),
        )
}

/// `error` as a plain answer in the visitor's language.
fn error_response(headers: &HeaderMap, error: AppError) -> Response {
    let lang = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_cookie_header)
        .unwrap_or_default();
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, error.message().text(lang)).into_response()
}

async fn tenant(state: &AppState, session: &Session) -> Result<Tenant<Read>, AppError> {
    Visitor::read_in(state.clone(), session.clone())
        .tenant()
        .await
}

fn query_of(raw: Option<&str>) -> HistoryQuery {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.unwrap_or_default()).unwrap_or_default();
    HistoryQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

async fn replay(
    State(state): State<AppState>,
    session: Session,
    anonymous: Option<Extension<AnonymousCsrf>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let anonymous = anonymous.map(|Extension(nonce)| nonce);
    match replay_form(state, session, anonymous.as_ref(), &headers, &body).await {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(e) => error_response(&headers, e),
    }
}

/// Replays what the form asks for; returns where to go next.
async fn replay_form(
    state: AppState,
    session: Session,
    anonymous: Option<&AnonymousCsrf>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<String, AppError> {
    let parsed = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body);
    let readable = parsed.is_ok();
    let pairs = parsed.unwrap_or_default();
    let value = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    // The CSRF layer took the token from the header or the form; the entrance looks again.
    let token = headers
        .get(crate::middleware::csrf::HEADER)
        .and_then(|v| v.to_str().ok())
        .or_else(|| value(crate::middleware::csrf::FIELD))
        .unwrap_or_default();
    let ctx = Visitor::change_in(state, session, token, anonymous)
        .await?
        .tenant()
        .await?;
    ctx.manager()?;
    let write = ctx.writable()?;
    let state = &ctx.state;
    if !readable {
        return Err(AppError::Request("unreadable form".to_owned()));
    }
    let query = HistoryQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let now = Timestamp::now();
    let ids = |key: &str| -> Vec<EventId> {
        pairs
            .iter()
            .filter(|(k, _)| k == key)
            .filter_map(|(_, v)| v.parse().ok())
            .collect()
    };
    let n = match (value("only"), value("scope")) {
        (Some(_), _) => {
            backend::queue::replay_selected(&state.db, ctx.tenant_id, &ids("only"), now).await?
        }
        (None, Some("filter")) => {
            let filter = backend_filter(&query);
            backend::queue::replay_matching(&state.db, ctx.tenant_id, &filter, now).await?
        }
        (None, _) => {
            backend::queue::replay_selected(&state.db, ctx.tenant_id, &ids("id"), now).await?
        }
    };
    if n > 0 {
        state.signal.notify();
        let detail = format!("{n} events");
        ctx.audit(&write, backend::audit::Action::EventsReplayed, &detail)
            .await;
    }
    Ok(query.href("/events", &[format!("replayed={n}")]))
}

async fn export(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let ctx = match tenant(&state, &session).await {
        Ok(ctx) => ctx,
        Err(e) => return error_response(&headers, e),
    };
    let filter = backend_filter(&query_of(raw.as_deref()));
    let rows = export_rows(state.db.clone(), ctx.tenant_id, filter);
    let body = futures::stream::once(async { Ok::<_, backend::Error>(Bytes::from(header_row())) })
        .chain(rows);
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"events.csv\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// The export's columns, in order. Stable: scripts read them by name.
pub const COLUMNS: [&str; 16] = [
    "id",
    "received_at",
    "kind",
    "action",
    "old_number",
    "new_number",
    "invoice_number",
    "status",
    "attempts",
    "processed_at",
    "next_attempt_at",
    "outcome",
    "error",
    "content_type",
    "query",
    "body",
];

fn header_row() -> String {
    let mut line = COLUMNS.join(",");
    line.push_str("\r\n");
    line
}

/// The rows of the export, one chunk per keyset page. A database error ends the stream with
/// an error, which aborts the response (the download fails instead of looking complete).
fn export_rows(
    db: Db,
    tenant_id: TenantId,
    filter: backend::events::HistoryFilter,
) -> impl Stream<Item = Result<Bytes, backend::Error>> + Send {
    futures::stream::try_unfold(Some(PageAt::Newest), move |at| {
        let (db, filter) = (db.clone(), filter.clone());
        async move {
            let Some(at) = at else { return Ok(None) };
            let page = backend::events::page(&db, tenant_id, &filter, at, EXPORT_PAGE).await?;
            let mut chunk = String::new();
            for e in &page.events {
                csv_row(&mut chunk, e);
            }
            let next = page.older.map(PageAt::Before);
            if page.events.is_empty() {
                return Ok(None);
            }
            Ok(Some((Bytes::from(chunk), next)))
        }
    })
}

fn csv_row(out: &mut String, e: &Event) {
    let action = e.action.as_ref().map(|a| {
        match a {
            WebhookAction::Created(_) => "created",
            WebhookAction::Updated(_) => "updated",
            WebhookAction::Renumbered { .. } => "renumbered",
            WebhookAction::Deleted(_) => "deleted",
            WebhookAction::InvoiceBooked(_) => "invoice_booked",
        }
        .to_owned()
    });
    // Our own enum: serialising it cannot fail.
    let outcome = e
        .outcome
        .as_ref()
        .and_then(|o| serde_json::to_string(o).ok());
    let error = e.last_error.clone().or_else(|| e.reason.clone());
    let cells: [Option<String>; 16] = [
        Some(e.id.to_string()),
        Some(e.received_at.to_rfc3339()),
        Some(e.kind.as_str().to_owned()),
        action,
        e.old_number.clone(),
        e.new_number.clone(),
        e.invoice_number.clone(),
        Some(e.status.as_str().to_owned()),
        Some(e.attempts.to_string()),
        e.processed_at.map(Timestamp::to_rfc3339),
        e.next_attempt_at.map(Timestamp::to_rfc3339),
        outcome,
        error,
        e.content_type.clone(),
        e.raw_query.clone(),
        Some(e.raw_body.clone()),
    ];
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_cell(out, cell.as_deref().unwrap_or_default());
    }
    out.push_str("\r\n");
}

/// One CSV cell (RFC 4180 quoting), defused against spreadsheet formulas ([`defuse`]): the
/// body, the query and record numbers are what strangers sent or typed into e-conomic.
fn push_cell(out: &mut String, value: &str) {
    let defused = defuse(value);
    let quote = defused != value || value.contains([',', '"', '\n', '\r']);
    if !quote {
        out.push_str(value);
        return;
    }
    out.push('"');
    out.push_str(&defused.replace('"', "\"\""));
    out.push('"');
}

/// What starts a formula in a spreadsheet cell.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `value` with a `'` before every piece a spreadsheet could run as a formula. A piece starts
/// at the start of the cell, and after every `;` and line break: Danish Excel splits a
/// double-clicked `.csv` on `;` (its list separator), not on our `,`, and then a `;` or a line
/// break inside a cell starts a new cell whatever the quoting. Leading spaces and quotes are
/// looked through.
fn defuse(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 1);
    let mut rest = value;
    loop {
        if rest
            .trim_start_matches([' ', '"'])
            .starts_with(FORMULA_START)
        {
            out.push('\'');
        }
        match rest.find([';', '\n', '\r']) {
            Some(at) => {
                out.push_str(&rest[..=at]);
                rest = &rest[at + 1..];
            }
            None => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use backend::events::Cursor;

    #[test]
    fn cells_are_quoted_and_defused() {
        let mut out = String::new();
        for v in [
            "plain",
            "a,b",
            "say \"hi\"",
            "line\nbreak",
            "=1+2",
            "-3",
            "",
        ] {
            push_cell(&mut out, v);
            out.push('|');
        }
        assert_eq!(
            out,
            "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"line\nbreak\"|\"'=1+2\"|\"'-3\"||"
        );
    }

    #[test]
    fn every_piece_a_semicolon_or_line_break_starts_is_defused() {
        assert_eq!(defuse("x538;=1+2"), "x538;'=1+2");
        assert_eq!(defuse("a;b"), "a;b");
        assert_eq!(defuse("a\n@SUM(1)"), "a\n'@SUM(1)");
        assert_eq!(defuse("a;\r\n+1"), "a;'\r\n'+1");
        assert_eq!(defuse(" =1"), "' =1");
        assert_eq!(defuse("a;\"=1"), "a;'\"=1");
        let mut out = String::new();
        push_cell(&mut out, "x538;=1+2");
        assert_eq!(out, "\"x538;'=1+2\"");
    }

    #[test]
    fn cursor_text_is_what_the_pages_link() {
        let c = Cursor {
            received_at: Timestamp::from_millis(5),
            id: EventId::new(7),
        };
        assert_eq!(c.to_string(), "5_7");
    }
}
