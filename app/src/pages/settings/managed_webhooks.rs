//! The Webhooks API part of the Advanced Settings page (issues 13 and 29): per ticked webhook the
//! explicit choice "the app creates it for me" / "I create it myself" (never both: e-conomic
//! would send every change twice), the outcome of the last action in plain words (a refusal says
//! what it means and what to do, never "try again" when that cannot help), the webhook's health
//! (has e-conomic got it, at our current URL, enabled — or is it another company's?), a warning
//! when changes arrive twice, and the companies this agreement is shared with; "Check now"; and,
//! for a webhook whose box was unticked but which still exists in e-conomic, the offer to delete
//! it there.
//!
//! Plain forms posting to server functions: without JavaScript the post is answered with a
//! redirect back, and the outcome shows because it is stored.

use leptos::prelude::*;

use crate::api::managed_webhooks::{
    CheckEconomicWebhooks, CreateInEconomic, DeleteInEconomic, HealthView, ManagedOverview,
    ManagedView, ModeView, OutcomeView, ReceiverView, SetWebhookMode, SharedView, managed_webhooks,
};
use crate::components::form::CsrfField;
use crate::error::AppError;
use crate::i18n::{Msg, t};

/// The e-conomic webhook views and the actions that change them; provided once per page.
#[derive(Clone, Copy)]
pub struct EconomicWebhooks {
    create: ServerAction<CreateInEconomic>,
    delete: ServerAction<DeleteInEconomic>,
    check: ServerAction<CheckEconomicWebhooks>,
    mode: ServerAction<SetWebhookMode>,
    data: Resource<Result<ManagedOverview, AppError>>,
}

impl EconomicWebhooks {
    /// Loads the views again whenever one of its actions, or `also` (the URL regeneration),
    /// has run. Create it outside any `Suspend` (with the page's other resources), so that the
    /// server's data reach the hydrating browser.
    pub fn new(also: impl Fn() -> usize + Send + Sync + 'static) -> Self {
        let create = ServerAction::<CreateInEconomic>::new();
        let delete = ServerAction::<DeleteInEconomic>::new();
        let check = ServerAction::<CheckEconomicWebhooks>::new();
        let mode = ServerAction::<SetWebhookMode>::new();
        let data = Resource::new_blocking(
            move || {
                (
                    create.version().get(),
                    delete.version().get(),
                    check.version().get(),
                    mode.version().get(),
                    also(),
                )
            },
            |_| managed_webhooks(),
        );
        EconomicWebhooks {
            create,
            delete,
            check,
            mode,
            data,
        }
    }

    /// Loads the views again (after the settings were saved).
    pub fn refetch(self) {
        self.data.refetch();
    }

    async fn overview(self) -> ManagedOverview {
        self.data.await.unwrap_or(ManagedOverview {
            webhooks: Vec::new(),
            shared: None,
            api_refused: false,
        })
    }
}

/// "Check now", when the last check was, and the companies sharing the agreement.
#[component]
pub fn EconomicCheck(hooks: EconomicWebhooks) -> impl IntoView {
    view! {
        <div class="economic-check" id="economic-webhooks">
            <ActionForm action=hooks.check attr:class="inline">
                <CsrfField />
                <button type="submit" data-test="check-economic" disabled=move || hooks.check.pending().get()>
                    {t(Msg::WebhooksApiCheckNow)}
                </button>
            </ActionForm>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let overview = hooks.overview().await;
                    let views = &overview.webhooks;
                    let checked = views.iter().filter_map(|v| v.checked_at.clone()).max();
                    let problem = views.iter().find_map(|v| v.check_problem);
                    view! {
                        <span class="muted small" data-test="checked-at">
                            {match checked {
                                Some(at) => format!("{} {at}", t(Msg::WebhooksApiCheckedAt)),
                                None => t(Msg::WebhooksApiNeverChecked).to_owned(),
                            }}
                        </span>
                        {problem.map(|p| view! { <p class="banner warn" role="status">{t(p.message())}</p> })}
                        {overview.api_refused.then(|| view! {
                            <p class="banner info" role="status" data-test="webhooks-api-refused">{t(Msg::WebhooksModeNotAllowed)}</p>
                        })}
                        {overview.shared.map(|shared| view! { <SharedAgreement shared /> })}
                    }
                })}
            </Suspense>
        </div>
    }
}

/// The companies sharing the e-conomic agreement, and who receives each webhook type.
#[component]
pub fn SharedAgreement(shared: SharedView) -> impl IntoView {
    view! {
        <div class="banner info shared-agreement" role="status" data-test="shared-agreement">
            <strong>{t(Msg::SharedAgreementTitle)}</strong>
            " (" {t(Msg::EconomicAgreement)} " " {shared.agreement_number} ")"
            <p>{t(Msg::SharedAgreementIntro)}</p>
            <ul data-test="shared-companies">
                {shared.companies.into_iter().map(|c| view! {
                    <li>{c.name}{c.is_you.then(|| view! { " (" {t(Msg::SharedAgreementYou)} ")" })}</li>
                }).collect_view()}
            </ul>
            <p>{t(Msg::SharedAgreementReceivers)}</p>
            <ul data-test="shared-receivers">
                {shared.receivers.into_iter().map(|(type_name, receiver)| {
                    let who = match receiver {
                        ReceiverView::Company(c) if c.is_you => format!("{} ({})", c.name, t(Msg::SharedAgreementYou)),
                        ReceiverView::Company(c) => c.name,
                        ReceiverView::Elsewhere => t(Msg::SharedAgreementElsewhere).to_owned(),
                        ReceiverView::Unknown => t(Msg::SharedAgreementUnknown).to_owned(),
                    };
                    view! { <li><strong>{type_name}</strong>" → " {who}</li> }
                }).collect_view()}
            </ul>
        </div>
    }
}

/// The e-conomic line of one ticked webhook's card.
#[component]
pub fn EconomicSetup(kind: String, hooks: EconomicWebhooks) -> impl IntoView {
    let id = format!("webhook-{kind}");
    let test_id = format!("economic-{kind}");
    view! {
        <div class="economic-setup" id=id data-test=test_id>
            <Suspense fallback=|| ()>
                {move || {
                    let kind = kind.clone();
                    Suspend::new(async move {
                        let views = hooks.overview().await.webhooks;
                        views
                            .into_iter()
                            .find(|v| v.kind == kind)
                            .map(|line| view! { <SetupLine line hooks /> })
                    })
                }}
            </Suspense>
        </div>
    }
}

/// The heading over the manual values of `kind`'s card: "create it with these values" when the
/// company makes it by hand, "for reference — do not also create it" when the app makes it.
#[component]
pub fn ManualHeading(kind: String, hooks: EconomicWebhooks) -> impl IntoView {
    view! {
        <Suspense fallback=move || view! { <h4 class="manual">{t(Msg::WebhooksApiManualTitle)}</h4> }>
            {move || {
                let kind = kind.clone();
                Suspend::new(async move {
                    let mode = hooks
                        .overview()
                        .await
                        .webhooks
                        .into_iter()
                        .find(|v| v.kind == kind)
                        .map(|v| v.mode);
                    let text = match mode {
                        Some(ModeView::Automatic) => Msg::WebhooksManualReference,
                        Some(ModeView::Manual) | None => Msg::WebhooksApiManualTitle,
                    };
                    view! { <h4 class="manual" data-test=format!("manual-heading-{kind}")>{t(text)}</h4> }
                })
            }}
        </Suspense>
    }
}

#[component]
fn SetupLine(line: ManagedView, hooks: EconomicWebhooks) -> impl IntoView {
    let kind = line.kind.clone();
    let (mode_text, switch_to, switch_label) = match line.mode {
        ModeView::Automatic => (
            Msg::WebhooksModeIsAutomatic,
            ModeView::Manual,
            Msg::WebhooksModeUseManual,
        ),
        ModeView::Manual => (
            Msg::WebhooksModeIsManual,
            ModeView::Automatic,
            Msg::WebhooksModeUseAutomatic,
        ),
    };
    let switch_id = format!("mode-{}-{}", switch_to.as_str(), line.kind);
    let switch_kind = line.kind.clone();
    let switch = view! {
        <ActionForm action=hooks.mode attr:class="inline mode-switch">
            <CsrfField />
            <input type="hidden" name="kind" value=switch_kind />
            <input type="hidden" name="mode" value=switch_to.as_str() />
            <button type="submit" data-test=switch_id
                disabled=move || hooks.mode.pending().get()>
                {t(switch_label)}
            </button>
        </ActionForm>
    };
    let mode = view! {
        <p class="mode" data-test=format!("mode-{kind}") data-mode=line.mode.as_str()>
            <strong>{t(Msg::WebhooksModeTitle)}</strong> " " {t(mode_text)}
        </p>
        {switch}
    };
    let duplicated = line.duplicated.then(|| view! {
        <p class="banner warn" role="alert" data-test=format!("duplicated-{kind}")>{t(Msg::WebhooksDuplicated)}</p>
    });
    let outcome = line.outcome.map(|o| {
        let class = if o.succeeded() {
            "banner success"
        } else {
            "banner warn"
        };
        let company = line
            .other_company
            .clone()
            .filter(|_| o == OutcomeView::OtherCompany)
            .map(|name| view! { " " <strong data-test="other-company">{name}</strong> "." });
        view! {
            <p class=class role="status" data-test=format!("economic-outcome-{kind}")>
                {t(o.message())}
                {company}
                {o.manual_is_the_way().then(|| view! { " " {t(Msg::WebhooksApiManualBelow)} })}
            </p>
        }
    });
    let health = (line.managed || line.checked_at.is_some()).then(|| {
        let (class, text) = match line.health {
            HealthView::Unchecked => ("muted small", Msg::WebhooksApiHealthUnchecked),
            HealthView::Healthy => ("health ok", Msg::WebhooksApiHealthHealthy),
            HealthView::Missing => ("health bad", Msg::WebhooksApiHealthMissing),
            HealthView::OtherUrl => ("health bad", Msg::WebhooksApiHealthOtherUrl),
            HealthView::Disabled => ("health bad", Msg::WebhooksApiHealthDisabled),
            HealthView::OtherCompany => ("health bad", Msg::WebhooksApiHealthOtherCompany),
            HealthView::OtherAddress => ("health bad", Msg::WebhooksApiHealthOtherAddress),
        };
        let since = line
            .disabled_since
            .clone()
            .map(|at| format!(" ({} {at})", t(Msg::WebhooksApiDisabledSince)));
        let company = line
            .other_company
            .clone()
            .filter(|_| line.health == HealthView::OtherCompany)
            .map(|name| view! { " " <strong>{name}</strong> "." });
        view! {
            <p class=class data-test=format!("economic-health-{}", line.kind)>{t(text)}{since}{company}</p>
        }
    });
    let button = match (line.managed, line.health) {
        (_, HealthView::Disabled) => Msg::WebhooksApiReenable,
        (true, HealthView::Healthy | HealthView::Unchecked) => Msg::WebhooksApiUpdate,
        (true, HealthView::OtherUrl) => Msg::WebhooksApiPointHere,
        (true, HealthView::Missing | HealthView::OtherCompany | HealthView::OtherAddress)
        | (false, _) => Msg::WebhooksApiCreate,
    };
    let create = (line.mode == ModeView::Automatic).then(|| view! {
        <ActionForm action=hooks.create attr:class="inline">
            <CsrfField />
            <input type="hidden" name="kind" value=line.kind.clone() />
            <button type="submit" class="primary" data-test=format!("create-in-economic-{}", line.kind)
                disabled=move || hooks.create.pending().get()>
                {t(button)}
            </button>
        </ActionForm>
    });
    view! {
        {mode}
        {duplicated}
        {outcome}
        {health}
        {create}
    }
}

/// Webhooks whose box is unticked (in the saved settings) but which e-conomic still has: the
/// offer to delete them there.
#[component]
pub fn EconomicLeftovers(
    hooks: EconomicWebhooks,
    ticked: impl Fn(&str) -> bool + Send + Sync + Copy + 'static,
) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let views = hooks.overview().await.webhooks;
                let deleted = views
                    .iter()
                    .filter(|v| !v.managed && !ticked(&v.kind) && v.outcome == Some(OutcomeView::Deleted))
                    .map(|v| view! {
                        <p class="banner success" role="status" data-test=format!("economic-outcome-{}", v.kind)>
                            <strong>{v.type_name.clone()}</strong>": " {t(Msg::WebhooksApiDeleted)}
                        </p>
                    })
                    .collect_view();
                let leftovers = views
                    .into_iter()
                    .filter(|v| v.managed && !ticked(&v.kind))
                    .map(|v| {
                        let kind = v.kind.clone();
                        let leftover_id = format!("leftover-{kind}");
                        let delete_id = format!("delete-in-economic-{kind}");
                        view! {
                        <div class="banner info" data-test=leftover_id>
                            <strong>{v.type_name.clone()}</strong>": " {t(Msg::WebhooksApiLeftover)}
                            {v.outcome.filter(|o| !o.succeeded()).map(|o| view! { " " {t(o.message())} })}
                            <ActionForm action=hooks.delete attr:class="inline">
                                <CsrfField />
                                <input type="hidden" name="kind" value=kind />
                                <button type="submit" data-test=delete_id>
                                    {t(Msg::WebhooksApiDelete)}
                                </button>
                            </ActionForm>
                        </div>
                    }})
                    .collect_view();
                view! { {deleted} {leftovers} }
            })}
        </Suspense>
    }
}
