//! Every route of the server, merged in one place.

mod assets;
mod health;
pub(crate) mod history;
mod lang;
pub(crate) mod webhooks;

use std::sync::LazyLock;
use std::time::Duration;

use app::ssr::state::AppState;
use app::{App, shell};
use axum::Router;
use axum::http::HeaderName;
use axum::http::{HeaderValue, header};
use leptos_axum::{AxumRouteListing, LeptosRoutes, file_and_error_handler, generate_route_list};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::SessionManagerLayer;

use crate::middleware::{
    api_errors, client_ip, csrf, headers, impersonation, referer, require_login,
};
use crate::sessions::Store;

/// The app's routes, computed once per process. Leptos lists them by rendering the app with
/// resource loading switched off through a process-wide flag (leptos-rs/leptos#4773): a resource
/// first polled meanwhile by a request to another `Application` of the same process — the tests
/// start many — waited forever, and the request ended in a 408. Computed once, before the first
/// application serves, the listing can no longer overlap a request.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));
    ROUTES.clone()
}

/// The paths of the app's pages, from the same once-per-process listing (tests enumerate them;
/// listing again while another application serves would bring back the hang described above).
pub fn page_paths() -> Vec<String> {
    route_list().iter().map(|r| r.path().to_owned()).collect()
}

/// The header carrying each request's id (set here unless a proxy in front set it).
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What the router is built with besides the state.
pub struct Options {
    /// The session layer.
    pub sessions: SessionManagerLayer<Store>,
    /// The webhook writer (group commit).
    pub writer: webhooks::Writer,
    /// Closes the live streams at shutdown.
    pub closing: history::Closing,
    /// Take the client address from `X-Forwarded-For`.
    pub trust_proxy: bool,
    /// Served over https (HSTS, secure cookies).
    pub https: bool,
    /// The bearer token of `/metrics`, if metrics are on.
    pub metrics_token: Option<String>,
}

/// The whole router: browser routes (behind sessions and CSRF), health, metrics, and shared
/// layers.
pub fn router(state: AppState, options: Options) -> Router {
    let Options {
        sessions,
        writer,
        closing,
        trust_proxy,
        https,
        metrics_token,
    } = options;
    let leptos_options = state.leptos_options.clone();
    let own_origin = referer::OwnOrigin::of(&state.public_url);
    let pkg_dir = std::path::Path::new(leptos_options.site_root.as_ref())
        .join(leptos_options.site_pkg_dir.as_ref());
    // Outside the session and CSRF layers: a file needs neither, and a page load asks for three.
    let assets = assets::router(&pkg_dir, leptos_options.hash_files);
    let pages = Router::new()
        .merge(lang::router())
        .merge(history::router(closing))
        .leptos_routes(&state, route_list(), move || shell(leptos_options.clone()))
        .fallback(file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(
            state.keys.clone(),
            csrf::check,
        ))
        .layer(axum::middleware::from_fn(move |req, next| {
            csrf::nonce(https, req, next)
        }))
        .layer(axum::middleware::from_fn(api_errors::set_status))
        .layer(axum::middleware::from_fn(move |req, next| {
            referer::own_origin_only(own_origin.clone(), req, next)
        }))
        .layer(axum::middleware::from_fn(require_login::require_login))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            impersonation::guard,
        ))
        .layer(sessions)
        .layer(axum::middleware::from_fn(move |req, next| {
            client_ip::record(trust_proxy, req, next)
        }));

    Router::new()
        .merge(assets)
        .merge(pages)
        .merge(health::router())
        .merge(crate::metrics::router(metrics_token))
        .merge(webhooks::router(&state, writer))
        .with_state(state)
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(axum::middleware::from_fn(move |req, next| {
            headers::set(https, req, next)
        }))
        .layer(RequestBodyLimitLayer::new(1024 * 1024))
        .layer(axum::middleware::from_fn(api_errors::explain_too_large))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        // Spans record the path with webhook credentials redacted, never the raw URI, and the
        // request id, so that every log line of a request carries it (and the answer's
        // `X-Request-Id` finds them).
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &axum::extract::Request| {
                let id = request
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!(
                    "request",
                    id = %id,
                    method = %request.method(),
                    path = %crate::telemetry::redacted_path(request.uri().path()),
                )
            }),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}
