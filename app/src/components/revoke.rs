//! The "Stop the old URL now" button shown after a webhook URL was regenerated, and the
//! confirmation after it (see [`crate::api::revoke`]).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::revoke::RevokeOldWebhookUrls;
use crate::components::form::{CsrfField, ErrorBanner, last_error};
use crate::i18n::{Msg, t};

/// After `?regenerated=<kind>`: a form that stops the previous URL at once; after
/// `?revoked=<kind>`: that it did.
#[component]
pub fn RevokeOldUrl() -> impl IntoView {
    let revoke = ServerAction::<RevokeOldWebhookUrls>::new();
    let error = last_error(revoke.value());
    let query = use_query_map();
    let regenerated = move || query.read().get("regenerated");
    let revoked = move || {
        query.read().get("revoked").is_some() || matches!(revoke.value().get(), Some(Ok(())))
    };
    view! {
        <ErrorBanner error />
        {move || regenerated().filter(|_| !revoked()).map(|kind| view! {
            <ActionForm action=revoke attr:class="inline" attr:data-test="revoke-form">
                <CsrfField />
                <input type="hidden" name="kind" value=kind />
                <span>{t(Msg::WebhookRevokeHint)}" "</span>
                <button type="submit" data-test="revoke-old-url">{t(Msg::WebhookRevoke)}</button>
            </ActionForm>
        })}
        <Show when=revoked>
            <p class="banner success" role="status" data-test="revoked">{t(Msg::WebhookRevoked)}</p>
        </Show>
    }
}
