//! Sends visitors who are not logged in from protected pages to the login page, before anything
//! is rendered: a plain 302 that works without JavaScript and leaks nothing of the page. `/`
//! itself is a plain 302 too: to the settings when logged in, else to the login page.

use app::components::layout::PROTECTED_PREFIXES;
use app::ssr::session::{AUTH_KEY, AuthState};
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

/// Redirects GETs of protected pages to `/login` when the session holds no login.
pub async fn require_login(session: Session, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if request.method() != Method::GET || !(path == "/" || is_protected(path)) {
        return next.run(request).await;
    }
    let logged_in = matches!(session.get::<AuthState>(AUTH_KEY).await, Ok(Some(auth)) if auth.acting_tenant.is_some());
    match (path == "/", logged_in) {
        (true, true) => found("/settings"),
        (_, false) => found("/login"),
        (false, true) => next.run(request).await,
    }
}

fn found(location: &'static str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
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
