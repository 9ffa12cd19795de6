//! The frame around every page: header with navigation, company, user, language and log-out.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::use_location;

use crate::api::auth::{LogOut, SwitchCompany};
use crate::api::session::{CompanyChoice, SessionResource, session_info};
use crate::api::staff::StaffLogOut;
use crate::components::form::CsrfField;
use crate::i18n::{Lang, Msg, t, use_lang};

/// Loads the session, renders the header and the page below it.
#[component]
pub fn Layout() -> impl IntoView {
    let location = use_location();
    let session: SessionResource =
        Resource::new_blocking(move || location.pathname.get(), |_| session_info());
    provide_context(session);

    view! {
        // The page comes before the header in the document (CSS puts the header on top): in the
        // browser the header's suspense settles at once, on the server later, and the page's
        // resources must be numbered the same on both sides for hydration to find their data.
        <main class="page">
            <Outlet />
        </main>
        <header class="topbar">
            <a class="brand" href="/">{t(Msg::AppName)}</a>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let (user, staff) = match session.await {
                        Ok(s) => (s.user, s.staff),
                        Err(_) => (None, None),
                    };
                    if let Some(name) = staff {
                        return view! { <StaffNav name /> }.into_any();
                    }
                    match user {
                        Some(user) => view! {
                            <nav class="mainnav" aria-label="main">
                                <a href="/">{t(Msg::NavHome)}{problem_badge(user.open_problems)}</a>
                                <A href="/settings">{t(Msg::NavSettings)}</A>
                                <A href="/events">{t(Msg::NavEvents)}</A>
                                <A href="/customers">{t(Msg::NavCustomers)}</A>
                                <A href="/products">{t(Msg::NavProducts)}</A>
                                <A href="/invoices">{t(Msg::NavInvoices)}</A>
                                <A href="/team">{t(Msg::NavTeam)}</A>
                            </nav>
                            <div class="who">
                                <CompanySwitch current=user.company companies=user.companies />
                                <span class="user" title=t(Msg::SignedInAs)>{user.name}</span>
                                <LogOutButton />
                            </div>
                        }
                        .into_any(),
                        None => view! {
                            <nav class="mainnav" aria-label="main">
                                <A href="/login">{t(Msg::NavLogIn)}</A>
                                <A href="/signup">{t(Msg::NavSignUp)}</A>
                            </nav>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
            <LangSwitch />
        </header>
    }
}

/// The count of the company's open sync problems beside "Overview" (nothing when none).
fn problem_badge(open: u64) -> Option<impl IntoView> {
    (open > 0).then(|| {
        let label = format!("{open} {}", t(Msg::NavProblemsBadge));
        view! { " " <span class="badge" data-test="problem-badge" aria-label=label>{open}</span> }
    })
}

/// The company acted for; a switch when the user belongs to several (a plain form: no JS needed).
#[component]
fn CompanySwitch(current: String, companies: Vec<CompanyChoice>) -> impl IntoView {
    let action = ServerAction::<SwitchCompany>::new();
    if companies.len() < 2 {
        return view! { <span class="company" title=t(Msg::CompanyLabel)>{current}</span> }
            .into_any();
    }
    let options = companies
        .into_iter()
        .map(|c| view! { <option value=c.id.to_string() selected=c.current>{c.name}</option> })
        .collect_view();
    view! {
        <ActionForm action attr:class="inline company-switch" attr:data-test="company-switch">
            <CsrfField />
            <select name="tenant_id" aria-label=t(Msg::CompanyLabel)>{options}</select>
            <button type="submit" class="link-button">{t(Msg::CompanySwitch)}</button>
        </ActionForm>
    }
    .into_any()
}

/// The header of a staff session: the dashboard and log-out, nothing of any tenant.
#[component]
fn StaffNav(name: String) -> impl IntoView {
    let action = ServerAction::<StaffLogOut>::new();
    view! {
        <nav class="mainnav" aria-label="main">
            <A href="/staff">{t(Msg::StaffNavDashboard)}</A>
        </nav>
        <div class="who">
            <span class="company">{t(Msg::StaffBadge)}</span>
            <span class="user" title=t(Msg::SignedInAs)>{name}</span>
            <ActionForm action attr:class="inline">
                <CsrfField />
                <button type="submit" class="link-button" data-test="staff-logout">{t(Msg::NavLogOut)}</button>
            </ActionForm>
        </div>
    }
}

#[component]
fn LogOutButton() -> impl IntoView {
    let action = ServerAction::<LogOut>::new();
    view! {
        <ActionForm action attr:class="inline">
            <CsrfField />
            <button type="submit" class="link-button" data-test="logout">{t(Msg::NavLogOut)}</button>
        </ActionForm>
    }
}

/// Links that set the language cookie and come back here; plain links, so no JavaScript needed.
#[component]
fn LangSwitch() -> impl IntoView {
    let location = use_location();
    let current = use_lang();
    let link = move |lang: Lang, label: Msg| {
        let next = location.pathname.get();
        view! {
            <a
                href=format!("/lang/{}?next={}", lang.code(), next)
                rel="external"
                class:active=current == lang
                hreflang=lang.code()
            >
                {t(label)}
            </a>
        }
    };
    view! {
        <nav class="langs" aria-label=t(Msg::LangSwitchLabel)>
            {move || link(Lang::Da, Msg::LangDa)}
            {move || link(Lang::En, Msg::LangEn)}
        </nav>
    }
}
