//! Security headers on every answer: a Content-Security-Policy, HSTS behind https, and
//! `Cache-Control: no-store` on everything that is not a static asset (pages and APIs carry
//! webhook URLs, which are credentials, and per-user data).
//!
//! Pages set their own CSP while rendering (`app::shell`: it holds the per-response nonce that
//! Leptos puts on its inline scripts); this layer gives every other answer a CSP that allows
//! nothing, and never replaces one that is set.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The policy of answers that are not pages (JSON, errors, redirects): nothing may run or load.
const CSP_NOT_A_PAGE: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
/// HSTS for a year, when the public URL is https.
const HSTS: &str = "max-age=31536000; includeSubDomains";
/// Where the browser bundle is served from (the only answers that may be cached).
const ASSETS_PREFIX: &str = "/pkg/";

/// Adds the headers; `https` says whether the public URL is https (then HSTS is sent).
pub async fn set(https: bool, request: Request, next: Next) -> Response {
    let is_asset = request.uri().path().starts_with(ASSETS_PREFIX);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !is_asset && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP_NOT_A_PAGE),
        );
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}
