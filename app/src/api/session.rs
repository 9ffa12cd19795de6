//! Who is logged in, for the page shell.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What the shell needs to know about the visitor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    /// The token every form must send back.
    pub csrf_token: String,
    /// The logged-in user, if any.
    pub user: Option<UserView>,
    /// The logged-in staff member's name, if this is a staff session.
    pub staff: Option<String>,
}

/// The session as loaded for the current page (by the layout, which provides it as context);
/// refetched on every navigation.
pub type SessionResource = Resource<Result<SessionView, AppError>>;

/// The logged-in user and the company they act for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Name of the company acted for.
    pub company: String,
    /// The user's role in that company.
    pub role: Role,
    /// Every company the user belongs to, oldest membership first (one, for most users).
    pub companies: Vec<CompanyChoice>,
    /// The company's open sync problems (the navigation's badge).
    pub open_problems: u64,
}

/// A company the user can act for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompanyChoice {
    /// The tenant id (what `switch_company` takes).
    pub id: i64,
    /// The company's name.
    pub name: String,
    /// Whether the session acts for it now.
    pub current: bool,
}

pub use vocabulary::Role;

/// The visitor's session: CSRF token and, when logged in, user and company.
#[server(prefix = "/api", endpoint = "session", input = leptos::server_fn::codec::GetUrl)]
pub async fn session_info() -> Result<SessionView, AppError> {
    use crate::ssr::session;

    // Not `Tenant::read`: a visitor who is not logged in gets their view too.
    let visitor = crate::ssr::entrance::Visitor::read().await?;
    let (state, session) = (&visitor.state, &visitor.session);
    let user = match session::tenant_user(state, session).await {
        Ok(ctx) => {
            let user = backend::accounts::user(&state.db, ctx.user_id).await?;
            // Support staff act as the owner for this company only: the owner's other
            // companies are not theirs to see.
            let companies = backend::accounts::memberships(&state.db, ctx.user_id)
                .await?
                .into_iter()
                .filter(|m| ctx.support.is_none() || m.tenant_id == ctx.tenant_id)
                .map(|m| CompanyChoice {
                    id: m.tenant_id.get(),
                    name: m.company_name,
                    current: m.tenant_id == ctx.tenant_id,
                })
                .collect();
            let open_problems =
                backend::health::episodes::open_count(&state.db, ctx.tenant_id).await?;
            Some(UserView {
                open_problems,
                companies,
                name: user.name.to_string(),
                email: user.email.to_string(),
                company: ctx.company,
                role: ctx.role,
            })
        }
        Err(AppError::NotAuthenticated) => None,
        Err(e) => return Err(e),
    };
    let staff = match user {
        Some(_) => None,
        None => match crate::ssr::staff::member(state, session).await {
            Ok(member) => Some(member.name),
            Err(AppError::NotAuthenticated) => None,
            Err(e) => return Err(e),
        },
    };
    // After the staff check: ending an idle staff session drops its CSRF token too.
    let csrf_token = session::csrf_token(state, session).await?;
    Ok(SessionView {
        csrf_token,
        user,
        staff,
    })
}
