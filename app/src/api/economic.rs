//! The e-conomic app: connection, Advanced Settings, and the webhook URLs to paste into e-conomic.

use economic::Entity;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::CsrfToken;
use crate::error::AppError;

/// The agreement a tenant is connected to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectionView {
    /// The company name e-conomic reports for the agreement.
    pub company_name: String,
    /// The agreement number.
    pub agreement_number: i64,
    /// When the connection was made (UTC).
    pub connected_at: String,
    /// e-conomic's answer when it refused our access while syncing (syncing waits).
    pub paused: Option<String>,
    /// The agreement, when other companies of the app are connected to it too.
    pub shared: Option<crate::api::managed_webhooks::SharedView>,
    /// Whether connecting found the Webhooks API closed to the app (no SuperUser role).
    pub webhooks_api_refused: bool,
}

/// e-conomic's token bucket for the company's agreement, as its last answer reported it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenBucketView {
    /// Tokens estimated in use now.
    pub used: u32,
    /// Tokens per window.
    pub limit: u32,
    /// The window, in seconds.
    pub window_secs: u64,
    /// When e-conomic last reported it (UTC).
    pub reported_at: String,
}

/// The Advanced Settings checkboxes, as the page holds them while the user ticks (both boxes of
/// an entity may be ticked until the save refuses it; the saved settings never have both).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsView {
    /// Sync products every hour.
    pub products_hourly: bool,
    /// Sync customers every hour.
    pub customers_hourly: bool,
    /// Live transfer of products by webhook.
    pub products_webhook: bool,
    /// Live transfer of customers by webhook.
    pub customers_webhook: bool,
    /// Import booked invoices by webhook.
    pub invoices_webhook: bool,
}

impl SettingsView {
    /// Whether the webhook of `kind` is ticked.
    pub fn webhook(&self, kind: Entity) -> bool {
        match kind {
            Entity::Customers => self.customers_webhook,
            Entity::Products => self.products_webhook,
            Entity::Invoices => self.invoices_webhook,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<backend::settings::SyncSettings> for SettingsView {
    fn from(s: backend::settings::SyncSettings) -> Self {
        SettingsView {
            products_hourly: s.products.hourly(),
            customers_hourly: s.customers.hourly(),
            products_webhook: s.products.webhook(),
            customers_webhook: s.customers.webhook(),
            invoices_webhook: s.invoices_webhook,
        }
    }
}

/// One webhook to create in e-conomic, with every value the user must enter there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookSetup {
    /// Its entity.
    pub kind: Entity,
    /// The URL to paste into e-conomic (carries the credential).
    pub url: String,
    /// The e-conomic webhook type, as e-conomic's Danish UI names it.
    pub type_name: String,
    /// The name to give the webhook in e-conomic.
    pub name: String,
    /// "Data sent": the body template.
    pub post_data: String,
    /// The content type to choose.
    pub content_type: String,
}

/// Everything the Advanced Settings page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdvancedView {
    /// The saved settings.
    pub settings: SettingsView,
    /// The three webhooks, in the order customers, products, invoices.
    pub webhooks: Vec<WebhookSetup>,
    /// Whether e-conomic is connected.
    pub connected: bool,
}

/// The tenant's e-conomic connection, if any.
#[server(prefix = "/api", endpoint = "economic", input = leptos::server_fn::codec::GetUrl)]
pub async fn economic_status() -> Result<Option<ConnectionView>, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let connection = backend::connection::get(&ctx.state.db, ctx.tenant_id).await?;
    let shared = crate::api::managed_webhooks::ssr::shared(&ctx.state, ctx.tenant_id).await?;
    Ok(connection.map(|c| ConnectionView {
        company_name: c.company_name,
        agreement_number: c.agreement_number,
        connected_at: crate::ssr::format::timestamp(c.connected_at),
        paused: c.paused.map(|p| p.reason),
        shared,
        webhooks_api_refused: c.webhooks_api_allowed == Some(false),
    }))
}

/// e-conomic's token bucket for the caller's agreement, as the answers to this server's calls
/// reported it (`None` before any did).
#[server(prefix = "/api", endpoint = "economic_bucket", input = leptos::server_fn::codec::GetUrl)]
pub async fn economic_bucket() -> Result<Option<TokenBucketView>, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    let grant = backend::connection::grant_token(&state.db, &state.keys, ctx.tenant_id).await?;
    let Some(grant) = grant else {
        return Ok(None);
    };
    Ok(state
        .economic
        .bucket(grant.expose())
        .map(|b| TokenBucketView {
            used: b.used_now,
            limit: b.status.limit,
            window_secs: b.status.window.as_secs(),
            reported_at: crate::ssr::format::timestamp(backend::Timestamp::from(b.observed_at)),
        }))
}

/// In demo mode, the page of the bundled e-conomic simulator (whose grant token is `demo`).
#[server(prefix = "/api", endpoint = "economic_demo", input = leptos::server_fn::codec::GetUrl)]
pub async fn economic_demo() -> Result<Option<String>, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    Ok(ctx.state.demo_simulator_page.clone())
}

/// Verifies `grant_token` with e-conomic (`GET /self`) and stores it encrypted.
#[server(prefix = "/api", endpoint = "connect_economic")]
pub async fn connect_economic(csrf_token: CsrfToken, grant_token: String) -> Result<(), AppError> {
    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    ctx.manager()?;
    let write = ctx.writable()?;
    let state = &ctx.state;
    let connection = backend::connection::connect(
        &state.db,
        &state.keys,
        &state.economic,
        ctx.tenant_id,
        &grant_token,
        backend::Timestamp::now(),
    )
    .await?;
    let detail = format!("agreement {}", connection.agreement_number);
    ctx.audit(&write, backend::audit::Action::Connected, &detail)
        .await;
    leptos_axum::redirect("/settings/apps/economic?connected=1");
    Ok(())
}

/// Forgets the tenant's grant token.
#[server(prefix = "/api", endpoint = "disconnect_economic")]
pub async fn disconnect_economic(csrf_token: CsrfToken) -> Result<(), AppError> {
    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    ctx.manager()?;
    let write = ctx.writable()?;
    backend::connection::disconnect(&ctx.state.db, ctx.tenant_id).await?;
    ctx.audit(&write, backend::audit::Action::Disconnected, "")
        .await;
    leptos_axum::redirect("/settings/apps/economic?disconnected=1");
    Ok(())
}

/// The saved settings and the three webhook setups; managers only.
#[server(prefix = "/api", endpoint = "advanced_settings", input = leptos::server_fn::codec::GetUrl)]
pub async fn advanced_settings() -> Result<AdvancedView, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let manager = ctx.manager()?;
    let saved = backend::settings::get(&ctx.state.db, ctx.tenant_id).await?;
    let webhooks = ssr::webhook_setups(&ctx, &manager).await?;
    let connected = backend::connection::get(&ctx.state.db, ctx.tenant_id)
        .await?
        .is_some();
    Ok(AdvancedView {
        settings: SettingsView::from(saved),
        webhooks,
        connected,
    })
}

/// Saves the Advanced Settings. A ticked checkbox arrives as `Some(_)`, an unticked one is
/// absent. The boxes are parsed here, at the form's boundary, into one mode per entity: hourly
/// and webhook for one entity together are refused and nothing is saved.
#[server(prefix = "/api", endpoint = "save_settings")]
pub async fn save_settings(
    csrf_token: CsrfToken,
    products_hourly: Option<String>,
    customers_hourly: Option<String>,
    products_webhook: Option<String>,
    customers_webhook: Option<String>,
    invoices_webhook: Option<String>,
) -> Result<SettingsView, AppError> {
    use crate::api::managed_webhooks::ssr as managed;

    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    ctx.manager()?;
    let write = ctx.writable()?;
    let settings = backend::settings::SyncSettings::from_boxes(backend::settings::Boxes {
        products_hourly: products_hourly.is_some(),
        customers_hourly: customers_hourly.is_some(),
        products_webhook: products_webhook.is_some(),
        customers_webhook: customers_webhook.is_some(),
        invoices_webhook: invoices_webhook.is_some(),
    })?;
    let now = backend::Timestamp::now();
    backend::settings::save(&ctx.state.db, ctx.tenant_id, &settings, now).await?;
    let detail = settings.summary();
    ctx.audit(&write, backend::audit::Action::SettingsSaved, &detail)
        .await;
    // Each ticked webhook the app creates for the company ("created for me", the default when
    // the agreement allows the Webhooks API) is created or updated in e-conomic now; one the
    // company creates itself is left to it. The outcome is stored per webhook and shown beside
    // it; a refusal never undoes the save.
    let connected = backend::connection::get(&ctx.state.db, ctx.tenant_id)
        .await?
        .is_some();
    if connected {
        let target = managed::target(&ctx.state, &write);
        let now = backend::Timestamp::now();
        for kind in backend::economic::Entity::ALL {
            let mode = backend::managed_webhooks::mode(&ctx.state.db, ctx.tenant_id, kind).await?;
            if settings.is_enabled(kind) && mode == backend::managed_webhooks::Mode::Automatic {
                let outcome =
                    backend::managed_webhooks::ensure(target, ctx.tenant_id, kind, now).await?;
                managed::audit(&ctx, &write, kind, outcome).await;
            }
        }
    }
    leptos_axum::redirect("/settings/apps/economic/advanced?saved=1");
    Ok(SettingsView::from(settings))
}

/// Makes a new URL for one webhook; the old one keeps working for the grace period.
#[server(prefix = "/api", endpoint = "regenerate_webhook_url")]
pub async fn regenerate_webhook_url(csrf_token: CsrfToken, kind: Entity) -> Result<(), AppError> {
    use crate::api::managed_webhooks::ssr as managed;

    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    ctx.manager()?;
    let write = ctx.writable()?;
    let now = backend::Timestamp::now();
    backend::webhook_credentials::regenerate(&ctx.state.db, ctx.tenant_id, kind, now).await?;
    let action = backend::audit::Action::WebhookUrlRegenerated;
    ctx.audit(&write, action, kind.as_str()).await;
    // In the same step: a webhook the app manages in e-conomic now points at the new URL, so
    // the grace period is a safety net, not a chore.
    let target = managed::target(&ctx.state, &write);
    let now = backend::Timestamp::now();
    let followed =
        backend::managed_webhooks::follow_regenerated_url(target, ctx.tenant_id, kind, now).await?;
    if let Some(outcome) = followed {
        managed::audit(&ctx, &write, kind, outcome).await;
    }
    leptos_axum::redirect(&format!(
        "/settings/apps/economic/advanced?regenerated={}",
        kind.as_str()
    ));
    Ok(())
}

#[cfg(feature = "ssr")]
mod ssr {
    use backend::economic::{CONTENT_TYPE, Entity};
    use backend::webhook_credentials as credentials;

    use super::WebhookSetup;
    use crate::error::AppError;
    use crate::ssr::entrance::{Manager, Tenant};

    /// What support staff see in place of a webhook URL's credential.
    const SUPPORT_REDACTED: &str = "(hidden-from-support)";

    /// The three webhooks with every value to enter in e-conomic, URLs (credentials) included:
    /// for managers only.
    pub async fn webhook_setups<K>(
        ctx: &Tenant<K>,
        _: &Manager,
    ) -> Result<Vec<WebhookSetup>, AppError> {
        let (state, tenant) = (&ctx.state, ctx.tenant_id);
        let mut webhooks = Vec::new();
        for kind in Entity::ALL {
            // Asked for support staff too: the first view creates the URL's credential.
            let token = credentials::url_token(&state.db, &state.keys, tenant, kind).await?;
            // The URL is a credential: support staff looking in never see it (they could post
            // webhooks as e-conomic with it).
            let token = match ctx.support {
                Some(_) => SUPPORT_REDACTED,
                None => token.as_str(),
            };
            let path = credentials::webhook_path(tenant, kind, token);
            webhooks.push(WebhookSetup {
                kind,
                url: format!("{}{path}", state.public_url),
                type_name: kind.danish_type_name().to_owned(),
                name: kind.danish_type_name().to_owned(),
                post_data: kind.post_data().to_owned(),
                content_type: CONTENT_TYPE.to_owned(),
            });
        }
        Ok(webhooks)
    }
}
