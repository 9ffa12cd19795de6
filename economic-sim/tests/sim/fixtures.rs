//! The simulator's responses compared field by field with real e-conomic responses.

use crate::helpers::{customer, get, product, spawn_sim};
use axum::http::StatusCode;
use economic::types::Inventory;
use serde_json::Value;
use time::macros::datetime;

const REAL: &str = "https://restapi.e-conomic.com";

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture exists"))
        .expect("fixture is JSON")
}

/// Asserts equality key by key so a failure names the differing field.
fn assert_same(actual: &Value, expected: &Value, at: &str) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            for (key, value) in e {
                let got = a
                    .get(key)
                    .unwrap_or_else(|| panic!("{at}.{key} missing in {actual}"));
                assert_same(got, value, &format!("{at}.{key}"));
            }
            for key in a.keys() {
                assert!(
                    e.contains_key(key),
                    "{at}.{key} is extra in the simulator's response"
                );
            }
        }
        (Value::Number(a), Value::Number(e)) => assert_eq!(a.as_f64(), e.as_f64(), "{at}"),
        _ => assert_eq!(actual, expected, "{at}"),
    }
}

#[tokio::test]
async fn customer_matches_the_real_response() {
    let sim = spawn_sim(|c| c.public_base_url = Some(REAL.into())).await;
    sim.set_clock(Some(datetime!(2017-11-28 11:13:17.250 UTC)));
    let mut c = customer(4, "Aaaaa");
    c.currency = "INR".into();
    c.city = Some("aaaaa".into());
    c.country = Some("aaaaaa".into());
    c.email = Some("aaaa@aaa.com".into());
    c.barred = true;
    sim.agreement().create_customer(c).expect("created");

    let (status, _, body) = get(&sim, "/customers/4").await;

    assert_eq!(status, StatusCode::OK);
    assert_same(&body, &fixture("customer.json"), "customer");
}

#[tokio::test]
async fn product_matches_the_real_response_with_minute_precision() {
    let sim = spawn_sim(|c| c.public_base_url = Some(REAL.into())).await;
    sim.set_clock(Some(datetime!(2017-11-30 13:27:41 UTC)));
    let mut p = product("01CF8D2E-A6A6-4", "fudge");
    p.cost_price = Some(0.0);
    p.recommended_price = Some(0.0);
    p.sales_price = Some(0.0);
    p.barred = true;
    p.unit = Some(economic::types::UnitRef {
        unit_number: 3,
        name: None,
        products: None,
        self_link: None,
    });
    p.inventory = Some(Inventory {
        available: Some(0.0),
        in_stock: Some(0.0),
        ordered_from_suppliers: Some(0.0),
        ordered_by_customers: Some(0.0),
        package_volume: Some(0.0),
        recommended_cost_price: Some(0.0),
        ..Inventory::default()
    });
    sim.agreement().create_product(p).expect("created");

    let (status, _, body) = get(&sim, "/products/01CF8D2E-A6A6-4").await;

    assert_eq!(status, StatusCode::OK);
    assert_same(&body, &fixture("product.json"), "product");
}

#[tokio::test]
async fn single_page_collection_matches_the_real_envelope() {
    let sim = spawn_sim(|c| {
        c.public_base_url = Some(REAL.into());
        c.products = 358;
    })
    .await;

    let (status, _, mut body) = get(&sim, "/products?skippages=0&pagesize=1000").await;

    assert_eq!(status, StatusCode::OK);
    let collection = body
        .as_object_mut()
        .and_then(|o| o.remove("collection"))
        .expect("collection");
    assert_eq!(collection.as_array().map(Vec::len), Some(358));
    assert_same(&body, &fixture("products_0_envelope.json"), "products");
}

#[tokio::test]
async fn multi_page_collection_links() {
    let sim = spawn_sim(|c| {
        c.public_base_url = Some(REAL.into());
        c.customers = 32;
    })
    .await;

    let (_, _, first) = get(&sim, "/customers").await;
    let (_, _, last) = get(&sim, "/customers?skippages=1&pagesize=20").await;

    assert_eq!(
        first["pagination"]["nextPage"],
        format!("{REAL}/customers?skippages=1&pagesize=20")
    );
    assert_eq!(first["pagination"]["results"], 32);
    assert!(first["pagination"].get("previousPage").is_none());
    assert_eq!(first["collection"].as_array().map(Vec::len), Some(20));
    assert!(
        last["pagination"].get("nextPage").is_none(),
        "no nextPage on the last page"
    );
    assert_eq!(
        last["pagination"]["previousPage"],
        format!("{REAL}/customers?skippages=0&pagesize=20")
    );
    assert_eq!(last["collection"].as_array().map(Vec::len), Some(12));
}

#[tokio::test]
async fn not_found_matches_the_real_body() {
    let sim = spawn_sim(|_| {}).await;
    let expected = fixture("404.json");

    let (status, _, body) = get(&sim, "/customers/999").await;

    assert_eq!(status, StatusCode::NOT_FOUND);
    for key in ["message", "developerHint", "httpStatusCode"] {
        assert_eq!(body[key], expected[key], "{key}");
    }
    let log_id = body["logId"].as_str().expect("logId");
    assert!(log_id.ends_with("-CPH") && log_id.len() == 20, "{log_id}");
    let log_time = body["logTime"].as_str().expect("logTime");
    assert_eq!(log_time.len(), "2024-10-24T14:26:57".len(), "{log_time}");
    let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    assert_eq!(keys.len(), 5, "{keys:?}");
}

#[tokio::test]
async fn unauthorized_has_the_error_body() {
    let sim = spawn_sim(|_| {}).await;
    let response = reqwest::Client::new()
        .get(format!("{}/customers", sim.base_url()))
        .header("X-AppSecretToken", "wrong")
        .header("X-AgreementGrantToken", "grant-1")
        .send()
        .await
        .expect("request");

    assert_eq!(response.status().as_u16(), 401);
    let body: economic::types::ErrorBody = response.json().await.expect("error body");
    assert_eq!(body.http_status_code, 401);
    assert!(body.developer_hint.unwrap_or_default().contains("demo"));
}

#[tokio::test]
async fn filters_sort_and_page_size_cap() {
    let sim = spawn_sim(|_| {}).await;
    let agreement = sim.agreement();
    sim.set_clock(Some(datetime!(2024-01-01 10:00:00 UTC)));
    for n in 1..=5 {
        agreement
            .create_customer(customer(n, &format!("Kunde {n}")))
            .expect("created");
    }
    sim.set_clock(Some(datetime!(2024-01-02 10:00:00 UTC)));
    agreement
        .update_customer(customer(2, "Zeta"))
        .expect("updated");
    agreement
        .update_customer(customer(4, "Alpha"))
        .expect("updated");

    let (_, _, since) = get(
        &sim,
        "/customers?filter=lastUpdated$gte:2024-01-02T00:00:00Z&sort=-customerNumber",
    )
    .await;
    let (_, _, window) = get(
        &sim,
        "/customers?filter=lastUpdated$gt:2023-12-31$and:lastUpdated$lt:2024-01-02&pagesize=1000",
    )
    .await;
    let (status, _, _) = get(&sim, "/customers?filter=nonsense$eq:1").await;
    // Above 1000 e-conomic answers 400 (live probes), it does not cap.
    let (too_big, _, _) = get(&sim, "/customers?pagesize=1001").await;
    let (_, _, either) = get(
        &sim,
        "/customers?filter=customerNumber$eq:1$or:customerNumber$eq:5",
    )
    .await;
    let (_, _, grouped) = get(
        &sim,
        "/customers?filter=name$like:Kunde$and:(customerNumber$eq:1$or:customerNumber$gt:4)",
    )
    .await;
    let (_, _, no_ean) = get(&sim, "/customers?filter=ean$eq:$null:").await;

    let numbers = |v: &Value| -> Vec<i64> {
        v["collection"]
            .as_array()
            .expect("array")
            .iter()
            .map(|c| c["customerNumber"].as_i64().expect("n"))
            .collect()
    };
    assert_eq!(numbers(&since), vec![4, 2]);
    assert_eq!(since["pagination"]["resultsWithoutFilter"], 5);
    assert_eq!(numbers(&window), vec![1, 3, 5]);
    assert_eq!(window["pagination"]["pageSize"], 1000);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(too_big, StatusCode::BAD_REQUEST);
    assert_eq!(numbers(&either), vec![1, 5]);
    assert_eq!(numbers(&grouped), vec![1, 5]);
    assert_eq!(numbers(&no_ean), vec![1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn auxiliary_collections_and_self() {
    let sim = spawn_sim(|_| {}).await;
    for path in [
        "/customer-groups",
        "/product-groups",
        "/units",
        "/vat-zones",
        "/payment-terms",
    ] {
        let (status, _, body) = get(&sim, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            !body["collection"]
                .as_array()
                .expect("collection")
                .is_empty(),
            "{path}"
        );
    }
    let (_, _, me) = get(&sim, "/self").await;
    assert_eq!(me["agreementNumber"], 9_000_001);
    assert_eq!(me["company"]["name"], "Demo ApS");
}

#[tokio::test]
async fn single_records_reflect_writes_immediately() {
    let sim = spawn_sim(|c| c.customers = 3).await;
    let (_, _, before) = get(&sim, "/customers/2").await;
    sim.agreement()
        .update_customer(customer(2, "Nyt navn"))
        .expect("update");
    let (_, _, after) = get(&sim, "/customers/2").await;
    sim.agreement()
        .renumber_customer(
            crate::helpers::customer_number(2),
            crate::helpers::customer_number(20),
        )
        .expect("renumber");
    let (gone, _, _) = get(&sim, "/customers/2").await;
    let (_, _, moved) = get(&sim, "/customers/20").await;

    assert_ne!(before["name"], "Nyt navn");
    assert_eq!(after["name"], "Nyt navn");
    assert_eq!(gone, StatusCode::NOT_FOUND);
    assert_eq!(moved["self"], format!("{}/customers/20", sim.base_url()));
}
