//! A 2xx means stored: when the database is gone, the answer is 503 so e-conomic retries.

use backend::db_test;
use backend::testing::{Backend, TestDb};
use economic::Entity;

use crate::helpers::*;

db_test!(database_unavailable_is_503, |db| async move {
    let app = spawn_ingest_only(&db).await;
    let tenant = app.live_tenant("acme").await;
    let url = app.url(tenant, Entity::Customers).await;
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
        let app = spawn_ingest_only(&db).await;
        let tenant = app.live_tenant("acme").await;
        let url = app.url(tenant, Entity::Products).await;

        let requests = (0..300).map(|i| {
            let (app, url) = (&app, &url);
            async move { app.post(url, format!("P{i}&P{i}")).await.status() }
        });
        let statuses = futures::future::join_all(requests).await;

        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
        assert_eq!(app.events(tenant).await.len(), 300);
    }
);

/// PostgreSQL drops every connection (a restart, a failover): the webhook writers' kept
/// connections are dead. Requests after that are stored on fresh connections, not refused.
#[tokio::test]
async fn lost_postgres_connections_are_replaced() {
    let test_db = TestDb::new(Backend::Postgres).await;
    let app = spawn_ingest_only(test_db.db()).await;
    let tenant = app.live_tenant("acme").await;
    let url = app.url(tenant, Entity::Customers).await;
    assert_eq!(app.post(&url, "1&1").await.status(), 200);

    let pool = app.db.pg_pool().expect("a PostgreSQL pool");
    let terminated: Vec<bool> = sqlx::query_scalar(
        "select pg_terminate_backend(pid) from pg_stat_activity \
         where datname = current_database() and pid <> pg_backend_pid()",
    )
    .fetch_all(pool)
    .await
    .expect("terminate the server's connections");
    assert!(!terminated.is_empty(), "the writer's connection was open");

    let mut statuses = Vec::new();
    for i in 2..=6 {
        statuses.push(app.post(&url, format!("{i}&{i}")).await.status().as_u16());
    }

    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(app.events(tenant).await.len(), 6);
    drop(app);
    test_db.cleanup().await;
}
