//! The company's members and invites.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::CsrfToken;
use crate::api::session::Role;
use crate::error::AppError;

/// A member as shown on the team page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberView {
    /// The user's id (for the owner's role form).
    pub user_id: i64,
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Role in the company.
    pub role: Role,
}

/// An invite not yet accepted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InviteView {
    /// Who was invited.
    pub email: String,
    /// When the link stops working (UTC).
    pub expires_at: String,
}

/// The team page's data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamView {
    /// Everyone in the company.
    pub members: Vec<MemberView>,
    /// Open invites (owners only; empty for members).
    pub invites: Vec<InviteView>,
    /// Whether the viewer may invite (owner and admins).
    pub can_invite: bool,
    /// Whether the viewer may make members admins (the owner).
    pub can_set_roles: bool,
}

/// Members and open invites of the caller's company.
#[server(prefix = "/api", endpoint = "team", input = leptos::server_fn::codec::GetUrl)]
pub async fn team() -> Result<TeamView, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    let members = backend::tenants::members(&state.db, ctx.tenant_id)
        .await?
        .into_iter()
        .map(|m| MemberView {
            user_id: m.user_id.get(),
            name: m.name.to_string(),
            email: m.email.to_string(),
            role: m.role,
        })
        .collect();
    let invites = if ctx.role.manages() {
        backend::invites::pending(&state.db, ctx.tenant_id, backend::Timestamp::now())
            .await?
            .into_iter()
            .map(|i| InviteView {
                email: i.email.to_string(),
                expires_at: crate::ssr::format::timestamp(i.expires_at),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(TeamView {
        members,
        invites,
        can_invite: ctx.role.manages(),
        can_set_roles: ctx.role == backend::Role::Owner,
    })
}

/// The owner makes a member an admin, or an admin a member again.
#[server(prefix = "/api", endpoint = "set_member_role")]
pub async fn set_member_role(
    csrf_token: CsrfToken,
    user_id: i64,
    role: Role,
) -> Result<(), AppError> {
    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    let write = ctx.writable()?;
    ctx.own()?;
    let state = &ctx.state;
    let target = backend::UserId::new(user_id);
    let now = backend::Timestamp::now();
    backend::accounts::set_role(&state.db, ctx.tenant_id, ctx.user_id, target, role, now).await?;
    let who = backend::accounts::user(&state.db, target).await?;
    let detail = format!("{}: {}", who.email, role.as_str());
    ctx.audit(&write, backend::audit::Action::RoleChanged, &detail)
        .await;
    leptos_axum::redirect("/team?role_changed=1");
    Ok(())
}

/// Creates an invite for `email`, mails it, and returns the link (to copy as well).
#[server(prefix = "/api", endpoint = "create_invite")]
pub async fn create_invite(csrf_token: CsrfToken, email: String) -> Result<String, AppError> {
    use crate::ssr::errors::parse;

    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    let write = ctx.writable()?;
    ctx.own()?;
    ctx.manager()?;
    let state = &ctx.state;
    let email = parse(backend::Email::parse(&email))?;
    let detail = email.to_string();
    let token = backend::invites::send(
        &state.db,
        ctx.tenant_id,
        ctx.user_id,
        email,
        &state.public_url,
        backend::Timestamp::now(),
    )
    .await?;
    ctx.audit(&write, backend::audit::Action::InviteCreated, &detail)
        .await;
    Ok(format!("{}/invite/{}", state.public_url, token.as_str()))
}

/// Accepts an invite: creates the user in the inviting company and logs them in.
#[server(prefix = "/api", endpoint = "accept_invite")]
pub async fn accept_invite(
    csrf_token: CsrfToken,
    token: String,
    name: String,
    password: String,
) -> Result<(), AppError> {
    use crate::ssr::{errors::parse, session};

    let visitor = crate::ssr::entrance::Visitor::change(csrf_token).await?;
    let state = &visitor.state;
    let name = parse(backend::PersonName::parse(&name))?;
    let password = parse(backend::Password::parse(&password))?;
    // Accepting costs an argon2 hash: counted per client address before that work.
    let (ip, now) = (session::client_ip().await, backend::Timestamp::now());
    backend::throttle::attempt(
        &state.db,
        backend::throttle::Action::AcceptInvite,
        ip,
        state.sign_ups_per_ip,
        now,
    )
    .await?;
    let joined = backend::invites::accept(&state.db, &token, name, password, now).await?;
    let actor = backend::audit::Actor::User(joined.user_id);
    let action = backend::audit::Action::InviteAccepted;
    crate::ssr::entrance::record(state, Some(joined.tenant_id), actor, action, "").await;
    session::start(&visitor.session, joined.user_id, joined.tenant_id).await?;
    leptos_axum::redirect("/settings");
    Ok(())
}

/// Joins the invite's company with an existing account: the password of the invited address
/// proves it is theirs (throttled like a login), then the user is logged in to that company.
#[server(prefix = "/api", endpoint = "join_invite")]
pub async fn join_invite(
    csrf_token: CsrfToken,
    token: String,
    password: String,
) -> Result<(), AppError> {
    use crate::ssr::session;

    let visitor = crate::ssr::entrance::Visitor::change(csrf_token).await?;
    let state = &visitor.state;
    let (ip, now) = (session::client_ip().await, backend::Timestamp::now());
    let email = backend::invites::invited_email(&state.db, &token, now).await?;
    let user_id = backend::accounts::log_in(&state.db, &email, &password, ip, now).await?;
    let tenant_id = backend::invites::join(&state.db, &token, user_id, now).await?;
    let actor = backend::audit::Actor::User(user_id);
    let action = backend::audit::Action::InviteAccepted;
    crate::ssr::entrance::record(state, Some(tenant_id), actor, action, "").await;
    session::start(&visitor.session, user_id, tenant_id).await?;
    leptos_axum::redirect("/settings");
    Ok(())
}
