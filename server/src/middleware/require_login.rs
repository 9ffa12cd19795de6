//! Sends visitors who are not logged in from protected pages to the login page, before anything
//! is rendered: a plain 302 that works without JavaScript and leaks nothing of the page. `/`, the
//! home page, is one of them: a company's user sees their sync health there. The staff dashboard
//! likewise sends anyone without a staff session to the staff login page.

use app::PROTECTED_PREFIXES;
use app::ssr::session::{AUTH_KEY, Actor, AuthState};
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

/// Redirects GETs of protected pages to `/login` when the session holds no login.
pub async fn require_login(session: Session, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if request.method() == Method::GET && is_staff_page(path) {
        let staff = matches!(session.get::<AuthState>(AUTH_KEY).await, Ok(Some(auth)) if matches!(auth.actor, Actor::Staff(_)));
        if !staff {
            return found("/staff/login");
        }
        return next.run(request).await;
    }
    if request.method() != Method::GET || !(path == "/" || is_protected(path)) {
        return next.run(request).await;
    }
    let logged_in = matches!(session.get::<AuthState>(AUTH_KEY).await, Ok(Some(auth)) if auth.acting_tenant.is_some());
    if logged_in {
        next.run(request).await
    } else {
        found("/login")
    }
}

fn found(location: &'static str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

/// The staff pages that need a staff session (all but the two log-in steps).
fn is_staff_page(path: &str) -> bool {
    (path == "/staff" || path.starts_with("/staff/"))
        && !matches!(path, "/staff/login" | "/staff/verify")
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
    use super::{is_protected, is_staff_page};

    #[test]
    fn the_staff_pages_need_a_staff_session_but_their_log_in_steps() {
        assert!(is_staff_page("/staff"));
        assert!(is_staff_page("/staff/tenants/1"));
        assert!(!is_staff_page("/staff/login"));
        assert!(!is_staff_page("/staff/verify"));
        assert!(!is_staff_page("/staffing"));
    }

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
