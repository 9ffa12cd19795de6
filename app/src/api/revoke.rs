//! "Stop the old URL now": after a regeneration the previous webhook URL keeps working for a
//! grace period so that e-conomic can be updated; when the old one leaked, it must stop at once.

use economic::Entity;
use leptos::prelude::*;

use crate::api::CsrfToken;
use crate::error::AppError;

/// Stops the previous URLs of webhook `kind` at once; the current one keeps working.
#[server(prefix = "/api", endpoint = "revoke_old_webhook_urls")]
pub async fn revoke_old_webhook_urls(csrf_token: CsrfToken, kind: Entity) -> Result<(), AppError> {
    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    ctx.manager()?;
    let write = ctx.writable()?;
    let state = &ctx.state;
    let now = backend::Timestamp::now();
    backend::webhook_credentials::revoke_previous(&state.db, ctx.tenant_id, kind, now).await?;
    let action = backend::audit::Action::WebhookUrlRevoked;
    ctx.audit(&write, action, kind.as_str()).await;
    leptos_axum::redirect(&format!(
        "/settings/apps/economic/advanced?revoked={}",
        kind.as_str()
    ));
    Ok(())
}
