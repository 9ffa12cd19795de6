//! `/settings/support`: every time support staff looked at the company's account — who, when,
//! for how long, why, whether they had write access and what they changed — and the owner's
//! choice of what support may do.

use leptos::prelude::*;
use vocabulary::SupportAccess;

use crate::api::impersonation::{
    SetSupportAccess, SupportAccessView, SupportSession, support_access,
};
use crate::components::form::{CsrfField, ErrorBanner, last_error};
use crate::i18n::{Msg, t};

/// The support-access page.
#[component]
pub fn SupportAccessPage() -> impl IntoView {
    let view = Resource::new_blocking(|| (), |_| support_access());
    view! {
        <h1>{t(Msg::SupportTitle)}</h1>
        <p class="intro">{t(Msg::SupportIntro)}</p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match view.await {
                    Ok(view) => view! { <Support view /> }.into_any(),
                    Err(e) => view! { <p class="banner error" role="alert">{t(e.message())}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Support(view: SupportAccessView) -> impl IntoView {
    let save = ServerAction::<SetSupportAccess>::new();
    let error = last_error(save.value());
    let current = view.choice;
    let choices = SupportAccess::ALL
        .into_iter()
        .map(|choice| {
            view! {
                <label class="check">
                    <input type="radio" name="choice" value=format!("{choice:?}")
                        checked=choice == current disabled=!view.can_change />
                    {t(choice_msg(choice))}
                </label>
            }
        })
        .collect_view();
    let sessions = if view.sessions.is_empty() {
        view! { <p class="muted">{t(Msg::SupportNone)}</p> }.into_any()
    } else {
        let rows = view
            .sessions
            .into_iter()
            .map(|s| view! { <SessionRow s /> })
            .collect_view();
        view! {
            <table class="table data" data-test="support-log">
                <thead><tr>
                    <th>{t(Msg::SupportColWhen)}</th>
                    <th>{t(Msg::SupportColWho)}</th>
                    <th>{t(Msg::SupportColReason)}</th>
                    <th>{t(Msg::SupportColAccess)}</th>
                    <th>{t(Msg::SupportColChanges)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section class="card">
            <h2>{t(Msg::SupportChoiceTitle)}</h2>
            <ErrorBanner error />
            <ActionForm action=save attr:class="stack">
                <CsrfField />
                {choices}
                {view.can_change.then(|| view! {
                    <button type="submit" class="primary" data-test="support-save">{t(Msg::SupportSave)}</button>
                })}
            </ActionForm>
            {(!view.can_change).then(|| view! { <p class="muted">{t(Msg::SupportOwnerOnly)}</p> })}
        </section>
        <section class="card">
            <h2>{t(Msg::SupportLogTitle)}</h2>
            {sessions}
        </section>
    }
}

#[component]
fn SessionRow(s: SupportSession) -> impl IntoView {
    let duration = if s.running {
        format!("{} · {}", s.started, t(Msg::SupportRunning))
    } else if s.minutes == 0 {
        // A visit of a few seconds is not "0 min.".
        format!("{} · {}", s.started, t(Msg::SupportUnderAMinute))
    } else {
        format!(
            "{} · {} {}",
            s.started,
            s.minutes,
            t(Msg::SupportBannerMinutes)
        )
    };
    let reason = match s.ticket {
        Some(ticket) => format!("{} ({ticket})", s.reason),
        None => s.reason,
    };
    let access = match s.elevated {
        Some(why) => format!("{}: {why}", t(Msg::SupportBannerElevated)),
        None => t(Msg::SupportBannerReadOnly).to_owned(),
    };
    let changes = s
        .changes
        .into_iter()
        .map(|(method, path, status)| view! { <li><code>{format!("{method} {path} → {status}")}</code></li> })
        .collect_view();
    view! {
        <tr>
            <td>{duration}</td>
            <td>{s.staff}</td>
            <td>{reason}</td>
            <td>{access}</td>
            <td>
                <span class="muted">{format!("{} {}", s.requests, t(Msg::SupportRequests))}</span>
                <ul class="plain small">{changes}</ul>
            </td>
        </tr>
    }
}

fn choice_msg(choice: SupportAccess) -> Msg {
    match choice {
        SupportAccess::Allowed => Msg::SupportChoiceAllowed,
        SupportAccess::ReadOnly => Msg::SupportChoiceReadOnly,
        SupportAccess::Forbidden => Msg::SupportChoiceForbidden,
    }
}
