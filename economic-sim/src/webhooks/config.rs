//! A webhook configuration, as entered in e-conomic's "Nyt webhook" form or the Webhooks API.

use economic::Entity;
use serde::{Deserialize, Serialize};

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
        }
    }
}
