//! Sends visitors who are not logged in from protected pages to the login page, before anything
//! is rendered: a plain 302 that works without JavaScript and leaks nothing of the page.

use app::components::layout::PROTECTED_PREFIXES;
use app::ssr::session::{AUTH_KEY, AuthState};
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

/// Redirects GETs of protected pages to `/login` when the session holds no login.
pub async fn require_login(session: Session, request: Request, next: Next) -> Response {
    if request.method() == Method::GET && is_protected(request.uri().path()) {
        let logged_in = matches!(session.get::<AuthState>(AUTH_KEY).await, Ok(Some(auth)) if auth.acting_tenant.is_some());
        if !logged_in {
            // 302 like the redirects Leptos itself sends (`/` → `/login`).
            return (StatusCode::FOUND, [(header::LOCATION, "/login")]).into_response();
        }
    }
    next.run(request).await
}

fn is_protected(path: &str) -> bool {
    PROTECTED_PREFIXES.iter().any(|prefix| {
        path == *prefix
            || path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

#[cfg(test)]
mod tests {
    use super::is_protected;

    #[test]
    fn protects_pages_and_their_subpages_only() {
        assert!(is_protected("/settings"));
        assert!(is_protected("/settings/apps/economic/advanced"));
        assert!(is_protected("/events"));
        assert!(!is_protected("/settingsx"));
        assert!(!is_protected("/login"));
        assert!(!is_protected("/"));
    }
}
