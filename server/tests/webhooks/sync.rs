//! From e-conomic's change to the tenant's data, with the server's own workers running: the
//! simulator sends the webhook, the server stores it and wakes its workers, which re-fetch and
//! apply. Also under the simulator's fault knobs: the local data converge to the simulator's.

use std::time::{Duration, Instant};

use backend::db_test;
use backend::events::{self, EventStatus};
use backend::records::{self, CustomerRecord, ProductRecord, invoices, stock};
use backend::{Db, TenantId};
use economic::Entity;
use economic_sim::{Knobs, SimConfig, SimHandle, Simulator, WebhookConfig};

use crate::helpers::*;

/// Workers that retry quickly, so faults are worked off within a test.
const FAST_WORKERS: [&str; 10] = [
    "--worker-poll-ms",
    "50",
    "--retry-base-ms",
    "20",
    "--retry-cap-secs",
    "1",
    "--retry-max-attempts",
    "50",
    "--economic-timeout-secs",
    "1",
];

pub(crate) async fn live_app(db: &Db, sim: &SimHandle) -> (TestApp, TenantId) {
    let base_url = sim.base_url();
    let mut flags = vec!["--economic-base-url", base_url.as_str()];
    flags.extend_from_slice(&FAST_WORKERS);
    let app = spawn_app_with(db, &flags).await;
    let tenant = app.live_tenant("acme").await;
    app.connect(tenant, &base_url).await;
    for kind in Entity::ALL {
        let url = app.url(tenant, kind).await;
        sim.agreement()
            .add_webhook(WebhookConfig::rackbeat(kind, url));
    }
    (app, tenant)
}

/// Wait until every event of the tenant is applied (or dead); false on timeout.
pub(crate) async fn settled(db: &Db, tenant: TenantId, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        // Counted before the waiting ones: an event stored between the two queries must not
        // look settled.
        let any = events::count(db, tenant).await.expect("count") > 0;
        let waiting = events::waiting(db, tenant).await.expect("waiting");
        if waiting == 0 && any {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

db_test!(
    a_change_in_e_conomic_arrives_in_the_tenants_data,
    |db| async move {
        let sim = Simulator::start(SimConfig {
            products: 3,
            customers: 0,
            ..SimConfig::default()
        })
        .await
        .expect("simulator");
        let (_app, tenant) = live_app(&db, &sim).await;
        let number = sim
            .agreement()
            .read(|d| d.products.keys().next().cloned())
            .flatten()
            .expect("p");
        let mut product = sim.agreement().product(&number).expect("product");
        product.name = "Edited in e-conomic".to_owned();

        sim.agreement().update_product(product).expect("edit");

        assert!(
            settled(&db, tenant, Duration::from_secs(20)).await,
            "applied in time"
        );
        let local = records::get::<ProductRecord>(&db, tenant, &number)
            .await
            .expect("stored");
        assert_eq!(local.name, "Edited in e-conomic");
    }
);

db_test!(
    under_faults_the_local_data_converge_to_the_simulators,
    |db| async move {
        let sim = Simulator::start(SimConfig {
            products: 0,
            customers: 0,
            ..SimConfig::default()
        })
        .await
        .expect("simulator");
        let (_app, tenant) = live_app(&db, &sim).await;
        sim.set_knobs(Knobs {
            error_rate: 0.2,
            rate_limited_rate: 0.1,
            retry_after_secs: 0,
            timeout_rate: 0.05,
            timeout_hang_ms: 1500,
            webhook_duplicate_rate: 0.3,
            webhook_reorder: true,
            webhook_reorder_window_ms: 50,
            ..Knobs::default()
        });
        let a = sim.agreement();
        let numbers = a.bulk_import_products(300).expect("import");
        for (i, n) in numbers.iter().enumerate().take(60) {
            let mut p = a.product(n).expect("product");
            p.name = format!("Changed {i}");
            a.update_product(p).expect("update");
        }
        for n in &numbers[60..80] {
            a.delete_product(n).expect("delete");
        }
        for n in &numbers[80..90] {
            let new = economic::ProductNumber::parse(&format!("R-{n}")).expect("number");
            a.renumber_product(n, new).expect("renumber");
        }
        let customer =
            economic::types::Customer::new(economic::CustomerNumber::new(7).expect("n"), "Kunde 7");
        a.create_customer(customer).expect("customer");
        let mut lines = 0;
        for n in &numbers[100..110] {
            a.book_invoice(
                economic::CustomerNumber::new(7).expect("n"),
                &[(n.clone(), 2.0)],
            )
            .expect("book");
            lines += 1;
        }
        assert!(
            sim.wait_webhooks_idle(Duration::from_secs(30)).await,
            "all webhooks sent"
        );

        assert!(
            settled(&db, tenant, Duration::from_secs(60)).await,
            "the backlog settles"
        );
        let remote = a.read(|d| d.products.clone()).expect("products");
        assert_eq!(
            records::count::<ProductRecord>(&db, tenant)
                .await
                .expect("count") as usize,
            remote.len()
        );
        for (number, product) in &remote {
            let local = records::get::<ProductRecord>(&db, tenant, number)
                .await
                .expect("every product is here");
            assert_eq!(local.name, product.name, "{number}");
            assert_eq!(local.deleted_at, None, "{number}");
        }
        // Deleted (or renumbered away) in e-conomic: soft-deleted here, or never stored if it
        // was gone before its first fetch.
        for n in &numbers[60..90] {
            match records::get::<ProductRecord>(&db, tenant, n).await {
                Ok(local) => assert!(local.deleted_at.is_some(), "{n} deleted"),
                Err(e) => assert!(matches!(e, backend::Error::NotFound), "{e:?}"),
            }
        }
        assert_eq!(
            records::count::<CustomerRecord>(&db, tenant)
                .await
                .expect("customers"),
            1
        );
        assert_eq!(invoices::count(&db, tenant).await.expect("invoices"), 10);
        assert_eq!(
            stock::count(&db, tenant).await.expect("movements"),
            lines,
            "no stock moved twice"
        );
        for n in &numbers[100..110] {
            assert_eq!(
                records::get::<ProductRecord>(&db, tenant, n)
                    .await
                    .expect("p")
                    .stock,
                -2000,
                "{n}"
            );
        }
        let dead = events::count_by_status(&db, tenant).await.expect("counts");
        assert_eq!(dead.get(&EventStatus::Dead), None, "{dead:?}");
    }
);
