//! Each fault knob shown to work.

use crate::helpers::{Receiver, customer, customer_number, get, product, spawn_sim};
use axum::http::StatusCode;
use economic::Entity;
use economic_sim::{Knobs, WebhookConfig};
use std::time::{Duration, Instant};

#[tokio::test]
async fn latency() {
    let sim = spawn_sim(|c| c.knobs.latency_ms = 300).await;
    let started = Instant::now();
    let (status, _, _) = get(&sim, "/self").await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn server_errors_rate_limits_and_timeouts() {
    let sim = spawn_sim(|c| c.knobs.error_rate = 1.0).await;
    assert_eq!(
        get(&sim, "/self").await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );

    sim.set_knobs(Knobs {
        rate_limited_rate: 1.0,
        retry_after_secs: 7,
        ..Knobs::default()
    });
    let (status, headers, body) = get(&sim, "/self").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        headers.get("retry-after").and_then(|v| v.to_str().ok()),
        Some("7")
    );
    assert_eq!(body["httpStatusCode"], 429);

    sim.set_knobs(Knobs {
        timeout_rate: 1.0,
        timeout_hang_ms: 5_000,
        ..Knobs::default()
    });
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .expect("client");
    let result = client
        .get(format!("{}/self", sim.base_url()))
        .header("X-AppSecretToken", crate::helpers::APP)
        .header("X-AgreementGrantToken", crate::helpers::GRANT)
        .send()
        .await;
    assert!(result.err().is_some_and(|e| e.is_timeout()));

    sim.set_knobs(Knobs::default());
    assert_eq!(get(&sim, "/self").await.0, StatusCode::OK);
}

#[tokio::test]
async fn per_agreement_rate_limit() {
    let sim = spawn_sim(|c| c.knobs.rate_limit_per_second = Some(5)).await;
    let other = sim.add_agreement("grant-2", 2, "Anden ApS");
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(get(&sim, "/self").await.0.as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429]);
    assert_eq!(sim.agreement().calls(), 7);
    // Another agreement has its own budget.
    let response = reqwest::Client::new()
        .get(format!("{}/self", sim.base_url()))
        .header("X-AppSecretToken", crate::helpers::APP)
        .header("X-AgreementGrantToken", "grant-2")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(other.calls(), 1);
}

#[tokio::test]
async fn webhook_delay() {
    let receiver = Receiver::start().await;
    let sim = spawn_sim(|c| c.knobs.webhook_delay_ms = 400).await;
    sim.agreement().add_webhook(WebhookConfig::rackbeat(
        Entity::Customers,
        receiver.url("/"),
    ));
    let started = Instant::now();
    sim.agreement()
        .create_customer(customer(1, "Forsinket"))
        .expect("create");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(receiver.received().is_empty(), "not before the delay");
    receiver.wait_for(1).await;
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn duplicate_deliveries() {
    let receiver = Receiver::start().await;
    let sim = spawn_sim(|c| c.knobs.webhook_duplicate_rate = 1.0).await;
    sim.agreement().add_webhook(WebhookConfig::rackbeat(
        Entity::Customers,
        receiver.url("/"),
    ));
    sim.agreement()
        .create_customer(customer(1, "To gange"))
        .expect("create");
    let got = receiver.wait_for(2).await;
    assert!(sim.wait_webhooks_idle(Duration::from_secs(5)).await);
    assert_eq!(got.iter().filter(|r| r.body == "&1").count(), 2);
    assert_eq!(sim.webhook_stats().duplicated, 1);
}

#[tokio::test]
async fn reordered_deliveries() {
    let receiver = Receiver::start().await;
    let sim = spawn_sim(|c| {
        c.knobs.webhook_reorder = true;
        c.knobs.webhook_reorder_window_ms = 200;
        c.knobs.webhook_concurrency = 1;
    })
    .await;
    sim.agreement().add_webhook(WebhookConfig::rackbeat(
        Entity::Customers,
        receiver.url("/"),
    ));
    for n in 1..=20 {
        sim.agreement()
            .create_customer(customer(n, "Kunde"))
            .expect("create");
    }
    let got = receiver.wait_for(20).await;
    let order: Vec<String> = got.iter().map(|r| r.body.clone()).collect();
    let created: Vec<String> = (1..=20).map(|n| format!("&{n}")).collect();
    assert_ne!(order, created, "shuffled");
    let mut sorted = order.clone();
    sorted.sort_by_key(|b| b.trim_start_matches('&').parse::<i64>().unwrap_or(0));
    assert_eq!(sorted, created, "same deliveries");
}

#[tokio::test]
async fn dropped_delete_webhooks() {
    let receiver = Receiver::start().await;
    let sim = spawn_sim(|c| c.knobs.drop_delete_webhooks = true).await;
    sim.agreement().add_webhook(WebhookConfig::rackbeat(
        Entity::Customers,
        receiver.url("/"),
    ));
    sim.agreement()
        .create_customer(customer(1, "Slettes"))
        .expect("create");
    sim.agreement()
        .delete_customer(customer_number(1))
        .expect("delete");
    assert!(sim.wait_webhooks_idle(Duration::from_secs(5)).await);
    let bodies: Vec<String> = receiver.received().into_iter().map(|r| r.body).collect();
    assert_eq!(bodies, ["&1"]);
    assert_eq!(sim.webhook_stats().dropped, 1);
}

#[tokio::test]
async fn retries_with_backoff_then_success_or_give_up() {
    let receiver = Receiver::start().await;
    let sim = spawn_sim(|c| {
        c.knobs.webhook_retries = 2;
        c.knobs.webhook_backoff_ms = 100;
    })
    .await;
    sim.agreement().add_webhook(WebhookConfig::rackbeat(
        Entity::Customers,
        receiver.url("/"),
    ));

    receiver.fail_next(2);
    let started = Instant::now();
    sim.agreement()
        .create_customer(customer(1, "Prøv igen"))
        .expect("create");
    assert!(sim.wait_webhooks_idle(Duration::from_secs(5)).await);
    assert_eq!(receiver.received().len(), 3, "two failures, then success");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "backoff 100 ms then 200 ms"
    );
    assert_eq!(sim.webhook_stats().delivered, 1);

    receiver.clear();
    receiver.set_status(503);
    sim.agreement()
        .delete_customer(customer_number(1))
        .expect("delete");
    assert!(sim.wait_webhooks_idle(Duration::from_secs(5)).await);
    assert_eq!(
        receiver.received().len(),
        3,
        "first attempt plus two retries"
    );
    let stats = sim.webhook_stats();
    assert_eq!((stats.failed, stats.attempts), (1, 6));
    let last = sim.recent_deliveries().pop().expect("record");
    assert_eq!((last.status, last.attempts), (Some(503), 3));
}

#[tokio::test]
async fn url_encoded_merge_values() {
    let receiver = Receiver::start().await;
    let sim = spawn_sim(|c| c.knobs.url_encode_values = true).await;
    sim.agreement()
        .add_webhook(WebhookConfig::rackbeat(Entity::Products, receiver.url("/")));
    sim.agreement()
        .create_product(product("a b&c", "Kasse"))
        .expect("create");
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].body, "&a%20b%26c");
    let action = economic::webhook::parse(Entity::Products, None, None, got[0].body.as_bytes())
        .expect("parses");
    assert_eq!(
        action,
        economic::WebhookAction::Created(economic::RecordNumber::Product(
            crate::helpers::product_number("a b&c")
        ))
    );
}

#[tokio::test]
async fn control_api_sets_knobs_and_webhooks() {
    let receiver = Receiver::start().await;
    let sim = spawn_sim(|_| {}).await;
    let http = reqwest::Client::new();
    let base = sim.base_url();

    let knobs = http
        .put(format!("{base}/_sim/api/knobs"))
        .json(&serde_json::json!({ "latency_ms": 5 }))
        .send()
        .await
        .expect("knobs");
    let hook = http
        .post(format!("{base}/_sim/api/webhooks"))
        .json(&serde_json::json!({ "kind": "customers", "url": receiver.url("/c"), "postData": "[OLDNUMBER]&[NEWNUMBER]" }))
        .send()
        .await
        .expect("webhook");
    let page = http
        .get(format!("{base}/_sim/"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let form = http
        .post(format!("{base}/_sim/ui/customer"))
        .form(&[("number", "77"), ("name", "Fra formular")])
        .send()
        .await
        .expect("form");

    assert_eq!(knobs.status().as_u16(), 200);
    assert_eq!(sim.knobs().latency_ms, 5);
    assert_eq!(hook.status().as_u16(), 201);
    assert!(page.contains("Kunde opdateret"));
    assert!(form.status().is_success(), "redirect followed to the page");
    assert_eq!(receiver.wait_for(1).await[0].body, "&77");
}

#[tokio::test]
async fn the_page_refuses_forms_posted_from_another_site() {
    let sim = spawn_sim(|c| c.customers = 1).await;
    let http = reqwest::Client::new();
    let base = sim.base_url();
    let host = base.trim_start_matches("http://").to_owned();
    let post = |origin: Option<&str>, fetch_site: Option<&str>| {
        let mut request = http
            .post(format!("{base}/_sim/ui/customer/delete"))
            .form(&[("number", "1")]);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(site) = fetch_site {
            request = request.header("sec-fetch-site", site);
        }
        request.send()
    };

    let evil = post(Some("https://evil.example"), None)
        .await
        .expect("post");
    let cross = post(None, Some("cross-site")).await.expect("post");
    let customers_left = sim
        .agreement()
        .read(|d| d.customers.len())
        .unwrap_or_default();
    let own = post(Some(&format!("http://{host}")), Some("same-origin"))
        .await
        .expect("post");

    assert_eq!(evil.status().as_u16(), 403);
    assert_eq!(cross.status().as_u16(), 403);
    assert_eq!(
        customers_left, 1,
        "nothing was deleted by the refused posts"
    );
    assert!(own.status().is_success(), "{}", own.status());
    assert_eq!(
        sim.agreement()
            .read(|d| d.customers.len())
            .unwrap_or_default(),
        0
    );
}

#[tokio::test]
async fn control_api_reseeds_deterministically() {
    let sim = spawn_sim(|c| c.customers = 2).await;
    let http = reqwest::Client::new();
    let seed = |s: u64| {
        http.post(format!("{}/_sim/api/seed", sim.base_url()))
            .json(&serde_json::json!({ "seed": s, "customers": 30, "products": 10 }))
            .send()
    };
    let _ = get(&sim, "/customers/1").await;

    seed(7).await.expect("seed");
    let (_, _, first) = get(&sim, "/customers/1").await;
    seed(7).await.expect("seed again");
    let (_, _, again) = get(&sim, "/customers/1").await;
    let (_, _, all) = get(&sim, "/customers?pagesize=100").await;

    assert_eq!(first["name"], again["name"], "same seed, same data");
    assert_eq!(all["pagination"]["results"], 30);
}

#[tokio::test]
async fn webhooks_are_disabled_after_repeated_failures() {
    let receiver = Receiver::start().await;
    let sim = spawn_sim(|c| {
        c.knobs.webhook_retries = 0;
        c.knobs.webhook_disable_after_failures = Some(2);
    })
    .await;
    let agreement = sim.agreement();
    agreement.add_webhook(WebhookConfig::rackbeat(
        Entity::Customers,
        receiver.url("/down"),
    ));
    receiver.set_status(500);

    for n in 1..=2 {
        agreement
            .create_customer(customer(n, "Fejler"))
            .expect("create");
        assert!(sim.wait_webhooks_idle(Duration::from_secs(5)).await);
    }
    agreement
        .create_customer(customer(3, "Sendes ikke"))
        .expect("create");
    assert!(sim.wait_webhooks_idle(Duration::from_secs(5)).await);

    assert_eq!(receiver.received().len(), 2);
    assert!(agreement.webhooks()[0].is_disabled);
}
