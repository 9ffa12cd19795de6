//! `/staff/verify`: the second step — set up the authenticator app on the first login, then a
//! code (or a recovery code) on every login.

use leptos::prelude::*;

use crate::api::staff::{SecondFactorStep, StaffEnrol, StaffVerify, staff_second_factor};
use crate::components::form::{CsrfField, ErrorBanner, last_error};
use crate::error::AppError;
use crate::i18n::{Msg, t};

/// The second step of a staff log-in.
#[component]
pub fn StaffVerifyPage() -> impl IntoView {
    let step = Resource::new_blocking(|| (), |_| staff_second_factor());
    view! {
        <section class="card narrow">
            <h1>{t(Msg::StaffVerifyTitle)}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match step.await {
                        Ok(SecondFactorStep::Enrol { secret, qr_svg }) => {
                            view! { <Enrol secret qr_svg /> }.into_any()
                        }
                        Ok(SecondFactorStep::Code) => view! { <Code /> }.into_any(),
                        Err(AppError::NotAuthenticated) => view! {
                            <p class="banner error" role="alert">{t(Msg::StaffVerifyExpired)}</p>
                            <p><a href="/staff/login">{t(Msg::StaffLoginTitle)}</a></p>
                        }
                        .into_any(),
                        Err(e) => view! {
                            <p class="banner error" role="alert">{t(e.message())}</p>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Code() -> impl IntoView {
    let action = ServerAction::<StaffVerify>::new();
    let error = last_error(action.value());
    view! {
        <p class="intro">{t(Msg::StaffVerifyIntro)}</p>
        <ErrorBanner error />
        <ActionForm action attr:class="stack" attr:data-test="staff-code-form">
            <CsrfField />
            <label>
                {t(Msg::StaffCodeLabel)}
                <input name="code" required autocomplete="one-time-code" inputmode="text" maxlength="32" />
                <small>{t(Msg::StaffCodeHint)}</small>
            </label>
            <button type="submit" class="primary" disabled=move || action.pending().get()>
                {t(Msg::StaffVerifySubmit)}
            </button>
        </ActionForm>
    }
}

#[component]
fn Enrol(secret: String, qr_svg: String) -> impl IntoView {
    let action = ServerAction::<StaffEnrol>::new();
    let result = action.value();
    let error = last_error(result);
    let codes = move || result.get().and_then(Result::ok);
    view! {
        <Show
            when=move || codes().is_some()
            fallback=move || {
                let (secret, qr_svg) = (secret.clone(), qr_svg.clone());
                view! {
                    <p class="intro">{t(Msg::StaffEnrolIntro)}</p>
                    // Rendered on the server from our own otpauth URL: no outside input.
                    <div class="qr" inner_html=qr_svg></div>
                    <p>{t(Msg::StaffEnrolSecret)} " " <code data-test="totp-secret">{secret}</code></p>
                    <ErrorBanner error />
                    <ActionForm action attr:class="stack" attr:data-test="staff-enrol-form">
                        <CsrfField />
                        <label>
                            {t(Msg::StaffCodeLabel)}
                            <input name="code" required autocomplete="one-time-code" inputmode="numeric" maxlength="6" />
                        </label>
                        <button type="submit" class="primary" disabled=move || action.pending().get()>
                            {t(Msg::StaffEnrolSubmit)}
                        </button>
                    </ActionForm>
                }
            }
        >
            <p class="banner info" role="status">{t(Msg::StaffRecoveryIntro)}</p>
            <ul class="recovery-codes" data-test="recovery-codes">
                {move || {
                    codes()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|code| view! { <li><code>{code}</code></li> })
                        .collect_view()
                }}
            </ul>
            <p><a class="button primary" href="/staff" rel="external">{t(Msg::StaffRecoveryContinue)}</a></p>
        </Show>
    }
}
