//! `/healthz` and `/readyz`.

use backend::db_test;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::spawn_app;

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
});

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
