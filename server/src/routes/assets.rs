//! The browser bundle under `/pkg/`: the wasm, its JS glue and the CSS.
//!
//! A release (`scripts/release`) names each file by a hash of its content and puts a `.br` and
//! a `.gz` beside it; the files are then sent precompressed to browsers that accept it and may
//! be cached for a year, because a changed file gets a new name. Without hashed names (debug
//! builds) a browser revalidates every time instead, so a rebuilt bundle is never stale.

use std::path::Path;

use axum::Router;
use axum::http::{HeaderValue, Response, header};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Cached by browsers and proxies for a year without revalidation (the name changes instead).
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cached, but checked against the server (Last-Modified) before each use.
const REVALIDATE: &str = "no-cache";

/// Serves the files of `pkg_dir` under `/pkg`; `hashed`: their names carry content hashes.
pub fn router<S: Clone + Send + Sync + 'static>(pkg_dir: &Path, hashed: bool) -> Router<S> {
    let files = ServeDir::new(pkg_dir)
        .precompressed_br()
        .precompressed_gzip();
    let policy = HeaderValue::from_static(if hashed { IMMUTABLE } else { REVALIDATE });
    Router::new()
        .nest_service("/pkg", files)
        // Only a file found may be cached: a 404 for a name must not stick once it exists.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            move |response: &Response<_>| response.status().is_success().then(|| policy.clone()),
        ))
        // The same URL answers differently per Accept-Encoding: caches must keep them apart.
        .layer(SetResponseHeaderLayer::appending(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
}
