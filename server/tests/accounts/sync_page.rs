//! The Sync tab and the run history over HTTP: both need a login; "Sync now" queues one run
//! and a second press is told a run is already active; a company never sees another's runs;
//! without a connection the buttons answer "connect first". No workers run: runs stay as
//! queued, which is what these pages must show.

use app::error::AppError;
use app::i18n::{Lang, Msg};
use backend::sync::{self, RunKind, RunStatus};
use backend::testing::forget_sync_runs;
use backend::{Db, TenantId, db_test};
use economic::Entity;
use economic_sim::{SimConfig, SimHandle, Simulator};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Browser, TestApp, api_error, location, owner, spawn_app_with};

const SYNC_PAGE: &str = "/settings/apps/economic/sync";

/// The app without workers, talking to a fresh simulator.
async fn app_with_simulator(db: &Db) -> (SimHandle, TestApp) {
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("simulator");
    let base_url = sim.base_url();
    let flags = ["--no-worker", "--economic-base-url", base_url.as_str()];
    let app = spawn_app_with(db, &flags).await;
    (sim, app)
}

/// Company `label`'s owner, logged in.
async fn logged_in(app: &TestApp, label: &str) -> (Browser, TenantId) {
    let company = owner(&app.db, label).await;
    let browser = app.browser();
    let email = company.email.to_string();
    let response = browser.log_in(&email, &company.password).await;
    assert_eq!(response.status(), StatusCode::OK, "log in {label}");
    (browser, company.tenant_id)
}

/// Company `label`'s owner, logged in and connected to the simulator (which queues the first
/// import of every entity).
async fn connected(app: &TestApp, label: &str) -> (Browser, TenantId) {
    let (browser, tenant) = logged_in(app, label).await;
    let csrf = browser.csrf_token().await;
    let fields = [("csrf_token", csrf.as_str()), ("grant_token", "demo")];
    let response = browser.post_form("/api/connect_economic", &fields).await;
    assert!(response.status().is_success(), "connect {label}");
    (browser, tenant)
}

/// `POST /api/request_sync` as the page's script does.
async fn request(browser: &Browser, entity: &str, what: &str) -> reqwest::Response {
    let csrf = browser.csrf_token().await;
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("entity", entity),
        ("request", what),
    ];
    browser.post_form("/api/request_sync", &fields).await
}

/// The ids in a `/api/sync_runs` answer.
async fn listed_ids(browser: &Browser, query: &str) -> Vec<i64> {
    let response = browser.get(&format!("/api/sync_runs{query}")).await;
    assert_eq!(response.status(), StatusCode::OK, "GET /api/sync_runs");
    let runs: Value = response.json().await.expect("runs JSON");
    runs.as_array()
        .expect("a list of runs")
        .iter()
        .map(|r| r["id"].as_i64().expect("run id"))
        .collect()
}

async fn run_ids(db: &Db, tenant: TenantId) -> Vec<i64> {
    let runs = sync::list(db, tenant, None, 100).await.expect("runs");
    runs.iter().map(|r| r.id.get()).collect()
}

db_test!(
    the_sync_tab_and_its_functions_need_a_login,
    |db| async move {
        // Arrange
        let (_sim, app) = app_with_simulator(&db).await;
        let (_, tenant) = connected(&app, "alphaco").await;
        let stranger = app.browser();
        let runs_before = run_ids(&db, tenant).await;

        // Act
        let page = stranger.navigate(SYNC_PAGE).await;
        let history = stranger.navigate("/events?view=runs").await;
        let overview = stranger.get("/api/sync").await;
        let list = stranger.get("/api/sync_runs").await;
        let pressed = request(&stranger, "products", "sync_now").await;

        // Assert
        for response in [page, history] {
            assert_eq!(response.status(), StatusCode::FOUND);
            assert!(location(&response).starts_with("/login"));
        }
        for response in [overview, list, pressed] {
            let expected = (StatusCode::UNAUTHORIZED, AppError::NotAuthenticated);
            assert_eq!(api_error(response).await, expected);
        }
        assert_eq!(run_ids(&db, tenant).await, runs_before, "nothing queued");
    }
);

db_test!(
    the_tab_shows_the_queued_imports_and_the_budget,
    |db| async move {
        // Arrange: connecting queues the imports and costs two calls: GET /self, and the
        // Webhooks API's list, which tells whether the app may manage webhooks there.
        let (_sim, app) = app_with_simulator(&db).await;
        let (browser, _) = connected(&app, "alphaco").await;

        // Act
        let (status, html) = browser.page(SYNC_PAGE).await;

        // Assert
        assert_eq!(status, StatusCode::OK);
        for entity in ["customers", "products", "invoices"] {
            let import = format!(r#"data-test="import-progress-{entity}" data-state="queued""#);
            assert!(html.contains(&import), "{entity}'s import waits: {html}");
        }
        assert!(
            html.contains(r#"<strong data-test="budget-used">2</strong>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"data-test="budget-limit">50.000<"#),
            "{html}"
        );
        assert!(html.contains(r#"data-test="sync-now-products""#));
        assert!(html.contains(r#"data-test="check-now-customers""#));
        assert!(!html.contains(r#"data-test="sync-now-invoices""#));
        assert!(!html.contains(r#"data-test="sync-not-connected""#));
    }
);

db_test!(
    sync_now_twice_answers_that_a_sync_is_already_running,
    |db| async move {
        // Arrange: the imports done with (no worker runs them here).
        let (_sim, app) = app_with_simulator(&db).await;
        let (browser, tenant) = connected(&app, "alphaco").await;
        forget_sync_runs(&db, tenant).await;

        // Act
        let first = request(&browser, "products", "sync_now").await;
        let second = request(&browser, "products", "sync_now").await;
        let check = request(&browser, "products", "check_all").await;

        // Assert
        assert_eq!(first.status(), StatusCode::OK);
        assert_eq!(first.json::<Value>().await.expect("JSON"), "Started");
        assert_eq!(second.json::<Value>().await.expect("JSON"), "AlreadyActive");
        assert_eq!(check.json::<Value>().await.expect("JSON"), "AlreadyActive");
        let runs = sync::list(&db, tenant, None, 10).await.expect("runs");
        assert_eq!(runs.len(), 1, "one run queued: {runs:?}");
        let (kind, status, entity) = (runs[0].kind, runs[0].status, runs[0].entity);
        assert_eq!(
            (kind, status, entity),
            (RunKind::Manual, RunStatus::Queued, Entity::Products)
        );
        // Customers have their own queue.
        let customers = request(&browser, "customers", "check_all").await;
        assert_eq!(customers.json::<Value>().await.expect("JSON"), "Started");
    }
);

db_test!(
    without_javascript_the_buttons_come_back_with_what_they_did,
    |db| async move {
        // Arrange
        let (_sim, app) = app_with_simulator(&db).await;
        let (browser, tenant) = connected(&app, "alphaco").await;
        forget_sync_runs(&db, tenant).await;
        let (_, html) = browser.page(SYNC_PAGE).await;
        let csrf = crate::helpers::csrf_from_html(&html);
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("entity", "products"),
            ("request", "sync_now"),
        ];

        // Act
        let first = browser
            .submit_form("/api/request_sync", SYNC_PAGE, &fields)
            .await;
        let second = browser
            .submit_form("/api/request_sync", SYNC_PAGE, &fields)
            .await;

        // Assert
        assert_eq!(first.status(), StatusCode::FOUND);
        let started = location(&first);
        assert_eq!(
            started,
            format!("{SYNC_PAGE}?started=products&request=sync_now")
        );
        let (_, page) = browser.page(&started).await;
        assert!(
            page.contains(Msg::SyncStartedProducts.text(Lang::Da)),
            "{page}"
        );
        assert!(
            page.contains(r#"data-test="active-run-products""#),
            "{page}"
        );
        let busy = location(&second);
        assert_eq!(busy, format!("{SYNC_PAGE}?busy=products"));
        let (_, page) = browser.page(&busy).await;
        assert!(
            page.contains(Msg::SyncBusyProducts.text(Lang::Da)),
            "{page}"
        );
    }
);

db_test!(invoices_have_no_sync_now, |db| async move {
    // Arrange
    let (_sim, app) = app_with_simulator(&db).await;
    let (browser, tenant) = connected(&app, "alphaco").await;
    forget_sync_runs(&db, tenant).await;

    // Act
    let response = request(&browser, "invoices", "sync_now").await;

    // Assert
    let expected = (StatusCode::NOT_FOUND, AppError::NotFound);
    assert_eq!(api_error(response).await, expected);
    assert!(run_ids(&db, tenant).await.is_empty());
});

db_test!(
    a_company_never_sees_another_companys_runs,
    |db| async move {
        // Arrange: both connected (imports queued); bravoco also presses "Sync now".
        let (_sim, app) = app_with_simulator(&db).await;
        let (alpha, alpha_id) = connected(&app, "alphaco").await;
        let (bravo, bravo_id) = connected(&app, "bravoco").await;
        forget_sync_runs(&db, bravo_id).await;
        let pressed = request(&bravo, "customers", "sync_now").await;
        assert_eq!(pressed.json::<Value>().await.expect("JSON"), "Started");
        let alpha_runs = run_ids(&db, alpha_id).await;
        let bravo_runs = run_ids(&db, bravo_id).await;
        assert_eq!((alpha_runs.len(), bravo_runs.len()), (3, 1));
        let newest = bravo_runs.iter().max().copied().expect("bravoco's run");

        // Act
        let listed = listed_ids(&alpha, "").await;
        let paged = listed_ids(&alpha, &format!("?before={}", newest + 1)).await;
        let (_, history) = alpha.page("/events?view=runs").await;
        let (_, tab) = alpha.page(SYNC_PAGE).await;
        let overview: Value = alpha.get("/api/sync").await.json().await.expect("JSON");

        // Assert
        assert_eq!(listed, alpha_runs);
        assert_eq!(paged, alpha_runs);
        for id in &alpha_runs {
            assert!(
                history.contains(&format!(r#"data-run="{id}""#)),
                "{history}"
            );
        }
        for id in &bravo_runs {
            assert!(
                !history.contains(&format!(r#"data-run="{id}""#)),
                "{history}"
            );
            assert!(!tab.contains(&format!(r#"data-run="{id}""#)), "{tab}");
        }
        let customers = &overview["entities"][0];
        assert_eq!(customers["entity"], "customers");
        assert_eq!(
            customers["active"],
            Value::Null,
            "bravoco's sync is not alphaco's"
        );
        assert_eq!(customers["import"]["Queued"]["entity"], "customers");
        assert_eq!(listed_ids(&bravo, "").await, bravo_runs);
    }
);

db_test!(not_connected_the_tab_says_connect_first, |db| async move {
    // Arrange
    let (_sim, app) = app_with_simulator(&db).await;
    let (browser, tenant) = logged_in(&app, "alphaco").await;
    let (status, html) = browser.page(SYNC_PAGE).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = crate::helpers::csrf_from_html(&html);
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("entity", "products"),
        ("request", "sync_now"),
    ];

    // Act
    let pressed = request(&browser, "products", "sync_now").await;
    let submitted = browser
        .submit_form("/api/request_sync", SYNC_PAGE, &fields)
        .await;

    // Assert
    assert!(html.contains(r#"data-test="sync-not-connected""#), "{html}");
    assert!(html.contains(Msg::SyncNotConnectedLink.text(Lang::Da)));
    let expected = (StatusCode::CONFLICT, AppError::NotConnected);
    assert_eq!(api_error(pressed).await, expected);
    assert_eq!(submitted.status(), StatusCode::FOUND);
    let back = location(&submitted);
    assert!(back.contains("__err="), "back with the error: {back}");
    let (_, page) = browser
        .page(back.trim_start_matches(&browser.address))
        .await;
    assert!(
        page.contains(Msg::ErrorNotConnected.text(Lang::Da)),
        "{page}"
    );
    assert!(run_ids(&db, tenant).await.is_empty());
});
