//! One-click webhook setup through e-conomic's Webhooks API (issues 13 and 29): per webhook the
//! choice "created for me" or "I create it myself", create, update, re-enable and delete the
//! tenant's webhooks in e-conomic, their health, the companies sharing the agreement and changes
//! arriving twice. Thin: each checks who asks and calls [`backend::managed_webhooks`], which
//! stores every outcome (a form posted without JavaScript is answered with a redirect, and the
//! page shows the stored outcome).

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
    /// The app lacks the agreement's SuperUser role: the manual steps are the way.
    Forbidden,
    /// The agreement has a webhook of this type the app cannot see (one per type).
    AlreadyExists,
    /// The agreement's webhook of this type sends to another company sharing the agreement.
    OtherCompany,
    /// The agreement's webhook of this type sends to an address not of this server.
    OtherAddress,
    /// e-conomic calls https:// URLs only.
    HttpsRequired,
    /// The agreement does not offer this webhook type.
    TypeNotOffered,
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
            OutcomeView::AlreadyExists => Msg::WebhooksApiAlreadyExists,
            OutcomeView::OtherCompany => Msg::WebhooksApiOtherCompany,
            OutcomeView::OtherAddress => Msg::WebhooksApiOtherAddress,
            OutcomeView::HttpsRequired => Msg::WebhooksApiHttpsRequired,
            OutcomeView::TypeNotOffered => Msg::WebhooksApiTypeNotOffered,
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
            | OutcomeView::AlreadyExists
            | OutcomeView::OtherCompany
            | OutcomeView::OtherAddress
            | OutcomeView::HttpsRequired
            | OutcomeView::TypeNotOffered
            | OutcomeView::Refused
            | OutcomeView::Unavailable
            | OutcomeView::NotConnected => false,
        }
    }

    /// Whether the page points at the manual values below it: every refusal where making the
    /// webhook by hand (or checking the one e-conomic has) is the way forward.
    pub fn manual_is_the_way(self) -> bool {
        match self {
            OutcomeView::Forbidden
            | OutcomeView::AlreadyExists
            | OutcomeView::HttpsRequired
            | OutcomeView::Refused => true,
            OutcomeView::Created
            | OutcomeView::Updated
            | OutcomeView::Reenabled
            | OutcomeView::Deleted
            | OutcomeView::Conflict
            | OutcomeView::OtherCompany
            | OutcomeView::OtherAddress
            | OutcomeView::TypeNotOffered
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
            Outcome::AlreadyExists => OutcomeView::AlreadyExists,
            Outcome::OtherCompany => OutcomeView::OtherCompany,
            Outcome::OtherAddress => OutcomeView::OtherAddress,
            Outcome::HttpsRequired => OutcomeView::HttpsRequired,
            Outcome::TypeNotOffered => OutcomeView::TypeNotOffered,
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
    /// It points at another URL of this company.
    OtherUrl,
    /// e-conomic disabled it.
    Disabled,
    /// e-conomic's webhook of this type sends to another company on the agreement.
    OtherCompany,
    /// e-conomic's webhook of this type sends to an address not of this server.
    OtherAddress,
}

/// Who makes a webhook in e-conomic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModeView {
    /// The app creates it.
    Automatic,
    /// The user creates it in e-conomic.
    Manual,
}

impl ModeView {
    /// The form value.
    pub fn as_str(self) -> &'static str {
        match self {
            ModeView::Automatic => "automatic",
            ModeView::Manual => "manual",
        }
    }
}

/// Another company connected to the same e-conomic agreement, or this one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharingCompany {
    /// Its name.
    pub name: String,
    /// Whether it is the company looking.
    pub is_you: bool,
}

/// Who e-conomic sends one webhook type of a shared agreement to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReceiverView {
    /// A company of this app (maybe the one looking).
    Company(SharingCompany),
    /// An address that is not this server's.
    Elsewhere,
    /// No webhook of this type made by the app, or not looked at yet.
    Unknown,
}

/// The e-conomic agreement this company shares with other companies of the app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedView {
    /// e-conomic's agreement number.
    pub agreement_number: i64,
    /// The companies connected to it, by name.
    pub companies: Vec<SharingCompany>,
    /// Per webhook type: (e-conomic type name, who receives it).
    pub receivers: Vec<(String, ReceiverView)>,
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
    /// Who makes it: the company's choice, or the default for its agreement.
    pub mode: ModeView,
    /// Whether the mode is the company's own choice (not the default).
    pub mode_chosen: bool,
    /// The company e-conomic's webhook of this type sends to, when it is another one.
    pub other_company: Option<String>,
    /// Whether recent changes of this type arrived twice (two webhooks in e-conomic).
    pub duplicated: bool,
}

/// The e-conomic webhooks part of the Advanced Settings page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManagedOverview {
    /// The three webhooks, in the order customers, products, invoices.
    pub webhooks: Vec<ManagedView>,
    /// The agreement when other companies share it.
    pub shared: Option<SharedView>,
    /// Whether connecting found the Webhooks API closed to the app (no SuperUser role).
    pub api_refused: bool,
}

/// The three webhooks as e-conomic holds them, the companies sharing the agreement, and whether
/// the app may use the Webhooks API.
#[server(prefix = "/api", endpoint = "managed_webhooks", input = leptos::server_fn::codec::GetUrl)]
pub async fn managed_webhooks() -> Result<ManagedOverview, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    ctx.manager()?;
    let webhooks = ssr::views(&ctx.state, ctx.tenant_id).await?;
    let shared = ssr::shared(&ctx.state, ctx.tenant_id).await?;
    let api_refused = backend::connection::webhooks_api_allowed(&ctx.state.db, ctx.tenant_id)
        .await?
        == Some(false);
    Ok(ManagedOverview {
        webhooks,
        shared,
        api_refused,
    })
}

/// "The app creates it for me" or "I create it myself" for one webhook. Choosing "myself"
/// deletes the company's own webhook the app made (else every change would arrive twice);
/// choosing "for me" creates (or updates) it at once when its box is ticked.
#[server(prefix = "/api", endpoint = "set_webhook_mode")]
pub async fn set_webhook_mode(
    csrf_token: CsrfToken,
    kind: Entity,
    mode: String,
) -> Result<Option<OutcomeView>, AppError> {
    use backend::managed_webhooks::{self as managed, Mode};

    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    ctx.manager()?;
    let write = ctx.writable()?;
    let mode = Mode::parse(&mode).ok_or(AppError::NotFound)?;
    let now = backend::Timestamp::now();
    let target = ssr::target(&ctx.state, &write);
    let outcome = match mode {
        Mode::Manual => managed::choose_manual(target, ctx.tenant_id, kind, now).await?,
        Mode::Automatic => {
            managed::set_mode(&ctx.state.db, ctx.tenant_id, kind, Mode::Automatic, now).await?;
            let settings = backend::settings::get(&ctx.state.db, ctx.tenant_id).await?;
            match settings.is_enabled(kind) {
                true => Some(managed::ensure(target, ctx.tenant_id, kind, now).await?),
                false => None,
            }
        }
    };
    if let Some(outcome) = outcome {
        ssr::audit(&ctx, &write, kind, outcome).await;
    }
    leptos_axum::redirect(&format!(
        "/settings/apps/economic/advanced#webhook-{}",
        kind.as_str()
    ));
    Ok(outcome.map(OutcomeView::from))
}

/// "Create in e-conomic for me" (also: update, re-enable): sets e-conomic's `kind` webhook to
/// our URL and values (the company's own only), and makes "for me" the webhook's choice.
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
    use backend::managed_webhooks::shared::{self, Receiver};
    use backend::managed_webhooks::{self, Health, Mode, Outcome, Target};

    use super::{
        HealthView, ManagedView, ModeView, OutcomeView, ReceiverView, SharedView, SharingCompany,
    };
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

    /// The agreement's other companies and who receives each webhook type, when it is shared.
    pub(crate) async fn shared(
        state: &AppState,
        tenant_id: backend::TenantId,
    ) -> Result<Option<SharedView>, AppError> {
        let Some(agreement) = shared::of_tenant(&state.db, tenant_id).await? else {
            return Ok(None);
        };
        let company = |c: &shared::Company| SharingCompany {
            name: c.name.clone(),
            is_you: c.tenant_id == tenant_id,
        };
        Ok(Some(SharedView {
            agreement_number: agreement.agreement_number,
            companies: agreement.companies.iter().map(company).collect(),
            receivers: agreement
                .receivers
                .iter()
                .map(|(kind, receiver)| {
                    let view = match receiver {
                        Receiver::Company(c) => ReceiverView::Company(company(c)),
                        Receiver::Elsewhere => ReceiverView::Elsewhere,
                        Receiver::Unknown => ReceiverView::Unknown,
                    };
                    (kind.danish_type_name().to_owned(), view)
                })
                .collect(),
        }))
    }

    /// The three webhooks' views.
    pub(crate) async fn views(
        state: &AppState,
        tenant_id: backend::TenantId,
    ) -> Result<Vec<ManagedView>, AppError> {
        let rows = managed_webhooks::list(&state.db, tenant_id).await?;
        let now = backend::Timestamp::now();
        let duplicated = managed_webhooks::duplicates::find(&state.db, tenant_id, now).await?;
        let allowed = backend::connection::webhooks_api_allowed(&state.db, tenant_id).await?;
        let mut views = Vec::new();
        for kind in Entity::ALL {
            let row = rows.iter().find(|r| r.kind == kind);
            let current =
                managed_webhooks::current_url(where_they_point(state), tenant_id, kind).await?;
            let health = row.map_or(Health::Unchecked, |r| r.health(tenant_id, &current));
            let mut other_company = None;
            let (health, disabled_since) = match health {
                Health::Unchecked => (HealthView::Unchecked, None),
                Health::Healthy => (HealthView::Healthy, None),
                Health::Missing => (HealthView::Missing, None),
                Health::OtherUrl => (HealthView::OtherUrl, None),
                Health::Disabled(since) => (
                    HealthView::Disabled,
                    since.map(crate::ssr::format::timestamp),
                ),
                Health::OtherCompany(owner) => {
                    other_company = company_name(state, tenant_id, owner).await?;
                    (HealthView::OtherCompany, None)
                }
                Health::OtherAddress => (HealthView::OtherAddress, None),
            };
            let chosen = row.and_then(|r| r.mode);
            let mode = match chosen.unwrap_or(Mode::default_for(allowed)) {
                Mode::Automatic => ModeView::Automatic,
                Mode::Manual => ModeView::Manual,
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
                mode,
                mode_chosen: chosen.is_some(),
                other_company,
                duplicated: duplicated.iter().any(|d| d.kind == kind),
            });
        }
        Ok(views)
    }

    /// The name of the company `owner` sharing `tenant_id`'s agreement (only such a company's
    /// name is ever shown).
    async fn company_name(
        state: &AppState,
        tenant_id: backend::TenantId,
        owner: backend::TenantId,
    ) -> Result<Option<String>, AppError> {
        let Some(connection) = backend::connection::get(&state.db, tenant_id).await? else {
            return Ok(None);
        };
        let companies = shared::companies(&state.db, connection.agreement_number).await?;
        Ok(companies
            .into_iter()
            .find(|c| c.tenant_id == owner)
            .map(|c| c.name))
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

/// One e-conomic agreement that several companies are connected to, for staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSharedAgreement {
    /// e-conomic's agreement number.
    pub agreement_number: i64,
    /// The companies: (id, name).
    pub companies: Vec<(i64, String)>,
}

/// Every agreement shared by more than one company; staff only.
#[server(prefix = "/api", endpoint = "staff_shared_agreements", input = leptos::server_fn::codec::GetUrl)]
pub async fn staff_shared_agreements() -> Result<Vec<StaffSharedAgreement>, AppError> {
    let staff = crate::ssr::entrance::Staff::read().await?;
    let shared = backend::managed_webhooks::shared::all_shared(&staff.state.db).await?;
    Ok(shared
        .into_iter()
        .map(|(agreement_number, companies)| StaffSharedAgreement {
            agreement_number,
            companies: companies
                .into_iter()
                .map(|c| (c.tenant_id.get(), c.name))
                .collect(),
        })
        .collect())
}
