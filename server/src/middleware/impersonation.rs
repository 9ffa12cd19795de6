//! The server's side of staff impersonation, for every browser request of an
//! impersonating session, whatever route it reaches:
//!
//! - **Read-only by default**: any request that is not GET or HEAD is refused here, before a
//!   handler runs, unless the impersonation was elevated — so a new route or server function
//!   cannot forget the check (`Tenant::writable` in the functions is the second line). Only
//!   stopping and elevating are let through.
//! - **No staff side from inside**: `/staff…` and the staff server functions are refused.
//! - **Time limit**: past its time (or ended elsewhere, or forbidden by the tenant meanwhile)
//!   the session falls back to the staff session, and a page request goes to the dashboard.
//! - **Audit**: every request is recorded with its method, path and answer (but the bundle's
//!   static files under `/pkg/`).
//! - **Banner**: every HTML page gets the banner, added to the document here rather than by a
//!   component, so no page can leave it out; its inline `!important` styles sit on a direct child
//!   of `<body>`, so no rule of the app's stylesheet can hide or restyle it.

use app::error::AppError;
use app::i18n::{Lang, Msg};
use app::ssr::impersonation::{self, Impersonating};
use app::ssr::session::CSRF_KEY;
use app::ssr::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use backend::impersonation::{Active, EndReason, SupportAccess};
use tower_sessions::Session;

use crate::middleware::csrf::error_answer;
use crate::telemetry::redacted_path;

/// The state-changing requests a read-only impersonation may make.
const ALWAYS_ALLOWED: [&str; 2] = ["/api/impersonation_stop", "/api/impersonation_elevate"];
/// Pages are small; a larger HTML answer is passed on without a banner (and logged).
const PAGE_LIMIT: usize = 8 * 1024 * 1024;

/// Applies the rules above to requests of an impersonating session; others pass untouched.
pub async fn guard(
    State(state): State<AppState>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    // The bundle's files hold no company data; not loading the session for them keeps asset
    // requests off the database.
    if request.uri().path().starts_with("/pkg/") {
        return next.run(request).await;
    }
    let marker = match impersonation::claimed(&session).await {
        Ok(Some(marker)) => marker,
        Ok(None) => return next.run(request).await,
        Err(e) => return error_answer(request.headers(), e),
    };
    let active = match running(&state, marker).await {
        Ok(Ok(active)) => active,
        Ok(Err(why)) => return fall_back(&state, &session, why, request, next).await,
        Err(e) => return error_answer(request.headers(), e),
    };
    let (method, path) = (
        request.method().clone(),
        redacted_path(request.uri().path()),
    );
    let headers = request.headers().clone();
    let response = match refusal(&method, &path, active.elevated) {
        Some(error) => error_answer(&headers, error),
        None => next.run(request).await,
    };
    let now = backend::Timestamp::now();
    let status = response.status().as_u16();
    let recorded = backend::impersonation::record_request(
        &state.db,
        active.tenant_id,
        active.id,
        method.as_str(),
        &path,
        status,
        now,
    )
    .await;
    if let Err(e) = recorded {
        tracing::error!(error = ?e, "impersonation request log write failed");
    }
    with_banner(&state, &session, &headers, &active, response).await
}

/// Why this request may not go on, if it may not.
fn refusal(method: &Method, path: &str, elevated: bool) -> Option<AppError> {
    if path == "/staff" || path.starts_with("/staff/") || path.starts_with("/api/staff_") {
        return Some(AppError::Impersonating);
    }
    let reads = *method == Method::GET || *method == Method::HEAD;
    (!reads && !elevated && !ALWAYS_ALLOWED.contains(&path)).then_some(AppError::ReadOnlySupport)
}

/// The impersonation if it still runs; else why it is over (past its time, or ended elsewhere,
/// forbidden by the tenant, its staff account disabled).
async fn running(
    state: &AppState,
    marker: Impersonating,
) -> Result<Result<Active, EndReason>, AppError> {
    let tenant = backend::TenantId::new(marker.tenant_id);
    match backend::impersonation::active(&state.db, tenant, marker.id).await {
        Ok(active) if active.expires_at > backend::Timestamp::now() => Ok(Ok(active)),
        Ok(_) => Ok(Err(EndReason::Expired)),
        Err(backend::Error::NotFound) => Ok(Err(EndReason::Revoked)),
        Err(e) => Err(e.into()),
    }
}

/// Ends an impersonation that is over and continues on the staff session; a page request goes
/// to the dashboard, which says why.
async fn fall_back(
    state: &AppState,
    session: &Session,
    why: EndReason,
    request: Request,
    next: Next,
) -> Response {
    if let Err(e) = impersonation::finish(state, session, why).await {
        return error_answer(request.headers(), e);
    }
    let path = request.uri().path();
    let page =
        request.method() == Method::GET && !path.starts_with("/api/") && !path.starts_with("/pkg/");
    if page {
        let ended = match why {
            EndReason::Expired => "expired",
            EndReason::Stopped | EndReason::Revoked => "revoked",
        };
        let to = format!("/staff?ended={ended}");
        return (StatusCode::FOUND, [(header::LOCATION, to)]).into_response();
    }
    next.run(request).await
}

/// Adds the banner to an HTML page.
async fn with_banner(
    state: &AppState,
    session: &Session,
    request_headers: &HeaderMap,
    active: &Active,
    response: Response,
) -> Response {
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let lang = request_headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_cookie_header)
        .unwrap_or_default();
    let csrf: String = session
        .get(CSRF_KEY)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let may_elevate = !active.elevated
        && matches!(
            backend::impersonation::support_access(&state.db, active.tenant_id).await,
            Ok(SupportAccess::Allowed)
        );
    let (mut parts, body) = response.into_parts();
    let bytes = match to_bytes(body, PAGE_LIMIT).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "page too large for the impersonation banner");
            return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
        }
    };
    let page = String::from_utf8_lossy(&bytes);
    let banner = banner(lang, active, &csrf, may_elevate);
    let html = match page.rfind("</body>") {
        Some(at) => format!("{}{banner}{}", &page[..at], &page[at..]),
        None => format!("{page}{banner}"),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(html))
}

/// The banner: who looks at which company, until when, read-only or not, and Stop.
fn banner(lang: Lang, active: &Active, csrf: &str, may_elevate: bool) -> String {
    let now = backend::Timestamp::now().as_millis();
    let minutes_left = ((active.expires_at.as_millis() - now).max(0) + 59_999) / 60_000;
    let until = app::ssr::format::timestamp(active.expires_at);
    let mode = if active.elevated {
        Msg::SupportBannerElevated
    } else {
        Msg::SupportBannerReadOnly
    };
    let text = |m: Msg| escape(m.text(lang));
    let elevate = if may_elevate {
        format!(
            "<form method=\"post\" action=\"/api/impersonation_elevate\" style=\"{FORM}\">\
             <input type=\"hidden\" name=\"csrf_token\" value=\"{csrf}\">\
             <input name=\"reason\" required minlength=\"10\" aria-label=\"{label}\" \
             placeholder=\"{label}\" style=\"{INPUT}\">\
             <button type=\"submit\" style=\"{BUTTON}\">{elevate}</button></form>",
            csrf = escape(csrf),
            label = text(Msg::SupportElevateReason),
            elevate = text(Msg::SupportElevate),
        )
    } else {
        String::new()
    };
    format!(
        "<div id=\"support-banner\" role=\"status\" data-test=\"support-banner\" \
         data-elevated=\"{elevated}\" style=\"{BAR}\">\
         <span style=\"{TEXT}\"><strong style=\"{TEXT}\">{title}</strong> {staff} · {company} · \
         {mode} · {ends} {until} ({minutes_left} {min})</span>{elevate}\
         <form method=\"post\" action=\"/api/impersonation_stop\" style=\"{FORM}\">\
         <input type=\"hidden\" name=\"csrf_token\" value=\"{csrf}\">\
         <button type=\"submit\" style=\"{BUTTON}\">{stop}</button></form></div>",
        elevated = active.elevated,
        title = text(Msg::SupportBannerTitle),
        staff = escape(&active.staff_name),
        company = escape(&active.company),
        mode = text(mode),
        ends = text(Msg::SupportBannerEnds),
        min = text(Msg::SupportBannerMinutes),
        csrf = escape(csrf),
        stop = text(Msg::SupportStop),
    )
}

const BAR: &str = "all:initial !important; position:fixed !important; left:0 !important; \
    right:0 !important; bottom:0 !important; z-index:2147483647 !important; \
    display:flex !important; flex-wrap:wrap !important; gap:.75rem !important; \
    align-items:center !important; padding:.6rem 1rem !important; background:#7a1f00 !important; \
    color:#fff !important; font:15px/1.4 system-ui,sans-serif !important; \
    visibility:visible !important; opacity:1 !important; transform:none !important; \
    clip-path:none !important; box-shadow:0 -2px 8px rgba(0,0,0,.35) !important";
const TEXT: &str = "all:unset !important; color:#fff !important; display:inline !important; \
    visibility:visible !important";
const FORM: &str = "all:unset !important; display:flex !important; gap:.5rem !important; \
    visibility:visible !important";
const INPUT: &str = "all:revert !important; padding:.25rem .5rem !important; \
    min-width:16rem !important; visibility:visible !important";
const BUTTON: &str = "all:revert !important; padding:.25rem .8rem !important; \
    font-weight:600 !important; cursor:pointer !important; visibility:visible !important; \
    display:inline-block !important";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_refuses_every_change_but_stop_and_elevate() {
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            assert_eq!(
                refusal(&method, "/api/save_settings", false),
                Some(AppError::ReadOnlySupport)
            );
            assert_eq!(refusal(&method, "/api/save_settings", true), None);
            assert_eq!(refusal(&method, "/api/impersonation_stop", false), None);
        }
        assert_eq!(refusal(&Method::GET, "/events", false), None);
        assert_eq!(
            refusal(&Method::GET, "/staff/tenants/1", true),
            Some(AppError::Impersonating)
        );
        assert_eq!(
            refusal(&Method::GET, "/api/staff_tenants", true),
            Some(AppError::Impersonating)
        );
    }

    #[test]
    fn escapes_what_names_could_hold() {
        assert_eq!(
            escape("<b a=\"x\">&'"),
            "&lt;b a=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
