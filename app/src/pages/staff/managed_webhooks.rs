//! The staff tenant page's webhook health: for each webhook the app manages in the
//! tenant's e-conomic, whether e-conomic has it, at the current URL, and enabled; and for the
//! dashboard, the e-conomic agreements several companies share.

use leptos::prelude::*;

use crate::api::managed_webhooks::{
    HealthView, ManagedView, StaffSharedAgreement, staff_shared_agreements,
};
use crate::error::AppError;
use crate::i18n::{Msg, t};

/// The health lines of tenant `id` (the page creates `data` with its other resources, outside
/// any `Suspend`, so that the server's data reach the hydrating browser).
#[component]
pub fn StaffWebhookHealth(
    /// The tenant's managed webhooks, loaded by the page.
    data: Resource<Result<Vec<ManagedView>, AppError>>,
) -> impl IntoView {
    view! {
        <section class="card" data-test="staff-webhook-health">
            <h2>{t(Msg::StaffWebhooksTitle)}</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let managed: Vec<_> = data.await.unwrap_or_default().into_iter().filter(|v| v.managed).collect();
                    if managed.is_empty() {
                        return view! { <p class="muted">{t(Msg::StaffWebhooksNone)}</p> }.into_any();
                    }
                    view! {
                        <ul>
                            {managed.into_iter().map(|v| {
                                let text = match v.health {
                                    HealthView::Unchecked => Msg::WebhooksApiHealthUnchecked,
                                    HealthView::Healthy => Msg::WebhooksApiHealthHealthy,
                                    HealthView::Missing => Msg::WebhooksApiHealthMissing,
                                    HealthView::OtherUrl => Msg::WebhooksApiHealthOtherUrl,
                                    HealthView::Disabled => Msg::WebhooksApiHealthDisabled,
                                    HealthView::OtherCompany => Msg::WebhooksApiHealthOtherCompany,
                                    HealthView::OtherAddress => Msg::WebhooksApiHealthOtherAddress,
                                };
                                let since = v.disabled_since.map(|at| format!(" ({} {at})", t(Msg::WebhooksApiDisabledSince)));
                                let checked = v.checked_at.map(|at| format!(" · {} {at}", t(Msg::WebhooksApiCheckedAt)));
                                view! { <li><strong>{v.type_name}</strong>": " {t(text)}{since}{checked}</li> }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                })}
            </Suspense>
        </section>
    }
}

/// The dashboard's list of e-conomic agreements that more than one company is connected to:
/// they share one webhook per type and one API budget, which explains many "why do I get no
/// webhooks" tickets.
#[component]
pub fn StaffSharedAgreements() -> impl IntoView {
    let shared = Resource::new_blocking(|| (), |_| staff_shared_agreements());
    view! {
        <section class="card" data-test="staff-shared-agreements">
            <h2>{t(Msg::StaffSharedTitle)}</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let agreements: Vec<StaffSharedAgreement> = shared.await.unwrap_or_default();
                    if agreements.is_empty() {
                        return view! { <p class="muted">{t(Msg::StaffSharedNone)}</p> }.into_any();
                    }
                    view! {
                        <ul>
                            {agreements.into_iter().map(|a| view! {
                                <li data-test=format!("shared-{}", a.agreement_number)>
                                    {t(Msg::StaffSharedAgreement)} " " <strong>{a.agreement_number}</strong> ": "
                                    {a.companies.into_iter().enumerate().map(|(i, (id, name))| view! {
                                        {(i > 0).then_some(", ")}
                                        <a href=format!("/staff/tenants/{id}")>{name}</a>
                                    }).collect_view()}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                })}
            </Suspense>
        </section>
    }
}
