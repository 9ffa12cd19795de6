//! A 2xx means stored: when the database is gone, the answer is 503 so e-conomic retries.

use backend::db_test;
use economic::WebhookKind;

use crate::helpers::*;

db_test!(database_unavailable_is_503, |db| async move {
    let app = spawn_app(&db).await;
    let tenant = app.live_tenant("acme").await;
    let url = app.url(tenant, WebhookKind::CustomerUpdated).await;
    assert_eq!(app.post(&url, "1&1").await.status(), 200);

    // The server shares this pool: closing it takes the database away from the server.
    app.db.close().await;
    let response = app.post(&url, "1&1").await;

    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
});

db_test!(
    a_concurrent_burst_is_all_acknowledged_and_stored,
    |db| async move {
        let app = spawn_app(&db).await;
        let tenant = app.live_tenant("acme").await;
        let url = app.url(tenant, WebhookKind::ProductUpdated).await;

        let requests = (0..300).map(|i| {
            let (app, url) = (&app, &url);
            async move { app.post(url, format!("P{i}&P{i}")).await.status() }
        });
        let statuses = futures::future::join_all(requests).await;

        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
        assert_eq!(app.events(tenant).await.len(), 300);
    }
);
