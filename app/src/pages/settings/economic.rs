//! `/settings/apps/economic`: connect e-conomic with the agreement grant token, or disconnect.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::managed_webhooks::SharedAgreement;
use super::tabs::EconomicTabs;
use crate::api::economic::{ConnectEconomic, DisconnectEconomic, economic_demo, economic_status};
use crate::components::form::{CsrfField, ErrorBanner, last_error};
use crate::i18n::{Msg, t};

/// The connection tab.
#[component]
pub fn EconomicPage() -> impl IntoView {
    view! {
            <EconomicTabs />
            <Connection />
    }
}

#[component]
fn Connection() -> impl IntoView {
    let connect = ServerAction::<ConnectEconomic>::new();
    let disconnect = ServerAction::<DisconnectEconomic>::new();
    let error = last_error(connect.value());
    let disconnect_error = last_error(disconnect.value());
    let status = Resource::new_blocking(
        move || (connect.version().get(), disconnect.version().get()),
        |_| economic_status(),
    );
    let demo = Resource::new_blocking(|| (), |_| economic_demo());
    let query = use_query_map();
    let flag = move |name: &str| query.read().get(name).is_some();

    view! {
        <Show when=move || flag("connected") && error.get().is_none()>
            <p class="banner success" role="status">{t(Msg::EconomicConnectDone)}</p>
        </Show>
        <Show when=move || flag("disconnected")>
            <p class="banner info" role="status">{t(Msg::EconomicDisconnected)}</p>
        </Show>
        <ErrorBanner error=disconnect_error />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let demo_page = demo.await.ok().flatten();
                match status.await {
                    Ok(Some(c)) => view! {
                        <section class="card" data-test="economic-connected">
                            <h2>{t(Msg::EconomicConnectedTitle)}</h2>
                            {c.paused.clone().map(|reason| view! {
                                <p class="banner error" role="alert" data-test="economic-paused">
                                    {t(Msg::EconomicPaused)} " " <code>{reason}</code>
                                </p>
                            })}
                            <dl class="facts">
                                <dt>{t(Msg::EconomicAgreement)}</dt>
                                <dd>{c.company_name} " (" {c.agreement_number} ")"</dd>
                                <dt>{t(Msg::EconomicConnectedAt)}</dt>
                                <dd><time>{c.connected_at}</time></dd>
                            </dl>
                            {c.webhooks_api_refused.then(|| view! {
                                <p class="banner info" role="status" data-test="webhooks-api-refused">{t(Msg::WebhooksModeNotAllowed)}</p>
                            })}
                            {(c.shared.is_some() && demo_page.is_some()).then(|| view! {
                                <p class="banner warn" role="status" data-test="shared-demo">{t(Msg::SharedAgreementDemo)}</p>
                            })}
                            {c.shared.clone().map(|shared| view! { <SharedAgreement shared /> })}
                            <ActionForm action=disconnect>
                                <CsrfField />
                                <button type="submit">{t(Msg::EconomicDisconnect)}</button>
                            </ActionForm>
                        </section>
                    }.into_any(),
                    Ok(None) => view! {
                        <section class="card narrowish">
                            <h2>{t(Msg::EconomicConnectTitle)}</h2>
                            <p class="intro">{t(Msg::EconomicConnectIntro)}</p>
                            {demo_page.map(|page| view! {
                                <p class="banner info" data-test="demo-hint">
                                    {t(Msg::EconomicDemoToken)} " " <code>"demo"</code> ". "
                                    {t(Msg::EconomicDemoPage)} " " <a href=page.clone() target="_blank" rel="noopener">{page.clone()}</a>
                                </p>
                            })}
                            <ErrorBanner error />
                            <ActionForm action=connect attr:class="stack" attr:data-test="connect-form">
                                <CsrfField />
                                <label>
                                    {t(Msg::EconomicGrantToken)}
                                    <input name="grant_token" required autocomplete="off" spellcheck="false" />
                                </label>
                                <button type="submit" class="primary" disabled=move || connect.pending().get()>
                                    {move || if connect.pending().get() { t(Msg::Working) } else { t(Msg::EconomicConnectSubmit) }}
                                </button>
                            </ActionForm>
                        </section>
                    }.into_any(),
                    Err(e) => view! { <p class="banner error" role="alert">{t(e.message())}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
