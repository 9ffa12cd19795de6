//! `/settings/apps/economic/advanced`: hourly sync or live webhooks per entity, never both; and
//! for each ticked webhook the URL and the exact values to enter in e-conomic.
//!
//! The boxes are plain checkboxes in a plain form, so the page works without JavaScript (a box
//! is disabled while its partner is ticked, and disabled boxes are not posted). With JavaScript
//! the disabling follows every click, and an unsaved-changes hint appears.

use economic::Entity;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::managed_webhooks::{
    EconomicCheck, EconomicLeftovers, EconomicSetup, EconomicWebhooks, ManualHeading,
};
use super::tabs::EconomicTabs;
use crate::api::economic::{
    AdvancedView, RegenerateWebhookUrl, SaveSettings, SettingsView, WebhookSetup, advanced_settings,
};
use crate::components::copy::{CopyField, LastCopied};
use crate::components::form::{CsrfField, ErrorBanner, last_error};
use crate::components::rejected::RejectedWarning;
use crate::components::revoke::RevokeOldUrl;
use crate::i18n::{Msg, t};

/// The Advanced Settings tab.
#[component]
pub fn AdvancedPage() -> impl IntoView {
    view! {
            <EconomicTabs />
            <RejectedWarning />
            <Advanced />
    }
}

#[component]
fn Advanced() -> impl IntoView {
    let regenerate = ServerAction::<RegenerateWebhookUrl>::new();
    let data = Resource::new_blocking(move || regenerate.version().get(), |_| advanced_settings());
    let hooks = EconomicWebhooks::new(move || regenerate.version().get());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <AdvancedForm view regenerate hooks /> }.into_any(),
                    Err(e) => view! { <p class="banner error" role="alert">{t(e.message())}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The checkboxes' current state, one signal each.
#[derive(Clone, Copy)]
struct Boxes {
    products_hourly: RwSignal<bool>,
    customers_hourly: RwSignal<bool>,
    products_webhook: RwSignal<bool>,
    customers_webhook: RwSignal<bool>,
    invoices_webhook: RwSignal<bool>,
}

impl Boxes {
    fn new(s: SettingsView) -> Boxes {
        Boxes {
            products_hourly: RwSignal::new(s.products_hourly),
            customers_hourly: RwSignal::new(s.customers_hourly),
            products_webhook: RwSignal::new(s.products_webhook),
            customers_webhook: RwSignal::new(s.customers_webhook),
            invoices_webhook: RwSignal::new(s.invoices_webhook),
        }
    }

    fn get(self) -> SettingsView {
        SettingsView {
            products_hourly: self.products_hourly.get(),
            customers_hourly: self.customers_hourly.get(),
            products_webhook: self.products_webhook.get(),
            customers_webhook: self.customers_webhook.get(),
            invoices_webhook: self.invoices_webhook.get(),
        }
    }

    /// The webhook box of `kind`.
    fn webhook(self, kind: Entity) -> RwSignal<bool> {
        match kind {
            Entity::Customers => self.customers_webhook,
            Entity::Products => self.products_webhook,
            Entity::Invoices => self.invoices_webhook,
        }
    }
}

#[component]
fn AdvancedForm(
    view: AdvancedView,
    regenerate: ServerAction<RegenerateWebhookUrl>,
    hooks: EconomicWebhooks,
) -> impl IntoView {
    let save = ServerAction::<SaveSettings>::new();
    // Saving may have created webhooks in e-conomic: their lines read again.
    Effect::watch(
        move || save.version().get(),
        move |_, _, _| hooks.refetch(),
        false,
    );
    let error = last_error(save.value());
    let saved = RwSignal::new(view.settings);
    Effect::new(move || {
        if let Some(Ok(settings)) = save.value().get() {
            saved.set(settings);
        }
    });
    let boxes = Boxes::new(view.settings);
    let dirty = move || boxes.get() != saved.get();
    let query = use_query_map();
    let just_saved = move || {
        (query.read().get("saved").is_some() || matches!(save.value().get(), Some(Ok(_))))
            && !dirty()
            && error.get().is_none()
    };
    let regenerated = move || query.read().get("regenerated");
    provide_context(LastCopied(RwSignal::new(None)));
    let regenerate_error = last_error(regenerate.value());
    let connected = view.connected;
    // The managed webhooks' lines name their entity by its slug.
    let ticked_saved =
        move |kind: &str| Entity::from_slug(kind).is_some_and(|k| saved.get().webhook(k));

    view! {
        <Show when=move || !connected>
            <p class="banner warn" role="status">{t(Msg::AdvancedNotConnected)}</p>
        </Show>
        <section class="card">
            <h2>{t(Msg::AdvancedTitle)}</h2>
            <p class="intro">{t(Msg::AdvancedIntro)}</p>
            <ErrorBanner error />
            <Show when=just_saved>
                <p class="banner success" role="status" data-test="saved">{t(Msg::AdvancedSaved)}</p>
            </Show>
            <ActionForm action=save attr:class="settings-form" attr:data-test="advanced-form">
                <CsrfField />
                <fieldset class="pair">
                    <Checkbox name="products_hourly" label=Msg::AdvancedProductsHourly checked=boxes.products_hourly
                        blocked_by=boxes.products_webhook reason=Msg::AdvancedReasonProductsHourly />
                    <Checkbox name="products_webhook" label=Msg::AdvancedProductsWebhook checked=boxes.products_webhook
                        blocked_by=boxes.products_hourly reason=Msg::AdvancedReasonProducts />
                </fieldset>
                <fieldset class="pair">
                    <Checkbox name="customers_hourly" label=Msg::AdvancedCustomersHourly checked=boxes.customers_hourly
                        blocked_by=boxes.customers_webhook reason=Msg::AdvancedReasonCustomersHourly />
                    <Checkbox name="customers_webhook" label=Msg::AdvancedCustomersWebhook checked=boxes.customers_webhook
                        blocked_by=boxes.customers_hourly reason=Msg::AdvancedReasonCustomers />
                </fieldset>
                <fieldset class="pair">
                    <Checkbox name="invoices_webhook" label=Msg::AdvancedInvoicesWebhook checked=boxes.invoices_webhook />
                </fieldset>
                {connected.then(|| view! {
                    <p class="muted small economic-offer">{t(Msg::WebhooksApiOfferOnSave)}</p>
                })}
                <div class="save-row">
                    <button type="submit" class="primary" data-test="save-settings" disabled=move || save.pending().get()>
                        {t(Msg::AdvancedSave)}
                    </button>
                    <Show when=dirty>
                        <span class="unsaved" role="status" data-test="unsaved">{t(Msg::AdvancedUnsaved)}</span>
                    </Show>
                </div>
            </ActionForm>
        </section>

        <section class="card">
            <h2>{t(Msg::WebhooksTitle)}</h2>
            <p class="intro">{t(Msg::WebhooksIntro)}</p>
            <ErrorBanner error=regenerate_error />
            <Show when=move || regenerated().is_some()>
                <p class="banner info" role="status">{t(Msg::WebhookRegenerated)}</p>
            </Show>
            <RevokeOldUrl />
            <Show when=move || connected>
                <EconomicCheck hooks />
                <EconomicLeftovers hooks ticked=ticked_saved />
            </Show>
            <Show when=move || !boxes.customers_webhook.get() && !boxes.products_webhook.get() && !boxes.invoices_webhook.get()>
                <p class="muted">{t(Msg::WebhooksNone)}</p>
            </Show>
            {view.webhooks.into_iter().map(|setup| {
                let ticked = boxes.webhook(setup.kind);
                let kind = setup.kind;
                let saved_on = move || saved.get().webhook(kind);
                view! {
                    <Show when=move || ticked.get()>
                        <WebhookCard setup=setup.clone() regenerate saved=saved_on hooks connected />
                    </Show>
                }
            }).collect_view()}
        </section>
    }
}

/// One checkbox; disabled, with `reason` shown, while `blocked_by` is ticked. The invoice box
/// stands alone and has neither.
#[component]
fn Checkbox(
    name: &'static str,
    label: Msg,
    checked: RwSignal<bool>,
    #[prop(optional)] blocked_by: Option<RwSignal<bool>>,
    #[prop(optional)] reason: Option<Msg>,
) -> impl IntoView {
    let id = format!("box-{name}");
    let blocked = move || blocked_by.is_some_and(|b| b.get());
    view! {
        <div class="check" class:blocked=blocked>
            <input
                type="checkbox"
                id=id.clone()
                name=name
                prop:checked=move || checked.get()
                checked=checked.get_untracked()
                disabled=blocked
                aria-describedby=format!("{id}-reason")
                on:change=move |ev| checked.set(event_target_checked(&ev))
            />
            <label for=id.clone()>{t(label)}</label>
            {reason.map(|reason| view! {
                <Show when=blocked>
                    <p class="reason" id=format!("{id}-reason")>{t(reason)}</p>
                </Show>
            })}
        </div>
    }
    .into_any()
}

/// Everything to enter in e-conomic for one webhook, each value with its own copy button.
#[component]
fn WebhookCard(
    setup: WebhookSetup,
    regenerate: ServerAction<RegenerateWebhookUrl>,
    saved: impl Fn() -> bool + Send + Sync + 'static,
    hooks: EconomicWebhooks,
    connected: bool,
) -> impl IntoView {
    // The children and the form name the entity by its slug.
    let kind = setup.kind.as_str().to_owned();
    let test_id = format!("webhook-{kind}");
    let regenerate_id = format!("regenerate-{kind}");
    view! {
        <article class="webhook" data-test=test_id>
            <h3>{setup.type_name.clone()}</h3>
            <Show when=move || !saved()>
                <p class="muted small">{t(Msg::WebhookUnsavedNote)}</p>
            </Show>
            {connected.then(|| view! { <EconomicSetup kind=kind.clone() hooks /> })}
            {match connected {
                true => view! { <ManualHeading kind=kind.clone() hooks /> }.into_any(),
                false => view! { <h4 class="manual">{t(Msg::WebhooksApiManualTitle)}</h4> }.into_any(),
            }}
            <CopyField id=format!("{kind}-url") label=Msg::WebhookFieldUrl value=setup.url />
            <CopyField id=format!("{kind}-type") label=Msg::WebhookFieldType value=setup.type_name />
            <CopyField id=format!("{kind}-name") label=Msg::WebhookFieldName value=setup.name />
            <CopyField id=format!("{kind}-data") label=Msg::WebhookFieldData value=setup.post_data />
            <CopyField id=format!("{kind}-content-type") label=Msg::WebhookFieldContentType value=setup.content_type />
            <ActionForm action=regenerate attr:class="regenerate">
                <CsrfField />
                <input type="hidden" name="kind" value=kind.clone() />
                <button type="submit" data-test=regenerate_id>{t(Msg::WebhookRegenerate)}</button>
                <span class="muted small">{t(Msg::WebhookRegenerateNote)}</span>
            </ActionForm>
        </article>
    }
    .into_any()
}
