//! Pages that later issues fill in; for now a heading and a note.

use leptos::prelude::*;

use crate::i18n::{Msg, t};

#[component]
fn Placeholder(title: Msg) -> impl IntoView {
    view! {
            <h1>{t(title)}</h1>
            <section class="card">
                <p>{t(Msg::PlaceholderSoon)}</p>
            </section>
    }
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
