//! `/invite/{token}`: an invited colleague joins.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::mail::invite_info;
use crate::api::team::{AcceptInvite, JoinInvite};
use crate::components::form::{CsrfField, ErrorBanner, NameField, NewPasswordField, last_error};
use crate::i18n::{Msg, t};

/// The form that accepts an invite.
#[component]
pub fn AcceptInvitePage() -> impl IntoView {
    let action = ServerAction::<AcceptInvite>::new();
    let result = action.value();
    let error = last_error(result);
    let join = ServerAction::<JoinInvite>::new();
    let join_error = last_error(join.value());
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let info = Resource::new_blocking(token, invite_info);
    view! {
        <section class="card narrow">
            <h1>{t(Msg::InviteTitle)}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match info.await {
                        Ok(info) => view! {
                            <p class="intro" data-test="invite-from">
                                <strong>{info.invited_by}</strong> " " {t(Msg::InviteFromInvited)} " "
                                <strong>{info.email}</strong> " " {t(Msg::InviteFromTo)} " "
                                <strong>{info.company}</strong> "."
                            </p>
                        }
                        .into_any(),
                        Err(e) => view! {
                            <p class="banner error" role="alert" data-test="invite-invalid">{t(e.message())}</p>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
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
        <section class="card narrow">
            <h2>{t(Msg::InviteExistingTitle)}</h2>
            <p class="intro">{t(Msg::InviteExistingIntro)}</p>
            <ErrorBanner error=join_error />
            <ActionForm action=join attr:class="stack" attr:data-test="invite-join-form">
                <CsrfField />
                <input type="hidden" name="token" value=token />
                <label>
                    {t(Msg::FieldPassword)}
                    <input name="password" type="password" required autocomplete="current-password" />
                </label>
                <button type="submit" disabled=move || join.pending().get()>
                    {t(Msg::InviteExistingSubmit)}
                </button>
            </ActionForm>
        </section>
    }
}
