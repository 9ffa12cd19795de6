//! The Leptos user interface: pages, components and the server functions behind them.
//!
//! Server functions stay thin: they check who is asking and call `backend`. Everything that only
//! the server needs lives behind the `ssr` feature; the browser build (`hydrate`) carries the
//! pages and components only.

#![recursion_limit = "256"]

// `#[server]` turns each function's arguments into the fields of a generated request struct,
// which carry no documentation of their own: the function's doc comment says what they are.
#[allow(missing_docs)]
pub mod api;
pub mod components;
pub mod error;
pub mod i18n;
pub mod pages;
mod shell;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use shell::{App, PROTECTED_PREFIXES, shell};

/// Browser entry point: hydrates the server-rendered page and marks it hydrated for tests.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    // Browser tests wait for this marker: clicks before hydration would be lost.
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
