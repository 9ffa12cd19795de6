//! The page that lists the caught mails (`GET /`, one mail at `GET /mails/{id}`), and its JSON
//! twin for tests and scripts: `GET /api/mails`, `DELETE /api/mails`, and
//! `POST /api/refusing` with `{"refusing": true}` to make the SMTP listener refuse mail.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::store::{CaughtMail, Store};

#[derive(Clone)]
struct Page {
    store: Arc<Store>,
    smtp_addr: SocketAddr,
}

/// Serve the page until `stop`.
pub(crate) async fn serve(
    listener: TcpListener,
    store: Arc<Store>,
    smtp_addr: SocketAddr,
    stop: CancellationToken,
) {
    let app = Router::new()
        .route("/", get(list))
        .route("/mails/{id}", get(one))
        .route("/api/mails", get(json).delete(clear))
        .route("/api/refusing", post(refusing))
        .with_state(Page { store, smtp_addr });
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .await;
    if let Err(e) = served {
        tracing::error!(error = %e, "mail catcher page failed");
    }
}

async fn json(State(page): State<Page>) -> Json<Vec<CaughtMail>> {
    Json(page.store.all())
}

async fn clear(State(page): State<Page>) -> StatusCode {
    page.store.clear();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct Refusing {
    refusing: bool,
}

async fn refusing(State(page): State<Page>, Json(body): Json<Refusing>) -> StatusCode {
    page.store.set_refusing(body.refusing);
    StatusCode::NO_CONTENT
}

async fn list(State(page): State<Page>) -> Html<String> {
    let mut mails = page.store.all();
    mails.reverse();
    let mut rows = String::new();
    for mail in &mails {
        let _ = write!(
            rows,
            "<tr data-test=\"mail\"><td>{}</td><td>{}</td><td><a href=\"/mails/{}\">{}</a></td></tr>",
            escape(&mail.received_at),
            escape(&mail.to.join(", ")),
            mail.id,
            escape(&mail.subject),
        );
    }
    if mails.is_empty() {
        rows.push_str("<tr><td colspan=\"3\">No mail yet.</td></tr>");
    }
    let refusing = if page.store.refusing() {
        "<p><strong>Refusing mail (451) — switched on through <code>POST /api/refusing</code>.</strong></p>"
    } else {
        ""
    };
    Html(document(
        "Mail catcher",
        &format!(
            "<h1>Mail catcher</h1>\
             <p>Every mail the app sends in demo mode lands here (SMTP on <code>{}</code>); \
             nothing leaves this machine. The page reloads every 5 seconds.</p>{refusing}\
             <table><thead><tr><th>Received (UTC)</th><th>To</th><th>Subject</th></tr></thead>\
             <tbody>{rows}</tbody></table>",
            page.smtp_addr
        ),
        true,
    ))
}

async fn one(State(page): State<Page>, Path(id): Path<u64>) -> Response {
    let Some(mail) = page.store.get(id) else {
        return (
            StatusCode::NOT_FOUND,
            Html(document(
                "Not found",
                "<p>No such mail. <a href=\"/\">All mails</a></p>",
                false,
            )),
        )
            .into_response();
    };
    let html_part = match &mail.html {
        // A sandboxed frame: the mail's HTML can neither run scripts nor reach this page.
        Some(html) => format!(
            "<h2>HTML</h2><iframe sandbox title=\"HTML part\" srcdoc=\"{}\"></iframe>",
            escape(html)
        ),
        None => String::new(),
    };
    let body = format!(
        "<p><a href=\"/\">← All mails</a></p><h1 data-test=\"subject\">{}</h1>\
         <dl><dt>From</dt><dd>{}</dd><dt>To</dt><dd>{}</dd><dt>Received (UTC)</dt><dd>{}</dd>\
         <dt>Message-ID</dt><dd>{}</dd></dl>\
         <h2>Text</h2><pre data-test=\"text\">{}</pre>{html_part}",
        escape(&mail.subject),
        escape(&mail.from),
        escape(&mail.to.join(", ")),
        escape(&mail.received_at),
        escape(&mail.message_id),
        linkify(&mail.text),
    );
    Html(document(&mail.subject, &body, false)).into_response()
}

/// The text, escaped, with its links clickable.
fn linkify(text: &str) -> String {
    let links = crate::store::links_in(text);
    let mut out = escape(text);
    for link in links {
        let escaped = escape(&link);
        out = out.replacen(
            &escaped,
            &format!("<a href=\"{escaped}\" data-test=\"mail-link\">{escaped}</a>"),
            1,
        );
    }
    out
}

fn document(title: &str, body: &str, refresh: bool) -> String {
    let refresh = if refresh {
        "<meta http-equiv=\"refresh\" content=\"5\">"
    } else {
        ""
    };
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">{refresh}\
         <title>{}</title><style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;\
         padding:0 1rem}}table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid \
         #ddd;padding:.4rem;text-align:left}}pre{{white-space:pre-wrap;background:#f6f6f6;\
         padding:1rem}}iframe{{width:100%;height:30rem;border:1px solid #ddd}}</style></head>\
         <body>{body}</body></html>",
        escape(title)
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
