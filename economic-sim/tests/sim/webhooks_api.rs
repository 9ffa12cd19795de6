//! The Webhooks API through the `economic` client: CRUD keyed by event type, `objectVersion`
//! conflicts, problem+json errors, `Idempotency-Key` replay, per-app listing, the "lacks the
//! rights" knob, and API-created webhooks firing like UI-created ones.

use crate::helpers::*;
use economic::types::ApiWebhook;
use economic::{Client, ClientConfig, ClientError, Entity, IdempotencyKey};
use economic_sim::{Knobs, SimHandle};

fn api_client(sim: &SimHandle, app: &str) -> Client {
    Client::new(ClientConfig::new(sim.base_url(), app)).unwrap()
}

fn key(text: &str) -> IdempotencyKey {
    IdempotencyKey::parse(text).unwrap()
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
    let read = api.get_webhook(Entity::Products).await.unwrap();

    assert_eq!(created.event_type, "PRODUCT_UPDATED");
    assert_eq!(status(&twice), Some(409), "one per event type: {twice:?}");
    assert_eq!(read.object_version.as_deref(), Some("1"));
    assert_eq!(read.post_data.as_deref(), Some("[OLDNUMBER]&[NEWNUMBER]"));
    let mut changed = read.clone();
    changed.url = "https://us.example/p2".into();
    api.update(&changed, &key("c")).await.unwrap();
    let stale = api.update(&changed, &key("d")).await.unwrap_err();
    assert_eq!(status(&stale), Some(409), "version 1 is stale now");
    assert_eq!(
        api.get_webhook(Entity::Products).await.unwrap().url,
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
    api.delete(Entity::Products, &key("f")).await.unwrap();
    let gone = api.get_webhook(Entity::Products).await.unwrap_err();
    assert!(matches!(gone, ClientError::NotFound(_)), "{gone:?}");
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
        .get_webhook(Entity::Customers)
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
            assert!(body.message.contains("rights"), "{body:?}");
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
    let read = api.get_webhook(Entity::Customers).await.unwrap();
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
