//! `/events`: the event history, in two views: the webhooks received (the default) and the
//! sync runs (`?view=runs`). The switch is two plain links, so it works without JavaScript.

pub mod detail;
mod live;
pub mod notes;
pub mod record;
mod runs;
mod webhooks;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::i18n::{Msg, t};

/// The event history page.
#[component]
pub fn EventsPage() -> impl IntoView {
    let query = use_query_map();
    let runs = move || query.read().get("view").as_deref() == Some("runs");
    let current = move |on: bool| on.then_some("page");
    view! {
        <h1>{t(Msg::EventsTitle)}</h1>
        <nav class="tabs" aria-label=t(Msg::EventsTitle)>
            <a href="/events" aria-current=move || current(!runs()) data-test="view-webhooks">{t(Msg::EventsViewWebhooks)}</a>
            <a href="/events?view=runs" aria-current=move || current(runs()) data-test="view-runs">{t(Msg::EventsViewRuns)}</a>
        </nav>
        {move || if runs() { view! { <runs::RunList /> }.into_any() } else { view! { <webhooks::EventList /> }.into_any() }}
    }
}
