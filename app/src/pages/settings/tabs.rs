//! The tabs of the e-conomic app's settings.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{Msg, t};

/// The "Connection", "Advanced settings" and "Sync" tabs; the router marks the current one.
#[component]
pub fn EconomicTabs() -> impl IntoView {
    view! {
        <p class="crumbs">
            <a href="/settings">{t(Msg::SettingsTitle)}</a> " › " {t(Msg::SettingsApps)} " › " {t(Msg::EconomicName)}
        </p>
        <h1>{t(Msg::EconomicTitle)}</h1>
        <nav class="tabs" aria-label=t(Msg::EconomicTitle)>
            <A href="/settings/apps/economic" exact=true>{t(Msg::EconomicTabConnection)}</A>
            <A href="/settings/apps/economic/advanced">{t(Msg::EconomicTabAdvanced)}</A>
            <A href="/settings/apps/economic/sync">{t(Msg::EconomicTabSync)}</A>
        </nav>
    }
}
