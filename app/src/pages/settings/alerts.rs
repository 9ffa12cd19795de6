//! `/settings/alerts`: the company's alert webhook (Slack, Teams or any receiver) and every
//! message recorded about its sync problems, delivered or not.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::health::reason_text;
use crate::api::health::settings::{
    AlertsView, ChannelView, DeliveryStatus, NoticeView, NotificationView, RemoveAlertWebhook,
    SaveAlertWebhook, alert_settings,
};
use crate::components::form::{CsrfField, ErrorBanner, FieldError, last_error};
use crate::error::Field;
use crate::i18n::{Msg, t, use_lang};

/// The alerts page.
#[component]
pub fn AlertsPage() -> impl IntoView {
    let save = ServerAction::<SaveAlertWebhook>::new();
    let remove = ServerAction::<RemoveAlertWebhook>::new();
    let data = Resource::new_blocking(
        move || (save.version().get(), remove.version().get()),
        |_| alert_settings(),
    );
    let saved = move || use_query_map().read().get("saved").is_some();
    view! {
        <h1>{t(Msg::AlertsTitle)}</h1>
        <p class="intro">{t(Msg::AlertsIntro)}</p>
        {move || saved().then(|| view! { <p class="banner ok" role="status">{t(Msg::AlertsSaved)}</p> })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <Alerts view save remove /> }.into_any(),
                    Err(e) => view! { <p class="banner error" role="alert">{t(e.message())}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Alerts(
    view: AlertsView,
    save: ServerAction<SaveAlertWebhook>,
    remove: ServerAction<RemoveAlertWebhook>,
) -> impl IntoView {
    let error = last_error(save.value());
    let has_hook = view.url.is_some();
    let secret = view.secret.map(|secret| {
        view! {
            <p><strong>{t(Msg::AlertsSecret)}</strong> " " <code data-test="alert-secret">{secret}</code></p>
            <p class="muted small">{t(Msg::AlertsSecretHint)}</p>
        }
    });
    let empty = view.notifications.is_empty();
    let rows = view
        .notifications
        .into_iter()
        .map(|n| view! { <Row n /> })
        .collect_view();
    view! {
        <section class="card" id="alert-webhook">
            <h2>{t(Msg::AlertsWebhookTitle)}</h2>
            <p class="intro">{t(Msg::AlertsWebhookIntro)}</p>
            <ErrorBanner error />
            <ActionForm action=save attr:class="stack" attr:data-test="alert-form">
                <CsrfField />
                <label>
                    {t(Msg::AlertsUrl)}
                    <input name="url" type="url" required maxlength="2000" value=view.url
                        placeholder="https://hooks.slack.com/services/…" disabled=!view.can_edit />
                </label>
                <FieldError error field=Field::AlertUrl />
                {(view.can_edit && has_hook).then(|| view! {
                    <label class="check">
                        <input type="checkbox" name="new_secret" value="on" />
                        {t(Msg::AlertsNewSecret)}
                    </label>
                })}
                {view.can_edit.then(|| view! {
                    <button type="submit" class="primary" data-test="alert-save">{t(Msg::AlertsSave)}</button>
                })}
            </ActionForm>
            {secret}
            {(view.can_edit && has_hook).then(|| view! {
                <ActionForm action=remove attr:class="inline">
                    <CsrfField />
                    <button type="submit" class="link-button" data-test="alert-remove">{t(Msg::AlertsRemove)}</button>
                </ActionForm>
            })}
            <p class="muted small">{t(Msg::AlertsEmailNote)}</p>
        </section>
        <section class="card">
            <h2>{t(Msg::AlertsListTitle)}</h2>
            {if empty {
                view! { <p class="muted">{t(Msg::AlertsNone)}</p> }.into_any()
            } else {
                view! {
                    <table class="table data" data-test="notifications">
                        <thead><tr>
                            <th>{t(Msg::AlertsColWhen)}</th>
                            <th>{t(Msg::AlertsColProblem)}</th>
                            <th>{t(Msg::AlertsColEvent)}</th>
                            <th>{t(Msg::AlertsColChannel)}</th>
                            <th>{t(Msg::AlertsColStatus)}</th>
                            <th>{t(Msg::AlertsColAttempts)}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn Row(n: NotificationView) -> impl IntoView {
    let lang = use_lang();
    let notice = match n.notice {
        NoticeView::Opened => Msg::AlertsEventOpened,
        NoticeView::Resolved => Msg::AlertsEventResolved,
    };
    let channel = match n.channel {
        ChannelView::Webhook => Msg::AlertsChannelWebhook,
        ChannelView::Email => Msg::AlertsChannelEmail,
    };
    let status = match n.status {
        DeliveryStatus::Pending => Msg::AlertsStatusPending,
        DeliveryStatus::Sent => Msg::AlertsStatusSent,
        DeliveryStatus::Failed => Msg::AlertsStatusFailed,
        DeliveryStatus::Skipped => Msg::AlertsStatusSkipped,
    };
    view! {
        <tr data-status=n.status.slug()>
            <td>{n.at}</td>
            <td>{reason_text(&n.reason, lang)}</td>
            <td>{t(notice)}</td>
            <td>{t(channel)}</td>
            <td>
                <span class=format!("pill delivery-{}", n.status.slug())>{t(status)}</span>
                {n.error.map(|e| view! { <br /><code class="small">{e}</code> })}
            </td>
            <td class="num">{n.attempts}</td>
        </tr>
    }
}
