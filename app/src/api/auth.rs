//! Sign up, log in, log out.

use leptos::prelude::*;

use crate::api::CsrfToken;
use crate::error::AppError;

/// Starts a sign-up: mails a link that confirms the address and creates the company (or, for
/// an address that already has an account, a mail telling its owner). The answer is the same
/// either way — a redirect to `/signup?sent=1` — so the form tells no one which addresses exist.
#[server(prefix = "/api", endpoint = "sign_up")]
pub async fn sign_up(
    csrf_token: CsrfToken,
    company_name: String,
    name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    use crate::ssr::{errors::parse, session};

    let visitor = crate::ssr::entrance::Visitor::change(csrf_token).await?;
    let state = &visitor.state;
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
    let language = crate::i18n::detect_lang().mail_language();
    backend::accounts::request_sign_up(&state.db, input, language, &state.public_url, now).await?;
    leptos_axum::redirect("/signup?sent=1");
    Ok(())
}

/// Checks email and password, then starts a fresh session.
#[server(prefix = "/api", endpoint = "log_in")]
pub async fn log_in(
    csrf_token: CsrfToken,
    email: String,
    password: String,
) -> Result<(), AppError> {
    use crate::ssr::{device, session};

    let visitor = crate::ssr::entrance::Visitor::change(csrf_token).await?;
    let state = &visitor.state;
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
    device::keep(state, &known);
    let memberships = backend::accounts::memberships(&state.db, user_id).await?;
    let tenant = memberships.first().ok_or(AppError::Forbidden)?;
    let actor = backend::audit::Actor::User(user_id);
    let action = backend::audit::Action::LoggedIn;
    let detail = ip.to_string();
    crate::ssr::entrance::record(state, Some(tenant.tenant_id), actor, action, &detail).await;
    // The language the user reads the app in is the language of their mails.
    if let Some(lang) = crate::i18n::chosen_lang() {
        let now = backend::Timestamp::now();
        backend::accounts::set_language(&state.db, user_id, lang.mail_language(), now).await?;
    }
    session::start(&visitor.session, user_id, tenant.tenant_id).await?;
    // The home page: whether everything is in sync, or what to do.
    leptos_axum::redirect("/");
    Ok(())
}

/// Acts for another company the user belongs to, under a new session id.
#[server(prefix = "/api", endpoint = "switch_company")]
pub async fn switch_company(csrf_token: CsrfToken, tenant_id: i64) -> Result<(), AppError> {
    let ctx = crate::ssr::entrance::Tenant::change(csrf_token).await?;
    ctx.own()?;
    let tenant = backend::TenantId::new(tenant_id);
    // Not a member there: the same answer as for a company that does not exist.
    backend::accounts::membership(&ctx.state.db, tenant, ctx.user_id).await?;
    crate::ssr::session::start(&ctx.session, ctx.user_id, tenant).await?;
    leptos_axum::redirect("/settings");
    Ok(())
}

/// Ends the session.
#[server(prefix = "/api", endpoint = "log_out")]
pub async fn log_out(csrf_token: CsrfToken) -> Result<(), AppError> {
    let visitor = crate::ssr::entrance::Visitor::change(csrf_token).await?;
    crate::ssr::session::end(&visitor.session).await?;
    leptos_axum::redirect("/login?logged_out=1");
    Ok(())
}
