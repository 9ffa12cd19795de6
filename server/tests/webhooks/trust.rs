//! Who may create events: only the tenant's current (or still-in-grace) credential. Everything
//! else gets the same 404 and stores nothing.

use backend::{Timestamp, db_test, webhook_credentials as creds};
use economic::Entity;
use time::Duration;

use crate::helpers::*;

const KIND: Entity = Entity::Products;

db_test!(
    unknown_tenant_kind_and_wrong_credential_get_one_404,
    |db| async move {
        let app = spawn_ingest_only(&db).await;
        let tenant = app.live_tenant("acme").await;
        let token = app.token(tenant, KIND).await;
        let mut wrong = token.clone();
        wrong.replace_range(0..2, if token.starts_with("AA") { "BB" } else { "AA" });
        let t = tenant.to_string();

        let mut answers = Vec::new();
        for url in [
            app.url_with(&t, "products", &wrong),
            app.url_with("999999", "products", &token),
            app.url_with("not-a-number", "products", &token),
            app.url_with(&t, "orders", &token),
            app.url_with(&t, "product-updated", &token),
            app.url_with(&t, "products", "short"),
            app.url_with(&t, "customers", &token),
        ] {
            let response = app.post(&url, "1001&1001").await;
            let status = response.status();
            answers.push((status, response.text().await.expect("body")));
        }

        assert!(answers.iter().all(|a| a.0 == 404), "{answers:?}");
        assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
        assert_eq!(app.total_events().await, 0);
    }
);

db_test!(
    a_tenants_url_never_creates_another_tenants_event,
    |db| async move {
        let app = spawn_ingest_only(&db).await;
        let acme = app.live_tenant("acme").await;
        let globex = app.live_tenant("globex").await;
        let acme_token = app.token(acme, KIND).await;
        app.token(globex, KIND).await;

        let own = app.post(&app.url(acme, KIND).await, "1&1").await;
        let crossed = app
            .post(
                &app.url_with(&globex.to_string(), "products", &acme_token),
                "2&2",
            )
            .await;

        assert_eq!(own.status(), 200);
        assert_eq!(crossed.status(), 404);
        assert_eq!(app.events(acme).await.len(), 1);
        assert!(app.events(globex).await.is_empty());
    }
);

db_test!(
    a_rotated_credential_works_in_grace_then_stops,
    |db| async move {
        let app = spawn_ingest_only(&db).await;
        let tenant = app.live_tenant("acme").await;
        let old = app.url(tenant, KIND).await;

        creds::regenerate(&app.db, tenant, KIND, Timestamp::now())
            .await
            .expect("regenerate");
        let new = app.url(tenant, KIND).await;

        assert_ne!(old, new);
        assert_eq!(
            app.post(&old, "1&1").await.status(),
            200,
            "old URL in grace"
        );
        assert_eq!(app.post(&new, "1&1").await.status(), 200, "new URL");

        // The grace period of the next rotation is already over.
        let long_ago = Timestamp::now() - Duration::hours(25);
        creds::regenerate(&app.db, tenant, KIND, long_ago)
            .await
            .expect("regenerate");
        let newest = app.url(tenant, KIND).await;
        // The endpoint caches verified generations for at most a second (routes/webhooks/cache.rs).
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

        assert_eq!(app.post(&new, "1&1").await.status(), 404, "expired");
        assert_eq!(app.post(&newest, "1&1").await.status(), 200);
        assert_eq!(
            app.post(&old, "1&1").await.status(),
            200,
            "first rotation still in grace"
        );
        assert_eq!(app.events(tenant).await.len(), 4);
    }
);

db_test!(a_leaked_old_url_can_be_stopped_at_once, |db| async move {
    let app = spawn_ingest_only(&db).await;
    let tenant = app.live_tenant("acme").await;
    let old = app.url(tenant, KIND).await;
    creds::regenerate(&app.db, tenant, KIND, Timestamp::now())
        .await
        .expect("regenerate");
    let new = app.url(tenant, KIND).await;
    assert_eq!(app.post(&old, "1&1").await.status(), 200, "in grace");

    let stopped = creds::revoke_previous(&app.db, tenant, KIND, Timestamp::now())
        .await
        .expect("revoke");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    assert_eq!(stopped, 1);
    assert_eq!(app.post(&old, "1&1").await.status(), 404, "stopped at once");
    assert_eq!(
        app.post(&new, "1&1").await.status(),
        200,
        "the new URL works"
    );
    let other = app.url(tenant, Entity::Customers).await;
    assert_eq!(
        app.post(&other, "1&1").await.status(),
        200,
        "other kinds untouched"
    );
});

db_test!(an_oversized_body_is_413_and_not_stored, |db| async move {
    let app = spawn_ingest_only(&db).await;
    let tenant = app.live_tenant("acme").await;
    let url = app.url(tenant, KIND).await;

    let response = app.post(&url, vec![b'1'; 64 * 1024 + 1]).await;

    assert_eq!(response.status(), 413);
    assert!(app.events(tenant).await.is_empty());
});
