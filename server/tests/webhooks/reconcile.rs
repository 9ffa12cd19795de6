//! The safety net of tenants on webhooks: e-conomic drops delete webhooks and disables a
//! webhook after failed deliveries; one reconciliation brings the local data back to
//! e-conomic's, and counts the changes no webhook reported.

use std::time::{Duration, Instant};

use backend::records::{self, ProductRecord};
use backend::sync::{self, RunKind, RunStatus};
use backend::{Timestamp, db_test};
use economic::Entity;
use economic_sim::{Knobs, SimConfig, Simulator, WebhookConfig};

use crate::helpers::product_numbers;
use crate::sync::live_app;

db_test!(
    one_reconciliation_repairs_dropped_and_disabled_webhooks,
    |db| async move {
        let sim = Simulator::start(SimConfig {
            products: 30,
            customers: 0,
            ..SimConfig::default()
        })
        .await
        .expect("simulator");
        let (app, tenant) = live_app(&db, &sim).await;
        let agreement = sim.agreement();
        let imported = Instant::now() + Duration::from_secs(30);
        while records::live_numbers::<ProductRecord>(&db, tenant)
            .await
            .expect("numbers")
            .len()
            < 30
        {
            assert!(Instant::now() < imported, "the first import did not finish");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        sim.set_knobs(Knobs {
            drop_delete_webhooks: true,
            webhook_disable_after_failures: Some(1),
            webhook_retries: 0,
            ..Knobs::default()
        });
        // Deletes: no webhook is sent.
        let numbers: Vec<_> = agreement
            .read(|d| d.products.keys().cloned().collect())
            .unwrap_or_default();
        let deleted: Vec<_> = numbers
            .iter()
            .filter(|n| agreement.delete_product(n).is_ok())
            .take(3)
            .cloned()
            .collect();
        assert_eq!(deleted.len(), 3);
        // The product webhook fails once (a URL that answers 404) and e-conomic disables it:
        // the changes after that arrive nowhere.
        agreement.clear_webhooks();
        let broken = format!("{}/webhooks/economic/{tenant}/products/wrong", app.address);
        agreement.add_webhook(WebhookConfig::rackbeat(Entity::Products, broken));
        let kept = agreement
            .read(|d| d.products.keys().next().cloned())
            .flatten()
            .expect("a product");
        let mut edited = agreement.product(&kept).expect("product");
        edited.name = "Changed while the webhook was disabled".to_owned();
        agreement.update_product(edited.clone()).expect("edit");
        assert!(sim.wait_webhooks_idle(Duration::from_secs(10)).await);
        assert!(
            agreement.webhooks().iter().all(|w| w.is_disabled),
            "the failing webhook was disabled"
        );
        let mut created = edited.clone();
        created.product_number = economic::ProductNumber::parse("NEW-AFTER").expect("n");
        agreement.create_product(created).expect("create");

        sync::request(
            &db,
            tenant,
            Entity::Products,
            RunKind::Reconcile,
            Timestamp::now(),
        )
        .await
        .expect("requested");
        let deadline = Instant::now() + Duration::from_secs(30);
        let run = loop {
            let run = sync::list(&db, tenant, None, 1)
                .await
                .expect("runs")
                .remove(0);
            if run.status == RunStatus::Done {
                break run;
            }
            assert!(
                Instant::now() < deadline,
                "the reconciliation did not finish: {run:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };

        let (local, remote) = product_numbers(&db, tenant, &agreement).await;
        assert_eq!(local, remote);
        let stored = records::get::<ProductRecord>(&db, tenant, &kept)
            .await
            .expect("kept");
        assert_eq!(stored.name, edited.name);
        assert_eq!(
            (run.counts.created, run.counts.updated, run.counts.deleted),
            (1, 1, 3)
        );
        assert_eq!(run.counts.unreported, 5, "no webhook told of any of them");
        sim.shutdown();
    }
);
