//! `/healthz` and `/readyz`.

use backend::db_test;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{spawn_app, spawn_app_with};

db_test!(healthz_answers_ok, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;

    // Act
    let response = app.browser().get("/healthz").await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["status"], "ok");
});

db_test!(readyz_names_the_database, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;

    // Act
    let response = app.browser().get("/readyz").await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], db.backend_name());
    let started = body["workers"]["started"]
        .as_u64()
        .expect("workers started");
    assert!(
        started >= 3,
        "the sync workers, scheduler, retention and listener: {body}"
    );
    assert_eq!(body["workers"]["running"], started, "{body}");
});

db_test!(
    readyz_without_workers_says_none_were_started,
    |db| async move {
        // Arrange
        let app = spawn_app_with(&db, &["--no-worker"]).await;

        // Act
        let response = app.browser().get("/readyz").await;

        // Assert
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["workers"]["started"], 0, "{body}");
    }
);

db_test!(every_answer_carries_a_request_id, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let browser = app.browser();

    // Act
    let fresh = browser.get("/healthz").await;
    let given = browser
        .client
        .get(browser.url("/healthz"))
        .header("x-request-id", "from-the-proxy-1")
        .send()
        .await
        .expect("GET");

    // Assert
    let id = fresh.headers().get("x-request-id").expect("a request id");
    assert_eq!(id.len(), 36, "a UUID: {id:?}");
    assert_eq!(
        given.headers().get("x-request-id").expect("kept"),
        "from-the-proxy-1"
    );
});

db_test!(
    metrics_need_the_token_and_parse_as_prometheus_text,
    |db| async move {
        // Arrange
        let token = "metrics-token-for-the-test";
        let off = spawn_app(&db).await;
        let app = spawn_app_with(&db, &["--metrics-token", token]).await;
        let browser = app.browser();
        let wrong_credential = format!("/webhooks/economic/1/products/{}", "x".repeat(43));
        let posted = browser
            .post_form(&wrong_credential, &[("number", "1")])
            .await;
        assert_eq!(posted.status(), StatusCode::NOT_FOUND);

        // Act
        let disabled = off.browser().get("/metrics").await;
        let anonymous = browser.get("/metrics").await;
        let scraped = browser
            .client
            .get(browser.url("/metrics"))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET /metrics");

        // Assert
        assert_eq!(
            disabled.status(),
            StatusCode::NOT_FOUND,
            "off without a token"
        );
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(scraped.status(), StatusCode::OK);
        let text = scraped.text().await.expect("body");
        let lines = text.lines().map(|l| Ok(l.to_owned()));
        let scrape = prometheus_parse::Scrape::parse(lines).expect("Prometheus text format");
        let sample = |name: &str, label: (&str, &str)| {
            scrape
                .samples
                .iter()
                .find(|s| s.metric == name && s.labels.get(label.0) == Some(label.1))
                .map(|s| s.value.clone())
        };
        for status in ["received", "queued", "processing", "failed", "dead"] {
            assert!(
                sample("inventory_sync_queue_depth", ("status", status)).is_some(),
                "{status}: {text}"
            );
        }
        assert!(
            scrape
                .samples
                .iter()
                .any(|s| s.metric == "inventory_sync_sessions_active"),
            "{text}"
        );
        match sample(
            "inventory_sync_webhooks_received_total",
            ("outcome", "not_found"),
        ) {
            Some(prometheus_parse::Value::Counter(n)) => assert!(n >= 1.0),
            other => panic!("the refused webhook is counted: {other:?} in {text}"),
        }
        assert!(
            scrape.samples.iter().any(|s| s
                .metric
                .starts_with("inventory_sync_webhook_ingest_seconds")),
            "the ingest latency histogram: {text}"
        );
        // Reading the queue depth looks across tenants: that path is counted by its reason.
        match sample(
            "inventory_sync_cross_tenant_queries_total",
            ("reason", "metrics"),
        ) {
            Some(prometheus_parse::Value::Counter(n)) => assert!(n >= 1.0),
            other => panic!("the cross-tenant read is counted: {other:?} in {text}"),
        }
    }
);

db_test!(
    readyz_is_unavailable_once_the_pool_is_closed,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let browser = app.browser();
        db.close().await;

        // Act
        let ready = browser.get("/readyz").await;
        let alive = browser.get("/healthz").await;

        // Assert
        assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body: Value = ready.json().await.expect("JSON");
        assert_eq!(body["status"], "unavailable");
        assert_eq!(alive.status(), StatusCode::OK, "the process still answers");
    }
);
