//! `/products`: the tenant's products with their stock on hand, searchable; and
//! `/products/{number}`: one product with its stock movements.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::{
    SearchForm, barred_pill, deleted_pill, error_view, or_dash, page_href, pager, query_param,
    search_text, url_encode,
};
use crate::api::data::{
    MovementView, ProductView, ProductWithMovements, product_detail, products_page,
};
use crate::i18n::{Msg, t};
use crate::pages::events::record::RecordEvents;
use economic::Entity;

/// The link to a product's own page.
pub fn product_href(number: &str) -> String {
    format!("/products/{}", url_encode(number))
}

/// The product list.
#[component]
pub fn ProductsPage() -> impl IntoView {
    let search = search_text();
    let after = query_param("after");
    let page = Resource::new_blocking(
        move || (search.get(), after.get()),
        |(search, after)| products_page(search, after),
    );

    view! {
        <h1>{t(Msg::ProductsTitle)}</h1>
        <p class="intro">{t(Msg::ProductsIntro)}</p>
        <SearchForm path="/products" hint=Msg::ProductsSearchHint search />
        <section class="card">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let q = search.get_untracked();
                    match page.await {
                        Ok(list) if list.rows.is_empty() => {
                            let none = if q.is_empty() { Msg::ProductsNone } else { Msg::DataNoMatch };
                            view! { <p class="muted">{t(none)}</p> }.into_any()
                        }
                        Ok(list) => {
                            let first = after.get_untracked().map(|_| page_href("/products", &q, None));
                            let next = list.next_after.map(|n| page_href("/products", &q, Some(("after", &n))));
                            view! {
                                <table class="table data" data-test="products">
                                    <thead><tr>
                                        <th>{t(Msg::DataColNumber)}</th>
                                        <th>{t(Msg::DataColName)}</th>
                                        <th class="num">{t(Msg::DataColStock)}</th>
                                        <th>{t(Msg::DataColUnit)}</th>
                                        <th class="num">{t(Msg::DataColSalesPrice)}</th>
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

fn row(p: ProductView) -> impl IntoView {
    let href = product_href(&p.number);
    let number = p.number.clone();
    view! {
        <tr class:deleted=p.deleted data-product=number>
            <td class="mono"><a href=href>{p.number}</a></td>
            <td>{p.name}{deleted_pill(p.deleted)}{barred_pill(p.barred)}</td>
            <td class="num mono" class:negative=p.negative data-test="stock">{p.stock}</td>
            <td>{or_dash(p.unit)}</td>
            <td class="num mono">{or_dash(p.sales_price)}</td>
            <td class="muted small"><time>{p.synced_at}</time></td>
        </tr>
    }
}

/// One product: its fields and its stock movements.
#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    // The router has decoded the path segment: this is the product number itself.
    let number = Memo::new(move |_| params.read().get("number").unwrap_or_default());
    let detail = Resource::new_blocking(move || number.get(), product_detail);

    view! {
        <p class="crumbs"><a href="/products">{t(Msg::ProductsBack)}</a></p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => product_view(detail).into_any(),
                    Err(e) => view! {
                        <h1 class="mono">{number.get_untracked()}</h1>
                        {error_view(e, Msg::ProductNotFound)}
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

fn product_view(detail: ProductWithMovements) -> impl IntoView {
    let p = detail.product;
    view! {
        <h1>
            <span class="mono">{p.number.clone()}</span>" · "{p.name.clone()}
            {deleted_pill(p.deleted)}{barred_pill(p.barred)}
        </h1>
        {p.deleted.then(|| view! { <p class="banner info">{t(Msg::ProductDeletedNote)}</p> })}
        <section class="card">
            <p class="stock-on-hand">
                <span class="muted">{t(Msg::DataColStock)}</span>
                <strong class="mono" class:negative=p.negative data-test="stock">{p.stock}</strong>
                <span class="muted">{p.unit.clone()}</span>
            </p>
            <dl class="facts">
                <dt>{t(Msg::DataColDescription)}</dt><dd>{or_dash(p.description)}</dd>
                <dt>{t(Msg::DataColUnit)}</dt><dd>{or_dash(p.unit)}</dd>
                <dt>{t(Msg::DataColGroup)}</dt><dd>{or_dash(p.group.map(|g| g.to_string()))}</dd>
                <dt>{t(Msg::DataColSalesPrice)}</dt><dd class="mono">{or_dash(p.sales_price)}</dd>
                <dt>{t(Msg::DataColCostPrice)}</dt><dd class="mono">{or_dash(p.cost_price)}</dd>
                <dt>{t(Msg::DataColEconomicUpdated)}</dt><dd><time>{or_dash(p.economic_updated_at)}</time></dd>
                <dt>{t(Msg::DataColSynced)}</dt><dd><time>{p.synced_at}</time></dd>
            </dl>
        </section>
        <section class="card">
            <h2>{t(Msg::ProductMovementsTitle)}</h2>
            <p class="intro">{t(Msg::ProductMovementsIntro)}</p>
            {movements(detail.movements)}
        </section>
        <RecordEvents kind=Entity::Products number=p.number />
    }
}

fn movements(list: Vec<MovementView>) -> AnyView {
    if list.is_empty() {
        return view! { <p class="muted">{t(Msg::ProductMovementsNone)}</p> }.into_any();
    }
    view! {
        <table class="table data" data-test="movements">
            <thead><tr>
                <th>{t(Msg::DataColRecorded)}</th>
                <th>{t(Msg::DataColInvoice)}</th>
                <th>{t(Msg::DataColLine)}</th>
                <th class="num">{t(Msg::DataColQuantity)}</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|m| {
                    let href = format!("/invoices?q={}", m.invoice_number);
                    let class = if m.quantity.starts_with('-') { "num mono out" } else { "num mono in" };
                    view! {
                        <tr>
                            <td class="muted small"><time>{m.recorded_at}</time></td>
                            <td class="mono"><a href=href>{m.invoice_number}</a></td>
                            <td class="mono">{m.line_number}</td>
                            <td class=class>{m.quantity}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
