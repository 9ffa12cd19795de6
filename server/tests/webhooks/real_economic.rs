//! The product against a simulator as strict as the real e-conomic: two companies on
//! one agreement never take each other's webhooks; a webhook made by hand blocks the API's and
//! the refusal is explained; https only; event type names read from e-conomic; the Webhooks
//! API's faults; "I create it myself" removes the app's own; changes arriving twice are found;
//! the daily budget counts the whole agreement.

use std::time::Duration;

use backend::managed_webhooks::shared::{self, Receiver};
use backend::managed_webhooks::{self, Health, Mode, Outcome};
use backend::{Db, TenantId, Timestamp, db_test};
use economic::Entity;
use economic_sim::{Knobs, SimHandle, WebhookConfig};

use crate::helpers::{TestApp, spawn_ingest_only};
use crate::webhooks_api::{api_hooks, client as client_with_timeout, row, setup, target};

/// A second company, connected for real to the simulator's one agreement (as every company
/// connecting with the token `demo` is in demo mode).
async fn second_company(app: &TestApp, sim: &SimHandle, label: &str) -> TenantId {
    let tenant = app.live_tenant(label).await;
    app.connect(tenant, &sim.base_url()).await;
    tenant
}

async fn ensure(app: &TestApp, c: &economic::Client, tenant: TenantId, kind: Entity) -> Outcome {
    managed_webhooks::ensure(target(app, c), tenant, kind, Timestamp::now())
        .await
        .expect("ensure")
}

db_test!(
    two_companies_on_one_agreement_never_take_each_others_webhooks,
    |db| async move {
        let (sim, app, first, client) = setup(&db).await;
        app.connect(first, &sim.base_url()).await;
        let second = second_company(&app, &sim, "second").await;

        let created = ensure(&app, &client, first, Entity::Customers).await;
        let refused = ensure(&app, &client, second, Entity::Customers).await;
        let left_alone = managed_webhooks::remove(
            target(&app, &client),
            second,
            Entity::Customers,
            Timestamp::now(),
        )
        .await
        .expect("remove");
        let own = ensure(&app, &client, second, Entity::Products).await;

        assert_eq!(created, Outcome::Created);
        assert_eq!(
            refused,
            Outcome::OtherCompany,
            "the first company's webhook stays"
        );
        assert_eq!(
            left_alone,
            Outcome::OtherCompany,
            "and is never deleted by the second"
        );
        assert_eq!(own, Outcome::Created, "a type nobody has is the second's");
        let hooks = api_hooks(&sim);
        let customers = hooks
            .iter()
            .find(|h| h.kind == Entity::Customers)
            .expect("kept");
        assert_eq!(customers.url, app.url(first, Entity::Customers).await);
        // Each company is told: the second sees whose it is, the first still owns its own.
        let second_row = row(&db, second, Entity::Customers).await;
        let current = app.url(second, Entity::Customers).await;
        assert_eq!(
            second_row.health(second, &current),
            Health::OtherCompany(first)
        );
        assert!(!second_row.managed);
        let first_row = row(&db, first, Entity::Customers).await;
        assert!(first_row.managed);
        let agreement = shared::of_tenant(&db, first)
            .await
            .expect("shared")
            .expect("is shared");
        assert_eq!(agreement.companies.len(), 2);
        let receiver = |kind| {
            agreement
                .receivers
                .iter()
                .find(|(k, _)| *k == kind)
                .map(|(_, r)| r.clone())
                .expect("each kind")
        };
        assert!(
            matches!(receiver(Entity::Customers), Receiver::Company(c) if c.tenant_id == first)
        );
        assert!(
            matches!(receiver(Entity::Products), Receiver::Company(c) if c.tenant_id == second)
        );
        let staff = shared::all_shared(&db).await.expect("staff list");
        assert_eq!(staff.len(), 1);
        // The agreement's daily budget is one: each company sees both's calls.
        let now = Timestamp::now();
        let a = backend::sync::budget::usage(&db, first, now, 50_000)
            .await
            .expect("usage");
        let b = backend::sync::budget::usage(&db, second, now, 50_000)
            .await
            .expect("usage");
        assert_eq!(a.used, b.used);
        sim.shutdown();
    }
);

db_test!(
    a_webhook_made_by_hand_is_explained_and_never_retried,
    |db| async move {
        let (sim, app, tenant, client) = setup(&db).await;
        // Made in e-conomic's screens following the article: the API cannot see it.
        sim.agreement().add_webhook(WebhookConfig::rackbeat(
            Entity::Products,
            app.url(tenant, Entity::Products).await,
        ));

        let outcome = ensure(&app, &client, tenant, Entity::Products).await;

        assert_eq!(outcome, Outcome::AlreadyExists);
        assert!(!outcome.retry_may_help());
        assert!(api_hooks(&sim).is_empty(), "no second webhook");
        let stored = row(&db, tenant, Entity::Products).await;
        assert_eq!(stored.outcome.map(|(o, _)| o), Some(Outcome::AlreadyExists));
        assert!(!stored.managed);
        sim.shutdown();
    }
);

db_test!(e_conomic_s_refusals_and_event_type_names, |db| async move {
    let (sim, app, tenant, client) = setup(&db).await;
    let mut knobs = Knobs {
        allow_http_loopback: false,
        ..Knobs::default()
    };
    knobs
        .event_type_names
        .insert(Entity::Products, "PRODUCT_CHANGED".to_owned());
    knobs.event_types_not_offered.push(Entity::Invoices);
    sim.set_knobs(knobs.clone());

    let http = ensure(&app, &client, tenant, Entity::Customers).await;
    let not_offered = ensure(&app, &client, tenant, Entity::Invoices).await;
    sim.set_knobs(Knobs {
        allow_http_loopback: true,
        ..knobs
    });
    let renamed = ensure(&app, &client, tenant, Entity::Products).await;

    assert_eq!(http, Outcome::HttpsRequired);
    assert_eq!(not_offered, Outcome::TypeNotOffered);
    assert_eq!(
        renamed,
        Outcome::Created,
        "created under e-conomic's own name"
    );
    let stored = row(&db, tenant, Entity::Products).await;
    assert_eq!(stored.event_type.as_deref(), Some("PRODUCT_CHANGED"));
    assert!(stored.managed);
    sim.shutdown();
});

db_test!(the_webhooks_api_s_faults_are_handled, |db| async move {
    let (sim, app, tenant, client) = setup(&db).await;
    let outcome_with = |knobs: Knobs| {
        sim.set_knobs(knobs);
        async { ensure(&app, &client, tenant, Entity::Customers).await }
    };

    let failed = outcome_with(Knobs {
        error_rate: 1.0,
        ..Knobs::default()
    })
    .await;
    let limited = outcome_with(Knobs {
        rate_limited_rate: 1.0,
        ..Knobs::default()
    })
    .await;
    sim.set_knobs(Knobs {
        timeout_rate: 1.0,
        timeout_hang_ms: 3_000,
        ..Knobs::default()
    });
    let impatient = client_with_timeout(&sim, Duration::from_millis(300));
    let timed_out = managed_webhooks::ensure(
        target(&app, &impatient),
        tenant,
        Entity::Customers,
        Timestamp::now(),
    )
    .await
    .expect("ensure");
    let slow = outcome_with(Knobs {
        latency_ms: 100,
        ..Knobs::default()
    })
    .await;

    for outcome in [failed, limited, timed_out] {
        assert_eq!(outcome, Outcome::Unavailable);
        assert!(
            outcome.retry_may_help(),
            "busy: pressing again later may work"
        );
    }
    assert_eq!(slow, Outcome::Created);
    assert_eq!(api_hooks(&sim).len(), 1);
    sim.shutdown();
});

db_test!(
    i_create_it_myself_removes_the_app_s_own_webhook,
    |db| async move {
        let (sim, app, tenant, client) = setup(&db).await;
        app.connect(tenant, &sim.base_url()).await;
        assert_eq!(
            managed_webhooks::mode(&db, tenant, Entity::Invoices)
                .await
                .expect("mode"),
            Mode::Automatic,
            "the agreement allows the Webhooks API: created for me by default"
        );
        ensure(&app, &client, tenant, Entity::Invoices).await;

        let removed = managed_webhooks::choose_manual(
            target(&app, &client),
            tenant,
            Entity::Invoices,
            Timestamp::now(),
        )
        .await
        .expect("manual");

        assert_eq!(removed, Some(Outcome::Deleted));
        assert!(api_hooks(&sim).is_empty(), "never both");
        assert_eq!(
            managed_webhooks::mode(&db, tenant, Entity::Invoices)
                .await
                .expect("mode"),
            Mode::Manual
        );
        sim.shutdown();
    }
);

db_test!(
    a_company_whose_app_lacks_the_role_defaults_to_making_webhooks_itself,
    |db| async move {
        let sim = economic_sim::Simulator::start(economic_sim::SimConfig {
            knobs: Knobs {
                webhooks_api_forbidden: true,
                ..Knobs::default()
            },
            ..economic_sim::SimConfig::default()
        })
        .await
        .expect("simulator");
        let app = spawn_ingest_only(&db).await;
        let tenant = backend::testing::owner(&db, "norole").await.tenant_id;

        app.connect(tenant, &sim.base_url()).await;

        let connection = backend::connection::get(&db, tenant)
            .await
            .expect("get")
            .expect("connected");
        assert_eq!(connection.webhooks_api_allowed, Some(false));
        assert_eq!(
            managed_webhooks::mode(&db, tenant, Entity::Products)
                .await
                .expect("mode"),
            Mode::Manual
        );
        sim.shutdown();
    }
);

db_test!(every_change_arriving_twice_is_found, |db| async move {
    let (sim, app, tenant, client) = setup(&db).await;
    let url = app.url(tenant, Entity::Customers).await;
    ensure(&app, &client, tenant, Entity::Customers).await;
    // And the same again by hand (which e-conomic's own screens would have allowed first).
    sim.agreement()
        .add_webhook(WebhookConfig::rackbeat(Entity::Customers, url));
    let agreement = sim.agreement();
    for n in 1..=4 {
        let number = economic::CustomerNumber::new(500 + n).expect("number");
        let mut customer = economic::types::Customer::new(number, "Twice");
        customer.customer_group = Some(economic::types::CustomerGroupRef {
            customer_group_number: 1,
            self_link: None,
        });
        agreement.create_customer(customer).expect("create");
    }
    assert!(sim.wait_webhooks_idle(Duration::from_secs(10)).await);

    let found = wait_for_duplicates(&db, tenant).await;

    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].kind, Entity::Customers);
    assert_eq!(found[0].twice, 4);
    sim.shutdown();
});

/// The duplicates, once the writer has stored the deliveries (ingest is asynchronous).
async fn wait_for_duplicates(
    db: &Db,
    tenant: TenantId,
) -> Vec<managed_webhooks::duplicates::Duplicated> {
    for _ in 0..100 {
        let found = managed_webhooks::duplicates::find(db, tenant, Timestamp::now())
            .await
            .expect("find");
        if found.first().is_some_and(|d| d.twice >= 4) {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    managed_webhooks::duplicates::find(db, tenant, Timestamp::now())
        .await
        .expect("find")
}

db_test!(
    a_burst_is_paced_by_the_bucket_headers_without_429s,
    |db| async move {
        // A bucket far smaller than e-conomic's, so that the burst's calls must wait for room.
        let sim = economic_sim::Simulator::start(economic_sim::SimConfig {
            knobs: Knobs {
                token_bucket_limit: Some(12),
                token_bucket_window_secs: 2,
                ..Knobs::default()
            },
            ..economic_sim::SimConfig::default()
        })
        .await
        .expect("simulator");
        let (_app, tenant) = crate::sync::live_app(&db, &sim).await;
        let agreement = sim.agreement();
        let numbers = agreement.bulk_import_products(40).expect("import");
        for (i, number) in numbers.iter().enumerate().take(20) {
            let mut product = agreement.product(number).expect("product");
            product.name = format!("Paced {i}");
            agreement.update_product(product).expect("edit");
        }

        assert!(
            crate::sync::settled(&db, tenant, Duration::from_secs(60)).await,
            "applied in time"
        );
        let (local, remote) = crate::helpers::product_numbers(&db, tenant, &agreement).await;
        assert_eq!(local, remote, "converged");
        assert_eq!(
            agreement.bucket_refusals(),
            0,
            "the workers waited for room instead of being refused"
        );
        sim.shutdown();
    }
);
