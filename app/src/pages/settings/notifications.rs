//! `/settings/notifications`: how this user hears about the company's sync problems — by mail
//! at once, in a daily digest, or not at all — for problems that start and problems that end.
//! One plain form per kind, so it works without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::mail::{
    DeliveryView, NotificationKindView, SetNotificationPreference, notification_preferences,
};
use crate::components::form::{CsrfField, ErrorBanner, last_error};
use crate::i18n::{Msg, t};

/// The notification settings.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let chosen = Resource::new_blocking(|| (), |()| notification_preferences());
    let action = ServerAction::<SetNotificationPreference>::new();
    let error = last_error(action.value());
    let query = use_query_map();
    let saved =
        move || query.read().get("saved").is_some() || matches!(action.value().get(), Some(Ok(())));
    view! {
        <h1>{t(Msg::NotificationsTitle)}</h1>
        <p class="intro">{t(Msg::NotificationsIntro)}</p>
        <Show when=saved>
            <p class="banner info" role="status" data-test="notifications-saved">{t(Msg::NotificationsSaved)}</p>
        </Show>
        <ErrorBanner error />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match chosen.await {
                    Ok(rows) => rows
                        .into_iter()
                        .map(|(kind, delivery)| view! { <KindForm kind delivery action /> })
                        .collect_view()
                        .into_any(),
                    Err(e) => view! { <p class="banner error" role="alert">{t(e.message())}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn KindForm(
    kind: NotificationKindView,
    delivery: DeliveryView,
    action: ServerAction<SetNotificationPreference>,
) -> impl IntoView {
    let (title, code) = match kind {
        NotificationKindView::ProblemOpened => (Msg::NotificationsProblemOpened, "ProblemOpened"),
        NotificationKindView::ProblemResolved => {
            (Msg::NotificationsProblemResolved, "ProblemResolved")
        }
    };
    let option = move |value: DeliveryView, code: &'static str, label: Msg| {
        view! {
            <label class="check">
                <input type="radio" name="delivery" value=code checked=delivery == value />
                {t(label)}
            </label>
        }
    };
    view! {
        <section class="card" data-test=format!("notifications-{code}")>
            <h2>{t(title)}</h2>
            <ActionForm action attr:class="stack">
                <CsrfField />
                <input type="hidden" name="kind" value=code />
                {option(DeliveryView::Immediately, "Immediately", Msg::NotificationsImmediately)}
                {option(DeliveryView::DailyDigest, "DailyDigest", Msg::NotificationsDailyDigest)}
                {option(DeliveryView::Never, "Never", Msg::NotificationsNever)}
                <button type="submit">{t(Msg::NotificationsSave)}</button>
            </ActionForm>
        </section>
    }
}
