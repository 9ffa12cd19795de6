//! `/customers`: the tenant's customers as last synced from e-conomic, by number, searchable.

use leptos::prelude::*;

use super::{
    SearchForm, barred_pill, deleted_pill, error_view, or_dash, page_href, pager, query_param,
    search_text,
};
use crate::api::data::{CustomerView, customer_detail, customers_page};
use crate::i18n::{Msg, t};
use crate::pages::events::record::RecordEvents;
use economic::Entity;
use leptos_router::hooks::use_params_map;

/// The customer list.
#[component]
pub fn CustomersPage() -> impl IntoView {
    let search = search_text();
    let after = query_param("after");
    let page = Resource::new_blocking(
        move || {
            (
                search.get(),
                after.get().and_then(|a| a.parse::<i64>().ok()),
            )
        },
        |(search, after)| customers_page(search, after),
    );

    view! {
        <h1>{t(Msg::CustomersTitle)}</h1>
        <p class="intro">{t(Msg::CustomersIntro)}</p>
        <SearchForm path="/customers" hint=Msg::CustomersSearchHint search />
        <section class="card">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let q = search.get_untracked();
                    match page.await {
                        Ok(list) if list.rows.is_empty() => {
                            let none = if q.is_empty() { Msg::CustomersNone } else { Msg::DataNoMatch };
                            view! { <p class="muted">{t(none)}</p> }.into_any()
                        }
                        Ok(list) => {
                            let first = after.get_untracked().map(|_| page_href("/customers", &q, None));
                            let next = list.next_after.map(|n| page_href("/customers", &q, Some(("after", &n.to_string()))));
                            view! {
                                <table class="table data" data-test="customers">
                                    <thead><tr>
                                        <th>{t(Msg::DataColNumber)}</th>
                                        <th>{t(Msg::DataColName)}</th>
                                        <th>{t(Msg::DataColEmail)}</th>
                                        <th>{t(Msg::DataColAddress)}</th>
                                        <th>{t(Msg::DataColCurrency)}</th>
                                        <th>{t(Msg::DataColGroup)}</th>
                                        <th>{t(Msg::DataColSynced)}</th>
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

fn row(c: CustomerView) -> impl IntoView {
    let invoices = format!("/invoices?q={}", c.number);
    let own = format!("/customers/{}", c.number);
    view! {
        <tr class:deleted=c.deleted data-customer=c.number>
            <td class="mono"><a href=invoices title=t(Msg::CustomersInvoicesLink)>{c.number}</a></td>
            <td><a href=own data-test="customer-link">{c.name}</a>{deleted_pill(c.deleted)}{barred_pill(c.barred)}</td>
            <td>{or_dash(c.email)}</td>
            <td>{if c.address.is_empty() { "—".to_owned() } else { c.address }}</td>
            <td class="mono">{c.currency}</td>
            <td class="num">{or_dash(c.group.map(|g| g.to_string()))}</td>
            <td class="muted small"><time>{c.synced_at}</time></td>
        </tr>
    }
}

/// `/customers/{number}`: one customer, when it was last synced, and the events about it.
#[component]
pub fn CustomerPage() -> impl IntoView {
    let params = use_params_map();
    let number = Memo::new(move |_| {
        params
            .read()
            .get("number")
            .and_then(|n| n.parse::<i64>().ok())
    });
    let customer = Resource::new_blocking(
        move || number.get(),
        |n| async move {
            match n {
                Some(n) => customer_detail(n).await,
                None => Err(crate::error::AppError::NotFound),
            }
        },
    );
    view! {
        <p><a href="/customers">"← " {t(Msg::CustomersTitle)}</a></p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match customer.await {
                    Ok(c) => {
                        let number = c.number.to_string();
                        let invoices = format!("/invoices?q={}", c.number);
                        view! {
                            <h1>{t(Msg::CustomerTitle)} " " <span class="mono">{c.number}</span> " · " {c.name.clone()}
                                {deleted_pill(c.deleted)}{barred_pill(c.barred)}</h1>
                            <section class="card">
                                <dl class="facts">
                                    <dt>{t(Msg::DataColEmail)}</dt><dd>{or_dash(c.email)}</dd>
                                    <dt>{t(Msg::DataColAddress)}</dt><dd>{if c.address.is_empty() { "—".to_owned() } else { c.address }}</dd>
                                    <dt>{t(Msg::DataColCurrency)}</dt><dd class="mono">{c.currency}</dd>
                                    <dt>{t(Msg::DataColGroup)}</dt><dd>{or_dash(c.group.map(|g| g.to_string()))}</dd>
                                    <dt>{t(Msg::DataColSynced)}</dt><dd><time>{c.synced_at}</time></dd>
                                </dl>
                                <p><a href=invoices>{t(Msg::CustomersInvoicesLink)}</a></p>
                            </section>
                            <RecordEvents kind=Entity::Customers number />
                        }
                        .into_any()
                    }
                    Err(e) => error_view(e, Msg::ErrorNotFound),
                }
            })}
        </Transition>
    }
}
