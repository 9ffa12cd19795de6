//! Booked invoices: list (without lines), get one (with lines), and book (`POST /invoices/booked`).

use super::collection::{page, parse_query};
use super::errors::{from_sim_error, not_found, validation};
use crate::render;
use crate::seed;
use crate::state::{AgreementSlot, Shared};
use crate::store::Change;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use economic::{CustomerNumber, InvoiceNumber, ProductNumber};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

/// `GET /invoices/booked`.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Extension<Arc<AgreementSlot>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let query = match parse_query(&shared, &params) {
        Ok(q) => q,
        Err(r) => return r,
    };
    let Ok(data) = slot.data.read() else {
        return not_found(&shared);
    };
    page(
        &shared,
        "/invoices/booked",
        &query,
        data.invoices.values(),
        None,
        |i| render::invoice(&shared.base_url, i, false),
    )
}

/// `GET /invoices/booked/{n}`.
pub(crate) async fn get_one(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Extension<Arc<AgreementSlot>>,
    Path(number): Path<String>,
) -> Response {
    let Ok(number) = InvoiceNumber::parse(&number) else {
        return not_found(&shared);
    };
    let Ok(data) = slot.data.read() else {
        return not_found(&shared);
    };
    match data.invoices.get(&number) {
        Some(i) => Json(render::invoice(&shared.base_url, i, true)).into_response(),
        None => not_found(&shared),
    }
}

/// Simulator booking request. Real e-conomic books a draft (`draftInvoice`); the simulator has
/// no drafts, so it takes the customer and lines directly (`bookWithNumber` as in e-conomic).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BookRequest {
    customer: CustomerRef,
    #[serde(default)]
    lines: Vec<LineRequest>,
    #[serde(default)]
    book_with_number: Option<InvoiceNumber>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CustomerRef {
    customer_number: CustomerNumber,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LineRequest {
    product: ProductRef,
    #[serde(default = "one")]
    quantity: f64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProductRef {
    product_number: ProductNumber,
}

fn one() -> f64 {
    1.0
}

/// `POST /invoices/booked` → 201 with the booked invoice.
pub(crate) async fn book(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Extension<Arc<AgreementSlot>>,
    body: axum::body::Bytes,
) -> Response {
    let request: BookRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return validation(&shared, "body", &e.to_string()),
    };
    let result = shared.mutate(&slot, |d, now| {
        let mut lines = Vec::new();
        for line in &request.lines {
            let product = d
                .products
                .get(&line.product.product_number)
                .cloned()
                .ok_or_else(|| {
                    crate::error::SimError::validation("product", "product does not exist.")
                })?;
            lines.push((product, line.quantity));
        }
        let invoice = seed::invoice(request.customer.customer_number, &lines, now);
        let change = d.book_invoice(invoice, request.book_with_number)?;
        let number = match change {
            Change::InvoiceBooked(n) => n,
            _ => InvoiceNumber::MIN,
        };
        Ok((vec![change], number))
    });
    let number = match result {
        Ok(n) => n,
        Err(e) => return from_sim_error(&shared, &e),
    };
    let Ok(data) = slot.data.read() else {
        return not_found(&shared);
    };
    let Some(invoice) = data.invoices.get(&number) else {
        return not_found(&shared);
    };
    let location = format!("{}/invoices/booked/{number}", shared.base_url);
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(render::invoice(&shared.base_url, invoice, true)),
    )
        .into_response()
}
