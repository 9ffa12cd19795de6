//! The company's activity log for its owners: logins, connection, settings, webhook URLs and
//! invites, and what support staff did, read from the audit log.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// How many entries the page shows.
pub const LIMIT: u32 = 200;

pub use vocabulary::audit::Action;

/// Who did it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivityActor {
    /// A user of the company, by name.
    User(String),
    /// Support staff, by name.
    Staff(String),
    /// Support staff acting as one of the company's users, by the staff member's name.
    Support(String),
    /// The system itself.
    System,
}

/// One entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    /// When (UTC, formatted).
    pub at: String,
    /// Who.
    pub actor: ActivityActor,
    /// What.
    pub action: Action,
    /// Details (never secrets).
    pub detail: String,
}

/// The company's newest [`LIMIT`] entries; owners only.
#[server(prefix = "/api", endpoint = "activity_log", input = leptos::server_fn::codec::GetUrl)]
pub async fn activity_log() -> Result<Vec<ActivityView>, AppError> {
    use backend::audit::Actor;

    use crate::ssr::format;

    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    ctx.owner()?;
    let entries = backend::audit::for_tenant(&state.db, ctx.tenant_id, LIMIT).await?;
    Ok(entries
        .into_iter()
        .map(|e| {
            let name = e.actor_name.unwrap_or_default();
            ActivityView {
                at: format::timestamp(e.created_at),
                actor: match e.actor {
                    Actor::User(_) => ActivityActor::User(name),
                    Actor::Staff(_) => ActivityActor::Staff(name),
                    Actor::Impersonating { .. } => ActivityActor::Support(name),
                    Actor::System => ActivityActor::System,
                },
                action: e.action,
                detail: e.detail,
            }
        })
        .collect())
}
