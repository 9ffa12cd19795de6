//! `/self` and the auxiliary collections (groups, units, VAT zones, payment terms).

use super::collection::{page, parse_query};
use super::errors::not_found;
use crate::render;
use crate::state::{AgreementSlot, Shared};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

type Slot = Extension<Arc<AgreementSlot>>;
type Params = Query<HashMap<String, String>>;

/// `GET /self`.
pub(crate) async fn self_info(
    State(shared): State<Arc<Shared>>,
    Extension(slot): Slot,
) -> Response {
    let Ok(data) = slot.data.read() else {
        return not_found(&shared);
    };
    let base = &shared.base_url;
    Json(json!({
        "agreementNumber": data.agreement_number,
        "agreementType": { "agreementTypeNumber": 1, "name": "Simulated" },
        "company": { "name": data.company_name, "country": "Danmark" },
        "settings": { "baseCurrency": "DKK", "internationalLedger": false },
        "userName": "simulator",
        "self": format!("{base}/self"),
    }))
    .into_response()
}

macro_rules! lookup {
    ($fn:ident, $path:literal, $field:ident, $number:ident) => {
        #[doc = concat!("`GET ", $path, "`.")]
        pub(crate) async fn $fn(
            State(shared): State<Arc<Shared>>,
            Extension(slot): Slot,
            Query(params): Params,
        ) -> Response {
            let query = match parse_query(&shared, &params) {
                Ok(q) => q,
                Err(r) => return r,
            };
            let Ok(data) = slot.data.read() else {
                return not_found(&shared);
            };
            page(&shared, $path, &query, data.$field.iter(), None, |r| {
                render::auxiliary(&shared.base_url, $path, r.$number, r)
            })
        }
    };
}

lookup!(
    customer_groups,
    "/customer-groups",
    customer_groups,
    customer_group_number
);
lookup!(
    product_groups,
    "/product-groups",
    product_groups,
    product_group_number
);
lookup!(units, "/units", units, unit_number);
lookup!(vat_zones, "/vat-zones", vat_zones, vat_zone_number);
lookup!(
    payment_terms,
    "/payment-terms",
    payment_terms,
    payment_terms_number
);
