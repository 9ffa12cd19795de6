//! `/invite/{token}`: an invited colleague joins.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::team::AcceptInvite;
use crate::components::form::{CsrfField, ErrorBanner, FieldError, last_error};
use crate::error::Field;
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
                <label>
                    {t(Msg::FieldYourName)}
                    <input name="name" required maxlength="100" autocomplete="name" />
                </label>
                <FieldError error field=Field::Name />
                <label>
                    {t(Msg::FieldPassword)}
                    <input name="password" type="password" required minlength="10" maxlength="128" autocomplete="new-password" />
                    <small>{t(Msg::FieldPasswordHint)}</small>
                </label>
                <FieldError error field=Field::Password />
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {t(Msg::InviteSubmit)}
                </button>
            </ActionForm>
        </section>
    }
}
