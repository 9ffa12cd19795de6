//! `GET /events/live`: server-sent events, one `changed` message whenever the company's
//! history changes (a new event, a status change), for the page to refetch.
//!
//! Each stream costs a query a second, so one session holds at most [`LIVE_PER_SESSION`] at
//! once (more are refused with 429). And a stream ends soon after its session does — a log-out,
//! a new session id, an impersonation that ended, ran out or lost the company's consent —
//! because every few looks it re-reads its session from the store and checks it as a request
//! would be checked.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::error::AppError;
use app::ssr::session;
use app::ssr::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use backend::TenantId;
use backend::events::LiveMark;
use futures::{Stream, StreamExt};
use tower_sessions::Session;

use super::{Closing, error_response, tenant};

/// How often a live stream looks whether the history changed.
const LIVE_POLL: Duration = Duration::from_secs(1);
/// Live streams one session may hold open at once (a few tabs of the history); more are
/// refused with 429, since each costs a query a second.
pub const LIVE_PER_SESSION: usize = 4;
/// Every how many looks a live stream checks that its session still stands.
const SESSION_CHECK_EVERY: u32 = 3;
/// What a refused live stream asks the page to wait.
const LIVE_RETRY_SECS: u64 = 10;

/// The live streams open in this process, per session id.
#[derive(Debug, Clone, Default)]
pub(super) struct OpenStreams(Arc<Mutex<HashMap<String, usize>>>);

impl OpenStreams {
    /// A slot for one more stream of `session`, unless it holds [`LIVE_PER_SESSION`] already.
    fn take(&self, session: String) -> Option<StreamSlot> {
        // A std mutex held only to count: never across an await.
        let mut open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(session.clone()).or_insert(0);
        if *count >= LIVE_PER_SESSION {
            return None;
        }
        *count += 1;
        Some(StreamSlot {
            open: self.clone(),
            session,
        })
    }
}

/// One open stream's place in [`OpenStreams`], given back when the stream is dropped (it
/// ended, or the browser went away).
#[derive(Debug)]
struct StreamSlot {
    open: OpenStreams,
    session: String,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.open.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.session) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.session);
            }
        }
    }
}

/// The handler: the session's tenant, a slot, then the stream until the session ends, the
/// browser goes away or the server shuts down (`closing`).
pub(super) async fn stream(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    closing: Closing,
    open: OpenStreams,
) -> Response {
    let ctx = match tenant(&state, &session).await {
        Ok(ctx) => ctx,
        Err(e) => return error_response(&headers, e),
    };
    // A logged-in session always has an id (it was loaded from the store by it).
    let Some(slot) = session.id().and_then(|id| open.take(id.to_string())) else {
        let refused = AppError::TooManyAttempts {
            retry_after_secs: LIVE_RETRY_SECS,
        };
        let mut response = error_response(&headers, refused);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, LIVE_RETRY_SECS.into());
        return response;
    };
    let watch = Watch {
        state,
        session,
        tenant_id: ctx.tenant_id,
        user_id: ctx.user_id,
        _slot: slot,
    };
    let stream = changes(watch)
        .take_until(closing.0.cancelled_owned())
        .map(|news| {
            // `ready` (a named event, which the page ignores) once the first look is taken:
            // what changes after it is announced; tests wait for it instead of sleeping.
            let event = match news {
                News::Ready => SseEvent::default().event("ready").data("ready"),
                News::Changed => SseEvent::default().data("changed"),
            };
            Ok::<_, Infallible>(event)
        });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// What a live stream says.
enum News {
    /// It has looked once; changes from now on are announced.
    Ready,
    /// The history changed.
    Changed,
}

/// What one live stream watches, and for whom.
struct Watch {
    state: AppState,
    /// The request's session; re-read from the store at each check.
    session: Session,
    tenant_id: TenantId,
    user_id: backend::UserId,
    /// Held for as long as the stream lives.
    _slot: StreamSlot,
}

impl Watch {
    /// Whether the session still acts for the same tenant as the same user, with every check a
    /// request gets: re-read from the store, a logged-out or cycled session is gone, and an
    /// impersonation past its time, stopped or forbidden no longer passes.
    async fn session_stands(&self) -> bool {
        if self.session.load().await.is_err() {
            // The store did not answer: keep going, the next check looks again.
            return true;
        }
        matches!(
            session::tenant_user(&self.state, &self.session).await,
            Ok(ctx) if ctx.tenant_id == self.tenant_id && ctx.user_id == self.user_id
        )
    }
}

/// [`News::Ready`], then a [`News::Changed`] each time the tenant's history has changed since
/// the last look; ends when the session no longer stands.
fn changes(watch: Watch) -> impl Stream<Item = News> + Send {
    futures::stream::unfold(
        (watch, None, 0u32),
        |(watch, mut last, mut looks): (Watch, Option<LiveMark>, u32)| async move {
            loop {
                if last.is_some() {
                    tokio::time::sleep(LIVE_POLL).await;
                }
                looks = looks.wrapping_add(1);
                if looks % SESSION_CHECK_EVERY == 0 && !watch.session_stands().await {
                    tracing::debug!("a live stream ended with its session");
                    return None;
                }
                // A failed look is skipped: the next second looks again.
                let Ok(mark) = backend::events::live_mark(&watch.state.db, watch.tenant_id).await
                else {
                    last.get_or_insert(LiveMark::default());
                    continue;
                };
                let news = match last.replace(mark) {
                    None => News::Ready,
                    Some(before) if before != mark => News::Changed,
                    Some(_) => continue,
                };
                return Some((news, (watch, last, looks)));
            }
        },
    )
}
