//! Advanced Settings: hourly sync and webhooks are exclusive per entity (the form's boxes are
//! parsed into one mode per entity; a conflict is refused before anything is saved).

use backend::economic::Entity;
use backend::settings::{self, Boxes, Mode, SyncSettings};
use backend::{Error, db_test};

use crate::helpers::*;

db_test!(absent_settings_are_the_rackbeat_defaults, |db| async move {
    let acme = owner(&db, "acme").await;

    let got = settings::get(&db, acme.tenant_id).await.expect("get");

    assert_eq!(got, SyncSettings::default());
    assert_eq!((got.products, got.customers), (Mode::Hourly, Mode::Hourly));
    assert!(!got.invoices_webhook);
});

db_test!(
    conflicting_settings_are_refused_and_nothing_saved,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let boxes = Boxes {
            products_hourly: false,
            products_webhook: true,
            customers_hourly: true,
            customers_webhook: false,
            invoices_webhook: true,
        };
        let live = SyncSettings::from_boxes(boxes).expect("no conflict");
        assert_eq!(
            (live.products, live.customers),
            (Mode::Webhook, Mode::Hourly)
        );
        settings::save(&db, acme.tenant_id, &live, t0())
            .await
            .expect("save");

        for (bad, entity) in [
            (
                Boxes {
                    products_hourly: true,
                    ..boxes
                },
                Entity::Products,
            ),
            (
                Boxes {
                    customers_webhook: true,
                    ..boxes
                },
                Entity::Customers,
            ),
        ] {
            let result = SyncSettings::from_boxes(bad);
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
    let live = SyncSettings::ALL_WEBHOOKS;

    settings::save(&db, acme.tenant_id, &live, t0())
        .await
        .expect("save");

    assert_eq!(settings::get(&db, acme.tenant_id).await.expect("get"), live);
    assert_eq!(
        settings::get(&db, globex.tenant_id).await.expect("get"),
        SyncSettings::default()
    );
});
