//! The Webhooks API's resources (`apis.e-conomic.com/webhooksapi/v1.0.0/`), as in e-conomic's
//! OpenAPI document: a webhook keyed by its event type, the cursor page, the event types and the
//! `application/problem+json` error body.
//!
//! Read as the schema allows, not only as the simulator writes: every field the document marks
//! nullable may be `null` (`items`, `cursor`, `postData`, `customHeaders`, `lastDisabledDate`,
//! `objectVersion`, an event type's `description` and `mergeFields`, …), a false boolean may be
//! omitted, and date-times come with or without an offset and with fractional seconds
//! ([`crate::datetime`]). Written like e-conomic writes: no offset, false booleans and `None`s
//! omitted.

use crate::datetime::null_as_default;
use crate::entity::Entity;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Largest `name` e-conomic accepts.
pub const MAX_NAME: usize = 100;
/// Largest `url` e-conomic accepts.
pub const MAX_URL: usize = 1000;
/// Largest `contentType` e-conomic accepts.
pub const MAX_CONTENT_TYPE: usize = 50;
/// Largest `postData` e-conomic accepts.
pub const MAX_POST_DATA: usize = 4000;
/// Most custom headers per webhook.
pub const MAX_CUSTOM_HEADERS: usize = 5;

/// One webhook (`Webhook` in the OpenAPI document). Only one per event type and agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiWebhook {
    /// The event type's machine name (`CUSTOMER_UPDATED`, `INVOICE_BOOKED`, …).
    pub event_type: String,
    /// Display name in e-conomic's UI (max 100).
    pub name: String,
    /// Where e-conomic posts (max 1000; merge fields are replaced in it too).
    pub url: String,
    /// The `Content-Type` header sent (max 50).
    pub content_type: String,
    /// The body template (max 4000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_data: Option<String>,
    /// Up to 5 headers sent with every request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_headers: Option<Vec<CustomHeader>>,
    /// Whether e-conomic sends nothing (set by e-conomic after failed deliveries, or by us).
    /// Omitted when false, as e-conomic writes booleans.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "super::is_false"
    )]
    pub is_disabled: bool,
    /// When e-conomic last disabled it (read-only).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::datetime::openapi"
    )]
    pub last_disabled_date: Option<OffsetDateTime>,
    /// When it last changed (read-only).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::datetime::openapi"
    )]
    pub last_updated: Option<OffsetDateTime>,
    /// The version a `PUT` must name (409 when it is no longer the current one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_version: Option<String>,
}

impl ApiWebhook {
    /// The webhook this product needs for `entity`: Rackbeat's exact values (type, the Danish
    /// type name as name, the `postData` template, the form content type) with our `url`, under
    /// our guess of the event type's name ([`Entity::event_type`]); see
    /// [`ApiWebhook::rackbeat_as`] for the name e-conomic's list gave.
    pub fn rackbeat(entity: Entity, url: impl Into<String>) -> Self {
        Self::rackbeat_as(entity.event_type(), entity, url)
    }

    /// [`ApiWebhook::rackbeat`] under the event type name `event_type` (from `GET /EventTypes`,
    /// see [`event_type_for`]).
    pub fn rackbeat_as(event_type: &str, entity: Entity, url: impl Into<String>) -> Self {
        ApiWebhook {
            event_type: event_type.to_owned(),
            name: entity.danish_type_name().to_owned(),
            url: url.into(),
            content_type: crate::entity::CONTENT_TYPE.to_owned(),
            post_data: Some(entity.post_data().to_owned()),
            custom_headers: None,
            is_disabled: false,
            last_disabled_date: None,
            last_updated: None,
            object_version: None,
        }
    }

    /// The entity whose changes this webhook announces, if it is one we sync.
    pub fn entity(&self) -> Option<Entity> {
        entity_of_event_type(&self.event_type)
    }
}

/// The entity of an event type's machine name (exactly [`Entity::event_type`]), or `None`.
pub fn entity_of_event_type(event_type: &str) -> Option<Entity> {
    Entity::ALL
        .into_iter()
        .find(|e| e.event_type() == event_type)
}

/// The event type e-conomic offers for `entity`, from its `GET /EventTypes` list: the one whose
/// description is the type as e-conomic's screens name it ("Vare opdateret" or "Product
/// updated"), else the one named as we guess ([`Entity::event_type`]; only `CUSTOMER_UPDATED`
/// and `INVOICE_BOOKED` are confirmed by public sources). `None`: the agreement does not offer
/// it.
pub fn event_type_for(types: &[EventType], entity: Entity) -> Option<&EventType> {
    let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b);
    types
        .iter()
        .find(|t| {
            same(&t.description, entity.danish_type_name())
                || same(&t.description, entity.english_type_name())
        })
        .or_else(|| types.iter().find(|t| same(&t.name, entity.event_type())))
}

/// The entity whose webhook an event type name announces, by `types` (see [`event_type_for`]).
pub fn entity_of(types: &[EventType], event_type: &str) -> Option<Entity> {
    Entity::ALL.into_iter().find(|&entity| {
        event_type_for(types, entity).is_some_and(|t| t.name.eq_ignore_ascii_case(event_type))
    })
}

/// The Webhooks API's error codes (a problem's `errorCode`) this product tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// `WebhookAlreadyExistsForEventType`: the agreement already has a webhook of this event
    /// type (one per type and agreement; made in e-conomic's screens, by another app, or by
    /// this app for another company on the agreement).
    AlreadyExistsForEventType,
    /// `WebhookInvalidType`: the agreement does not offer this event type.
    InvalidType,
    /// `WebhookInvalidUrlScheme`: e-conomic calls `https://` URLs only.
    InvalidUrlScheme,
    /// `UpdateConflict`: the `objectVersion` is not the current one.
    UpdateConflict,
    /// `ResourceNotFound`.
    ResourceNotFound,
}

impl ErrorCode {
    /// All codes.
    pub const ALL: [ErrorCode; 5] = [
        ErrorCode::AlreadyExistsForEventType,
        ErrorCode::InvalidType,
        ErrorCode::InvalidUrlScheme,
        ErrorCode::UpdateConflict,
        ErrorCode::ResourceNotFound,
    ];

    /// The code as e-conomic writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::AlreadyExistsForEventType => "WebhookAlreadyExistsForEventType",
            ErrorCode::InvalidType => "WebhookInvalidType",
            ErrorCode::InvalidUrlScheme => "WebhookInvalidUrlScheme",
            ErrorCode::UpdateConflict => "UpdateConflict",
            ErrorCode::ResourceNotFound => "ResourceNotFound",
        }
    }

    /// The code of a written one (exact, as e-conomic writes it), or `None` for any other.
    pub fn parse(text: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// One custom header (both parts nullable in the schema).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomHeader {
    /// Header name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub key: String,
    /// Header value.
    #[serde(default, deserialize_with = "null_as_default")]
    pub value: String,
}

/// `GET /webhooks`: one page and the cursor of the next (absent on the last page).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookCursorResults {
    /// Where the next page starts; `None` on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// The webhooks of this page (`null` reads as none).
    #[serde(default, deserialize_with = "null_as_default")]
    pub items: Vec<ApiWebhook>,
}

/// `POST /webhooks`' 201 answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookCreatedResult {
    /// The created webhook's key.
    pub event_type: String,
}

/// One entry of `GET /EventTypes` (every field nullable in the schema).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventType {
    /// Machine name (`CUSTOMER_UPDATED`, …).
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// A user-friendly description: the type's name in e-conomic's screens ("Vare opdateret"
    /// on a Danish agreement, "Product updated" on an English one).
    #[serde(default, deserialize_with = "null_as_default")]
    pub description: String,
    /// The merge fields it replaces.
    #[serde(default, deserialize_with = "null_as_default")]
    pub merge_fields: Vec<MergeField>,
}

/// A merge field of an event type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MergeField {
    /// `[OLDNUMBER]`, ….
    #[serde(default, deserialize_with = "null_as_default")]
    pub field_name: String,
    /// What it stands for.
    #[serde(default, deserialize_with = "null_as_default")]
    pub description: String,
}

/// An `application/problem+json` body (`ProblemDetails`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProblemDetails {
    /// A URI naming the problem type.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Short summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The HTTP status repeated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// What went wrong in this case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Validation errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ProblemError>>,
    /// For e-conomic's support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// e-conomic's error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// Server time of the error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_time_utc: Option<String>,
}

/// One validation error of a [`ProblemDetails`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProblemError {
    /// What is wrong.
    #[serde(default, deserialize_with = "null_as_default")]
    pub message: String,
    /// e-conomic's error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The property at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_round_trips_in_the_documented_shape() {
        let json = r#"{"eventType":"INVOICE_BOOKED","name":"Faktura bogført","url":"https://x/y",
            "contentType":"application/x-www-form-urlencoded","postData":"[INVOICENO]",
            "isDisabled":true,"lastDisabledDate":"2026-03-01T10:00:00Z","objectVersion":"3"}"#;
        let hook: ApiWebhook = serde_json::from_str(json).expect("decodes");
        assert_eq!(hook.entity(), Some(Entity::Invoices));
        assert!(hook.is_disabled && hook.last_disabled_date.is_some());
        let again: ApiWebhook =
            serde_json::from_value(serde_json::to_value(&hook).expect("encodes")).expect("again");
        assert_eq!(again, hook);
        let problem: ProblemDetails =
            serde_json::from_str(r#"{"type":"about:blank","title":"Conflict","status":409}"#)
                .expect("problem");
        assert_eq!(problem.status, Some(409));
    }
}
