//! The Webhooks API through the `economic` client: CRUD keyed by event type, `objectVersion`
//! conflicts, problem+json errors with e-conomic's error codes, one webhook per event type and
//! agreement whoever made it, https only, event type names from `GET /EventTypes`,
//! `Idempotency-Key` replay, per-app listing, the "lacks the rights" knob, the fault knobs, and
//! API-created webhooks firing like UI-created ones.

use crate::helpers::*;
use economic::types::ApiWebhook;
use economic::types::webhooks_api::{ErrorCode, event_type_for};
use economic::{Client, ClientConfig, ClientError, Entity, IdempotencyKey};
use economic_sim::{Knobs, SimHandle};
use std::time::Duration;

fn api_client(sim: &SimHandle, app: &str) -> Client {
    Client::new(ClientConfig::new(sim.base_url(), app)).unwrap()
}

fn key(text: &str) -> IdempotencyKey {
    IdempotencyKey::parse(text).unwrap()
}

fn code(error: &ClientError) -> Option<ErrorCode> {
    error.error_code().and_then(ErrorCode::parse)
}

fn status(error: &ClientError) -> Option<u16> {
    match error {
        ClientError::Rejected { status, .. } | ClientError::Unauthorized { status, .. } => {
            Some(*status)
        }
        ClientError::NotFound(_) => Some(404),
        _ => None,
    }
}

#[tokio::test]
async fn crud_by_event_type_with_versions_and_problems() {
    let sim = spawn_sim(|_| {}).await;
    let client = api_client(&sim, APP);
    let api = client.webhooks_api(GRANT);
    let hook = ApiWebhook::rackbeat(Entity::Products, "https://us.example/p");

    let created = api.create(&hook, &key("a")).await.unwrap();
    let twice = api.create(&hook, &key("b")).await.unwrap_err();
    let read = api.get_webhook("PRODUCT_UPDATED").await.unwrap();

    assert_eq!(created.event_type, "PRODUCT_UPDATED");
    assert_eq!(status(&twice), Some(400), "one per event type: {twice:?}");
    assert_eq!(code(&twice), Some(ErrorCode::AlreadyExistsForEventType));
    assert_eq!(read.object_version.as_deref(), Some("1"));
    assert_eq!(read.post_data.as_deref(), Some("[OLDNUMBER]&[NEWNUMBER]"));
    let mut changed = read.clone();
    changed.url = "https://us.example/p2".into();
    api.update(&changed, &key("c")).await.unwrap();
    let stale = api.update(&changed, &key("d")).await.unwrap_err();
    assert_eq!(status(&stale), Some(409), "version 1 is stale now");
    assert_eq!(code(&stale), Some(ErrorCode::UpdateConflict));
    assert_eq!(
        api.get_webhook("PRODUCT_UPDATED").await.unwrap().url,
        "https://us.example/p2"
    );
    assert_eq!(api.count().await.unwrap(), 1);
    assert_eq!(api.paged(0, 20).await.unwrap().len(), 1);
    assert_eq!(api.list_all().await.unwrap().0.len(), 1);
    assert_eq!(api.event_types().await.unwrap().len(), 3);
    let mut invalid = ApiWebhook::rackbeat(Entity::Customers, "");
    invalid.name = String::new();
    let refused = api.create(&invalid, &key("e")).await.unwrap_err();
    assert_eq!(status(&refused), Some(400), "{refused:?}");
    api.delete("PRODUCT_UPDATED", &key("f")).await.unwrap();
    let gone = api.get_webhook("PRODUCT_UPDATED").await.unwrap_err();
    assert!(matches!(gone, ClientError::NotFound(_)), "{gone:?}");
    assert_eq!(code(&gone), Some(ErrorCode::ResourceNotFound));
}

#[tokio::test]
async fn one_webhook_per_type_and_agreement_whoever_made_it() {
    let sim = spawn_sim(|_| {}).await;
    sim.register_app("other-app");
    let ours = api_client(&sim, APP);
    let other = api_client(&sim, "other-app");
    // Typed into e-conomic's screens, and made by another app.
    sim.agreement()
        .add_webhook(economic_sim::WebhookConfig::rackbeat(
            Entity::Customers,
            "https://by-hand.example/c",
        ));
    other
        .webhooks_api(GRANT)
        .create(
            &ApiWebhook::rackbeat(Entity::Invoices, "https://them.example/i"),
            &key("o"),
        )
        .await
        .unwrap();

    for kind in [Entity::Customers, Entity::Invoices] {
        let refused = ours
            .webhooks_api(GRANT)
            .create(
                &ApiWebhook::rackbeat(kind, "https://us.example/x"),
                &key(kind.as_str()),
            )
            .await
            .unwrap_err();
        assert_eq!(
            code(&refused),
            Some(ErrorCode::AlreadyExistsForEventType),
            "{kind}: {refused:?}"
        );
        assert!(
            refused.to_string().contains("Only one Webhook"),
            "{refused}"
        );
    }
    // Neither is listed for us: the API shows only our own.
    assert_eq!(ours.webhooks_api(GRANT).count().await.unwrap(), 0);
}

#[tokio::test]
async fn only_https_urls_and_offered_types() {
    let sim = spawn_sim(|_| {}).await;
    let client = api_client(&sim, APP);
    let api = client.webhooks_api(GRANT);

    let plain = api
        .create(
            &ApiWebhook::rackbeat(Entity::Customers, "http://sync.example.com/c"),
            &key("1"),
        )
        .await
        .unwrap_err();
    let unknown = api
        .create(
            &ApiWebhook::rackbeat_as("ORDER_UPDATED", Entity::Customers, "https://x/c"),
            &key("2"),
        )
        .await
        .unwrap_err();
    // Loopback http:// passes by default (demo mode and local tests), not when strict.
    api.create(
        &ApiWebhook::rackbeat(Entity::Products, "http://127.0.0.1:3000/p"),
        &key("3"),
    )
    .await
    .unwrap();
    sim.set_knobs(Knobs {
        allow_http_loopback: false,
        ..Knobs::default()
    });
    let strict = api
        .create(
            &ApiWebhook::rackbeat(Entity::Invoices, "http://localhost:3000/i"),
            &key("4"),
        )
        .await
        .unwrap_err();

    assert_eq!(code(&plain), Some(ErrorCode::InvalidUrlScheme), "{plain:?}");
    assert_eq!(status(&plain), Some(400));
    assert_eq!(code(&unknown), Some(ErrorCode::InvalidType), "{unknown:?}");
    assert_eq!(
        code(&strict),
        Some(ErrorCode::InvalidUrlScheme),
        "{strict:?}"
    );
}

#[tokio::test]
async fn event_type_names_come_from_the_list() {
    let sim = spawn_sim(|_| {}).await;
    let mut knobs = Knobs::default();
    knobs
        .event_type_names
        .insert(Entity::Products, "PRODUCT_CHANGED".into());
    knobs.event_types_not_offered.push(Entity::Invoices);
    sim.set_knobs(knobs);
    let client = api_client(&sim, APP);
    let api = client.webhooks_api(GRANT);

    let types = api.event_types().await.unwrap();
    let products = event_type_for(&types, Entity::Products).expect("offered");
    api.create(
        &ApiWebhook::rackbeat_as(&products.name, Entity::Products, "https://us.example/p"),
        &key("p"),
    )
    .await
    .unwrap();

    assert_eq!(products.name, "PRODUCT_CHANGED");
    assert_eq!(products.description, "Product updated");
    assert!(event_type_for(&types, Entity::Invoices).is_none());
    assert_eq!(
        api.get_webhook("PRODUCT_CHANGED").await.unwrap().event_type,
        "PRODUCT_CHANGED"
    );
    let guessed = api
        .create(
            &ApiWebhook::rackbeat(Entity::Products, "https://us.example/p"),
            &key("g"),
        )
        .await
        .unwrap_err();
    assert_eq!(code(&guessed), Some(ErrorCode::InvalidType));
}

#[tokio::test]
async fn answers_are_written_as_e_conomic_s_openapi_services_write_them() {
    let sim = spawn_sim(|_| {}).await;
    let client = api_client(&sim, APP);
    let api = client.webhooks_api(GRANT);
    let mut hook = ApiWebhook::rackbeat(Entity::Invoices, "https://us.example/i");
    hook.post_data = None;
    api.create(&hook, &key("i")).await.unwrap();
    let http = reqwest::Client::new();
    let raw = |path: &str| {
        http.get(format!("{}{path}", sim.webhooks_api_url()))
            .header("X-AppSecretToken", APP)
            .header("X-AgreementGrantToken", GRANT)
            .send()
    };

    let one: serde_json::Value = raw("/webhooks/INVOICE_BOOKED")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paged: serde_json::Value = raw("/webhooks/paged?pageSize=100&skipPages=0")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let count: serde_json::Value = raw("/webhooks/count").await.unwrap().json().await.unwrap();
    let too_big = raw("/webhooks/paged?pageSize=101").await.unwrap();
    let missing = raw("/webhooks/CUSTOMER_UPDATED").await.unwrap();
    let problem: serde_json::Value = missing.json().await.unwrap();

    let stamp = one["lastUpdated"].as_str().expect("a date-time");
    assert!(
        !stamp.ends_with('Z') && !stamp.contains('+'),
        "no offset: {stamp}"
    );
    assert!(economic::datetime::parse(stamp).is_some());
    assert!(one.get("isDisabled").is_none(), "false is omitted: {one}");
    assert!(
        one.get("postData").is_none() || one["postData"].is_null(),
        "{one}"
    );
    assert!(paged.is_array(), "a bare array: {paged}");
    assert_eq!(count, serde_json::json!(1), "a bare integer");
    assert_eq!(too_big.status(), 400);
    assert_eq!(problem["errorCode"], "ResourceNotFound");
    assert_eq!(
        problem["errors"],
        serde_json::json!([{
            "message": "The resource you have been looking for does not exist.",
            "errorCode": "ResourceNotFound"
        }])
    );
    let trace = problem["traceTimeUtc"].as_str().expect("trace time");
    assert!(!trace.ends_with('Z'), "{trace}");
}

#[tokio::test]
async fn the_fault_knobs_hit_the_webhooks_api_too() {
    let sim = spawn_sim(|_| {}).await;
    let api_call = |timeout: Duration| {
        let mut config = ClientConfig::new(sim.base_url(), APP);
        config.timeout = timeout;
        Client::new(config).unwrap()
    };
    let client = api_call(Duration::from_secs(5));
    let with = |knobs: Knobs| sim.set_knobs(knobs);

    with(Knobs {
        error_rate: 1.0,
        ..Knobs::default()
    });
    let failed = client.webhooks_api(GRANT).list_all().await.unwrap_err();
    with(Knobs {
        rate_limited_rate: 1.0,
        retry_after_secs: 7,
        ..Knobs::default()
    });
    let limited = client.webhooks_api(GRANT).event_types().await.unwrap_err();
    with(Knobs {
        timeout_rate: 1.0,
        timeout_hang_ms: 2_000,
        ..Knobs::default()
    });
    let hung = api_call(Duration::from_millis(300))
        .webhooks_api(GRANT)
        .count()
        .await
        .unwrap_err();
    with(Knobs {
        latency_ms: 50,
        ..Knobs::default()
    });
    let slow = client.webhooks_api(GRANT).count().await;

    assert!(
        matches!(failed, ClientError::Server { status: 500, .. }),
        "{failed:?}"
    );
    assert!(failed.is_retryable());
    assert_eq!(
        limited.retry_after(),
        Some(Duration::from_secs(7)),
        "{limited:?}"
    );
    assert!(matches!(hung, ClientError::Timeout), "{hung:?}");
    assert_eq!(slow.unwrap(), 0);
}

#[tokio::test]
async fn a_repeated_idempotency_key_gets_the_first_answer() {
    let sim = spawn_sim(|_| {}).await;
    let client = api_client(&sim, APP);
    let api = client.webhooks_api(GRANT);
    let hook = ApiWebhook::rackbeat(Entity::Invoices, "https://us.example/i");

    let first = api.create(&hook, &key("same")).await.unwrap();
    let again = api.create(&hook, &key("same")).await.unwrap();

    assert_eq!(first, again);
    assert_eq!(sim.agreement().webhooks().len(), 1, "no second webhook");
}

#[tokio::test]
async fn each_app_sees_only_the_webhooks_it_created() {
    let sim = spawn_sim(|_| {}).await;
    sim.register_app("other-app");
    let other = api_client(&sim, "other-app");
    let ours = api_client(&sim, APP);
    let hook = ApiWebhook::rackbeat(Entity::Customers, "https://them.example/c");
    other
        .webhooks_api(GRANT)
        .create(&hook, &key("o"))
        .await
        .unwrap();
    sim.agreement()
        .add_webhook(economic_sim::WebhookConfig::rackbeat(
            Entity::Products,
            "https://ui.example",
        ));

    let listed = ours.webhooks_api(GRANT).list_all().await.unwrap().0;
    let count = ours.webhooks_api(GRANT).count().await.unwrap();
    let theirs = ours
        .webhooks_api(GRANT)
        .get_webhook("CUSTOMER_UPDATED")
        .await
        .unwrap_err();

    assert!(
        listed.is_empty(),
        "neither the other app's nor the UI's: {listed:?}"
    );
    assert_eq!(count, 0);
    assert!(matches!(theirs, ClientError::NotFound(_)));
    assert_eq!(other.webhooks_api(GRANT).count().await.unwrap(), 1);
}

#[tokio::test]
async fn a_user_without_the_rights_gets_403_problem_json() {
    let sim = spawn_sim(|_| {}).await;
    sim.set_knobs(Knobs {
        webhooks_api_forbidden: true,
        ..Knobs::default()
    });
    let client = api_client(&sim, APP);

    let refused = client.webhooks_api(GRANT).list_all().await.unwrap_err();

    match refused {
        ClientError::Unauthorized { status, body } => {
            assert_eq!(status, 403);
            assert!(body.message.contains("SuperUser"), "{body:?}");
        }
        other => panic!("expected 403, got {other:?}"),
    }
}

#[tokio::test]
async fn an_api_webhook_fires_like_a_configured_one_and_is_disabled_alike() {
    let receiver = Receiver::start().await;
    let sim = spawn_sim(|_| {}).await;
    sim.set_knobs(Knobs {
        webhook_retries: 0,
        webhook_disable_after_failures: Some(1),
        ..Knobs::default()
    });
    let client = api_client(&sim, APP);
    let api = client.webhooks_api(GRANT);
    api.create(
        &ApiWebhook::rackbeat(Entity::Customers, receiver.url("/c")),
        &key("k"),
    )
    .await
    .unwrap();

    sim.agreement()
        .create_customer(customer(7, "Ny kunde"))
        .unwrap();
    let got = receiver.wait_for(1).await;
    receiver.set_status(500);
    sim.agreement()
        .create_customer(customer(8, "Fejler"))
        .unwrap();
    assert!(
        sim.wait_webhooks_idle(std::time::Duration::from_secs(5))
            .await
    );

    assert_eq!(got[0].body, "&7");
    assert_eq!(
        got[0].content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    let read = api.get_webhook("CUSTOMER_UPDATED").await.unwrap();
    assert!(
        read.is_disabled && read.last_disabled_date.is_some(),
        "{read:?}"
    );
    assert_eq!(
        read.object_version.as_deref(),
        Some("2"),
        "disabling is a change"
    );
}
