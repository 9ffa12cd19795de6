//! The simulator's answers in the shapes of the project's compatibility fixtures
//! (`economic/tests/fixtures/`, written from e-conomic's published Webhooks API document and the
//! shapes real answers were recorded in): the same property names, no property e-conomic does
//! not send, dates without an offset on the Webhooks API.

use crate::helpers::*;
use economic::types::ApiWebhook;
use economic::{Client, ClientConfig, Entity, IdempotencyKey};
use serde_json::Value;
use std::collections::BTreeSet;

fn fixture(path: &str) -> Value {
    let file = format!(
        "{}/../economic/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(file).expect("fixture exists")).expect("JSON")
}

fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

async fn raw(sim: &economic_sim::SimHandle, path: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{}{path}", sim.base_url()))
        .header("X-AppSecretToken", APP)
        .header("X-AgreementGrantToken", GRANT)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON")
}

#[tokio::test]
async fn webhooks_api_answers_have_the_fixtures_shapes() {
    let sim = spawn_sim(|_| {}).await;
    let client = Client::new(ClientConfig::new(sim.base_url(), APP)).unwrap();
    let api = client.webhooks_api(GRANT);
    let key = |k: &str| IdempotencyKey::parse(k).unwrap();
    let mut hook = ApiWebhook::rackbeat(Entity::Invoices, "https://lager.example.dk/i");
    hook.custom_headers = Some(vec![economic::types::webhooks_api::CustomHeader {
        key: "X-Lager-Source".into(),
        value: "e-conomic".into(),
    }]);
    api.create(&hook, &key("1")).await.unwrap();
    sim.agreement().disable_webhooks(Entity::Invoices);
    let base = economic_sim::WEBHOOKS_API_PATH;

    let one = raw(&sim, &format!("{base}/webhooks/INVOICE_BOOKED")).await;
    let page = raw(&sim, &format!("{base}/webhooks")).await;
    let types = raw(&sim, &format!("{base}/EventTypes")).await;
    let missing = raw(&sim, &format!("{base}/webhooks/CUSTOMER_UPDATED")).await;
    let exists = reqwest::Client::new()
        .post(format!("{}{base}/webhooks", sim.base_url()))
        .header("X-AppSecretToken", APP)
        .header("X-AgreementGrantToken", GRANT)
        .json(&hook)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();

    let full = fixture("webhooks_api/webhook_offset_z.json");
    assert_eq!(
        keys(&one),
        keys(&full),
        "every property of a disabled webhook"
    );
    assert!(economic::datetime::parse(one["lastDisabledDate"].as_str().unwrap()).is_some());
    assert!(!one["lastUpdated"].as_str().unwrap().ends_with('Z'));
    assert!(keys(&page).is_subset(&keys(&fixture("webhooks_api/cursor_page.json"))));
    let fixture_type = &fixture("webhooks_api/event_types.json")[0];
    for t in types.as_array().unwrap() {
        assert_eq!(keys(t), keys(fixture_type), "{t}");
        assert_eq!(
            keys(&t["mergeFields"][0]),
            keys(&fixture_type["mergeFields"][0])
        );
    }
    assert_eq!(
        keys(&missing),
        keys(&fixture("webhooks_api/problem_not_found.json"))
    );
    assert_eq!(missing["errorCode"], "ResourceNotFound");
    assert_eq!(
        keys(&exists),
        keys(&fixture("webhooks_api/problem_already_exists.json"))
    );
    assert_eq!(exists["errorCode"], "WebhookAlreadyExistsForEventType");
    assert_eq!(
        exists["errors"][0]["errorCode"],
        "WebhookAlreadyExistsForEventType"
    );
}

#[tokio::test]
async fn rest_answers_have_the_fixtures_shapes() {
    let sim = spawn_sim(|c| c.customers = 3).await;

    let page = raw(&sim, "/customers?pagesize=1").await;
    let bad_filter = raw(&sim, "/customers?filter=colour$eq:red").await;

    let fixture_page = fixture("rest/customers_page.json");
    assert_eq!(keys(&page), keys(&fixture_page));
    assert_eq!(keys(&page["pagination"]), keys(&fixture_page["pagination"]));
    assert_eq!(
        keys(&bad_filter),
        keys(&fixture("rest/bad_filter_400.json"))
    );
    assert_eq!(
        bad_filter["errors"][0],
        "Filtering is not allowed on property 'colour'."
    );
    let allowed = bad_filter["allowedFilteringFields"].as_array().unwrap();
    assert!(allowed.iter().any(|f| f == "lastUpdated"), "{allowed:?}");
}
