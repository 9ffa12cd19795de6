//! Typed calls on e-conomic's Webhooks API (`/EventTypes`, `/webhooks…`) for one agreement,
//! with the same [`ClientError`] classes as the REST calls (problem+json bodies are read into
//! the same [`crate::types::ErrorBody`]). The base URL is [`Client::webhooks_api_url`].

use super::Client;
use super::error::ClientError;
use super::response::{check, decode};
use crate::types::webhooks_api::{
    ApiWebhook, EventType, WebhookCreatedResult, WebhookCursorResults,
};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;

/// Most cursor pages [`WebhooksApi::list_all`] follows (an agreement has a handful of webhooks;
/// this only stops a server that never ends its cursor).
const MAX_CURSOR_PAGES: usize = 100;

/// An `Idempotency-Key`: printable ASCII, 1–100 characters. Send the same key again when a
/// write's answer was lost (a timeout), and e-conomic answers as the first time instead of
/// acting twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Checks the text; `None` if it is empty, too long or not printable ASCII.
    pub fn parse(text: &str) -> Option<Self> {
        let ok = (1..=100).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_graphic());
        ok.then(|| Self(text.to_owned()))
    }

    /// A key from 16 random bytes (32 hex digits).
    pub fn from_random(bytes: [u8; 16]) -> Self {
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The key as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A borrowed handle for Webhooks API calls on one agreement; from [`Client::webhooks_api`].
#[derive(Clone, Copy)]
pub struct WebhooksApi<'a> {
    client: &'a Client,
    grant_token: &'a str,
}

impl std::fmt::Debug for WebhooksApi<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhooksApi")
            .field("grant_token", &"***")
            .finish()
    }
}

impl<'a> WebhooksApi<'a> {
    pub(super) fn new(client: &'a Client, grant_token: &'a str) -> Self {
        Self {
            client,
            grant_token,
        }
    }

    /// `GET /EventTypes`.
    pub async fn event_types(&self) -> Result<Vec<EventType>, ClientError> {
        self.get("/EventTypes").await
    }

    /// `GET /webhooks[?cursor=…]`: one page of this app's webhooks (e-conomic lists only the
    /// webhooks the calling app created).
    pub async fn list_page(
        &self,
        cursor: Option<&str>,
    ) -> Result<WebhookCursorResults, ClientError> {
        let path = match cursor {
            Some(cursor) => format!(
                "/webhooks?cursor={}",
                utf8_percent_encode(cursor, NON_ALPHANUMERIC)
            ),
            None => "/webhooks".to_owned(),
        };
        self.get(&path).await
    }

    /// Every page of `GET /webhooks`, following the cursor. Returns the webhooks and the calls
    /// made (for the API budget).
    pub async fn list_all(&self) -> Result<(Vec<ApiWebhook>, u32), ClientError> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        for calls in 1..=MAX_CURSOR_PAGES {
            let page = self.list_page(cursor.as_deref()).await?;
            items.extend(page.items);
            match page.cursor.filter(|c| !c.is_empty()) {
                Some(next) => cursor = Some(next),
                None => return Ok((items, u32::try_from(calls).unwrap_or(u32::MAX))),
            }
        }
        Err(ClientError::Decode(
            "the webhook list's cursor never ended".to_owned(),
        ))
    }

    /// `GET /webhooks/paged?skipPages=&pageSize=` (0–100, 1–100).
    pub async fn paged(
        &self,
        skip_pages: u32,
        page_size: u32,
    ) -> Result<Vec<ApiWebhook>, ClientError> {
        let skip = skip_pages.min(100);
        let size = page_size.clamp(1, 100);
        self.get(&format!("/webhooks/paged?skipPages={skip}&pageSize={size}"))
            .await
    }

    /// `GET /webhooks/count`.
    pub async fn count(&self) -> Result<u64, ClientError> {
        self.get("/webhooks/count").await
    }

    /// `GET /webhooks/{eventType}` ([`ClientError::NotFound`] if this app has none of that
    /// type). `event_type` is e-conomic's name (from [`WebhooksApi::event_types`]).
    pub async fn get_webhook(&self, event_type: &str) -> Result<ApiWebhook, ClientError> {
        self.get(&type_path(event_type)).await
    }

    /// `POST /webhooks` (201). e-conomic allows one webhook per event type and agreement: a
    /// second is refused with the error code `WebhookAlreadyExistsForEventType`
    /// ([`ClientError::error_code`]).
    pub async fn create(
        &self,
        webhook: &ApiWebhook,
        key: &IdempotencyKey,
    ) -> Result<WebhookCreatedResult, ClientError> {
        let request = self
            .request(Method::POST, "/webhooks", Some(key))
            .json(webhook);
        decode(self.execute("/webhooks", request).await?).await
    }

    /// `PUT /webhooks` (204): replaces the webhook of `webhook.event_type`; `object_version`
    /// must be the current one, else 409 ([`ClientError::Rejected`] with status 409).
    pub async fn update(
        &self,
        webhook: &ApiWebhook,
        key: &IdempotencyKey,
    ) -> Result<(), ClientError> {
        let request = self
            .request(Method::PUT, "/webhooks", Some(key))
            .json(webhook);
        check(self.execute("/webhooks", request).await?).await?;
        Ok(())
    }

    /// `DELETE /webhooks/{eventType}` (204; [`ClientError::NotFound`] if there is none).
    pub async fn delete(&self, event_type: &str, key: &IdempotencyKey) -> Result<(), ClientError> {
        let path = type_path(event_type);
        let request = self.request(Method::DELETE, &path, Some(key));
        check(self.execute(&path, request).await?).await?;
        Ok(())
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let request = self.request(Method::GET, path, None);
        decode(self.execute(path, request).await?).await
    }

    async fn execute(
        &self,
        path: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ClientError> {
        self.client.execute(self.grant_token, path, request).await
    }

    fn request(
        &self,
        method: Method,
        path: &str,
        key: Option<&IdempotencyKey>,
    ) -> reqwest::RequestBuilder {
        let request = self
            .client
            .http
            .request(method, format!("{}{path}", self.client.webhooks_api_url))
            .header("X-AppSecretToken", self.client.app_secret_token.expose())
            .header("X-AgreementGrantToken", self.grant_token);
        match key {
            Some(key) => request.header("Idempotency-Key", key.as_str()),
            None => request,
        }
    }
}

/// `/webhooks/{eventType}`, the name percent-encoded (e-conomic's names are `[A-Z0-9_]+`; a
/// name from elsewhere must still stay one path segment).
fn type_path(event_type: &str) -> String {
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'_').remove(b'-');
    format!("/webhooks/{}", utf8_percent_encode(event_type, SEGMENT))
}
