//! `GET /lang/{code}?next=/path`: remembers the language in a cookie and goes back; for a
//! logged-in user also as the language of their mails.

use app::i18n::{LANG_COOKIE, Lang};
use app::ssr::auth::{AUTH_KEY, Actor, AuthState};
use app::ssr::state::AppState;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use tower_sessions::Session;

pub fn router() -> Router<AppState> {
    Router::new().route("/lang/{code}", get(switch))
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

async fn switch(
    State(state): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    Query(query): Query<Next>,
) -> Response {
    let Some(lang) = Lang::from_code(&code) else {
        return (StatusCode::NOT_FOUND, "unknown language").into_response();
    };
    // A user (not staff acting for one) reads the app in this language: their mails follow.
    let auth = session.get::<AuthState>(AUTH_KEY).await.ok().flatten();
    if let Some(AuthState {
        actor: Actor::User(user),
        ..
    }) = auth
    {
        let (user, now) = (backend::UserId::new(user), backend::Timestamp::now());
        if let Err(e) =
            backend::accounts::set_language(&state.db, user, lang.mail_language(), now).await
        {
            // The page's language still switches; only the mails keep the old one.
            tracing::error!(error = ?e, "remembering the user's language failed");
        }
    }
    let next = query
        .next
        .filter(|n| is_local_path(n))
        .unwrap_or_else(|| "/".to_owned());
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
}

/// Only paths on this site: no scheme, no `//host`, no backslash tricks, and no control
/// characters (browsers drop tabs and line breaks, so `/<TAB>/evil.example` is `//evil.example`).
fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.contains(':')
        && !path.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::is_local_path;

    #[test]
    fn only_local_paths_are_followed() {
        assert!(is_local_path("/settings"));
        assert!(!is_local_path("//evil.example/x"));
        assert!(!is_local_path("https://evil.example"));
        assert!(!is_local_path("/\\evil.example"));
        assert!(!is_local_path("settings"));
        assert!(!is_local_path("/\t/evil.example"));
        assert!(!is_local_path("/\r\n/evil.example"));
    }
}
