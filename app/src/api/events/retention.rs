//! The company's retention setting, shown (and for managers changed) on the history page.

use leptos::prelude::*;

use crate::api::CsrfToken;
use crate::error::AppError;

pub use vocabulary::Retention;

/// The caller's company's retention.
#[server(prefix = "/api", endpoint = "event_retention", input = leptos::server_fn::codec::GetUrl)]
pub async fn event_retention() -> Result<Retention, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    Ok(backend::events::retention::get(&state.db, ctx.tenant_id).await?)
}

/// Keep the caller's company's events for `days` (30, 90 or 365); managers only.
#[server(prefix = "/api", endpoint = "set_event_retention")]
pub async fn set_event_retention(csrf_token: CsrfToken, days: i64) -> Result<(), AppError> {
    use backend::events::retention;

    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    ctx.manager()?;
    let write = ctx.writable()?;
    let state = &ctx.state;
    let keep = Retention::from_days(days)
        .ok_or_else(|| AppError::Request("retention must be 30, 90 or 365 days".to_owned()))?;
    retention::set(&state.db, ctx.tenant_id, keep, backend::Timestamp::now()).await?;
    let detail = format!("event retention {days} days");
    ctx.audit(&write, backend::audit::Action::SettingsSaved, &detail)
        .await;
    leptos_axum::redirect("/events?retention=saved");
    Ok(())
}
