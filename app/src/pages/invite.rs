//! `/invite/{token}`: an invited colleague joins.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::team::AcceptInvite;
use crate::components::form::{CsrfField, ErrorBanner, NameField, NewPasswordField, last_error};
use crate::i18n::{Msg, t};

/// The form that accepts an invite.
#[component]
pub fn AcceptInvitePage() -> impl IntoView {
    let action = ServerAction::<AcceptInvite>::new();
    let result = action.value();
    let error = last_error(result);
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    view! {
        <section class="card narrow">
            <h1>{t(Msg::InviteTitle)}</h1>
            <p class="intro">{t(Msg::InviteIntro)}</p>
            <ErrorBanner error />
            <ActionForm action attr:class="stack" attr:data-test="invite-form">
                <CsrfField />
                <input type="hidden" name="token" value=token />
                <NameField error />
                <NewPasswordField error />
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {t(Msg::InviteSubmit)}
                </button>
            </ActionForm>
        </section>
    }
}
