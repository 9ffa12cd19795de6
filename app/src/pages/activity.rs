//! `/settings/activity`: the company's activity log, for its owners.

use leptos::prelude::*;

use crate::api::activity::{ActivityAction, ActivityActor, ActivityView, activity_log};
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

fn action_msg(action: ActivityAction) -> Msg {
    match action {
        ActivityAction::LoggedIn => Msg::ActivityLoggedIn,
        ActivityAction::LoginFailed => Msg::ActivityLoginFailed,
        ActivityAction::LoginThrottled => Msg::ActivityLoginThrottled,
        ActivityAction::SettingsSaved => Msg::ActivitySettingsSaved,
        ActivityAction::Connected => Msg::ActivityConnected,
        ActivityAction::Disconnected => Msg::ActivityDisconnected,
        ActivityAction::WebhookUrlRegenerated => Msg::ActivityWebhookUrlRegenerated,
        ActivityAction::WebhookUrlRevoked => Msg::ActivityWebhookUrlRevoked,
        ActivityAction::EconomicWebhookChanged => Msg::ActivityEconomicWebhookChanged,
        ActivityAction::InviteCreated => Msg::ActivityInviteCreated,
        ActivityAction::InviteAccepted => Msg::ActivityInviteAccepted,
        ActivityAction::EventsReplayed => Msg::ActivityEventsReplayed,
        ActivityAction::EventDismissed => Msg::ActivityEventDismissed,
        ActivityAction::RoleChanged => Msg::ActivityRoleChanged,
        ActivityAction::ImpersonationStarted => Msg::ActivityImpersonationStarted,
        ActivityAction::ImpersonationElevated => Msg::ActivityImpersonationElevated,
        ActivityAction::ImpersonationEnded => Msg::ActivityImpersonationEnded,
        ActivityAction::SupportAccessChanged => Msg::ActivitySupportAccessChanged,
        ActivityAction::StaffCreated => Msg::ActivityStaffCreated,
        ActivityAction::StaffLoggedIn => Msg::ActivityStaffLoggedIn,
        ActivityAction::StaffDisabled => Msg::ActivityStaffDisabled,
        ActivityAction::StaffUnlocked => Msg::ActivityStaffUnlocked,
        ActivityAction::ProblemOpened => Msg::ActivityProblemOpened,
        ActivityAction::ProblemResolved => Msg::ActivityProblemResolved,
        ActivityAction::NotificationSent => Msg::ActivityNotificationSent,
        ActivityAction::NotificationFailed => Msg::ActivityNotificationFailed,
        ActivityAction::AlertWebhookChanged => Msg::ActivityAlertWebhookChanged,
        ActivityAction::PasswordReset => Msg::ActivityPasswordReset,
    }
}
