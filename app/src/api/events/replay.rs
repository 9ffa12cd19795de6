//! Replay by hand, as server functions: one event (the history row, the event's own page) and
//! every failed or dead event of the company. A selection, and every failed or dead event of a
//! filter, are replayed by the plain form handler `POST /events/replay` of the server (a
//! no-JavaScript form sends a selection as repeated `id` fields, which server functions do not
//! read).

use leptos::prelude::*;

use crate::api::CsrfToken;
use crate::error::AppError;

/// Put one of the caller's events back in the queue (a processed one is applied again), then
/// go to `back` (a page of the history; anything else goes to the list).
#[server(prefix = "/api", endpoint = "replay_event")]
pub async fn replay_event(
    csrf_token: CsrfToken,
    id: i64,
    back: Option<String>,
) -> Result<(), AppError> {
    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    ctx.manager()?;
    let write = ctx.writable()?;
    let state = &ctx.state;
    let id = backend::events::EventId::new(id);
    backend::queue::replay(&state.db, ctx.tenant_id, id, backend::Timestamp::now()).await?;
    state.signal.notify();
    let detail = format!("event {id}");
    ctx.audit(&write, backend::audit::Action::EventsReplayed, &detail)
        .await;
    let back = back.filter(|b| is_history_path(b)).map_or_else(
        || "/events?replayed=1".to_owned(),
        |b| with_param(&b, "replayed=1"),
    );
    leptos_axum::redirect(&back);
    Ok(())
}

/// Dismiss one of the caller's dead events: it needs no replay, stops counting as a problem, and
/// the retention job may delete it once it is old enough. A replay undoes it.
#[server(prefix = "/api", endpoint = "dismiss_event")]
pub async fn dismiss_event(csrf_token: CsrfToken, id: i64) -> Result<(), AppError> {
    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    ctx.manager()?;
    let write = ctx.writable()?;
    let state = &ctx.state;
    let id = backend::events::EventId::new(id);
    backend::queue::dismiss(&state.db, ctx.tenant_id, id, backend::Timestamp::now()).await?;
    let detail = format!("event {id}");
    ctx.audit(&write, backend::audit::Action::EventDismissed, &detail)
        .await;
    leptos_axum::redirect(&format!("/events/{id}"));
    Ok(())
}

/// Put every failed and dead event of the caller's company back in the queue.
#[server(prefix = "/api", endpoint = "replay_failed")]
pub async fn replay_failed(csrf_token: CsrfToken) -> Result<u64, AppError> {
    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    ctx.manager()?;
    let write = ctx.writable()?;
    let state = &ctx.state;
    let n =
        backend::queue::replay_failed(&state.db, ctx.tenant_id, backend::Timestamp::now()).await?;
    state.signal.notify();
    let detail = format!("{n} failed events");
    ctx.audit(&write, backend::audit::Action::EventsReplayed, &detail)
        .await;
    leptos_axum::redirect(&format!("/events?replayed={n}"));
    Ok(n)
}

/// Whether `path` is a page of the event history (a safe place to send the browser back to:
/// never another site).
pub fn is_history_path(path: &str) -> bool {
    (path == "/events" || path.starts_with("/events?") || path.starts_with("/events/"))
        && !path.contains("//")
        && !path.contains('\\')
}

/// `path` with `param` (`key=value`) added to its query, replacing an earlier `replayed=`.
pub fn with_param(path: &str, param: &str) -> String {
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let mut parts: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("replayed=") && !p.starts_with("confirm="))
        .collect();
    parts.push(param);
    format!("{base}?{}", parts.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_history_pages_are_places_to_go_back_to() {
        assert!(is_history_path("/events"));
        assert!(is_history_path("/events/12"));
        assert!(is_history_path("/events?status=dead"));
        assert!(!is_history_path("https://evil.test/events"));
        assert!(!is_history_path("//evil.test/events"));
        assert!(!is_history_path("/events//evil.test"));
        assert!(!is_history_path("/eventsx"));
    }

    #[test]
    fn the_result_replaces_an_earlier_one() {
        assert_eq!(
            with_param("/events/3", "replayed=1"),
            "/events/3?replayed=1"
        );
        assert_eq!(
            with_param("/events?status=dead&replayed=4&confirm=1", "replayed=2"),
            "/events?status=dead&replayed=2"
        );
    }
}
