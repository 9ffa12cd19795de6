//! `/login`.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::auth::LogIn;
use crate::components::form::{CsrfField, ErrorBanner, LogInFields, last_error};
use crate::i18n::{Msg, t};

/// The login form.
#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<LogIn>::new();
    let result = action.value();
    let error = last_error(result);
    let query = use_query_map();
    let logged_out = move || query.read().get("logged_out").is_some() && result.get().is_none();
    let reset = move || query.read().get("reset").is_some() && result.get().is_none();
    view! {
        <section class="card narrow">
            <h1>{t(Msg::LoginTitle)}</h1>
            <Show when=logged_out>
                <p class="banner info" role="status">{t(Msg::LogoutDone)}</p>
            </Show>
            <Show when=reset>
                <p class="banner info" role="status" data-test="password-reset-done">{t(Msg::ResetDone)}</p>
            </Show>
            <ErrorBanner error />
            <ActionForm action attr:class="stack" attr:data-test="login-form">
                <CsrfField />
                <LogInFields />
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {t(Msg::LoginSubmit)}
                </button>
            </ActionForm>
            <p class="aside"><a href="/forgot-password" data-test="forgot-link">{t(Msg::LoginForgot)}</a></p>
            <p class="aside">{t(Msg::LoginNoAccount)} " " <a href="/signup">{t(Msg::NavSignUp)}</a></p>
        </section>
    }
}
