//! "Stop the old URL now": after a regeneration the previous webhook URL keeps working for a
//! grace period so that e-conomic can be updated; when the old one leaked, it must stop at once.

use leptos::prelude::*;

use crate::error::AppError;

/// Stops the previous URLs of webhook `kind` at once; the current one keeps working.
#[server(prefix = "/api", endpoint = "revoke_old_webhook_urls")]
pub async fn revoke_old_webhook_urls(csrf_token: String, kind: String) -> Result<(), AppError> {
    use crate::ssr::{session, state::app_state};
    let _ = csrf_token;

    let state = app_state()?;
    let ctx = session::tenant_user(&state, &session::current().await?).await?;
    session::require_manager(&ctx)?;
    session::require_write(&ctx)?;
    let kind = backend::economic::Entity::from_slug(&kind).ok_or(AppError::NotFound)?;
    let now = backend::Timestamp::now();
    backend::webhook_credentials::revoke_previous(&state.db, ctx.tenant_id, kind, now).await?;
    let action = backend::audit::Action::WebhookUrlRevoked;
    session::audit(&state, &ctx, action, kind.as_str()).await;
    leptos_axum::redirect(&format!(
        "/settings/apps/economic/advanced?revoked={}",
        kind.as_str()
    ));
    Ok(())
}
