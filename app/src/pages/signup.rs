//! `/signup`: a company signs up with its first user.

use leptos::prelude::*;

use crate::api::auth::SignUp;
use crate::components::form::{
    CsrfField, ErrorBanner, FieldError, NameField, NewPasswordField, last_error,
};
use crate::error::Field;
use crate::i18n::{Msg, t};

/// The sign-up form.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let result = action.value();
    let error = last_error(result);
    view! {
        <section class="card narrow">
            <h1>{t(Msg::SignupTitle)}</h1>
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
            <p class="aside">{t(Msg::SignupHaveAccount)} " " <a href="/login">{t(Msg::NavLogIn)}</a></p>
        </section>
    }
}
