//! Customers and products: list, get, create (POST), replace (PUT, a new number renumbers) and
//! delete. Writes fire webhooks through [`Shared::mutate`].

use super::collection::{page, parse_query};
use super::errors::{from_sim_error, not_found, validation};
use crate::render;
use crate::state::{AgreementSlot, CacheKey, Shared};
use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use economic::types::{Customer, Product};
use economic::{CustomerNumber, ProductNumber, product_path};
use std::collections::HashMap;
use std::sync::Arc;

type Slot = Extension<Arc<AgreementSlot>>;

/// `GET /customers`.
pub(crate) async fn list_customers(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Slot,
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
        "/customers",
        &query,
        data.customers.values(),
        Some("customer"),
        |c| render::customer(&shared.base_url, c),
    )
}

/// `GET /customers/{n}`.
pub(crate) async fn get_customer(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Slot,
    Path(number): Path<String>,
) -> Response {
    let Ok(number) = CustomerNumber::parse(&number) else {
        return not_found(&shared);
    };
    let rendered = slot.rendered(CacheKey::Customer(number), |data| {
        let customer = data.customers.get(&number)?;
        serde_json::to_vec(&render::customer(&shared.base_url, customer))
            .ok()
            .map(Bytes::from)
    });
    json_or_404(&shared, rendered)
}

fn json_or_404(shared: &Shared, rendered: Option<Bytes>) -> Response {
    match rendered {
        Some(bytes) => ([(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        None => not_found(shared),
    }
}

/// `POST /customers`: without `customerNumber` e-conomic gives the next free number.
pub(crate) async fn create_customer(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Slot,
    body: Bytes,
) -> Response {
    let (customer, numbered) = match parse_customer(&shared, &body, None) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let result = shared.mutate(&slot, |d, now| {
        let mut customer = customer;
        if !numbered {
            // Under the write lock: two creates at once never get the same number.
            customer.customer_number = d.next_customer_number()?;
        }
        let number = customer.customer_number;
        Ok((vec![d.create_customer(customer, now)?], number))
    });
    respond_customer(&shared, &slot, result, StatusCode::CREATED)
}

/// `PUT /customers/{n}`: replaces the whole document; a number that does not exist is created
/// (201), as e-conomic's PUT does.
pub(crate) async fn put_customer(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Slot,
    Path(number): Path<String>,
    body: Bytes,
) -> Response {
    let Ok(old) = CustomerNumber::parse(&number) else {
        return not_found(&shared);
    };
    let (customer, _) = match parse_customer(&shared, &body, Some(old)) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let new = customer.customer_number;
    let result = shared.mutate(&slot, |d, now| {
        let (change, created) = d.upsert_customer(old, customer, now)?;
        Ok((vec![change], created))
    });
    let status = created_or_ok(&result);
    respond_customer(&shared, &slot, result.map(|_| new), status)
}

fn created_or_ok<E>(result: &Result<bool, E>) -> StatusCode {
    match result {
        Ok(true) => StatusCode::CREATED,
        Ok(false) | Err(_) => StatusCode::OK,
    }
}

/// `DELETE /customers/{n}` → 204.
pub(crate) async fn delete_customer(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Slot,
    Path(number): Path<String>,
) -> Response {
    let Ok(number) = CustomerNumber::parse(&number) else {
        return not_found(&shared);
    };
    deleted(
        &shared,
        shared.mutate(&slot, |d, _| Ok((vec![d.delete_customer(number)?], ()))),
    )
}

/// `GET /products`.
pub(crate) async fn list_products(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Slot,
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
        "/products",
        &query,
        data.products.values(),
        Some("product"),
        |p| render::product(&shared.base_url, &data, p),
    )
}

/// `GET /products/{encoded}`: the number is decoded from the raw path with e-conomic's scheme.
pub(crate) async fn get_product(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Slot,
    uri: Uri,
) -> Response {
    let Some(number) = product_number(&uri) else {
        return not_found(&shared);
    };
    let rendered = slot.rendered(CacheKey::Product(number.clone()), |data| {
        let product = data.products.get(&number)?;
        serde_json::to_vec(&render::product(&shared.base_url, data, product))
            .ok()
            .map(Bytes::from)
    });
    json_or_404(&shared, rendered)
}

/// `POST /products`.
pub(crate) async fn create_product(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Slot,
    body: Bytes,
) -> Response {
    let product = match parse_product(&shared, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let number = product.product_number.clone();
    let result = shared.mutate(&slot, |d, now| {
        Ok((vec![d.create_product(product, now)?], ()))
    });
    respond_product(&shared, &slot, result.map(|()| number), StatusCode::CREATED)
}

/// `PUT /products/{encoded}`: replaces, or creates a number that does not exist (201).
pub(crate) async fn put_product(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Slot,
    uri: Uri,
    body: Bytes,
) -> Response {
    let Some(old) = product_number(&uri) else {
        return not_found(&shared);
    };
    let product = match parse_product(&shared, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let new = product.product_number.clone();
    let result = shared.mutate(&slot, |d, now| {
        let (change, created) = d.upsert_product(&old, product, now)?;
        Ok((vec![change], created))
    });
    let status = created_or_ok(&result);
    respond_product(&shared, &slot, result.map(|_| new), status)
}

/// `DELETE /products/{encoded}` → 204.
pub(crate) async fn delete_product(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Slot,
    uri: Uri,
) -> Response {
    let Some(number) = product_number(&uri) else {
        return not_found(&shared);
    };
    deleted(
        &shared,
        shared.mutate(&slot, |d, _| Ok((vec![d.delete_product(&number)?], ()))),
    )
}

fn product_number(uri: &Uri) -> Option<ProductNumber> {
    let segment = uri.path().strip_prefix("/products/")?;
    ProductNumber::parse(&product_path::decode(segment)).ok()
}

fn deleted(shared: &Shared, result: Result<(), crate::error::SimError>) -> Response {
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => from_sim_error(shared, &e),
    }
}

/// Reads a customer body. Without `customerNumber` it takes `default` (the path's number on a
/// PUT), or, on a POST, is marked unnumbered (`false`): the store numbers it. An explicit
/// `null` is refused, as e-conomic refuses nulls.
fn parse_customer(
    shared: &Shared,
    body: &[u8],
    default: Option<CustomerNumber>,
) -> Result<(Customer, bool), Response> {
    let mut value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| validation(shared, "body", &e.to_string()))?;
    let Some(fields) = value.as_object_mut() else {
        return Err(validation(shared, "body", "Expected an object."));
    };
    let numbered = match fields.get("customerNumber") {
        Some(serde_json::Value::Null) => {
            return Err(validation(
                shared,
                "customerNumber",
                "Expected Integer but got Null.",
            ));
        }
        Some(_) => true,
        None => {
            let placeholder = default.map_or(1, |n| n.get());
            fields.insert("customerNumber".into(), placeholder.into());
            default.is_some()
        }
    };
    let customer: Customer =
        serde_json::from_value(value).map_err(|e| validation(shared, "body", &e.to_string()))?;
    let missing = [
        ("name", customer.name.is_empty()),
        ("currency", customer.currency.is_empty()),
        ("customerGroup", customer.customer_group.is_none()),
        ("paymentTerms", customer.payment_terms.is_none()),
        ("vatZone", customer.vat_zone.is_none()),
    ];
    match missing.iter().find(|(_, is_missing)| *is_missing) {
        Some((property, _)) => Err(validation(shared, property, "Property is required.")),
        None => Ok((customer, numbered)),
    }
}

fn parse_product(shared: &Shared, body: &[u8]) -> Result<Product, Response> {
    let product: Product =
        serde_json::from_slice(body).map_err(|e| validation(shared, "body", &e.to_string()))?;
    if product.name.is_empty() {
        return Err(validation(shared, "name", "Property is required."));
    }
    if product.product_group.is_none() {
        return Err(validation(shared, "productGroup", "Property is required."));
    }
    Ok(product)
}

fn respond_customer(
    shared: &Shared,
    slot: &AgreementSlot,
    result: Result<CustomerNumber, crate::error::SimError>,
    status: StatusCode,
) -> Response {
    let number = match result {
        Ok(n) => n,
        Err(e) => return from_sim_error(shared, &e),
    };
    let Ok(data) = slot.data.read() else {
        return not_found(shared);
    };
    let Some(c) = data.customers.get(&number) else {
        return not_found(shared);
    };
    let body = render::customer(&shared.base_url, c);
    let location = format!("{}/customers/{number}", shared.base_url);
    (status, [(header::LOCATION, location)], Json(body)).into_response()
}

fn respond_product(
    shared: &Shared,
    slot: &AgreementSlot,
    result: Result<ProductNumber, crate::error::SimError>,
    status: StatusCode,
) -> Response {
    let number = match result {
        Ok(n) => n,
        Err(e) => return from_sim_error(shared, &e),
    };
    let Ok(data) = slot.data.read() else {
        return not_found(shared);
    };
    let Some(p) = data.products.get(&number) else {
        return not_found(shared);
    };
    let body = render::product(&shared.base_url, &data, p);
    let location = format!(
        "{}/products/{}",
        shared.base_url,
        product_path::encode(number.as_str())
    );
    (status, [(header::LOCATION, location)], Json(body)).into_response()
}
