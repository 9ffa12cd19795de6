//! The HTML document and the route table.

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, Html, MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

use crate::components::layout::Layout;
use crate::i18n::{Msg, detect_lang, t};
use crate::pages;

/// The whole HTML document, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                // No icon file: an empty one stops every page load's 404 for /favicon.ico.
                <link rel="icon" href="data:," />
                // The stylesheet is linked here, on the server only, because only the server
                // knows its content-hashed name in a release build (the hash file).
                <HashedStylesheet options=options.clone() id="leptos" />
                <BundleScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The bundle's preload links and the script that loads it and hydrates the page: Leptos'
/// `<HydrationScripts>` less its slip, which put the CSP nonce into the preload links'
/// `crossorigin` attribute, where a CSS attribute selector could read it out of the page (the
/// nonce belongs on the script only; browsers hide it there). The links ask for an anonymous
/// CORS fetch (`crossorigin=""`), as the module import and the wasm `fetch` make it.
#[component]
fn BundleScripts(options: LeptosOptions) -> impl IntoView {
    let (js, wasm) = bundle_names(&options);
    let pkg = options.site_pkg_dir.to_string();
    let nonce = leptos::nonce::use_nonce();
    // Leptos' own loader (leptos/src/hydration/hydration_script.js, MIT), as it calls it.
    let script = format!("{HYDRATION_SCRIPT}(\"\", {pkg:?}, {js:?}, {wasm:?}, false);");
    view! {
        <link rel="modulepreload" href=format!("/{pkg}/{js}.js") crossorigin="" />
        <link
            rel="preload"
            href=format!("/{pkg}/{wasm}.wasm")
            r#as="fetch"
            r#type="application/wasm"
            crossorigin=""
        />
        <script type="module" nonce=nonce>{script}</script>
    }
}

/// Leptos' hydration loader: imports the JS glue, loads the wasm, hydrates.
const HYDRATION_SCRIPT: &str = "(function (root, pkg_path, output_name, wasm_output_name, defer) {\
    const hydrate = () => import(`${root}/${pkg_path}/${output_name}.js`).then(mod => {\
    mod.default({module_or_path: `${root}/${pkg_path}/${wasm_output_name}.wasm`})\
    .then(() => { mod.hydrate(); }); });\
    if (defer && \"requestIdleCallback\" in window) {\
    window.requestIdleCallback(hydrate, { timeout: 2000 }); } else { hydrate(); } })";

/// The names (without extension) of the bundle's JS and wasm files, as Leptos names them: with
/// their content hashes from the hash file beside the binary in a release build.
fn bundle_names(options: &LeptosOptions) -> (String, String) {
    let mut js = options.output_name.to_string();
    let mut wasm = options.output_name.to_string();
    if options.hash_files {
        let hashes = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())))
            .and_then(|path| std::fs::read_to_string(path).ok())
            .unwrap_or_default();
        for (file, hash) in hashes
            .lines()
            .filter_map(|line| line.trim().split_once(':'))
        {
            match file {
                "js" => js.push_str(&format!(".{}", hash.trim())),
                "wasm" => wasm.push_str(&format!(".{}", hash.trim())),
                _ => {}
            }
        }
    } else if option_env!("LEPTOS_OUTPUT_NAME").is_none() {
        // wasm-bindgen's own name, when the build did not name the output.
        wasm.push_str("_bg");
    }
    (js, wasm)
}

/// The page's Content-Security-Policy, allowing only our own files and the inline scripts that
/// carry this response's nonce (Leptos' hydration script). `style-src-attr` allows the few
/// server-rendered `style="width: …"` of progress bars; `wasm-unsafe-eval` lets the bundle
/// compile. Other answers get the server's stricter default.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    use http::{HeaderValue, header};
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Path prefixes of the pages only logged-in users see (the routes below). The server answers
/// them with a redirect to the login page when no one is logged in (`server`'s
/// `require_login`), before rendering.
pub const PROTECTED_PREFIXES: [&str; 6] = [
    "/settings",
    "/events",
    "/customers",
    "/products",
    "/invoices",
    "/team",
];

/// The application: language, title and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = detect_lang();
    provide_context(lang);

    view! {
        <Html attr:lang=lang.code() />
        <Title text=t(Msg::AppName) />
        <Router>
            <Routes fallback=pages::not_found::NotFound>
                // Async: the page is sent whole once its data is loaded, so forms, redirects and status
                // codes work without JavaScript (out-of-order streaming needs a script to place
                // late chunks, and a form submitted before they arrive would lack its CSRF token).
                <ParentRoute path=StaticSegment("") view=Layout ssr=SsrMode::Async>
                    <Route path=StaticSegment("") view=pages::home::Home />
                    <Route path=StaticSegment("signup") view=pages::signup::SignUpPage />
                    <Route path=StaticSegment("login") view=pages::login::LoginPage />
                    <Route path=(StaticSegment("signup"), StaticSegment("confirm"), ParamSegment("token")) view=pages::signup::ConfirmSignUpPage />
                    <Route path=StaticSegment("forgot-password") view=pages::password::ForgotPasswordPage />
                    <Route path=(StaticSegment("reset-password"), ParamSegment("token")) view=pages::password::ResetPasswordPage />
                    <Route path=(StaticSegment("settings"), StaticSegment("notifications")) view=pages::settings::notifications::NotificationsPage />
                    <Route path=(StaticSegment("invite"), ParamSegment("token")) view=pages::invite::AcceptInvitePage />
                    <Route path=StaticSegment("team") view=pages::team::TeamPage />
                    <Route path=StaticSegment("settings") view=pages::settings::hub::SettingsPage />
                    <Route path=(StaticSegment("settings"), StaticSegment("activity")) view=pages::activity::ActivityPage />
                    <Route path=(StaticSegment("settings"), StaticSegment("support")) view=pages::settings::support::SupportAccessPage />
                    <Route path=(StaticSegment("settings"), StaticSegment("alerts")) view=pages::settings::alerts::AlertsPage />
                    <Route path=(StaticSegment("settings"), StaticSegment("apps"), StaticSegment("economic")) view=pages::settings::economic::EconomicPage />
                    <Route path=(StaticSegment("settings"), StaticSegment("apps"), StaticSegment("economic"), StaticSegment("advanced")) view=pages::settings::advanced::AdvancedPage />
                    <Route path=(StaticSegment("settings"), StaticSegment("apps"), StaticSegment("economic"), StaticSegment("sync")) view=pages::settings::sync::SyncPage />
                    <Route path=StaticSegment("staff") view=pages::staff::dashboard::StaffDashboardPage />
                    <Route path=(StaticSegment("staff"), StaticSegment("login")) view=pages::staff::login::StaffLoginPage />
                    <Route path=(StaticSegment("staff"), StaticSegment("verify")) view=pages::staff::verify::StaffVerifyPage />
                    <Route path=(StaticSegment("staff"), StaticSegment("tenants"), ParamSegment("id")) view=pages::staff::tenant::StaffTenantPage />
                    <Route path=StaticSegment("events") view=pages::events::EventsPage />
                    <Route path=(StaticSegment("events"), ParamSegment("id")) view=pages::events::detail::EventPage />
                    <Route path=StaticSegment("customers") view=pages::data::customers::CustomersPage />
                    <Route path=(StaticSegment("customers"), ParamSegment("number")) view=pages::data::customers::CustomerPage />
                    <Route path=StaticSegment("products") view=pages::data::products::ProductsPage />
                    <Route path=(StaticSegment("products"), ParamSegment("number")) view=pages::data::products::ProductPage />
                    <Route path=StaticSegment("invoices") view=pages::data::invoices::InvoicesPage />
                    <Route path=(StaticSegment("invoices"), ParamSegment("number")) view=pages::data::invoices::InvoicePage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
