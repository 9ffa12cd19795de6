//! Pages that later issues fill in; for now a heading and a note.

use leptos::prelude::*;

use crate::components::layout::RequireUser;
use crate::i18n::{Msg, t};

#[component]
fn Placeholder(title: Msg) -> impl IntoView {
    view! {
        <RequireUser>
            <h1>{t(title)}</h1>
            <section class="card">
                <p>{t(Msg::PlaceholderSoon)}</p>
            </section>
        </RequireUser>
    }
}

/// `/settings`.
#[component]
pub fn SettingsPage() -> impl IntoView {
    view! { <Placeholder title=Msg::SettingsTitle /> }
}

/// `/events`.
#[component]
pub fn EventsPage() -> impl IntoView {
    view! { <Placeholder title=Msg::EventsTitle /> }
}

/// `/customers`.
#[component]
pub fn CustomersPage() -> impl IntoView {
    view! { <Placeholder title=Msg::CustomersTitle /> }
}

/// `/products`.
#[component]
pub fn ProductsPage() -> impl IntoView {
    view! { <Placeholder title=Msg::ProductsTitle /> }
}

/// `/invoices`.
#[component]
pub fn InvoicesPage() -> impl IntoView {
    view! { <Placeholder title=Msg::InvoicesTitle /> }
}
