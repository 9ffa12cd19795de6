//! The Webhooks API part of the Advanced Settings page (issue 13): beside each ticked webhook,
//! "Create in e-conomic for me" with the outcome in plain words (the manual steps stay below
//! it), the webhook's health (has e-conomic got it, at our current URL, enabled?) with a
//! one-click re-enable; "Check now"; and, for a webhook whose box was unticked but which still
//! exists in e-conomic, the offer to delete it there.
//!
//! Plain forms posting to server functions: without JavaScript the post is answered with a
//! redirect back, and the outcome shows because it is stored.

use leptos::prelude::*;

use crate::api::managed_webhooks::{
    CheckEconomicWebhooks, CreateInEconomic, DeleteInEconomic, HealthView, ManagedView,
    OutcomeView, managed_webhooks,
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
    data: Resource<Result<Vec<ManagedView>, AppError>>,
}

impl EconomicWebhooks {
    /// Loads the views again whenever one of its actions, or `also` (the URL regeneration),
    /// has run. Create it outside any `Suspend` (with the page's other resources), so that the
    /// server's data reach the hydrating browser.
    pub fn new(also: impl Fn() -> usize + Send + Sync + 'static) -> Self {
        let create = ServerAction::<CreateInEconomic>::new();
        let delete = ServerAction::<DeleteInEconomic>::new();
        let check = ServerAction::<CheckEconomicWebhooks>::new();
        let data = Resource::new_blocking(
            move || {
                (
                    create.version().get(),
                    delete.version().get(),
                    check.version().get(),
                    also(),
                )
            },
            |_| managed_webhooks(),
        );
        EconomicWebhooks {
            create,
            delete,
            check,
            data,
        }
    }

    /// Loads the views again (after the settings were saved with the offer ticked).
    pub fn refetch(self) {
        self.data.refetch();
    }
}

/// "Check now" and when the last check was.
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
                    let views = hooks.data.await.unwrap_or_default();
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
                    }
                })}
            </Suspense>
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
                        let views = hooks.data.await.unwrap_or_default();
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

#[component]
fn SetupLine(line: ManagedView, hooks: EconomicWebhooks) -> impl IntoView {
    let kind = line.kind.clone();
    let button = match (line.managed, line.health) {
        (_, HealthView::Disabled) => Msg::WebhooksApiReenable,
        (true, HealthView::Healthy | HealthView::Unchecked) => Msg::WebhooksApiUpdate,
        (true, HealthView::OtherUrl) => Msg::WebhooksApiPointHere,
        (true, HealthView::Missing) | (false, _) => Msg::WebhooksApiCreate,
    };
    let outcome = line.outcome.map(|o| {
        let class = if o.succeeded() {
            "banner success"
        } else {
            "banner warn"
        };
        view! {
            <p class=class role="status" data-test=format!("economic-outcome-{kind}")>
                {t(o.message())}
                {(!o.succeeded()).then(|| view! { " " {t(Msg::WebhooksApiManualBelow)} })}
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
        };
        let since = line
            .disabled_since
            .clone()
            .map(|at| format!(" ({} {at})", t(Msg::WebhooksApiDisabledSince)));
        view! {
            <p class=class data-test=format!("economic-health-{}", line.kind)>{t(text)}{since}</p>
        }
    });
    view! {
        {outcome}
        {health}
        <ActionForm action=hooks.create attr:class="inline">
            <CsrfField />
            <input type="hidden" name="kind" value=line.kind.clone() />
            <button type="submit" class="primary" data-test=format!("create-in-economic-{}", line.kind)
                disabled=move || hooks.create.pending().get()>
                {t(button)}
            </button>
        </ActionForm>
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
                let views = hooks.data.await.unwrap_or_default();
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
