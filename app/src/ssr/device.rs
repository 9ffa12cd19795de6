//! The browser's `device` cookie: the device token a successful log-in gives the browser, so
//! that its owner's next log-in passes the account-wide ceiling that strangers' failures fill
//! (see `backend::throttle`).

use axum::http::{HeaderMap, HeaderValue, header};
use backend::throttle::{DEVICE_DAYS, DeviceToken};

use super::state::AppState;

/// Name of the cookie.
pub const COOKIE: &str = "device";

/// The device token this request's browser sent, if it is one we could have issued.
pub async fn sent() -> Option<DeviceToken> {
    let headers = leptos_axum::extract::<HeaderMap>().await.ok()?;
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .and_then(|(_, value)| DeviceToken::parse(value))
}

/// Sets the cookie on this response: HttpOnly, SameSite=Lax, `Secure` over https, for
/// [`DEVICE_DAYS`].
pub fn keep(state: &AppState, device: &DeviceToken) {
    let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let secure = if state.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let max_age = DEVICE_DAYS * 24 * 60 * 60;
    let cookie = format!(
        "{COOKIE}={}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}",
        device.expose()
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.append_header(header::SET_COOKIE, value);
    }
}
