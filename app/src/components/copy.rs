//! A value the user must copy into e-conomic: selectable text, plus "Click to copy" once the page
//! is hydrated (the Clipboard API needs JavaScript; without it the text field is the fallback).

use leptos::prelude::*;

use crate::i18n::{Msg, t};

/// Which copy button was used last, so only one says "Copied" at a time.
#[derive(Clone, Copy)]
pub struct LastCopied(pub RwSignal<Option<String>>);

/// A labelled, read-only value with its own copy button. `id` is unique on the page.
#[component]
pub fn CopyField(
    /// The value's element id, unique on the page; the button copies it.
    id: String,
    /// What the value is (its label, and the button's accessible name).
    label: Msg,
    /// The value shown and copied.
    value: String,
) -> impl IntoView {
    let last = expect_context::<LastCopied>().0;
    // Effects run only in the browser: the button appears once it can work.
    let hydrated = RwSignal::new(false);
    Effect::new(move || hydrated.set(true));
    let failed = RwSignal::new(false);

    let copy = {
        let (id, value) = (id.clone(), value.clone());
        move |_| {
            let (id, value) = (id.clone(), value.clone());
            leptos::task::spawn_local(async move {
                if write_clipboard(&value).await {
                    failed.set(false);
                    last.set(Some(id));
                } else {
                    failed.set(true);
                    last.set(None);
                }
            });
        }
    };
    let is_last = {
        let id = id.clone();
        move || last.get().as_deref() == Some(id.as_str())
    };
    let is_last_label = is_last.clone();

    view! {
        <div class="copy-row">
            <span class="copy-label">{t(label)}</span>
            <input class="copy-field" readonly value=value.clone() aria-label=t(label) data-test=format!("value-{id}") />
            <button
                type="button"
                class="copy-button"
                class:copied=is_last
                hidden=move || !hydrated.get()
                on:click=copy
                data-test=format!("copy-{id}")
            >
                {move || if is_last_label() { t(Msg::CopyDone) } else { t(Msg::CopyButton) }}
            </button>
            <Show when=move || failed.get()>
                <span class="field-error" role="alert">{t(Msg::CopyFailed)}</span>
            </Show>
        </div>
    }
    .into_any()
}

#[cfg(feature = "hydrate")]
async fn write_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let promise = window.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

#[cfg(not(feature = "hydrate"))]
async fn write_clipboard(_text: &str) -> bool {
    false
}
