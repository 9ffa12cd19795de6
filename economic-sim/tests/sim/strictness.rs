//! Where the simulator is as strict, or as lenient, as e-conomic: a customer
//! created without a number gets the next free one, a PUT to a missing record creates it, a
//! null is refused, the token bucket is reported on every answer and refuses when spent, and
//! the simulator's page allows one webhook per type (as e-conomic's screens do), and creates a
//! customer without a number.

use crate::helpers::*;
use economic::rate_limit::{CALL_COST_HEADER, RATE_LIMITING_HEADER, RateLimitStatus};
use economic::{Client, ClientConfig, ClientError, CustomerNumber, Entity};
use economic_sim::{Knobs, WebhookConfig};
use serde_json::{Value, json};
use std::time::Duration;

async fn send(
    sim: &economic_sim::SimHandle,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let response = reqwest::Client::new()
        .request(method, format!("{}{path}", sim.base_url()))
        .header("X-AppSecretToken", APP)
        .header("X-AgreementGrantToken", GRANT)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn new_customer(name: &str) -> Value {
    json!({
        "name": name, "currency": "DKK",
        "customerGroup": {"customerGroupNumber": 1},
        "paymentTerms": {"paymentTermsNumber": 1},
        "vatZone": {"vatZoneNumber": 1}
    })
}

#[tokio::test]
async fn a_customer_without_a_number_gets_the_next_free_one() {
    let receiver = Receiver::start().await;
    let sim = spawn_sim(|c| c.customers = 3).await;
    sim.agreement().add_webhook(WebhookConfig::rackbeat(
        Entity::Customers,
        receiver.url("/c"),
    ));

    let (first, created) = send(
        &sim,
        reqwest::Method::POST,
        "/customers",
        new_customer("Ny"),
    )
    .await;
    let (second, next) = send(
        &sim,
        reqwest::Method::POST,
        "/customers",
        new_customer("Næste"),
    )
    .await;
    let mut with_null = new_customer("Null");
    with_null["customerNumber"] = Value::Null;
    let (null, _) = send(&sim, reqwest::Method::POST, "/customers", with_null).await;
    let got = receiver.wait_for(2).await;

    assert_eq!((first, second), (201, 201));
    assert_eq!(created["customerNumber"], 4);
    assert_eq!(next["customerNumber"], 5);
    assert_eq!(
        null, 400,
        "an explicit null is refused, as e-conomic refuses nulls"
    );
    let bodies: Vec<&str> = got.iter().map(|r| r.body.as_str()).collect();
    assert!(
        bodies.contains(&"&4") && bodies.contains(&"&5"),
        "{bodies:?}"
    );
    // The product's client creates one the same way.
    let client = Client::new(ClientConfig::new(sim.base_url(), APP)).unwrap();
    let made = client
        .agreement(GRANT)
        .create_customer(&customer(77, "Med nummer"))
        .await
        .unwrap();
    assert_eq!(made.customer_number, CustomerNumber::new(77).unwrap());
}

#[tokio::test]
async fn a_put_to_a_missing_record_creates_it() {
    let sim = spawn_sim(|_| {}).await;
    let mut body = new_customer("Oprettet med PUT");
    body["customerNumber"] = json!(42);

    let (created, _) = send(&sim, reqwest::Method::PUT, "/customers/42", body.clone()).await;
    let (replaced, _) = send(&sim, reqwest::Method::PUT, "/customers/42", body).await;
    let product =
        json!({"productNumber": "NY-1", "name": "Vare", "productGroup": {"productGroupNumber": 1}});
    let (product_created, _) = send(&sim, reqwest::Method::PUT, "/products/NY-1", product).await;

    assert_eq!((created, replaced, product_created), (201, 200, 201));
    assert!(sim.agreement().customer(customer_number(42)).is_some());
}

#[tokio::test]
async fn every_answer_reports_the_token_bucket_and_a_spent_one_refuses() {
    let sim = spawn_sim(|c| {
        c.customers = 2;
        c.knobs = Knobs {
            token_bucket_limit: Some(10),
            token_bucket_window_secs: 60,
            ..Knobs::default()
        };
    })
    .await;

    let (status, headers, _) = get(&sim, "/customers/1").await;
    let (_, page_headers, _) = get(&sim, "/customers?pagesize=1000").await;
    let mut last = None;
    for _ in 0..10 {
        last = Some(get(&sim, "/customers/2").await);
    }
    let (spent, spent_headers, body) = last.expect("ran");

    let read = |h: &reqwest::header::HeaderMap| {
        RateLimitStatus::parse(
            h[RATE_LIMITING_HEADER].to_str().unwrap(),
            h.get(CALL_COST_HEADER).and_then(|v| v.to_str().ok()),
        )
        .expect("the header")
    };
    assert_eq!(status, 200);
    let first = read(&headers);
    assert_eq!((first.used, first.limit, first.call_cost), (1, 10, Some(1)));
    assert_eq!(first.window, Duration::from_secs(60));
    assert_eq!(
        read(&page_headers).call_cost,
        Some(5),
        "a page of 1000 costs more"
    );
    assert_eq!(spent.as_u16(), 429);
    assert!(spent_headers.contains_key("retry-after"));
    assert_eq!(read(&spent_headers).used, 10);
    assert_eq!(body["httpStatusCode"], 429);
    assert!(sim.agreement().bucket_refusals() >= 1);
    // The Webhooks API spends the same bucket.
    let client = Client::new(ClientConfig::new(sim.base_url(), APP)).unwrap();
    let refused = client.webhooks_api(GRANT).count().await.unwrap_err();
    assert!(
        matches!(refused, ClientError::RateLimited { .. }),
        "{refused:?}"
    );
    assert_eq!(client.bucket(GRANT).map(|b| b.status.limit), Some(10));
}

#[tokio::test]
async fn the_client_paces_itself_by_the_bucket_instead_of_running_into_429s() {
    let sim = spawn_sim(|c| {
        c.customers = 1;
        c.knobs = Knobs {
            token_bucket_limit: Some(40),
            token_bucket_window_secs: 2,
            ..Knobs::default()
        };
    })
    .await;
    let client = Client::new(ClientConfig::new(sim.base_url(), APP)).unwrap();
    let number = customer_number(1);

    // Twice the bucket, eight at a time: without pacing half of these would be refused.
    let mut refused = 0;
    for _ in 0..10 {
        let calls = (0..8).map(|_| {
            let client = client.clone();
            async move { client.agreement(GRANT).customer(number).await }
        });
        for result in futures_join(calls).await {
            if matches!(result, Err(ClientError::RateLimited { .. })) {
                refused += 1;
            }
        }
    }

    assert_eq!(refused, 0, "paced by the headers, never refused");
    assert_eq!(sim.agreement().bucket_refusals(), 0);
    assert!(client.bucket(GRANT).is_some());
}

/// Runs the futures concurrently (no extra crate for one join).
async fn futures_join<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let mut outputs = Vec::new();
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    for handle in handles {
        outputs.push(handle.await.expect("joined"));
    }
    outputs
}

#[tokio::test]
async fn the_page_allows_one_webhook_per_type_and_numbers_new_customers() {
    let sim = spawn_sim(|c| c.customers = 2).await;
    let http = reqwest::Client::new();
    let post = |path: &str, form: &[(&str, &str)]| {
        http.post(format!("{}{path}", sim.base_url()))
            .form(form)
            .send()
    };

    post(
        "/_sim/ui/webhook",
        &[("kind", "products"), ("url", "https://one.example/p")],
    )
    .await
    .unwrap();
    let second = post(
        "/_sim/ui/webhook",
        &[("kind", "products"), ("url", "https://two.example/p")],
    )
    .await
    .unwrap();
    let page = second.text().await.unwrap();
    post(
        "/_sim/ui/customer",
        &[("number", ""), ("name", "Uden nummer")],
    )
    .await
    .unwrap();

    assert!(
        page.contains("already has a Vare opdateret webhook"),
        "{page}"
    );
    assert_eq!(sim.agreement().webhooks().len(), 1);
    assert_eq!(
        sim.agreement().customer(customer_number(3)).map(|c| c.name),
        Some("Uden nummer".to_owned())
    );
}
