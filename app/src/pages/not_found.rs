//! The page for unknown paths.

use leptos::prelude::*;

use crate::i18n::{Msg, t};

/// Says the page does not exist; answers 404 on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="page">
            <section class="card narrow">
                <h1>{t(Msg::NotFoundTitle)}</h1>
                <p><a href="/">{t(Msg::NotFoundBack)}</a></p>
            </section>
        </main>
    }
}
