//! Webhook URL credentials: deterministic per tenant, kind and generation; regeneration keeps the
//! previous one for the grace period, then refuses it.

use backend::webhook_credentials::{self as creds, GRACE_PERIOD};
use backend::{Keys, TenantId, db_test};
use economic::Entity;
use time::Duration;

use crate::helpers::*;

const KIND: Entity = Entity::Products;

db_test!(the_url_token_is_stable_and_verifies, |db| async move {
    let keys = Keys::generate();
    let acme = owner(&db, "acme").await;

    let token = creds::url_token(&db, &keys, acme.tenant_id, KIND)
        .await
        .expect("token");
    let again = creds::url_token(&db, &keys, acme.tenant_id, KIND)
        .await
        .expect("token");

    assert_eq!(token, again);
    assert!(token.len() >= 22, "at least 128 bits");
    assert!(
        creds::verify(&db, &keys, acme.tenant_id, KIND, &token, t0())
            .await
            .expect("verify")
    );
    let mut wrong = token.clone();
    wrong.replace_range(0..1, if token.starts_with('A') { "B" } else { "A" });
    assert!(
        !creds::verify(&db, &keys, acme.tenant_id, KIND, &wrong, t0())
            .await
            .expect("verify")
    );
    let other_kind = Entity::Customers;
    assert!(
        !creds::verify(&db, &keys, acme.tenant_id, other_kind, &token, t0())
            .await
            .expect("v")
    );
    let other_keys = Keys::generate();
    assert!(
        !creds::verify(&db, &other_keys, acme.tenant_id, KIND, &token, t0())
            .await
            .expect("v")
    );
});

db_test!(
    another_tenant_or_an_unknown_one_never_verifies,
    |db| async move {
        let keys = Keys::generate();
        let acme = owner(&db, "acme").await;
        let globex = owner(&db, "globex").await;
        let token = creds::url_token(&db, &keys, acme.tenant_id, KIND)
            .await
            .expect("token");
        creds::url_token(&db, &keys, globex.tenant_id, KIND)
            .await
            .expect("token");

        assert!(
            !creds::verify(&db, &keys, globex.tenant_id, KIND, &token, t0())
                .await
                .expect("v")
        );
        let unknown = TenantId::new(999_999);
        assert!(
            !creds::verify(&db, &keys, unknown, KIND, &token, t0())
                .await
                .expect("v")
        );
    }
);

db_test!(
    regenerate_keeps_the_old_token_for_the_grace_period,
    |db| async move {
        let keys = Keys::generate();
        let acme = owner(&db, "acme").await;
        let tenant = acme.tenant_id;
        let old = creds::url_token(&db, &keys, tenant, KIND)
            .await
            .expect("token");

        creds::regenerate(&db, tenant, KIND, t0())
            .await
            .expect("regenerate");
        let new = creds::url_token(&db, &keys, tenant, KIND)
            .await
            .expect("token");

        assert_ne!(old, new);
        let during = t0() + GRACE_PERIOD - Duration::seconds(1);
        let after = t0() + GRACE_PERIOD;
        assert!(
            creds::verify(&db, &keys, tenant, KIND, &new, during)
                .await
                .expect("v")
        );
        assert!(
            creds::verify(&db, &keys, tenant, KIND, &old, during)
                .await
                .expect("v")
        );
        assert!(
            !creds::verify(&db, &keys, tenant, KIND, &old, after)
                .await
                .expect("v")
        );
        assert!(
            creds::verify(&db, &keys, tenant, KIND, &new, after)
                .await
                .expect("v")
        );
        // Other kinds are untouched.
        let customers = creds::url_token(&db, &keys, tenant, Entity::Customers).await;
        assert!(customers.is_ok());
    }
);

db_test!(
    regenerating_twice_leaves_the_oldest_on_its_own_deadline,
    |db| async move {
        let keys = Keys::generate();
        let tenant = owner(&db, "acme").await.tenant_id;
        let first = creds::url_token(&db, &keys, tenant, KIND)
            .await
            .expect("token");
        creds::regenerate(&db, tenant, KIND, t0())
            .await
            .expect("regenerate");
        let second = creds::url_token(&db, &keys, tenant, KIND)
            .await
            .expect("token");
        let later = t0() + Duration::hours(1);
        creds::regenerate_with_grace(&db, tenant, KIND, later, Duration::ZERO)
            .await
            .expect("regenerate");
        let third = creds::url_token(&db, &keys, tenant, KIND)
            .await
            .expect("token");

        let at = later + Duration::seconds(1);
        assert!(
            creds::verify(&db, &keys, tenant, KIND, &first, at)
                .await
                .expect("v")
        );
        assert!(
            !creds::verify(&db, &keys, tenant, KIND, &second, at)
                .await
                .expect("v")
        );
        assert!(
            creds::verify(&db, &keys, tenant, KIND, &third, at)
                .await
                .expect("v")
        );
        assert_eq!(
            creds::webhook_path(tenant, KIND, &third),
            format!("/webhooks/economic/{tenant}/products/{third}")
        );
    }
);
