//! `/invoices`: the tenant's booked invoices, newest first, searchable; and
//! `/invoices/{number}`: one invoice with its lines.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::products::product_href;
use super::{SearchForm, error_view, or_dash, page_href, pager, query_param, search_text};
use crate::api::data::{InvoiceView, InvoiceWithLines, LineView, invoice_lines, invoices_page};
use crate::error::AppError;
use crate::i18n::{Msg, t};
use crate::pages::events::record::RecordEvents;
use economic::Entity;

/// The invoice list.
#[component]
pub fn InvoicesPage() -> impl IntoView {
    let search = search_text();
    let before = query_param("before");
    let page = Resource::new_blocking(
        move || {
            (
                search.get(),
                before.get().and_then(|b| b.parse::<i64>().ok()),
            )
        },
        |(search, before)| invoices_page(search, before),
    );

    view! {
        <h1>{t(Msg::InvoicesTitle)}</h1>
        <p class="intro">{t(Msg::InvoicesIntro)}</p>
        <SearchForm path="/invoices" hint=Msg::InvoicesSearchHint search />
        <section class="card">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let q = search.get_untracked();
                    match page.await {
                        Ok(list) if list.rows.is_empty() => {
                            let none = if q.is_empty() { Msg::InvoicesNone } else { Msg::DataNoMatch };
                            view! { <p class="muted">{t(none)}</p> }.into_any()
                        }
                        Ok(list) => {
                            let first = before.get_untracked().map(|_| page_href("/invoices", &q, None));
                            let next = list.next_before.map(|n| page_href("/invoices", &q, Some(("before", &n.to_string()))));
                            view! {
                                <table class="table data" data-test="invoices">
                                    <thead><tr>
                                        <th>{t(Msg::DataColNumber)}</th>
                                        <th>{t(Msg::DataColDate)}</th>
                                        <th>{t(Msg::DataColCustomer)}</th>
                                        <th class="num">{t(Msg::DataColNet)}</th>
                                        <th class="num">{t(Msg::DataColGross)}</th>
                                        <th class="num">{t(Msg::DataColLines)}</th>
                                    </tr></thead>
                                    <tbody>{list.rows.into_iter().map(row).collect_view()}</tbody>
                                </table>
                                {pager(first, next)}
                            }
                            .into_any()
                        }
                        Err(e) => error_view(e, Msg::ErrorNotFound),
                    }
                })}
            </Transition>
        </section>
    }
}

fn row(i: InvoiceView) -> impl IntoView {
    let href = format!("/invoices/{}", i.number);
    view! {
        <tr data-invoice=i.number>
            <td class="mono"><a href=href>{i.number}</a></td>
            <td class="mono">{i.date}</td>
            <td>{customer(i.customer_number, i.customer_name)}</td>
            <td class="num mono">{money(i.net_amount, &i.currency)}</td>
            <td class="num mono">{money(i.gross_amount, &i.currency)}</td>
            <td class="num">{i.lines}</td>
        </tr>
    }
}

/// `1234.50 DKK`, or a dash.
fn money(amount: Option<String>, currency: &str) -> String {
    amount.map_or_else(|| "—".to_owned(), |a| format!("{a} {currency}"))
}

/// The customer's name (if the invoice has it) and number, linked to their customer row.
fn customer(number: i64, name: Option<String>) -> impl IntoView {
    let href = format!("/customers?q={number}");
    view! {
        <a href=href class="mono">{number}</a>
        {name.map(|n| view! { " " {n} })}
    }
}

/// One invoice with its lines.
#[component]
pub fn InvoicePage() -> impl IntoView {
    let params = use_params_map();
    let number = Memo::new(move |_| params.read().get("number").unwrap_or_default());
    let detail = Resource::new_blocking(
        move || number.get(),
        |number| async move {
            // A path that is not an invoice number names no invoice: no need to ask.
            match number.parse::<i64>() {
                Ok(n) => invoice_lines(n).await,
                Err(_) => Err(AppError::NotFound),
            }
        },
    );

    view! {
        <p class="crumbs"><a href="/invoices">{t(Msg::InvoicesBack)}</a></p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => invoice_view(detail).into_any(),
                    Err(e) => view! {
                        <h1>{t(Msg::InvoiceTitle)}" "<span class="mono">{number.get_untracked()}</span></h1>
                        {error_view(e, Msg::InvoiceNotFound)}
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

fn invoice_view(detail: InvoiceWithLines) -> impl IntoView {
    let i = detail.invoice;
    view! {
        <h1>{t(Msg::InvoiceTitle)}" "<span class="mono">{i.number}</span></h1>
        <section class="card">
            <dl class="facts">
                <dt>{t(Msg::DataColDate)}</dt><dd class="mono">{i.date}</dd>
                <dt>{t(Msg::DataColCustomer)}</dt><dd>{customer(i.customer_number, i.customer_name)}</dd>
                <dt>{t(Msg::DataColNet)}</dt><dd class="mono">{money(i.net_amount, &i.currency)}</dd>
                <dt>{t(Msg::DataColGross)}</dt><dd class="mono">{money(i.gross_amount, &i.currency)}</dd>
                <dt>{t(Msg::DataColSynced)}</dt><dd><time>{i.synced_at}</time></dd>
            </dl>
        </section>
        <section class="card">
            <h2>{t(Msg::InvoiceLinesTitle)}</h2>
            {lines(detail.lines)}
        </section>
        <RecordEvents kind=Entity::Invoices number=i.number.to_string() />
    }
}

fn lines(list: Vec<LineView>) -> AnyView {
    if list.is_empty() {
        return view! { <p class="muted">{t(Msg::InvoiceLinesNone)}</p> }.into_any();
    }
    view! {
        <table class="table data" data-test="lines">
            <thead><tr>
                <th>{t(Msg::DataColLine)}</th>
                <th>{t(Msg::DataColProduct)}</th>
                <th>{t(Msg::DataColDescription)}</th>
                <th class="num">{t(Msg::DataColQuantity)}</th>
                <th class="num">{t(Msg::DataColUnitPrice)}</th>
                <th class="num">{t(Msg::DataColTotal)}</th>
            </tr></thead>
            <tbody>{list.into_iter().map(line).collect_view()}</tbody>
        </table>
    }
    .into_any()
}

fn line(l: LineView) -> impl IntoView {
    let product = match (l.product_number, l.matched) {
        (Some(number), true) => {
            let href = product_href(&number);
            view! { <a href=href class="mono">{number}</a> }.into_any()
        }
        (Some(number), false) => view! {
            <span class="mono">{number}</span>" "
            <span class="pill unmatched" data-test="unmatched">{t(Msg::InvoiceUnknownProduct)}</span>
        }
        .into_any(),
        (None, _) => "—".into_any(),
    };
    view! {
        <tr data-line=l.line_number>
            <td class="mono">{l.line_number}</td>
            <td>{product}</td>
            <td>{or_dash(l.description)}</td>
            <td class="num mono">{l.quantity}</td>
            <td class="num mono">{or_dash(l.unit_net_price)}</td>
            <td class="num mono">{or_dash(l.total_net_amount)}</td>
        </tr>
    }
}
