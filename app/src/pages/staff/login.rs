//! `/staff/login`: the first step of a staff log-in (email and password).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::staff::StaffLogIn;
use crate::components::form::{CsrfField, ErrorBanner, LogInFields, last_error};
use crate::i18n::{Msg, t};

/// The staff login form; separate from the tenants' `/login`. Reached by the one-time
/// enrolment link (`?enrol=<token>`), it carries the link's token along to the second step.
#[component]
pub fn StaffLoginPage() -> impl IntoView {
    let action = ServerAction::<StaffLogIn>::new();
    let error = last_error(action.value());
    let enrol = use_query_map().with_untracked(|q| q.get("enrol"));
    view! {
        <section class="card narrow">
            <h1>{t(Msg::StaffLoginTitle)}</h1>
            <p class="intro">{t(Msg::StaffLoginIntro)}</p>
            <ErrorBanner error />
            <ActionForm action attr:class="stack" attr:data-test="staff-login-form">
                <CsrfField />
                {enrol.map(|token| view! { <input type="hidden" name="enrol" value=token /> })}
                <LogInFields />
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {t(Msg::LoginSubmit)}
                </button>
            </ActionForm>
        </section>
    }
}
