//! A webhook configuration, as entered in e-conomic's "Nyt webhook" form or the Webhooks API.

use economic::Entity;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// One configured webhook: on `kind` events, POST `post_data` to `url` with `content_type`.
/// Merge fields (`[OLDNUMBER]`, `[NEWNUMBER]`, `[INVOICENO]`) are substituted in `url` and
/// `post_data` as literal text; fields the kind does not support stay literal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookConfig {
    /// Type ("Kunde opdateret", …).
    pub kind: Entity,
    /// Display name only.
    #[serde(default)]
    pub name: String,
    /// Target URL (may contain merge fields).
    pub url: String,
    /// Body template ("Sendte data").
    #[serde(default)]
    pub post_data: String,
    /// `Content-Type` header sent (free text).
    #[serde(default = "default_content_type")]
    pub content_type: String,
    /// Up to 5 extra headers (API-created webhooks only).
    #[serde(default)]
    pub custom_headers: Vec<(String, String)>,
    /// Disabled webhooks send nothing.
    #[serde(default)]
    pub is_disabled: bool,
    /// When e-conomic last disabled it after failed deliveries.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub last_disabled_date: Option<OffsetDateTime>,
    /// Set when the webhook was created through the Webhooks API (`None`: made in the UI, which
    /// the API never lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<ApiOrigin>,
}

/// What the Webhooks API keeps about a webhook it created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiOrigin {
    /// The creating app's secret token: only that app sees the webhook. Never shown.
    #[serde(skip)]
    pub app: String,
    /// Bumped on every change; a `PUT` naming an older one gets 409.
    pub object_version: u64,
    /// When it last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub last_updated: OffsetDateTime,
}

impl WebhookConfig {
    /// Marks a change made by e-conomic itself (disabling): the API's version moves on, so an
    /// app holding the old one must read it again before its `PUT`.
    pub(crate) fn touch(&mut self, now: OffsetDateTime) {
        if let Some(api) = &mut self.api {
            api.object_version += 1;
            api.last_updated = now;
        }
    }
}

fn default_content_type() -> String {
    economic::CONTENT_TYPE.to_owned()
}

impl WebhookConfig {
    /// Rackbeat's configuration for `kind`: name = Danish type name, `post_data` =
    /// `[OLDNUMBER]&[NEWNUMBER]` or `[INVOICENO]`, form content type.
    pub fn rackbeat(kind: Entity, url: impl Into<String>) -> Self {
        Self {
            kind,
            name: kind.danish_type_name().to_owned(),
            url: url.into(),
            post_data: kind.post_data().to_owned(),
            content_type: default_content_type(),
            custom_headers: Vec::new(),
            is_disabled: false,
            last_disabled_date: None,
            api: None,
        }
    }
}
