//! The staff tenant page's webhook health (issue 13): for each webhook the app manages in the
//! tenant's e-conomic, whether e-conomic has it, at the current URL, and enabled.

use leptos::prelude::*;

use crate::api::managed_webhooks::{HealthView, ManagedView};
use crate::error::AppError;
use crate::i18n::{Msg, t};

/// The health lines of tenant `id` (the page creates `data` with its other resources, outside
/// any `Suspend`, so that the server's data reach the hydrating browser).
#[component]
pub fn StaffWebhookHealth(data: Resource<Result<Vec<ManagedView>, AppError>>) -> impl IntoView {
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
