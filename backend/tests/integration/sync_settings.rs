//! Advanced Settings: hourly sync and webhooks are exclusive per entity; a refused save changes
//! nothing.

use backend::economic::Entity;
use backend::settings::{self, SyncSettings};
use backend::{Error, db_test};

use crate::helpers::*;

db_test!(absent_settings_are_the_rackbeat_defaults, |db| async move {
    let acme = owner(&db, "acme").await;

    let got = settings::get(&db, acme.tenant_id).await.expect("get");

    assert_eq!(got, SyncSettings::default());
    assert!(got.products_hourly && got.customers_hourly);
    assert!(!got.products_webhook && !got.customers_webhook && !got.invoices_webhook);
});

db_test!(
    conflicting_settings_are_refused_and_nothing_saved,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let live = SyncSettings {
            products_hourly: false,
            products_webhook: true,
            customers_hourly: true,
            customers_webhook: false,
            invoices_webhook: true,
        };
        settings::save(&db, acme.tenant_id, &live, t0())
            .await
            .expect("save");

        for (bad, entity) in [
            (
                SyncSettings {
                    products_hourly: true,
                    ..live
                },
                Entity::Products,
            ),
            (
                SyncSettings {
                    customers_webhook: true,
                    ..live
                },
                Entity::Customers,
            ),
        ] {
            let result = settings::save(&db, acme.tenant_id, &bad, t0()).await;
            assert!(
                matches!(result, Err(Error::SettingsConflict { entity: e }) if e == entity),
                "{result:?}"
            );
        }

        let got = settings::get(&db, acme.tenant_id).await.expect("get");
        assert_eq!(got, live);
    }
);

db_test!(settings_are_per_tenant, |db| async move {
    let acme = owner(&db, "acme").await;
    let globex = owner(&db, "globex").await;
    let live = SyncSettings {
        products_hourly: false,
        customers_hourly: false,
        products_webhook: true,
        customers_webhook: true,
        invoices_webhook: true,
    };

    settings::save(&db, acme.tenant_id, &live, t0())
        .await
        .expect("save");

    assert_eq!(settings::get(&db, acme.tenant_id).await.expect("get"), live);
    assert_eq!(
        settings::get(&db, globex.tenant_id).await.expect("get"),
        SyncSettings::default()
    );
});
