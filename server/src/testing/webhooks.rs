//! What the webhook tests do with a running app: a tenant counted as connected, its webhook URLs
//! computed as the settings page computes them, webhooks posted as e-conomic posts them, and
//! the events stored read back.

use backend::events::{self, Event};
use backend::settings::{self, SyncSettings};
use backend::{TenantId, Timestamp, webhook_credentials};
use economic::Entity;
use reqwest::Response;

use super::{TestApp, db};

/// Every webhook on, hourly sync off.
pub const ALL_WEBHOOKS: SyncSettings = SyncSettings::ALL_WEBHOOKS;

impl TestApp {
    /// A new tenant (`"<label> ApS"`) with every webhook enabled, counting as connected to
    /// e-conomic (without asking it: [`TestApp::connect`] connects for real).
    pub async fn live_tenant(&self, label: &str) -> TenantId {
        let tenant = backend::testing::owner(&self.db, label).await.tenant_id;
        settings::save(&self.db, tenant, &ALL_WEBHOOKS, Timestamp::now())
            .await
            .expect("save settings");
        backend::connection::connect_offline(
            &self.db,
            &self.keys,
            tenant,
            "demo",
            Timestamp::now(),
        )
        .await
        .expect("connect offline");
        tenant
    }

    /// Connect the tenant to the simulator at `base_url` with grant token `demo`.
    pub async fn connect(&self, tenant: TenantId, base_url: &str) {
        let client =
            economic::Client::new(economic::ClientConfig::new(base_url, "demo")).expect("client");
        backend::connection::connect(
            &self.db,
            &self.keys,
            &client,
            tenant,
            "demo",
            Timestamp::now(),
        )
        .await
        .expect("connect to the simulator");
    }

    /// The current credential of the tenant's `kind` URL.
    pub async fn token(&self, tenant: TenantId, kind: Entity) -> String {
        webhook_credentials::url_token(&self.db, &self.keys, tenant, kind)
            .await
            .expect("url token")
    }

    /// The full URL the settings page shows for the tenant's `kind`.
    pub async fn url(&self, tenant: TenantId, kind: Entity) -> String {
        let token = self.token(tenant, kind).await;
        self.url_with(&tenant.to_string(), kind.as_str(), &token)
    }

    /// A webhook URL from raw parts.
    pub fn url_with(&self, tenant: &str, slug: &str, token: &str) -> String {
        format!("{}/webhooks/economic/{tenant}/{slug}/{token}", self.address)
    }

    /// POST `body` as e-conomic does (form content type).
    pub async fn post(&self, url: &str, body: impl Into<reqwest::Body>) -> Response {
        self.post_as(url, economic::CONTENT_TYPE, body).await
    }

    /// POST `body` with `content_type`.
    pub async fn post_as(
        &self,
        url: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        self.client
            .post(url)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("send the webhook")
    }

    /// The tenant's events, newest first.
    pub async fn events(&self, tenant: TenantId) -> Vec<Event> {
        events::list(&self.db, tenant, 500, None)
            .await
            .expect("list events")
    }

    /// All stored events of all tenants.
    pub async fn total_events(&self) -> i64 {
        db::total_events(&self.db).await
    }
}
