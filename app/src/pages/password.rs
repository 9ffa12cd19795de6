//! `/forgot-password` (ask for a reset link) and `/reset-password/{token}` (choose the new
//! password). The first answers the same whether or not the address has an account.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::mail::{RequestPasswordReset, ResetPassword, check_reset_link};
use crate::components::form::{CsrfField, ErrorBanner, FieldError, NewPasswordField, last_error};
use crate::error::Field;
use crate::i18n::{Msg, t};
use crate::pages::signup::DemoMailLink;

/// The form that asks for a reset link.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = last_error(action.value());
    let query = use_query_map();
    let sent =
        move || query.read().get("sent").is_some() || matches!(action.value().get(), Some(Ok(())));
    view! {
        <section class="card narrow">
            <h1>{t(Msg::ForgotTitle)}</h1>
            <Show
                when=sent
                fallback=move || view! {
                    <p class="intro">{t(Msg::ForgotIntro)}</p>
                    <ErrorBanner error />
                    <ActionForm action attr:class="stack" attr:data-test="forgot-form">
                        <CsrfField />
                        <label>
                            {t(Msg::FieldEmail)}
                            <input name="email" type="email" required maxlength="254" autocomplete="email" />
                        </label>
                        <FieldError error field=Field::Email />
                        <button type="submit" class="primary" disabled=move || action.pending().get()>
                            {t(Msg::ForgotSubmit)}
                        </button>
                    </ActionForm>
                }
            >
                <p class="banner info" role="status" data-test="forgot-sent">{t(Msg::ForgotSent)}</p>
                <DemoMailLink />
            </Show>
            <p class="aside"><a href="/login">{t(Msg::NavLogIn)}</a></p>
        </section>
    }
}

/// The form that sets the new password, or the one message for a link that cannot be used.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let error = last_error(action.value());
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let usable = Resource::new_blocking(token, check_reset_link);
    view! {
        <section class="card narrow">
            <h1>{t(Msg::ResetTitle)}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match usable.await {
                        Ok(()) => view! {
                            <p class="intro">{t(Msg::ResetIntro)}</p>
                            <ErrorBanner error />
                            <ActionForm action attr:class="stack" attr:data-test="reset-form">
                                <CsrfField />
                                <input type="hidden" name="token" value=token />
                                <NewPasswordField error />
                                <button type="submit" class="primary" disabled=move || action.pending().get()>
                                    {t(Msg::ResetSubmit)}
                                </button>
                            </ActionForm>
                        }
                        .into_any(),
                        Err(e) => view! {
                            <p class="banner error" role="alert" data-test="reset-invalid">{t(e.message())}</p>
                            <p><a href="/forgot-password">{t(Msg::ResetAskAgain)}</a></p>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
