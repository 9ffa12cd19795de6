//! Rejected webhooks for the settings page's warning: requests with a valid URL that could not
//! be read (a template that is not ours, or a record number the data cannot carry). They are
//! answered 2xx so that e-conomic does not disable the webhook, so this warning is how the
//! company learns of them.

use economic::Entity;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// How far back the warning looks.
pub const WARN_DAYS: i64 = 7;

/// Rejected webhooks of one kind within [`WARN_DAYS`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedView {
    /// The webhook's kind.
    pub kind: Entity,
    /// How many (a retried request counts once).
    pub count: i64,
    /// When the newest arrived (UTC, formatted).
    pub last_at: String,
}

/// The company's rejected webhooks of the last [`WARN_DAYS`] days, per kind.
#[server(prefix = "/api", endpoint = "rejected_webhooks", input = leptos::server_fn::codec::GetUrl)]
pub async fn rejected_webhooks() -> Result<Vec<RejectedView>, AppError> {
    use crate::ssr::format;

    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    let since = backend::Timestamp::now() - time::Duration::days(WARN_DAYS);
    let kinds = backend::events::rejected_since(&state.db, ctx.tenant_id, since).await?;
    Ok(kinds
        .into_iter()
        .map(|k| RejectedView {
            kind: k.kind,
            count: k.count,
            last_at: format::timestamp(k.last_at),
        })
        .collect())
}
