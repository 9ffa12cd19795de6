//! `/settings`: the company's settings, with the Apps it is connected to.

use leptos::prelude::*;

use crate::api::economic::economic_status;
use crate::i18n::{Msg, t};

/// The settings hub.
#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
            <SettingsHub />
    }
}

#[component]
fn SettingsHub() -> impl IntoView {
    let status = Resource::new_blocking(|| (), |_| economic_status());
    view! {
        <h1>{t(Msg::SettingsTitle)}</h1>
        <section class="card">
            <h2>{t(Msg::SettingsApps)}</h2>
            <p class="intro">{t(Msg::SettingsAppsIntro)}</p>
            <div class="app-tile" data-test="economic-tile">
                <div class="app-logo" aria-hidden="true">"e"</div>
                <div class="app-body">
                    <h3>{t(Msg::EconomicName)}</h3>
                    <p>{t(Msg::EconomicTileText)}</p>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            match status.await {
                                Ok(Some(c)) => view! {
                                    <p class="status ok">{t(Msg::EconomicConnectedTo)} " " <strong>{c.company_name}</strong></p>
                                }.into_any(),
                                Ok(None) => view! { <p class="status">{t(Msg::EconomicNotConnected)}</p> }.into_any(),
                                // A failed load is no answer: "not connected" would be a guess.
                                Err(e) => view! { <p class="banner error" role="alert">{t(e.message())}</p> }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
                <a class="button" href="/settings/apps/economic">{t(Msg::EconomicOpenSettings)}</a>
            </div>
        </section>
        <section class="card">
            <h2>{t(Msg::SettingsAlerts)}</h2>
            <p class="intro">{t(Msg::SettingsAlertsText)}</p>
            <a class="button" href="/settings/alerts" data-test="alerts-link">{t(Msg::SettingsAlerts)}</a>
        </section>
        <section class="card">
            <h2>{t(Msg::ActivityTitle)}</h2>
            <p class="intro">{t(Msg::ActivityIntro)}</p>
            <a class="button" href="/settings/activity" data-test="activity-link">{t(Msg::ActivityOpen)}</a>
        </section>
        <section class="card">
            <h2>{t(Msg::NotificationsTitle)}</h2>
            <p class="intro">{t(Msg::NotificationsIntro)}</p>
            <a class="button" href="/settings/notifications" data-test="notifications-link">{t(Msg::NotificationsOpen)}</a>
        </section>
        <section class="card">
            <h2>{t(Msg::SupportTitle)}</h2>
            <p class="intro">{t(Msg::SupportIntro)}</p>
            <a class="button" href="/settings/support" data-test="support-link">{t(Msg::SupportOpen)}</a>
        </section>
    }
}
