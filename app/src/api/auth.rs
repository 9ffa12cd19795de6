//! Sign up, log in, log out.

use leptos::prelude::*;

use crate::error::AppError;

/// Creates a company with its owner and logs the owner in.
#[server(prefix = "/api", endpoint = "sign_up")]
pub async fn sign_up(
    csrf_token: String,
    company_name: String,
    name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    use crate::ssr::{errors::parse, session, state::app_state};
    let _ = csrf_token;

    let state = app_state()?;
    let input = backend::accounts::SignUp {
        company_name: parse(backend::CompanyName::parse(&company_name))?,
        name: parse(backend::PersonName::parse(&name))?,
        email: parse(backend::Email::parse(&email))?,
        password: parse(backend::Password::parse(&password))?,
    };
    // Each sign-up costs an argon2 hash: counted per client address before any of that work.
    let (ip, now) = (session::client_ip().await, backend::Timestamp::now());
    backend::throttle::attempt(
        &state.db,
        backend::throttle::Action::SignUp,
        ip,
        state.sign_ups_per_ip,
        now,
    )
    .await?;
    let signed_up = backend::accounts::sign_up(&state.db, input).await?;
    session::start(
        &session::current().await?,
        signed_up.user_id,
        signed_up.tenant_id,
    )
    .await?;
    leptos_axum::redirect("/settings");
    Ok(())
}

/// Checks email and password, then starts a fresh session.
#[server(prefix = "/api", endpoint = "log_in")]
pub async fn log_in(csrf_token: String, email: String, password: String) -> Result<(), AppError> {
    use crate::ssr::{device, session, state::app_state};
    let _ = csrf_token;

    let state = app_state()?;
    // A malformed email cannot belong to an account: answer as for a wrong password.
    let email = backend::Email::parse(&email).map_err(|_| AppError::InvalidCredentials)?;
    let ip = session::client_ip().await;
    let (user_id, known) = backend::accounts::log_in_on_device(
        &state.db,
        &email,
        &password,
        ip,
        device::sent().await,
        backend::Timestamp::now(),
    )
    .await?;
    device::keep(&state, &known);
    let memberships = backend::accounts::memberships(&state.db, user_id).await?;
    let tenant = memberships.first().ok_or(AppError::Forbidden)?;
    let (actor, now) = (
        backend::audit::Actor::User(user_id),
        backend::Timestamp::now(),
    );
    let action = backend::audit::Action::LoggedIn;
    let detail = ip.to_string();
    if let Err(e) = backend::audit::record(
        &state.db,
        Some(tenant.tenant_id),
        actor,
        action,
        &detail,
        now,
    )
    .await
    {
        tracing::error!(error = ?e, "audit log write failed");
    }
    session::start(&session::current().await?, user_id, tenant.tenant_id).await?;
    leptos_axum::redirect("/settings");
    Ok(())
}

/// Acts for another company the user belongs to, under a new session id.
#[server(prefix = "/api", endpoint = "switch_company")]
pub async fn switch_company(csrf_token: String, tenant_id: i64) -> Result<(), AppError> {
    use crate::ssr::{session, state::app_state};
    let _ = csrf_token;

    let state = app_state()?;
    let session = session::current().await?;
    let ctx = session::tenant_user(&state, &session).await?;
    session::require_own_session(&ctx)?;
    let tenant = backend::TenantId::new(tenant_id);
    // Not a member there: the same answer as for a company that does not exist.
    backend::accounts::membership(&state.db, tenant, ctx.user_id).await?;
    session::start(&session, ctx.user_id, tenant).await?;
    leptos_axum::redirect("/settings");
    Ok(())
}

/// Ends the session.
#[server(prefix = "/api", endpoint = "log_out")]
pub async fn log_out(csrf_token: String) -> Result<(), AppError> {
    use crate::ssr::session;
    let _ = csrf_token;

    session::end(&session::current().await?).await?;
    leptos_axum::redirect("/login?logged_out=1");
    Ok(())
}
