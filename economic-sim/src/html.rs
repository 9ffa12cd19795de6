//! A plain server-rendered page at `/_sim/` where a person edits the default agreement's
//! customers and products (rename number, delete), books invoices and adds webhooks, and sees
//! the webhooks going out. Plain HTML forms, no JavaScript.

use crate::control::default_agreement;
use crate::state::Shared;
use crate::webhooks::WebhookConfig;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use economic::types::Product;
use economic::{CustomerNumber, Entity, ProductNumber};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

/// Rows shown per table.
const SHOWN: usize = 100;

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_sim", get(page))
        .route("/_sim/", get(page))
        .route("/_sim/ui/customer", post(save_customer))
        .route("/_sim/ui/customer/delete", post(delete_customer))
        .route("/_sim/ui/product", post(save_product))
        .route("/_sim/ui/product/delete", post(delete_product))
        .route("/_sim/ui/invoice", post(book_invoice))
        .route("/_sim/ui/webhook", post(add_webhook))
        .route("/_sim/ui/webhook/disable", post(disable_webhook))
        .route("/_sim/ui/webhook/delete", post(delete_webhook))
        .layer(axum::middleware::from_fn(same_origin))
}

/// The page's forms change the simulated agreement, so a form posted from another site (a page
/// the demo user visits in the same browser) is refused: its `Origin` must be this server's.
/// Requests without `Origin` (scripts, tests, old browsers) are let through; the simulator has
/// no sessions to ride on, only this.
async fn same_origin(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    use axum::http::{StatusCode, header};
    let headers = request.headers();
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(|origin| origin.split_once("://").map_or(origin, |(_, rest)| rest));
    let cross_site = headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site");
    match (origin_host, host) {
        (Some(origin), Some(host)) if origin == host && !cross_site => next.run(request).await,
        (None, _) if !cross_site => next.run(request).await,
        _ => (StatusCode::FORBIDDEN, "cross-site form posts are refused").into_response(),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn page(
    State(shared): State<Arc<Shared>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(agreement) = default_agreement(&shared) else {
        return Html("no agreement").into_response();
    };
    let mut out = String::from(concat!(
        "<!doctype html><html lang=\"da\"><head><meta charset=\"utf-8\"><title>e-conomic simulator</title>",
        "<style>body{font-family:sans-serif;margin:1.5rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}",
        "form{display:inline;margin-right:1rem}section{margin-bottom:1.5rem}</style></head><body><h1>e-conomic simulator</h1>"
    ));
    if let Some(message) = params.get("msg") {
        let _ = write!(out, "<p><strong>{}</strong></p>", escape(message));
    }
    agreement.read(|d| {
        let _ = write!(out, "<p>Agreement {} — {} · {} customers · {} products · {} booked invoices · {} REST calls</p>",
            d.agreement_number, escape(&d.company_name), d.customers.len(), d.products.len(), d.invoices.len(), agreement.calls());
        out.push_str("<section><h2>Customers</h2>");
        out.push_str(&form("/_sim/ui/customer", &[("number", "Number (empty: the next free one)"), ("new_number", "New number (renumber)"), ("name", "Name")], "Create / update"));
        out.push_str(&form("/_sim/ui/customer/delete", &[("number", "Number")], "Delete"));
        out.push_str("<table><tr><th>Number</th><th>Name</th><th>Last updated</th></tr>");
        for c in d.customers.values().take(SHOWN) {
            let _ = write!(out, "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", c.customer_number, escape(&c.name), stamp(c.last_updated));
        }
        out.push_str("</table></section><section><h2>Products</h2>");
        out.push_str(&form("/_sim/ui/product", &[("number", "Number"), ("new_number", "New number (renumber)"), ("name", "Name"), ("price", "Sales price")], "Create / update"));
        out.push_str(&form("/_sim/ui/product/delete", &[("number", "Number")], "Delete"));
        out.push_str("<table><tr><th>Number</th><th>Name</th><th>Price</th><th>Last updated</th></tr>");
        for p in d.products.values().take(SHOWN) {
            let _ = write!(out, "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", escape(p.product_number.as_str()), escape(&p.name), p.sales_price.unwrap_or(0.0), stamp(p.last_updated));
        }
        out.push_str("</table></section><section><h2>Book an invoice</h2>");
        out.push_str(&form("/_sim/ui/invoice", &[("customer", "Customer number"), ("product", "Product number"), ("quantity", "Quantity")], "Book"));
        out.push_str("<ul>");
        for i in d.invoices.values().rev().take(20) {
            let _ = write!(out, "<li>Invoice {} to customer {} — {} {}</li>", i.booked_invoice_number, i.customer.customer_number, i.gross_amount.unwrap_or(0.0), escape(&i.currency));
        }
        out.push_str("</ul></section><section><h2>Webhooks</h2><table><tr><th>Type</th><th>Name</th><th>URL</th><th>Data</th><th>Content-Type</th><th>Made</th><th>State</th></tr>");
        for w in &d.webhooks {
            let made = if w.api.is_some() { "Webhooks API" } else { "UI" };
            let state = if w.is_disabled { "disabled" } else { "active" };
            let _ = write!(out, "<tr data-kind=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{made}</td><td>{state}</td></tr>", w.kind.as_str(), w.kind.danish_type_name(), escape(&w.name), escape(&w.url), escape(&w.post_data), escape(&w.content_type));
        }
        out.push_str("</table>");
    });
    out.push_str("<form method=\"post\" action=\"/_sim/ui/webhook\"><select name=\"kind\">");
    for kind in Entity::ALL {
        let _ = write!(
            out,
            "<option value=\"{}\">{}</option>",
            kind.as_str(),
            kind.danish_type_name()
        );
    }
    out.push_str("</select> <input name=\"url\" placeholder=\"URL\" size=\"50\"> <input name=\"post_data\" placeholder=\"Sendte data (default per type)\"> <input name=\"content_type\" placeholder=\"application/x-www-form-urlencoded\"> <button>Add webhook</button></form>");
    out.push_str(
        "<form method=\"post\" action=\"/_sim/ui/webhook/disable\"><select name=\"kind\">",
    );
    for kind in Entity::ALL {
        let _ = write!(
            out,
            "<option value=\"{}\">{}</option>",
            kind.as_str(),
            kind.danish_type_name()
        );
    }
    out.push_str("</select> <button>Disable as after failed deliveries</button></form>");
    out.push_str("<form method=\"post\" action=\"/_sim/ui/webhook/delete\"><select name=\"kind\">");
    for kind in Entity::ALL {
        let _ = write!(
            out,
            "<option value=\"{}\">{}</option>",
            kind.as_str(),
            kind.danish_type_name()
        );
    }
    out.push_str("</select> <button>Delete webhook</button></form>");
    let stats = shared.sender.stats();
    let _ = write!(
        out,
        "<h3>Recent deliveries</h3><p>queued {} · delivered {} · failed {} · dropped {} · duplicated {}</p><table><tr><th>Type</th><th>URL</th><th>Body</th><th>Status</th><th>Attempts</th></tr>",
        stats.queued, stats.delivered, stats.failed, stats.dropped, stats.duplicated
    );
    for r in shared.sender.recent().iter().rev().take(30) {
        let status = r
            .status
            .map_or_else(|| r.error.clone().unwrap_or_default(), |s| s.to_string());
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r.kind,
            escape(&r.url),
            escape(&r.body),
            escape(&status),
            r.attempts
        );
    }
    out.push_str("</table></section></body></html>");
    Html(out).into_response()
}

fn stamp(at: Option<time::OffsetDateTime>) -> String {
    at.map(economic::filter::format_timestamp)
        .unwrap_or_default()
}

fn form(action: &str, fields: &[(&str, &str)], button: &str) -> String {
    let inputs: String = fields
        .iter()
        .map(|(name, label)| {
            format!("<input name=\"{name}\" placeholder=\"{label}\" aria-label=\"{label}\"> ")
        })
        .collect();
    format!("<form method=\"post\" action=\"{action}\">{inputs}<button>{button}</button></form>")
}

fn done(result: Result<String, String>) -> Response {
    let message = result.unwrap_or_else(|e| format!("Error: {e}"));
    let encoded: String =
        percent_encoding::utf8_percent_encode(&message, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
    Redirect::to(&format!("/_sim/?msg={encoded}")).into_response()
}

#[derive(Deserialize)]
struct RecordForm {
    number: String,
    #[serde(default)]
    new_number: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    price: String,
}

async fn save_customer(State(shared): State<Arc<Shared>>, Form(f): Form<RecordForm>) -> Response {
    done((|| {
        let a = default_agreement(&shared).ok_or("no agreement")?;
        if f.number.trim().is_empty() {
            // As in e-conomic: a new customer without a number gets the next free one.
            let name = f.name.trim();
            let name = if name.is_empty() { "Ny kunde" } else { name };
            let number = a
                .create_customer_numbered(crate::seed::customer(CustomerNumber::MIN, name))
                .map_err(|e| e.to_string())?;
            return Ok(format!("Created customer {number}"));
        }
        let number = CustomerNumber::parse(f.number.trim()).map_err(|e| e.to_string())?;
        let mut customer = match a.customer(number) {
            Some(c) => c,
            None => {
                a.create_customer(crate::seed::customer(number, f.name.trim()))
                    .map_err(|e| e.to_string())?;
                return Ok(format!("Created customer {number}"));
            }
        };
        if !f.name.trim().is_empty() {
            customer.name = f.name.trim().to_owned();
        }
        match f.new_number.trim() {
            "" => a
                .update_customer(customer)
                .map(|()| format!("Updated customer {number}")),
            new => {
                let new = CustomerNumber::parse(new).map_err(|e| e.to_string())?;
                customer.customer_number = new;
                a.replace_customer(number, customer)
                    .map(|()| format!("Renumbered customer {number} → {new}"))
            }
        }
        .map_err(|e| e.to_string())
    })())
}

async fn delete_customer(State(shared): State<Arc<Shared>>, Form(f): Form<RecordForm>) -> Response {
    done((|| {
        let a = default_agreement(&shared).ok_or("no agreement")?;
        let number = CustomerNumber::parse(f.number.trim()).map_err(|e| e.to_string())?;
        a.delete_customer(number).map_err(|e| e.to_string())?;
        Ok(format!("Deleted customer {number}"))
    })())
}

async fn save_product(State(shared): State<Arc<Shared>>, Form(f): Form<RecordForm>) -> Response {
    done((|| {
        let a = default_agreement(&shared).ok_or("no agreement")?;
        let number = ProductNumber::parse(f.number.trim()).map_err(|e| e.to_string())?;
        let price = f.price.trim().parse::<f64>().ok();
        let mut product: Product = match a.product(&number) {
            Some(p) => p,
            None => {
                let p = crate::seed::product(number.clone(), f.name.trim(), price.unwrap_or(0.0));
                a.create_product(p).map_err(|e| e.to_string())?;
                return Ok(format!("Created product {number}"));
            }
        };
        if !f.name.trim().is_empty() {
            product.name = f.name.trim().to_owned();
        }
        if price.is_some() {
            product.sales_price = price;
        }
        match f.new_number.trim() {
            "" => a
                .update_product(product)
                .map(|()| format!("Updated product {number}")),
            new => {
                let new = ProductNumber::parse(new).map_err(|e| e.to_string())?;
                product.product_number = new.clone();
                a.replace_product(&number, product)
                    .map(|()| format!("Renumbered product {number} → {new}"))
            }
        }
        .map_err(|e| e.to_string())
    })())
}

async fn delete_product(State(shared): State<Arc<Shared>>, Form(f): Form<RecordForm>) -> Response {
    done((|| {
        let a = default_agreement(&shared).ok_or("no agreement")?;
        let number = ProductNumber::parse(f.number.trim()).map_err(|e| e.to_string())?;
        a.delete_product(&number).map_err(|e| e.to_string())?;
        Ok(format!("Deleted product {number}"))
    })())
}

#[derive(Deserialize)]
struct InvoiceForm {
    customer: String,
    product: String,
    #[serde(default)]
    quantity: String,
}

async fn book_invoice(State(shared): State<Arc<Shared>>, Form(f): Form<InvoiceForm>) -> Response {
    done((|| {
        let a = default_agreement(&shared).ok_or("no agreement")?;
        let customer = CustomerNumber::parse(f.customer.trim()).map_err(|e| e.to_string())?;
        let product = ProductNumber::parse(f.product.trim()).map_err(|e| e.to_string())?;
        let quantity = f.quantity.trim().parse::<f64>().unwrap_or(1.0);
        let n = a
            .book_invoice(customer, &[(product, quantity)])
            .map_err(|e| e.to_string())?;
        Ok(format!("Booked invoice {n}"))
    })())
}

#[derive(Deserialize)]
struct WebhookForm {
    kind: String,
    url: String,
    #[serde(default)]
    post_data: String,
    #[serde(default)]
    content_type: String,
}

async fn add_webhook(State(shared): State<Arc<Shared>>, Form(f): Form<WebhookForm>) -> Response {
    done((|| {
        let a = default_agreement(&shared).ok_or("no agreement")?;
        let kind: Entity = f
            .kind
            .parse()
            .map_err(|e: economic::UnknownEntity| e.to_string())?;
        let mut config = WebhookConfig::rackbeat(kind, f.url.trim());
        if !f.post_data.is_empty() {
            config.post_data = f.post_data;
        }
        if !f.content_type.trim().is_empty() {
            config.content_type = f.content_type.trim().to_owned();
        }
        // e-conomic allows one webhook per event type and agreement, made here or through the
        // Webhooks API alike.
        if !a.add_webhook_once(config) {
            return Err(format!(
                "This agreement already has a {} webhook: e-conomic allows one per type. Delete that one first.",
                kind.danish_type_name()
            ));
        }
        Ok(format!("Added {} webhook", kind.danish_type_name()))
    })())
}

/// `kind` in the disable form.
#[derive(Deserialize)]
struct KindForm {
    kind: String,
}

/// Disables the type's webhooks as e-conomic does after failed deliveries.
async fn disable_webhook(State(shared): State<Arc<Shared>>, Form(f): Form<KindForm>) -> Response {
    done((|| {
        let a = default_agreement(&shared).ok_or("no agreement")?;
        let kind: Entity = f
            .kind
            .parse()
            .map_err(|e: economic::UnknownEntity| e.to_string())?;
        let n = a.disable_webhooks(kind);
        Ok(format!(
            "Disabled {n} {} webhook(s)",
            kind.danish_type_name()
        ))
    })())
}

/// Deletes the type's webhooks, as a person in e-conomic's screens would.
async fn delete_webhook(State(shared): State<Arc<Shared>>, Form(f): Form<KindForm>) -> Response {
    done((|| {
        let a = default_agreement(&shared).ok_or("no agreement")?;
        let kind: Entity = f
            .kind
            .parse()
            .map_err(|e: economic::UnknownEntity| e.to_string())?;
        let n = a.delete_webhooks(kind);
        Ok(format!(
            "Deleted {n} {} webhook(s)",
            kind.danish_type_name()
        ))
    })())
}
