//! `/signup`: a company signs up with its first user; `/signup/confirm/{token}`: the link from
//! the mail creates it. The form's answer ("check your mail") is the same for every address.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::auth::SignUp;
use crate::api::mail::{ConfirmSignUp, demo_mail_page, sign_up_link};
use crate::components::form::{
    CsrfField, ErrorBanner, FieldError, NameField, NewPasswordField, last_error,
};
use crate::error::Field;
use crate::i18n::{Msg, t};

/// The sign-up form, or, once sent, where to look next.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let result = action.value();
    let error = last_error(result);
    let query = use_query_map();
    let sent = move || query.read().get("sent").is_some() || matches!(result.get(), Some(Ok(())));
    view! {
        <section class="card narrow">
            <h1>{t(Msg::SignupTitle)}</h1>
            <Show
                when=sent
                fallback=move || view! {
                    <p class="intro">{t(Msg::SignupIntro)}</p>
                    <ErrorBanner error />
                    <ActionForm action attr:class="stack" attr:data-test="signup-form">
                        <CsrfField />
                        <label>
                            {t(Msg::FieldCompanyName)}
                            <input name="company_name" required maxlength="100" autocomplete="organization" />
                        </label>
                        <FieldError error field=Field::CompanyName />
                        <NameField error />
                        <label>
                            {t(Msg::FieldEmail)}
                            <input name="email" type="email" required maxlength="254" autocomplete="email" />
                        </label>
                        <FieldError error field=Field::Email />
                        <NewPasswordField error />
                        <button type="submit" class="primary" disabled=move || action.pending().get()>
                            {t(Msg::SignupSubmit)}
                        </button>
                    </ActionForm>
                }
            >
                <p class="banner info" role="status" data-test="signup-sent">{t(Msg::SignupSent)}</p>
                <DemoMailLink />
            </Show>
            <p class="aside">{t(Msg::SignupHaveAccount)} " " <a href="/login">{t(Msg::NavLogIn)}</a></p>
        </section>
    }
}

/// Demo mode only: a link to the mail catcher's page, where the mail just sent shows.
#[component]
pub fn DemoMailLink() -> impl IntoView {
    let page = Resource::new_blocking(|| (), |()| demo_mail_page());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                page.await.ok().flatten().map(|href| view! {
                    <p class="aside" data-test="demo-mail-page">
                        {t(Msg::DemoMailPage)} " " <a href=href.clone() target="_blank">{href.clone()}</a>
                    </p>
                })
            })}
        </Suspense>
    }
}

/// The page the confirmation mail links to: names the company and creates it on a click (a
/// POST: mail scanners that open links must not use them up).
#[component]
pub fn ConfirmSignUpPage() -> impl IntoView {
    let action = ServerAction::<ConfirmSignUp>::new();
    let result = action.value();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let company = Resource::new_blocking(token, sign_up_link);
    view! {
        <section class="card narrow">
            <h1>{t(Msg::SignupConfirmTitle)}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match company.await {
                        Ok(company) => view! {
                            <p class="intro" data-test="signup-confirm-company">
                                {t(Msg::SignupConfirmIntro)} " " <strong>{company}</strong>
                            </p>
                            {move || result.get().and_then(Result::err).map(|e| view! {
                                <p class="banner error" role="alert">{t(e.message())}</p>
                            })}
                            <ActionForm action attr:class="stack" attr:data-test="signup-confirm-form">
                                <CsrfField />
                                <input type="hidden" name="token" value=token />
                                <button type="submit" class="primary" disabled=move || action.pending().get()>
                                    {t(Msg::SignupConfirmSubmit)}
                                </button>
                            </ActionForm>
                        }
                        .into_any(),
                        Err(e) => view! {
                            <p class="banner error" role="alert" data-test="signup-link-invalid">{t(e.message())}</p>
                            <p><a href="/signup">{t(Msg::NavSignUp)}</a> " · " <a href="/login">{t(Msg::NavLogIn)}</a></p>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
