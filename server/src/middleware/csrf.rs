//! CSRF protection for every state-changing request from a browser.
//!
//! A logged-in session holds a random token; every POST, PUT, PATCH and DELETE must send it back,
//! in the form field `csrf_token` or the `X-CSRF-Token` header, or it is refused with 403 before
//! any handler runs. GET requests change nothing and are not checked. The webhook endpoints are
//! not behind this layer: e-conomic has no session, and the URL credential protects them.
//!
//! Anonymous visitors (the login, sign-up and invite forms) have no session: storing one per page
//! view let anyone fill the session table with cookie-less GETs. Their token is an HMAC of a
//! random nonce kept in an HttpOnly, SameSite cookie ([`nonce`] sets it) — the signed
//! double-submit pattern: another site can neither read the cookie nor compute the token.

use app::error::AppError;
use app::i18n::{Lang, Msg};
use app::ssr::session::{ANONYMOUS_CSRF_COOKIE, AnonymousCsrf, CSRF_KEY, new_anonymous_nonce};
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use subtle::ConstantTimeEq;
use tower_sessions::Session;

/// The form field carrying the token.
pub const FIELD: &str = app::ssr::auth::CSRF_FIELD;
/// The header carrying the token (for scripts).
pub const HEADER: &str = app::ssr::auth::CSRF_HEADER;
/// Largest form body this layer reads to find the token.
const FORM_LIMIT: usize = 256 * 1024;

/// Puts the visitor's anonymous CSRF nonce into the request ([`AnonymousCsrf`]); a visitor
/// without one gets a new one in a cookie.
pub async fn nonce(https: bool, mut request: Request, next: Next) -> Response {
    if let Some(nonce) = nonce_cookie(request.headers()).map(str::to_owned) {
        request.extensions_mut().insert(AnonymousCsrf(nonce));
        return next.run(request).await;
    }
    let nonce = new_anonymous_nonce();
    request
        .extensions_mut()
        .insert(AnonymousCsrf(nonce.clone()));
    let mut response = next.run(request).await;
    let secure = if https { "; Secure" } else { "" };
    let cookie = format!("{ANONYMOUS_CSRF_COOKIE}={nonce}; Path=/; HttpOnly; SameSite=Lax{secure}");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Checks the CSRF token of state-changing requests.
pub async fn check(
    State(keys): State<backend::Keys>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let expected = match session.get::<String>(CSRF_KEY).await {
        Ok(token) => token,
        Err(e) => {
            tracing::error!(error = %e, "session store failed during the CSRF check");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
        return error_answer(&parts.headers, AppError::TooLarge);
    };
    let sent =
        token_from_header(&parts.headers).or_else(|| token_from_form(&parts.headers, &bytes));
    let valid = match (expected, sent) {
        (Some(expected), Some(sent)) => bool::from(expected.as_bytes().ct_eq(sent.as_bytes())),
        // No session token: only the anonymous token of the visitor's own cookie will do.
        (None, Some(sent)) => nonce_cookie(&parts.headers)
            .is_some_and(|nonce| keys.is_anonymous_csrf_token(nonce, &sent)),
        (_, None) => false,
    };
    if !valid {
        tracing::warn!(
            path = parts.uri.path(),
            "request refused: CSRF token missing or wrong"
        );
        return error_answer(&parts.headers, AppError::Csrf);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The anonymous CSRF nonce the browser sent, if it looks like one we issued.
fn nonce_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == ANONYMOUS_CSRF_COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|value| {
            (16..=64).contains(&value.len())
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

fn token_from_header(headers: &HeaderMap) -> Option<String> {
    headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn token_from_form(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return None;
    }
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(name, _)| name == FIELD)
        .map(|(_, value)| value)
}

/// `error` before any handler ran: a page for plain form posts, the server functions' JSON
/// error for scripts.
pub fn error_answer(headers: &HeaderMap, error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if wants_html {
        let lang = headers
            .get(header::COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_cookie_header)
            .unwrap_or_default();
        let text = error.message().text(lang);
        let back = Msg::NotFoundBack.text(lang);
        let page = format!(
            "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
             <body><p role=\"alert\">{text}</p><p><a href=\"/\">{back}</a></p></body></html>",
            lang.code(),
            status.as_u16()
        );
        return (status, Html(page)).into_response();
    }
    let body = serde_json::to_string(&error).unwrap_or_else(|_| "\"Internal\"".to_owned());
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}
