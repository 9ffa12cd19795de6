//! The data pages: the tenant's synced customers, products (with stock) and booked invoices.
//! Searching and paging are plain GET links and forms, so they work without JavaScript too.

pub mod customers;
pub mod invoices;
pub mod products;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::error::AppError;
use crate::i18n::{Msg, t};

/// The search text of the current URL (`?q=`), empty if none.
pub fn search_text() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get("q").unwrap_or_default())
}

/// The query parameter `name` of the current URL, if present and non-empty.
pub fn query_param(name: &'static str) -> Memo<Option<String>> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get(name).filter(|v| !v.is_empty()))
}

/// Percent-encodes `text` for a URL path segment or query value: every byte that is not an
/// ASCII letter, digit or one of `-_.~` becomes `%XX`. Product numbers may hold `/`, `&`, `?`,
/// `#`, `%` or spaces, and each of them would change what the URL means.
pub fn url_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}

/// `path?q=…&key=value` (the parts that are empty left out).
pub fn page_href(path: &str, search: &str, cursor: Option<(&str, &str)>) -> String {
    let mut parts = Vec::new();
    if !search.is_empty() {
        parts.push(format!("q={}", url_encode(search)));
    }
    if let Some((key, value)) = cursor {
        parts.push(format!("{key}={}", url_encode(value)));
    }
    if parts.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", parts.join("&"))
    }
}

/// The search box: a plain GET form that reloads `path` with `?q=`, plus a link back to the
/// whole list while a search is active.
#[component]
pub fn SearchForm(
    /// The page to search (`/customers`).
    path: &'static str,
    /// The placeholder text saying what is searched.
    hint: Msg,
    /// The current search text.
    search: Memo<String>,
) -> impl IntoView {
    view! {
        <form method="get" action=path class="row search" role="search" data-test="search">
            <input
                type="search"
                name="q"
                value=move || search.get()
                placeholder=t(hint)
                aria-label=t(Msg::DataSearchLabel)
                maxlength="100"
            />
            <button type="submit">{t(Msg::DataSearchButton)}</button>
            <Show when=move || !search.get().is_empty()>
                <a class="clear" href=path>{t(Msg::DataShowAll)}</a>
            </Show>
        </form>
    }
}

/// The pager under a table: back to the first page when not on it, and the next page's link.
pub fn pager(first: Option<String>, next: Option<String>) -> impl IntoView {
    view! {
        <p class="pager">
            {first.map(|href| view! { <a href=href>{"← "}{t(Msg::DataFirstPage)}</a> })}
            {next.map(|href| view! { <a href=href rel="next" data-test="next-page">{t(Msg::DataNextPage)}{" →"}</a> })}
        </p>
    }
}

/// The muted pill of a record e-conomic no longer has.
pub fn deleted_pill(deleted: bool) -> impl IntoView {
    deleted.then(|| view! { " " <span class="pill deleted" data-test="deleted">{t(Msg::DataDeleted)}</span> })
}

/// The pill of a record barred in e-conomic.
pub fn barred_pill(barred: bool) -> impl IntoView {
    barred.then(|| view! { " " <span class="pill barred">{t(Msg::DataBarred)}</span> })
}

/// `error` as a banner; `not_found` is the text for a record that is not there (which also
/// answers 404 on the server).
pub fn error_view(error: AppError, not_found: Msg) -> AnyView {
    let msg = match error {
        AppError::NotFound => {
            not_found_status();
            not_found
        }
        other => other.message(),
    };
    view! { <p class="banner error" role="alert" data-test="error">{t(msg)}</p> }.into_any()
}

/// Makes the server answer 404: a missing record is a missing page.
fn not_found_status() {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
}

/// A value or a dash.
pub fn or_dash(value: Option<String>) -> String {
    value.unwrap_or_else(|| "—".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encode_keeps_only_unreserved_characters() {
        assert_eq!(url_encode("P-1_a.b~"), "P-1_a.b~");
        assert_eq!(url_encode("A/B & C?#%"), "A%2FB%20%26%20C%3F%23%25");
        assert_eq!(url_encode("æ+"), "%C3%A6%2B");
    }

    #[test]
    fn page_href_leaves_out_empty_parts() {
        assert_eq!(page_href("/products", "", None), "/products");
        assert_eq!(
            page_href("/products", "a b", Some(("after", "P/1"))),
            "/products?q=a%20b&after=P%2F1"
        );
    }
}
