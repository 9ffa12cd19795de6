//! End to end: the e-conomic simulator, configured as the Rackbeat guide says with the URLs our
//! settings page shows, really delivers into the app.

use std::time::Duration;

use backend::db_test;
use backend::events::EventStatus;
use economic::{CustomerNumber, Entity, RecordNumber, WebhookAction};
use economic_sim::{SimConfig, Simulator, WebhookConfig};

use crate::helpers::*;

db_test!(the_simulator_delivers_into_the_app, |db| async move {
    let app = spawn_ingest_only(&db).await;
    let tenant = app.live_tenant("acme").await;
    let sim = Simulator::start(SimConfig {
        customers: 5,
        products: 5,
        ..SimConfig::default()
    })
    .await
    .expect("simulator");
    for kind in Entity::ALL {
        let url = app.url(tenant, kind).await;
        sim.agreement()
            .add_webhook(WebhookConfig::rackbeat(kind, url));
    }

    let number = |n| CustomerNumber::new(n).expect("number");
    sim.agreement()
        .renumber_customer(number(1), number(1001))
        .expect("renumber");
    sim.agreement().bulk_import_products(3).expect("import");
    assert!(
        sim.wait_webhooks_idle(Duration::from_secs(10)).await,
        "webhooks delivered"
    );

    let events = app.events(tenant).await;
    assert_eq!(events.len(), 4, "{events:?}");
    assert!(
        events.iter().all(|e| e.status == EventStatus::Received),
        "{events:?}"
    );
    let renumbered = WebhookAction::Renumbered {
        old: RecordNumber::Customer(number(1)),
        new: RecordNumber::Customer(number(1001)),
    };
    assert!(
        events
            .iter()
            .any(|e| e.action.as_ref() == Some(&renumbered)),
        "{events:?}"
    );
    let created = events
        .iter()
        .filter(|e| matches!(e.action, Some(WebhookAction::Created(_))))
        .count();
    assert_eq!(created, 3);
    let stats = sim.webhook_stats();
    assert_eq!((stats.delivered, stats.failed), (4, 0));
    sim.shutdown();
});
