//! One-click webhook setup through e-conomic's Webhooks API, against the simulator:
//! create, a webhook changed in e-conomic meanwhile, delete, an idempotent retry after a timeout,
//! missing rights, a webhook e-conomic disabled after failures (detected and re-enabled), URL
//! regeneration, and a created webhook delivering into the app end to end. The real e-conomic's
//! refusals, shared agreements and faults are in `real_economic.rs`.

use std::time::{Duration, Instant};

use backend::managed_webhooks::{self, Health, Outcome, Target};
use backend::records::{self, ProductRecord};
use backend::sync::budget::Priority;
use backend::{Db, TenantId, Timestamp, db_test, webhook_credentials};
use economic::Entity;
use economic_sim::{Knobs, SimConfig, SimHandle, Simulator, WebhookConfig};

use crate::helpers::{TestApp, spawn_app_with, spawn_ingest_only};
use crate::sync::settled;

/// The simulator, the app (without workers) and a connected tenant with no webhooks yet.
pub(crate) async fn setup(db: &Db) -> (SimHandle, TestApp, TenantId, economic::Client) {
    let sim = Simulator::start(SimConfig {
        products: 3,
        ..SimConfig::default()
    })
    .await
    .expect("simulator");
    let app = spawn_ingest_only(db).await;
    let tenant = app.live_tenant("hooks").await;
    let client = client(&sim, Duration::from_secs(5));
    (sim, app, tenant, client)
}

pub(crate) fn client(sim: &SimHandle, timeout: Duration) -> economic::Client {
    let mut config = economic::ClientConfig::new(sim.base_url(), "demo");
    config.timeout = timeout;
    economic::Client::new(config).expect("client")
}

pub(crate) fn target<'a>(app: &'a TestApp, client: &'a economic::Client) -> Target<'a> {
    Target {
        db: &app.db,
        keys: &app.keys,
        client,
        public_url: &app.address,
    }
}

/// The agreement's webhooks created through the API.
pub(crate) fn api_hooks(sim: &SimHandle) -> Vec<WebhookConfig> {
    sim.agreement()
        .webhooks()
        .into_iter()
        .filter(|w| w.api.is_some())
        .collect()
}

pub(crate) async fn row(
    db: &Db,
    tenant: TenantId,
    kind: Entity,
) -> managed_webhooks::ManagedWebhook {
    managed_webhooks::list(db, tenant)
        .await
        .expect("list")
        .into_iter()
        .find(|r| r.kind == kind)
        .expect("a row")
}

db_test!(
    creates_the_webhook_with_the_exact_values_once,
    |db| async move {
        let (sim, app, tenant, client) = setup(&db).await;
        let target = target(&app, &client);

        let first = managed_webhooks::ensure(target, tenant, Entity::Products, Timestamp::now())
            .await
            .expect("ensure");
        let second = managed_webhooks::ensure(target, tenant, Entity::Products, Timestamp::now())
            .await
            .expect("ensure again");

        assert_eq!((first, second), (Outcome::Created, Outcome::Updated));
        let hooks = api_hooks(&sim);
        assert_eq!(hooks.len(), 1, "one webhook, however often: {hooks:?}");
        let hook = &hooks[0];
        assert_eq!(hook.kind, Entity::Products);
        assert_eq!(hook.url, app.url(tenant, Entity::Products).await);
        assert_eq!(hook.name, "Vare opdateret");
        assert_eq!(hook.post_data, "[OLDNUMBER]&[NEWNUMBER]");
        assert_eq!(hook.content_type, "application/x-www-form-urlencoded");
        let current = app.url(tenant, Entity::Products).await;
        let stored = row(&db, tenant, Entity::Products).await;
        assert!(stored.managed);
        // Read back from e-conomic's answer (dates without an offset, as its OpenAPI services
        // write them): the health is known at once.
        assert_eq!(stored.health(tenant, &current), Health::Healthy);
        assert_eq!(stored.event_type.as_deref(), Some("PRODUCT_UPDATED"));
        // The calls were counted in the API budget.
        let usage = backend::sync::budget::usage(&db, tenant, Timestamp::now(), 50_000)
            .await
            .expect("usage");
        assert!(usage.used >= 4, "{usage:?}");
        sim.shutdown();
    }
);

db_test!(
    a_webhook_changed_in_e_conomic_meanwhile_is_read_afresh_never_duplicated,
    |db| async move {
        let (sim, app, tenant, client) = setup(&db).await;
        let target = target(&app, &client);
        managed_webhooks::ensure(target, tenant, Entity::Customers, Timestamp::now())
            .await
            .expect("create");
        // e-conomic changes the webhook (disables it): its objectVersion moves on, ours is old.
        assert_eq!(sim.agreement().disable_webhooks(Entity::Customers), 1);
        let stored = row(&db, tenant, Entity::Customers).await.object_version;

        // Each action reads e-conomic's webhook first (whose is it? which version?), so the
        // old version is never sent.
        let again = managed_webhooks::ensure(target, tenant, Entity::Customers, Timestamp::now())
            .await
            .expect("again");

        assert_eq!(again, Outcome::Reenabled);
        assert!(!api_hooks(&sim)[0].is_disabled);
        assert_eq!(api_hooks(&sim).len(), 1, "no second webhook");
        assert_ne!(
            row(&db, tenant, Entity::Customers).await.object_version,
            stored
        );
        sim.shutdown();
    }
);

db_test!(deletes_the_webhook_in_e_conomic, |db| async move {
    let (sim, app, tenant, client) = setup(&db).await;
    let target = target(&app, &client);
    managed_webhooks::ensure(target, tenant, Entity::Invoices, Timestamp::now())
        .await
        .expect("create");
    assert_eq!(api_hooks(&sim).len(), 1);

    let deleted = managed_webhooks::remove(target, tenant, Entity::Invoices, Timestamp::now())
        .await
        .expect("delete");
    let already = managed_webhooks::remove(target, tenant, Entity::Invoices, Timestamp::now())
        .await
        .expect("delete again");

    assert_eq!((deleted, already), (Outcome::Deleted, Outcome::Deleted));
    assert!(api_hooks(&sim).is_empty());
    assert!(!row(&db, tenant, Entity::Invoices).await.managed);
    sim.shutdown();
});

db_test!(
    a_create_whose_answer_times_out_is_retried_without_a_second_webhook,
    |db| async move {
        let (sim, app, tenant, _) = setup(&db).await;
        // e-conomic creates the webhook, then answers after our client has given up.
        let impatient = client(&sim, Duration::from_millis(300));
        sim.set_knobs(Knobs {
            webhooks_api_answer_delay_ms: 1_000,
            ..Knobs::default()
        });

        let outcome = managed_webhooks::ensure(
            target(&app, &impatient),
            tenant,
            Entity::Products,
            Timestamp::now(),
        )
        .await
        .expect("ensure");

        assert_eq!(outcome, Outcome::Created, "the retry got the first answer");
        assert_eq!(api_hooks(&sim).len(), 1, "no second webhook");
        assert!(row(&db, tenant, Entity::Products).await.managed);
        sim.shutdown();
    }
);

db_test!(missing_rights_leave_the_manual_flow, |db| async move {
    let (sim, app, tenant, client) = setup(&db).await;
    sim.set_knobs(Knobs {
        webhooks_api_forbidden: true,
        ..Knobs::default()
    });

    let outcome = managed_webhooks::ensure(
        target(&app, &client),
        tenant,
        Entity::Products,
        Timestamp::now(),
    )
    .await
    .expect("ensure");
    let check = managed_webhooks::check(
        &db,
        &app.keys,
        &client,
        tenant,
        Priority::Scheduled,
        Timestamp::now(),
    )
    .await
    .expect("check");

    assert_eq!(outcome, Outcome::Forbidden);
    assert!(
        !outcome.retry_may_help(),
        "the SuperUser role is missing: no retry hint"
    );
    assert_eq!(check, Some(Outcome::Forbidden));
    assert!(api_hooks(&sim).is_empty());
    let stored = row(&db, tenant, Entity::Products).await;
    assert!(!stored.managed, "the manual flow stays the way");
    assert_eq!(stored.outcome.map(|(o, _)| o), Some(Outcome::Forbidden));
    // The company's other webhooks now default to "I create it myself".
    assert_eq!(
        managed_webhooks::mode(&db, tenant, Entity::Customers)
            .await
            .expect("mode"),
        managed_webhooks::Mode::Manual
    );
    // The URL for the manual flow is still there to copy, and works.
    let url = app.url(tenant, Entity::Products).await;
    assert!(app.post(&url, "1&1").await.status().is_success());
    sim.shutdown();
});

db_test!(
    a_webhook_disabled_after_failures_is_detected_and_re_enabled,
    |db| async move {
        let (sim, app, tenant, client) = setup(&db).await;
        let target = target(&app, &client);
        managed_webhooks::ensure(target, tenant, Entity::Products, Timestamp::now())
            .await
            .expect("create");
        sim.set_knobs(Knobs {
            webhook_disable_after_failures: Some(1),
            webhook_retries: 0,
            ..Knobs::default()
        });
        // The URL e-conomic holds stops working at once (a regeneration nobody followed):
        // the next delivery fails and e-conomic disables the webhook.
        webhook_credentials::regenerate_with_grace(
            &db,
            tenant,
            Entity::Products,
            Timestamp::now(),
            time::Duration::ZERO,
        )
        .await
        .expect("regenerate");
        let agreement = sim.agreement();
        let number = agreement
            .read(|d| d.products.keys().next().cloned())
            .flatten()
            .expect("a product");
        let mut product = agreement.product(&number).expect("product");
        product.name = "Lost while disabled".to_owned();
        agreement.update_product(product).expect("edit");
        assert!(sim.wait_webhooks_idle(Duration::from_secs(10)).await);
        assert!(api_hooks(&sim)[0].is_disabled, "e-conomic disabled it");

        let problem = managed_webhooks::check(
            &db,
            &app.keys,
            &client,
            tenant,
            Priority::Background,
            Timestamp::now(),
        )
        .await
        .expect("check");
        let current = app.url(tenant, Entity::Products).await;
        let detected = row(&db, tenant, Entity::Products)
            .await
            .health(tenant, &current);
        let reenabled =
            managed_webhooks::ensure(target, tenant, Entity::Products, Timestamp::now())
                .await
                .expect("re-enable");

        assert_eq!(problem, None);
        assert!(
            matches!(detected, Health::Disabled(Some(_))),
            "{detected:?}"
        );
        assert_eq!(reenabled, Outcome::Reenabled);
        let hook = &api_hooks(&sim)[0];
        assert!(!hook.is_disabled);
        assert_eq!(hook.url, current, "and at the current URL");
        assert_eq!(
            row(&db, tenant, Entity::Products)
                .await
                .health(tenant, &current),
            Health::Healthy
        );
        sim.shutdown();
    }
);

db_test!(
    regenerating_a_url_updates_e_conomic_in_the_same_step,
    |db| async move {
        let (sim, app, tenant, client) = setup(&db).await;
        let target = target(&app, &client);
        managed_webhooks::ensure(target, tenant, Entity::Customers, Timestamp::now())
            .await
            .expect("create");
        let old = app.url(tenant, Entity::Customers).await;

        webhook_credentials::regenerate(&db, tenant, Entity::Customers, Timestamp::now())
            .await
            .expect("regenerate");
        let followed = managed_webhooks::follow_regenerated_url(
            target,
            tenant,
            Entity::Customers,
            Timestamp::now(),
        )
        .await
        .expect("follow");
        let unmanaged = managed_webhooks::follow_regenerated_url(
            target,
            tenant,
            Entity::Invoices,
            Timestamp::now(),
        )
        .await
        .expect("follow");

        let new = app.url(tenant, Entity::Customers).await;
        assert_ne!(old, new);
        assert_eq!(followed, Some(Outcome::Updated));
        assert_eq!(
            unmanaged, None,
            "a webhook the app does not manage is left alone"
        );
        let hooks = api_hooks(&sim);
        assert_eq!(hooks.len(), 1);
        assert_eq!(hooks[0].url, new);
        sim.shutdown();
    }
);

db_test!(a_created_webhook_delivers_into_the_app, |db| async move {
    let sim = Simulator::start(SimConfig {
        products: 3,
        ..SimConfig::default()
    })
    .await
    .expect("simulator");
    let base_url = sim.base_url();
    let app = spawn_app_with(
        &db,
        &[
            "--economic-base-url",
            base_url.as_str(),
            "--worker-poll-ms",
            "50",
        ],
    )
    .await;
    let tenant = app.live_tenant("live").await;
    app.connect(tenant, &base_url).await;
    let client = client(&sim, Duration::from_secs(5));
    let outcome = managed_webhooks::ensure(
        target(&app, &client),
        tenant,
        Entity::Products,
        Timestamp::now(),
    )
    .await
    .expect("create");
    assert_eq!(outcome, Outcome::Created);
    // The first import on connecting may still run; wait for the products to be there.
    let deadline = Instant::now() + Duration::from_secs(30);
    while records::live_numbers::<ProductRecord>(&db, tenant)
        .await
        .expect("numbers")
        .len()
        < 3
    {
        assert!(Instant::now() < deadline, "the first import did not finish");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let agreement = sim.agreement();
    let number = agreement
        .read(|d| d.products.keys().next().cloned())
        .flatten()
        .expect("a product");
    let mut product = agreement.product(&number).expect("product");
    product.name = "Sent by the API-made webhook".to_owned();

    agreement.update_product(product).expect("edit");

    assert!(
        settled(&db, tenant, Duration::from_secs(20)).await,
        "applied in time"
    );
    let local = records::get::<ProductRecord>(&db, tenant, &number)
        .await
        .expect("stored");
    assert_eq!(local.name, "Sent by the API-made webhook");
    sim.shutdown();
});

db_test!(
    the_scheduled_check_looks_once_per_interval_within_the_budget,
    |db| async move {
        let (sim, app, tenant, client) = setup(&db).await;
        managed_webhooks::ensure(
            target(&app, &client),
            tenant,
            Entity::Products,
            Timestamp::now(),
        )
        .await
        .expect("create");
        sim.agreement().disable_webhooks(Entity::Products);
        let env = worker::Environment {
            db: db.clone(),
            keys: app.keys.clone(),
            economic: client.clone(),
            signal: backend::queue::Signal::default(),
            config: worker::WorkerConfig::default(),
        };
        // Every 5 minutes by default, so a disabled webhook is seen within them.
        let every =
            time::Duration::try_from(env.config.health.webhook_check_every).expect("interval");
        let later = Timestamp::now() + every + time::Duration::minutes(1);
        let before = backend::sync::budget::usage(&db, tenant, later, 50_000)
            .await
            .expect("usage")
            .used;

        let first = worker::managed_webhooks::check_due(&env, later)
            .await
            .expect("check");
        let again = worker::managed_webhooks::check_due(&env, later + time::Duration::minutes(2))
            .await
            .expect("check again");

        assert_eq!((first, again), (1, 0), "one check per interval");
        let current = app.url(tenant, Entity::Products).await;
        let health = row(&db, tenant, Entity::Products)
            .await
            .health(tenant, &current);
        assert!(matches!(health, Health::Disabled(_)), "{health:?}");
        let after = backend::sync::budget::usage(&db, tenant, later, 50_000)
            .await
            .expect("usage")
            .used;
        assert_eq!(after, before + 1, "one list call, counted");
        sim.shutdown();
    }
);
