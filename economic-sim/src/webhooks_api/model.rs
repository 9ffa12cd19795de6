//! Between the stored [`WebhookConfig`] and the API's [`ApiWebhook`]: validation of a body,
//! the stored form of an API webhook, and the caller app's webhooks as the API shows them.

use super::App;
use super::problem::{coded, invalid};
use crate::knobs::Knobs;
use crate::state::{AgreementSlot, Shared};
use crate::store::AgreementData;
use crate::webhooks::{ApiOrigin, WebhookConfig};
use axum::http::StatusCode;
use axum::response::Response;
use economic::Entity;
use economic::types::webhooks_api::{self as api, ApiWebhook, CustomHeader, ErrorCode};
use time::OffsetDateTime;

/// The documented limits; the event type must be one the agreement offers; the URL must be
/// `https://` (loopback `http://` too with the knob `allow_http_loopback`).
pub(super) fn validate(shared: &Shared, hook: &ApiWebhook) -> Result<Entity, Response> {
    let at = "/webhooks";
    let knobs = shared.knobs();
    let Some(kind) = knobs.entity_of_event_type(&hook.event_type) else {
        let message = format!("The event type {:?} does not exist.", hook.event_type);
        return Err(coded(
            shared,
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidType,
            &message,
            at,
        ));
    };
    if !hook.url.trim().is_empty() && !scheme_allowed(&knobs, hook.url.trim()) {
        return Err(coded(
            shared,
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidUrlScheme,
            "Only HTTPS is allowed for the webhook URL.",
            at,
        ));
    }
    let checks = [
        (
            "name",
            hook.name.trim().is_empty() || hook.name.chars().count() > api::MAX_NAME,
        ),
        (
            "url",
            hook.url.trim().is_empty() || hook.url.chars().count() > api::MAX_URL,
        ),
        (
            "contentType",
            hook.content_type.trim().is_empty()
                || hook.content_type.chars().count() > api::MAX_CONTENT_TYPE,
        ),
        (
            "postData",
            hook.post_data
                .as_ref()
                .is_some_and(|d| d.chars().count() > api::MAX_POST_DATA),
        ),
        (
            "customHeaders",
            hook.custom_headers
                .as_ref()
                .is_some_and(|h| h.len() > api::MAX_CUSTOM_HEADERS),
        ),
    ];
    match checks.into_iter().find(|(_, bad)| *bad) {
        Some((property, _)) => Err(invalid(shared, property, "Missing or too long.", at)),
        None => Ok(kind),
    }
}

/// e-conomic calls `https://` URLs only; the simulator lets loopback `http://` through when
/// `allow_http_loopback` is on (see the knob).
fn scheme_allowed(knobs: &Knobs, url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return true;
    }
    let Some(rest) = lower.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    knobs.allow_http_loopback
        && (host == "localhost"
            || host == "::1"
            || host
                .parse::<std::net::Ipv4Addr>()
                .is_ok_and(|ip| ip.is_loopback()))
}

pub(super) fn stored(
    hook: ApiWebhook,
    kind: Entity,
    app: &str,
    version: u64,
    now: OffsetDateTime,
) -> WebhookConfig {
    WebhookConfig {
        kind,
        name: hook.name,
        url: hook.url,
        post_data: hook.post_data.unwrap_or_default(),
        content_type: hook.content_type,
        custom_headers: hook
            .custom_headers
            .unwrap_or_default()
            .into_iter()
            .map(|h| (h.key, h.value))
            .collect(),
        is_disabled: hook.is_disabled,
        last_disabled_date: None,
        api: Some(ApiOrigin {
            app: app.to_owned(),
            object_version: version,
            last_updated: now,
        }),
    }
}

pub(super) fn own_index(data: &AgreementData, app: &App, kind: Entity) -> Option<usize> {
    data.webhooks
        .iter()
        .position(|w| w.kind == kind && w.api.as_ref().is_some_and(|a| a.app == app.0))
}

/// The caller app's webhooks as the API shows them, ordered by event type.
pub(super) fn own_webhooks(knobs: &Knobs, slot: &AgreementSlot, app: &App) -> Vec<ApiWebhook> {
    let Ok(data) = slot.data.read() else {
        return Vec::new();
    };
    let mut hooks: Vec<ApiWebhook> = data
        .webhooks
        .iter()
        .filter_map(|w| {
            let origin = w.api.as_ref().filter(|a| a.app == app.0)?;
            Some(ApiWebhook {
                event_type: knobs.event_type_name(w.kind),
                name: w.name.clone(),
                url: w.url.clone(),
                content_type: w.content_type.clone(),
                // As e-conomic's schema allows: no data is `null`, not "".
                post_data: (!w.post_data.is_empty()).then(|| w.post_data.clone()),
                custom_headers: (!w.custom_headers.is_empty()).then(|| {
                    w.custom_headers
                        .iter()
                        .map(|(key, value)| CustomHeader {
                            key: key.clone(),
                            value: value.clone(),
                        })
                        .collect()
                }),
                is_disabled: w.is_disabled,
                last_disabled_date: w.last_disabled_date,
                last_updated: Some(origin.last_updated),
                object_version: Some(origin.object_version.to_string()),
            })
        })
        .collect();
    hooks.sort_by(|a, b| a.event_type.cmp(&b.event_type));
    hooks
}
