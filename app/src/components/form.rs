//! Form pieces: the CSRF field, field errors, the error banner.

use leptos::prelude::*;

use crate::api::session::SessionResource;
use crate::error::{AppError, Field};
use crate::i18n::{Msg, t};

/// The hidden CSRF token every state-changing form sends.
#[component]
pub fn CsrfField() -> impl IntoView {
    let session = expect_context::<SessionResource>();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let token = session.await.map(|s| s.csrf_token).unwrap_or_default();
                view! { <input type="hidden" name="csrf_token" value=token /> }
            })}
        </Transition>
    }
}

/// The error of the last submission, if any: what the pages hand to the two components below.
pub fn last_error<T>(
    result: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
) -> Signal<Option<AppError>> {
    Signal::derive(move || result.get().and_then(Result::err))
}

/// `error` as a banner, unless it belongs to a field.
#[component]
pub fn ErrorBanner(
    /// The form's last error, if any.
    #[prop(into)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    move || match error.get() {
        Some(e) if e.field().is_none() => {
            let wait = e
                .retry_after_secs()
                .map(|secs| format!(" {}", wait_text(secs)));
            Some(view! { <p class="banner error" role="alert">{t(e.message())}{wait}</p> })
        }
        _ => None,
    }
}

/// "Try again in 3 minutes." (whole minutes, rounded up, from a minute on; seconds below).
pub fn wait_text(secs: u64) -> String {
    if secs < 60 {
        let unit = if secs == 1 {
            Msg::WaitSecond
        } else {
            Msg::WaitSeconds
        };
        return format!("{} {secs} {}.", t(Msg::ErrorRetryIn), t(unit));
    }
    let minutes = secs.div_ceil(60);
    let unit = if minutes == 1 {
        Msg::WaitMinute
    } else {
        Msg::WaitMinutes
    };
    format!("{} {minutes} {}.", t(Msg::ErrorRetryIn), t(unit))
}

/// `error` under the field it belongs to.
#[component]
pub fn FieldError(
    /// The form's last error, if any.
    #[prop(into)]
    error: Signal<Option<AppError>>,
    /// The field this message belongs under.
    field: Field,
) -> impl IntoView {
    move || match error.get() {
        Some(e) if e.field() == Some(field) => {
            Some(view! { <p class="field-error" role="alert">{t(e.message())}</p> })
        }
        _ => None,
    }
}

/// A person's name, with its error.
#[component]
pub fn NameField(
    /// The form's last error, if any.
    #[prop(into)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    view! {
        <label>
            {t(Msg::FieldYourName)}
            <input name="name" required maxlength="100" autocomplete="name" />
        </label>
        <FieldError error field=Field::Name />
    }
}

/// The email and current password of a log-in form (companies' and staff's).
#[component]
pub fn LogInFields() -> impl IntoView {
    view! {
        <label>
            {t(Msg::FieldEmail)}
            <input name="email" type="email" required autocomplete="username" />
        </label>
        <label>
            {t(Msg::FieldPassword)}
            <input name="password" type="password" required autocomplete="current-password" />
        </label>
    }
}

/// A new password, with the rule and its error.
#[component]
pub fn NewPasswordField(
    /// The form's last error, if any.
    #[prop(into)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    view! {
        <label>
            {t(Msg::FieldPassword)}
            <input name="password" type="password" required minlength="10" maxlength="128" autocomplete="new-password" />
            <small>{t(Msg::FieldPasswordHint)}</small>
        </label>
        <FieldError error field=Field::Password />
    }
}
