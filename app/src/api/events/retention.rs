//! The company's retention setting, shown (and for managers changed) on the history page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::CsrfToken;
use crate::error::AppError;

/// How long events are kept (mirror of the backend's `Retention`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Keep {
    /// 30 days.
    Days30,
    /// 90 days (the default).
    Days90,
    /// 365 days.
    Days365,
}

impl Keep {
    /// Every choice, shortest first.
    pub const ALL: [Keep; 3] = [Keep::Days30, Keep::Days90, Keep::Days365];

    /// The number of days (also the form's value).
    pub fn days(self) -> i64 {
        match self {
            Keep::Days30 => 30,
            Keep::Days90 => 90,
            Keep::Days365 => 365,
        }
    }
}

/// The caller's company's retention.
#[server(prefix = "/api", endpoint = "event_retention", input = leptos::server_fn::codec::GetUrl)]
pub async fn event_retention() -> Result<Keep, AppError> {
    use backend::events::retention::{self, Retention};

    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    Ok(match retention::get(&state.db, ctx.tenant_id).await? {
        Retention::Days30 => Keep::Days30,
        Retention::Days90 => Keep::Days90,
        Retention::Days365 => Keep::Days365,
    })
}

/// Keep the caller's company's events for `days` (30, 90 or 365); managers only.
#[server(prefix = "/api", endpoint = "set_event_retention")]
pub async fn set_event_retention(csrf_token: CsrfToken, days: i64) -> Result<(), AppError> {
    use backend::events::retention::{self, Retention};

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
