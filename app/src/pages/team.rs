//! `/team`: members, open invites, and the invite form.

use leptos::prelude::*;

use crate::api::session::Role;
use crate::api::team::{CreateInvite, MemberView, SetMemberRole, team};
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
    let set_role = ServerAction::<SetMemberRole>::new();
    let result = invite.value();
    let error = last_error(result);
    let role_error = last_error(set_role.value());
    let data = Resource::new_blocking(
        move || (invite.version().get(), set_role.version().get()),
        |_| team(),
    );
    view! {
        <h1>{t(Msg::TeamTitle)}</h1>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let team = match data.await {
                    Ok(team) => team,
                    Err(e) => return view! { <p class="banner error">{t(e.message())}</p> }.into_any(),
                };
                let can_set_roles = team.can_set_roles;
                let members = team.members.into_iter().map(|m| {
                    view! { <MemberRow member=m can_set_roles set_role /> }
                }).collect_view();
                let no_invites = team.invites.is_empty();
                let invites = team.invites.into_iter().map(|i| {
                    view! { <li>{i.email} " — " {t(Msg::TeamExpires)} " " <time>{i.expires_at}</time></li> }
                }).collect_view();
                view! {
                    <section class="card">
                        <h2>{t(Msg::TeamMembers)}</h2>
                        <ErrorBanner error=role_error />
                        <p class="intro">{t(Msg::TeamRolesIntro)}</p>
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

/// The role's name.
fn role_msg(role: Role) -> Msg {
    match role {
        Role::Owner => Msg::TeamRoleOwner,
        Role::Admin => Msg::TeamRoleAdmin,
        Role::Member => Msg::TeamRoleMember,
    }
}

/// One member; for the owner, with a button that makes a member an admin or an admin a member.
#[component]
fn MemberRow(
    member: MemberView,
    can_set_roles: bool,
    set_role: ServerAction<SetMemberRole>,
) -> impl IntoView {
    let change = match (can_set_roles, member.role) {
        (true, Role::Member) => Some((Role::Admin, Msg::TeamMakeAdmin)),
        (true, Role::Admin) => Some((Role::Member, Msg::TeamMakeMember)),
        (true, Role::Owner) | (false, _) => None,
    };
    let form = change.map(|(role, label)| {
        let role = format!("{role:?}");
        view! {
            <ActionForm action=set_role attr:class="inline">
                <CsrfField />
                <input type="hidden" name="user_id" value=member.user_id.to_string() />
                <input type="hidden" name="role" value=role />
                <button type="submit" data-test=format!("set-role-{}", member.user_id)>{t(label)}</button>
            </ActionForm>
        }
    });
    view! {
        <tr data-test=format!("member-{}", member.email)>
            <td>{member.name}</td>
            <td>{member.email.clone()}</td>
            <td data-test="role">{t(role_msg(member.role))}</td>
            <td>{form}</td>
        </tr>
    }
}
