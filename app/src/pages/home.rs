//! `/`: sends visitors where they belong.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::api::session::SessionResource;

/// Redirects to the settings when logged in, else to the login page.
#[component]
pub fn Home() -> impl IntoView {
    let session = expect_context::<SessionResource>();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let logged_in = session.await.map(|s| s.user.is_some()).unwrap_or(false);
                let path = if logged_in { "/settings" } else { "/login" };
                view! { <Redirect path /> }
            })}
        </Transition>
    }
}
