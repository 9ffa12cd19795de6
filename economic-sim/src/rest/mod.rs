//! The e-conomic REST surface: `/self`, customers, products, booked invoices and the auxiliary
//! collections, behind the auth + fault-knob middleware.

// Helpers return `Result<T, Response>` so handlers can `?`-style early-return the finished
// error response; boxing it would only add an allocation on the error path.
#![allow(clippy::result_large_err)]

pub(crate) mod auth;
mod collection;
mod errors;
mod invoices;
mod lookups;
mod records;

use crate::state::Shared;
use axum::Router;
use axum::middleware;
use axum::routing::get;
use std::sync::Arc;

/// The REST routes; `/_sim` routes are merged separately (no auth, no faults).
pub(crate) fn router(shared: Arc<Shared>) -> Router<Arc<Shared>> {
    Router::new()
        .route("/self", get(lookups::self_info))
        .route(
            "/customers",
            get(records::list_customers).post(records::create_customer),
        )
        .route(
            "/customers/{number}",
            get(records::get_customer)
                .put(records::put_customer)
                .delete(records::delete_customer),
        )
        .route(
            "/products",
            get(records::list_products).post(records::create_product),
        )
        .route(
            "/products/{*encoded}",
            get(records::get_product)
                .put(records::put_product)
                .delete(records::delete_product),
        )
        .route("/invoices/booked", get(invoices::list).post(invoices::book))
        .route("/invoices/booked/{number}", get(invoices::get_one))
        .route("/customer-groups", get(lookups::customer_groups))
        .route("/product-groups", get(lookups::product_groups))
        .route("/units", get(lookups::units))
        .route("/vat-zones", get(lookups::vat_zones))
        .route("/payment-terms", get(lookups::payment_terms))
        .fallback(errors::fallback)
        .layer(middleware::from_fn_with_state(shared, auth::authenticate))
}
