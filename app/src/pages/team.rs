//! `/team`: members, open invites, and the invite form.

use leptos::prelude::*;

use crate::api::team::{CreateInvite, team};
use crate::components::form::{CsrfField, ErrorBanner, FieldError, last_error};
use crate::error::Field;
use crate::i18n::{Msg, t};

/// The team page.
#[component]
pub fn TeamPage() -> impl IntoView {
    view! {
            <TeamView />
    }
}

#[component]
fn TeamView() -> impl IntoView {
    let invite = ServerAction::<CreateInvite>::new();
    let result = invite.value();
    let error = last_error(result);
    let data = Resource::new_blocking(move || invite.version().get(), |_| team());
    view! {
        <h1>{t(Msg::TeamTitle)}</h1>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let team = match data.await {
                    Ok(team) => team,
                    Err(e) => return view! { <p class="banner error">{t(e.message())}</p> }.into_any(),
                };
                let members = team.members.into_iter().map(|m| {
                    let role = if m.is_owner { Msg::TeamRoleOwner } else { Msg::TeamRoleMember };
                    view! { <tr><td>{m.name}</td><td>{m.email}</td><td>{t(role)}</td></tr> }
                }).collect_view();
                let no_invites = team.invites.is_empty();
                let invites = team.invites.into_iter().map(|i| {
                    view! { <li>{i.email} " — " {t(Msg::TeamExpires)} " " <time>{i.expires_at}</time></li> }
                }).collect_view();
                view! {
                    <section class="card">
                        <h2>{t(Msg::TeamMembers)}</h2>
                        <table class="table" data-test="members"><tbody>{members}</tbody></table>
                    </section>
                    <section class="card">
                        <h2>{t(Msg::TeamInviteTitle)}</h2>
                        <Show when=move || team.can_invite fallback=|| view! { <p>{t(Msg::TeamInviteOwnerOnly)}</p> }>
                            <p class="intro">{t(Msg::TeamInviteIntro)}</p>
                            <ErrorBanner error />
                            <ActionForm action=invite attr:class="row">
                                <CsrfField />
                                <input name="email" type="email" required placeholder=t(Msg::FieldEmail) aria-label=t(Msg::FieldEmail) />
                                <button type="submit" class="primary">{t(Msg::TeamInviteSubmit)}</button>
                            </ActionForm>
                            <FieldError error field=Field::Email />
                            {move || result.get().and_then(Result::ok).map(|link| view! {
                                <p class="banner success" role="status">{t(Msg::TeamInviteCreated)}</p>
                                <input class="copy-field" readonly value=link data-test="invite-link" />
                            })}
                        </Show>
                        <h3>{t(Msg::TeamPendingInvites)}</h3>
                        {no_invites.then(|| view! { <p class="muted">{t(Msg::TeamNoPendingInvites)}</p> })}
                        <ul class="plain">{invites}</ul>
                    </section>
                }
                .into_any()
            })}
        </Transition>
    }
}
