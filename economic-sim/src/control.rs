//! The JSON control API under `/_sim/api` (no auth, no faults): knobs, webhook configurations,
//! delivery log, seeding, bulk import, invoice booking, clock, and a state summary. It acts on the
//! default agreement.

use crate::handle::AgreementHandle;
use crate::knobs::Knobs;
use crate::state::Shared;
use crate::webhooks::WebhookConfig;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use economic::{CustomerNumber, ProductNumber};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use time::OffsetDateTime;

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_sim/api/state", get(state))
        .route("/_sim/api/knobs", get(get_knobs).put(put_knobs))
        .route(
            "/_sim/api/webhooks",
            get(list_webhooks).post(add_webhook).delete(clear_webhooks),
        )
        .route("/_sim/api/deliveries", get(deliveries))
        .route("/_sim/api/products/bulk", post(bulk_import))
        .route("/_sim/api/invoices", post(book_invoice))
        .route("/_sim/api/clock", axum::routing::put(set_clock))
        .route("/_sim/api/seed", post(reseed))
}

/// The default agreement as an in-process handle.
pub(crate) fn default_agreement(shared: &Arc<Shared>) -> Option<AgreementHandle> {
    let slot = shared.slot(&shared.default_grant)?;
    Some(AgreementHandle::from_parts(shared.clone(), slot))
}

fn error(status: StatusCode, message: impl std::fmt::Display) -> Response {
    (status, Json(json!({ "error": message.to_string() }))).into_response()
}

async fn state(State(shared): State<Arc<Shared>>) -> Response {
    let Some(agreement) = default_agreement(&shared) else {
        return error(StatusCode::NOT_FOUND, "no default agreement");
    };
    let counts = agreement.read(|d| {
        json!({
            "agreementNumber": d.agreement_number,
            "customers": d.customers.len(),
            "products": d.products.len(),
            "bookedInvoices": d.invoices.len(),
            "webhooks": d.webhooks.len(),
        })
    });
    Json(json!({
        "agreement": counts,
        "calls": agreement.calls(),
        "webhookStats": shared.sender.stats(),
        "knobs": shared.knobs(),
    }))
    .into_response()
}

async fn get_knobs(State(shared): State<Arc<Shared>>) -> Json<Knobs> {
    Json(shared.knobs())
}

async fn put_knobs(State(shared): State<Arc<Shared>>, Json(knobs): Json<Knobs>) -> Json<Knobs> {
    if let Ok(mut k) = shared.knobs.write() {
        *k = knobs;
    }
    Json(shared.knobs())
}

async fn list_webhooks(State(shared): State<Arc<Shared>>) -> Response {
    let configs = default_agreement(&shared)
        .map(|a| a.webhooks())
        .unwrap_or_default();
    Json(configs).into_response()
}

async fn add_webhook(
    State(shared): State<Arc<Shared>>,
    Json(config): Json<WebhookConfig>,
) -> Response {
    match default_agreement(&shared) {
        Some(a) => {
            a.add_webhook(config);
            (StatusCode::CREATED, Json(a.webhooks())).into_response()
        }
        None => error(StatusCode::NOT_FOUND, "no default agreement"),
    }
}

async fn clear_webhooks(State(shared): State<Arc<Shared>>) -> StatusCode {
    if let Some(a) = default_agreement(&shared) {
        a.clear_webhooks();
    }
    StatusCode::NO_CONTENT
}

async fn deliveries(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.sender.recent()).into_response()
}

#[derive(Deserialize)]
struct BulkRequest {
    count: usize,
}

async fn bulk_import(
    State(shared): State<Arc<Shared>>,
    Json(request): Json<BulkRequest>,
) -> Response {
    let Some(a) = default_agreement(&shared) else {
        return error(StatusCode::NOT_FOUND, "no default agreement");
    };
    match a.bulk_import_products(request.count) {
        Ok(numbers) => Json(json!({ "imported": numbers.len() })).into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, e),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BookRequest {
    customer_number: CustomerNumber,
    lines: Vec<BookLine>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BookLine {
    product_number: ProductNumber,
    quantity: f64,
}

async fn book_invoice(
    State(shared): State<Arc<Shared>>,
    Json(request): Json<BookRequest>,
) -> Response {
    let Some(a) = default_agreement(&shared) else {
        return error(StatusCode::NOT_FOUND, "no default agreement");
    };
    let lines: Vec<_> = request
        .lines
        .into_iter()
        .map(|l| (l.product_number, l.quantity))
        .collect();
    match a.book_invoice(request.customer_number, &lines) {
        Ok(n) => (
            StatusCode::CREATED,
            Json(json!({ "bookedInvoiceNumber": n })),
        )
            .into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, e),
    }
}

#[derive(Deserialize)]
struct ClockRequest {
    #[serde(default, with = "time::serde::rfc3339::option")]
    now: Option<OffsetDateTime>,
}

async fn set_clock(
    State(shared): State<Arc<Shared>>,
    Json(request): Json<ClockRequest>,
) -> StatusCode {
    if let Ok(mut clock) = shared.clock.write() {
        *clock = request.now;
    }
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct SeedRequest {
    #[serde(default)]
    seed: u64,
    #[serde(default)]
    customers: usize,
    #[serde(default)]
    products: usize,
}

async fn reseed(State(shared): State<Arc<Shared>>, Json(request): Json<SeedRequest>) -> Response {
    let Some(a) = default_agreement(&shared) else {
        return error(StatusCode::NOT_FOUND, "no default agreement");
    };
    a.reseed(request.seed, request.customers, request.products);
    let counts =
        a.read(|d| json!({ "customers": d.customers.len(), "products": d.products.len() }));
    Json(counts).into_response()
}
