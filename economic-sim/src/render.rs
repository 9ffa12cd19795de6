//! Renders stored records as e-conomic's JSON: the record's own fields plus the hypermedia links
//! (`self`, `metaData`, sub-resource links) the real API adds, with the configured base URL.

use crate::store::AgreementData;
use economic::product_path;
use economic::types::{BookedInvoice, Customer, Product};
use serde::Serialize;
use serde_json::{Map, Value, json};

fn to_object<T: Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// A customer as `GET /customers/{n}` returns it.
pub fn customer(base: &str, c: &Customer) -> Value {
    let mut map = to_object(c);
    let n = c.customer_number;
    let url = format!("{base}/customers/{n}");
    if let Some(group) = map.get_mut("customerGroup").and_then(Value::as_object_mut) {
        let number = group
            .get("customerGroupNumber")
            .cloned()
            .unwrap_or(Value::Null);
        group.insert(
            "self".into(),
            json!(format!("{base}/customer-groups/{number}")),
        );
    }
    if let Some(terms) = map.get_mut("paymentTerms").and_then(Value::as_object_mut) {
        let number = terms
            .get("paymentTermsNumber")
            .cloned()
            .unwrap_or(Value::Null);
        terms.insert(
            "self".into(),
            json!(format!("{base}/payment-terms/{number}")),
        );
    }
    if let Some(zone) = map.get_mut("vatZone").and_then(Value::as_object_mut) {
        let number = zone.get("vatZoneNumber").cloned().unwrap_or(Value::Null);
        zone.insert("self".into(), json!(format!("{base}/vat-zones/{number}")));
    }
    map.insert("contacts".into(), json!(format!("{url}/contacts")));
    map.insert(
        "templates".into(),
        json!({
            "invoice": format!("{url}/templates/invoice"),
            "invoiceLine": format!("{url}/templates/invoiceline"),
            "self": format!("{url}/templates"),
        }),
    );
    map.insert(
        "totals".into(),
        json!({
            "drafts": format!("{base}/invoices/totals/drafts/customers/{n}"),
            "booked": format!("{base}/invoices/totals/booked/customers/{n}"),
            "self": format!("{url}/totals"),
        }),
    );
    map.insert(
        "deliveryLocations".into(),
        json!(format!("{url}/delivery-locations")),
    );
    map.insert(
        "invoices".into(),
        json!({
            "drafts": format!("{url}/invoices/drafts"),
            "booked": format!("{url}/invoices/booked"),
            "self": format!("{url}/invoices"),
        }),
    );
    map.insert("metaData".into(), record_meta("customer", &url));
    map.insert("self".into(), json!(url));
    Value::Object(map)
}

/// A product as `GET /products/{encoded}` returns it; group and unit names are embedded.
pub fn product(base: &str, data: &AgreementData, p: &Product) -> Value {
    let mut map = to_object(p);
    let url = format!(
        "{base}/products/{}",
        product_path::encode(p.product_number.as_str())
    );
    if let Some(group) = map.get_mut("productGroup").and_then(Value::as_object_mut) {
        let number = group
            .get("productGroupNumber")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if let Some(g) = data
            .product_groups
            .iter()
            .find(|g| g.product_group_number == number)
        {
            group.insert("name".into(), json!(g.name));
        }
        let group_url = format!("{base}/product-groups/{number}");
        group.insert(
            "salesAccounts".into(),
            json!(format!("{group_url}/sales-accounts")),
        );
        group.insert("products".into(), json!(format!("{group_url}/products")));
        group.insert("self".into(), json!(group_url));
    }
    if let Some(unit) = map.get_mut("unit").and_then(Value::as_object_mut) {
        let number = unit.get("unitNumber").and_then(Value::as_i64).unwrap_or(0);
        if let Some(u) = data.units.iter().find(|u| u.unit_number == number) {
            unit.insert("name".into(), json!(u.name));
        }
        let unit_url = format!("{base}/units/{number}");
        unit.insert("products".into(), json!(format!("{unit_url}/products")));
        unit.insert("self".into(), json!(unit_url));
    }
    map.insert(
        "invoices".into(),
        json!({
            "drafts": format!("{url}/invoices/drafts"),
            "booked": format!("{url}/invoices/booked"),
            "self": format!("{url}/invoices"),
        }),
    );
    map.insert(
        "pricing".into(),
        json!({ "currencySpecificSalesPrices": format!("{url}/pricing/currency-specific-sales-prices") }),
    );
    map.insert("metaData".into(), record_meta("product", &url));
    map.insert("self".into(), json!(url));
    Value::Object(map)
}

/// A booked invoice; `with_lines` false for collection entries (e-conomic omits lines there).
pub fn invoice(base: &str, i: &BookedInvoice, with_lines: bool) -> Value {
    let mut map = to_object(i);
    let n = i.booked_invoice_number;
    let url = format!("{base}/invoices/booked/{n}");
    if !with_lines {
        map.remove("lines");
    } else if let Some(lines) = map.get_mut("lines").and_then(Value::as_array_mut) {
        for line in lines {
            if let Some(product) = line.get_mut("product").and_then(Value::as_object_mut) {
                let number = product
                    .get("productNumber")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let link = format!("{base}/products/{}", product_path::encode(number));
                product.insert("self".into(), json!(link));
            }
        }
    }
    if let Some(customer) = map.get_mut("customer").and_then(Value::as_object_mut) {
        customer.insert(
            "self".into(),
            json!(format!("{base}/customers/{}", i.customer.customer_number)),
        );
    }
    map.insert("pdf".into(), json!({ "download": format!("{url}/pdf") }));
    map.insert("self".into(), json!(url));
    Value::Object(map)
}

/// An auxiliary record with its `self` link added.
pub fn auxiliary<T: Serialize>(base: &str, path: &str, number: i64, record: &T) -> Value {
    let mut map = to_object(record);
    map.insert("self".into(), json!(format!("{base}{path}/{number}")));
    Value::Object(map)
}

fn record_meta(noun: &str, url: &str) -> Value {
    json!({
        "delete": { "description": format!("Delete this {noun}."), "href": url, "httpMethod": "delete" },
        "replace": { "description": format!("Replace this {noun}."), "href": url, "httpMethod": "put" },
    })
}
