//! `/settings/activity`: the company's activity log, for its owners.

use leptos::prelude::*;

use crate::api::activity::{Action, ActivityActor, ActivityView, activity_log};
use crate::i18n::{Msg, t};

/// The activity log page.
#[component]
pub fn ActivityPage() -> impl IntoView {
    let entries = Resource::new_blocking(|| (), |_| activity_log());
    view! {
        <h1>{t(Msg::ActivityTitle)}</h1>
        <p class="intro">{t(Msg::ActivityIntro)}</p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match entries.await {
                    Ok(rows) if rows.is_empty() => view! { <p>{t(Msg::ActivityEmpty)}</p> }.into_any(),
                    Ok(rows) => view! { <ActivityTable rows /> }.into_any(),
                    Err(e) => view! { <p class="banner error" role="alert">{t(e.message())}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ActivityTable(rows: Vec<ActivityView>) -> impl IntoView {
    view! {
        <section class="card">
        <table class="table data" data-test="activity-log">
            <thead>
                <tr>
                    <th>{t(Msg::ActivityColWhen)}</th>
                    <th>{t(Msg::ActivityColWho)}</th>
                    <th>{t(Msg::ActivityColWhat)}</th>
                    <th>{t(Msg::ActivityColDetail)}</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr data-action=format!("{:?}", row.action)>
                        <td>{row.at}</td>
                        <td>{actor_text(&row.actor)}</td>
                        <td>{t(action_msg(row.action))}</td>
                        <td>{row.detail}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </section>
    }
}

fn actor_text(actor: &ActivityActor) -> String {
    match actor {
        ActivityActor::User(name) => name.clone(),
        ActivityActor::Staff(name) => format!("{} ({})", name, t(Msg::ActivitySupport)),
        ActivityActor::Support(staff) => format!("{} ({})", staff, t(Msg::ActivitySupport)),
        ActivityActor::System => t(Msg::ActivitySystem).to_owned(),
    }
}

fn action_msg(action: Action) -> Msg {
    match action {
        Action::LoggedIn => Msg::ActivityLoggedIn,
        Action::LoginFailed => Msg::ActivityLoginFailed,
        Action::LoginThrottled => Msg::ActivityLoginThrottled,
        Action::SettingsSaved => Msg::ActivitySettingsSaved,
        Action::Connected => Msg::ActivityConnected,
        Action::Disconnected => Msg::ActivityDisconnected,
        Action::WebhookUrlRegenerated => Msg::ActivityWebhookUrlRegenerated,
        Action::WebhookUrlRevoked => Msg::ActivityWebhookUrlRevoked,
        Action::EconomicWebhookChanged => Msg::ActivityEconomicWebhookChanged,
        Action::InviteCreated => Msg::ActivityInviteCreated,
        Action::InviteAccepted => Msg::ActivityInviteAccepted,
        Action::EventsReplayed => Msg::ActivityEventsReplayed,
        Action::EventDismissed => Msg::ActivityEventDismissed,
        Action::RoleChanged => Msg::ActivityRoleChanged,
        Action::ImpersonationStarted => Msg::ActivityImpersonationStarted,
        Action::ImpersonationElevated => Msg::ActivityImpersonationElevated,
        Action::ImpersonationEnded => Msg::ActivityImpersonationEnded,
        Action::SupportAccessChanged => Msg::ActivitySupportAccessChanged,
        Action::StaffCreated => Msg::ActivityStaffCreated,
        Action::StaffLoggedIn => Msg::ActivityStaffLoggedIn,
        Action::StaffDisabled => Msg::ActivityStaffDisabled,
        Action::StaffUnlocked => Msg::ActivityStaffUnlocked,
        Action::ProblemOpened => Msg::ActivityProblemOpened,
        Action::ProblemResolved => Msg::ActivityProblemResolved,
        Action::NotificationSent => Msg::ActivityNotificationSent,
        Action::NotificationFailed => Msg::ActivityNotificationFailed,
        Action::AlertWebhookChanged => Msg::ActivityAlertWebhookChanged,
        Action::PasswordReset => Msg::ActivityPasswordReset,
    }
}
