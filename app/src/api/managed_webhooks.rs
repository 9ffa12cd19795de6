//! One-click webhook setup through e-conomic's Webhooks API (issue 13): create, update,
//! re-enable and delete the tenant's webhooks in e-conomic, and their health. Thin: each checks
//! who asks and calls [`backend::managed_webhooks`], which stores every outcome (a form posted
//! without JavaScript is answered with a redirect, and the page shows the stored outcome).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use economic::Entity;

use crate::api::CsrfToken;
use crate::error::AppError;
use crate::i18n::Msg;

/// The last action's outcome on a webhook in e-conomic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutcomeView {
    /// Created in e-conomic.
    Created,
    /// e-conomic's webhook set to our values.
    Updated,
    /// Enabled again after e-conomic disabled it.
    Reenabled,
    /// Deleted in e-conomic.
    Deleted,
    /// Changed in e-conomic meanwhile (stale version): nothing changed, try again.
    Conflict,
    /// The agreement's user lacks the rights: the manual steps are the way.
    Forbidden,
    /// e-conomic refused the request.
    Refused,
    /// e-conomic could not be reached.
    Unavailable,
    /// Not connected to e-conomic.
    NotConnected,
}

impl OutcomeView {
    /// The sentence the page shows.
    pub fn message(self) -> Msg {
        match self {
            OutcomeView::Created => Msg::WebhooksApiCreated,
            OutcomeView::Updated => Msg::WebhooksApiUpdated,
            OutcomeView::Reenabled => Msg::WebhooksApiReenabled,
            OutcomeView::Deleted => Msg::WebhooksApiDeleted,
            OutcomeView::Conflict => Msg::WebhooksApiConflict,
            OutcomeView::Forbidden => Msg::WebhooksApiForbidden,
            OutcomeView::Refused => Msg::WebhooksApiRefused,
            OutcomeView::Unavailable => Msg::WebhooksApiUnavailable,
            OutcomeView::NotConnected => Msg::WebhooksApiNotConnected,
        }
    }

    /// Whether e-conomic did what was asked.
    pub fn succeeded(self) -> bool {
        match self {
            OutcomeView::Created
            | OutcomeView::Updated
            | OutcomeView::Reenabled
            | OutcomeView::Deleted => true,
            OutcomeView::Conflict
            | OutcomeView::Forbidden
            | OutcomeView::Refused
            | OutcomeView::Unavailable
            | OutcomeView::NotConnected => false,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<backend::managed_webhooks::Outcome> for OutcomeView {
    fn from(o: backend::managed_webhooks::Outcome) -> Self {
        use backend::managed_webhooks::Outcome;
        match o {
            Outcome::Created => OutcomeView::Created,
            Outcome::Updated => OutcomeView::Updated,
            Outcome::Reenabled => OutcomeView::Reenabled,
            Outcome::Deleted => OutcomeView::Deleted,
            Outcome::Conflict => OutcomeView::Conflict,
            Outcome::Forbidden => OutcomeView::Forbidden,
            Outcome::Refused => OutcomeView::Refused,
            Outcome::Unavailable => OutcomeView::Unavailable,
            Outcome::NotConnected => OutcomeView::NotConnected,
        }
    }
}

/// A webhook's health at the last check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HealthView {
    /// Not checked yet.
    Unchecked,
    /// e-conomic has it, enabled, at our current URL.
    Healthy,
    /// e-conomic does not have it.
    Missing,
    /// It points at another URL.
    OtherUrl,
    /// e-conomic disabled it.
    Disabled,
}

/// What the page shows about one webhook in e-conomic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManagedView {
    /// `customers`, `products` or `invoices`.
    pub kind: String,
    /// The e-conomic type name (Danish UI).
    pub type_name: String,
    /// Whether the app created it in e-conomic and looks after it.
    pub managed: bool,
    /// The last action's outcome.
    pub outcome: Option<OutcomeView>,
    /// When that was (UTC).
    pub outcome_at: Option<String>,
    /// The health at the last check.
    pub health: HealthView,
    /// When e-conomic disabled it, if it did (UTC).
    pub disabled_since: Option<String>,
    /// When it was last checked (UTC).
    pub checked_at: Option<String>,
    /// Why the last check could not look.
    pub check_problem: Option<OutcomeView>,
}

/// The three webhooks as e-conomic holds them, in the order customers, products, invoices.
#[server(prefix = "/api", endpoint = "managed_webhooks", input = leptos::server_fn::codec::GetUrl)]
pub async fn managed_webhooks() -> Result<Vec<ManagedView>, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    ctx.manager()?;
    ssr::views(&ctx.state, ctx.tenant_id).await
}

/// "Create in e-conomic for me" (also: update, re-enable): sets e-conomic's `kind` webhook to
/// our URL and values.
#[server(prefix = "/api", endpoint = "create_in_economic")]
pub async fn create_in_economic(
    csrf_token: CsrfToken,
    kind: Entity,
) -> Result<OutcomeView, AppError> {
    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    ctx.manager()?;
    let write = ctx.writable()?;
    let target = ssr::target(&ctx.state, &write);
    let now = backend::Timestamp::now();
    let outcome = backend::managed_webhooks::ensure(target, ctx.tenant_id, kind, now).await?;
    ssr::audit(&ctx, &write, kind, outcome).await;
    leptos_axum::redirect(&format!(
        "/settings/apps/economic/advanced#webhook-{}",
        kind.as_str()
    ));
    Ok(outcome.into())
}

/// Deletes e-conomic's `kind` webhook (offered after its box was unticked).
#[server(prefix = "/api", endpoint = "delete_in_economic")]
pub async fn delete_in_economic(
    csrf_token: CsrfToken,
    kind: Entity,
) -> Result<OutcomeView, AppError> {
    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    ctx.manager()?;
    let write = ctx.writable()?;
    let target = ssr::target(&ctx.state, &write);
    let now = backend::Timestamp::now();
    let outcome = backend::managed_webhooks::remove(target, ctx.tenant_id, kind, now).await?;
    ssr::audit(&ctx, &write, kind, outcome).await;
    leptos_axum::redirect("/settings/apps/economic/advanced#economic-webhooks");
    Ok(outcome.into())
}

/// "Check now": one list call; the health lines show the result.
#[server(prefix = "/api", endpoint = "check_economic_webhooks")]
pub async fn check_economic_webhooks(
    csrf_token: CsrfToken,
) -> Result<Option<OutcomeView>, AppError> {
    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    ctx.manager()?;
    let state = &ctx.state;
    let problem = backend::managed_webhooks::check(
        &state.db,
        &state.keys,
        &state.economic,
        ctx.tenant_id,
        backend::sync::budget::Priority::Scheduled,
        backend::Timestamp::now(),
    )
    .await?;
    leptos_axum::redirect("/settings/apps/economic/advanced#economic-webhooks");
    Ok(problem.map(OutcomeView::from))
}

/// Server-side helpers shared with the settings and regenerate functions.
#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use backend::economic::Entity;
    use backend::managed_webhooks::{self, Health, Outcome, Target};

    use super::{HealthView, ManagedView, OutcomeView};
    use crate::error::AppError;
    use crate::ssr::entrance::{Change, Tenant, Writable};
    use crate::ssr::state::AppState;

    /// Records in the company's activity log a change e-conomic made at our request (a
    /// refusal changed nothing there and is shown beside the webhook instead).
    pub(crate) async fn audit(
        ctx: &Tenant<Change>,
        write: &Writable,
        kind: Entity,
        outcome: Outcome,
    ) {
        if outcome.succeeded() {
            let detail = format!("{}: {}", kind.as_str(), outcome.as_str());
            let action = backend::audit::Action::EconomicWebhookChanged;
            ctx.audit(write, action, &detail).await;
        }
    }

    /// What the backend changes our webhooks in e-conomic with: only for a request that may
    /// change the company's data.
    pub(crate) fn target<'a>(state: &'a AppState, _: &Writable) -> Target<'a> {
        where_they_point(state)
    }

    /// Where our webhooks point; for reading only outside [`target`].
    fn where_they_point(state: &AppState) -> Target<'_> {
        Target {
            db: &state.db,
            keys: &state.keys,
            client: &state.economic,
            public_url: &state.public_url,
        }
    }

    /// The three webhooks' views.
    pub(crate) async fn views(
        state: &AppState,
        tenant_id: backend::TenantId,
    ) -> Result<Vec<ManagedView>, AppError> {
        let rows = managed_webhooks::list(&state.db, tenant_id).await?;
        let mut views = Vec::new();
        for kind in Entity::ALL {
            let row = rows.iter().find(|r| r.kind == kind);
            let current =
                managed_webhooks::current_url(where_they_point(state), tenant_id, kind).await?;
            let health = row.map_or(Health::Unchecked, |r| r.health(&current));
            let (health, disabled_since) = match health {
                Health::Unchecked => (HealthView::Unchecked, None),
                Health::Healthy => (HealthView::Healthy, None),
                Health::Missing => (HealthView::Missing, None),
                Health::OtherUrl => (HealthView::OtherUrl, None),
                Health::Disabled(since) => (
                    HealthView::Disabled,
                    since.map(crate::ssr::format::timestamp),
                ),
            };
            views.push(ManagedView {
                kind: kind.as_str().to_owned(),
                type_name: kind.danish_type_name().to_owned(),
                managed: row.is_some_and(|r| r.managed),
                outcome: row.and_then(|r| r.outcome).map(|(o, _)| o.into()),
                outcome_at: row
                    .and_then(|r| r.outcome)
                    .map(|(_, at)| crate::ssr::format::timestamp(at)),
                health,
                disabled_since,
                checked_at: row
                    .and_then(|r| r.checked_at)
                    .map(crate::ssr::format::timestamp),
                check_problem: row.and_then(|r| r.check_problem).map(OutcomeView::from),
            });
        }
        Ok(views)
    }
}

/// A tenant's webhook health for the staff tenant page; staff only (no URL is shown).
#[server(prefix = "/api", endpoint = "staff_webhook_health", input = leptos::server_fn::codec::GetUrl)]
pub async fn staff_webhook_health(id: i64) -> Result<Vec<ManagedView>, AppError> {
    let staff = crate::ssr::entrance::Staff::read().await?;
    let tenant = backend::TenantId::new(id);
    // An unknown tenant is a 404.
    let ctx = crate::api::health::context(&staff.state);
    backend::tenant_health::one(ctx, tenant, backend::Timestamp::now()).await?;
    ssr::views(&staff.state, tenant).await
}
