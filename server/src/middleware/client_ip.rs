//! Records the client's address for login throttling.

use std::net::{IpAddr, SocketAddr};

use app::ssr::session::ClientIp;
use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;

/// Puts [`ClientIp`] into the request: the peer address, or the first `X-Forwarded-For` entry
/// when `trust_proxy` is set (only behind a proxy that overwrites that header).
pub async fn record(trust_proxy: bool, mut request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let forwarded = trust_proxy
        .then(|| {
            request
                .headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|ip| ip.trim().parse::<IpAddr>().ok())
        })
        .flatten();
    if let Some(ip) = forwarded.or(peer) {
        request.extensions_mut().insert(ClientIp(ip));
    }
    next.run(request).await
}
