//! Form pieces: the CSRF field, field errors, the error banner.

use leptos::prelude::*;

use crate::components::layout::SessionResource;
use crate::error::{AppError, Field};
use crate::i18n::t;

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
pub fn ErrorBanner(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || match error.get() {
        Some(e) if e.field().is_none() => {
            Some(view! { <p class="banner error" role="alert">{t(e.message())}</p> })
        }
        _ => None,
    }
}

/// `error` under the field it belongs to.
#[component]
pub fn FieldError(#[prop(into)] error: Signal<Option<AppError>>, field: Field) -> impl IntoView {
    move || match error.get() {
        Some(e) if e.field() == Some(field) => {
            Some(view! { <p class="field-error" role="alert">{t(e.message())}</p> })
        }
        _ => None,
    }
}
