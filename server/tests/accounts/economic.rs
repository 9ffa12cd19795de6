//! Connecting e-conomic and saving Advanced Settings over HTTP, as the settings page's forms do:
//! each way connecting can fail gets its own error (and saves nothing), and the server refuses
//! hourly + webhook for one entity however the form was filled in; the buttons that create and
//! delete the webhooks in e-conomic, and the activity log's record of them; saving creates the
//! ticked webhooks the app makes ("created for me", the default the agreement allows).

use app::api::managed_webhooks::OutcomeView;
use app::error::{AppError, EconomicTrouble};
use app::i18n::{Lang, Msg};
use backend::settings::{self, Mode, SyncSettings};
use backend::{connection, db_test};
use economic::Entity;
use economic_sim::{Knobs, SimConfig, SimHandle, Simulator};
use reqwest::StatusCode;

use crate::helpers::{Browser, TestApp, api_error, owner, spawn_app_with};

/// The app talking to a fresh simulator, with a 1 s e-conomic timeout, and the logged-in owner
/// of a new company.
async fn connected_setup(db: &backend::Db) -> (SimHandle, TestApp, Browser, backend::TenantId) {
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("simulator");
    let base_url = sim.base_url();
    let flags = [
        "--economic-base-url",
        base_url.as_str(),
        "--economic-timeout-secs",
        "1",
    ];
    let app = spawn_app_with(db, &flags).await;
    let acme = owner(db, "acme").await;
    let browser = app.browser();
    let email = acme.email.to_string();
    let logged_in = browser.log_in(&email, &acme.password).await;
    assert_eq!(logged_in.status(), StatusCode::OK, "log in");
    (sim, app, browser, acme.tenant_id)
}

/// `POST /api/connect_economic` with `grant_token`.
async fn connect(browser: &Browser, grant_token: &str) -> reqwest::Response {
    let csrf = browser.csrf_token().await;
    let fields = [("csrf_token", csrf.as_str()), ("grant_token", grant_token)];
    browser.post_form("/api/connect_economic", &fields).await
}

/// Connecting failed with `expected` and nothing was saved.
async fn assert_refused(
    response: reqwest::Response,
    app: &TestApp,
    tenant: backend::TenantId,
    expected: (StatusCode, AppError),
) {
    assert_eq!(api_error(response).await, expected);
    let stored = connection::get(&app.db, tenant).await.expect("read");
    assert_eq!(stored, None, "nothing is saved when connecting fails");
}

/// The answer when e-conomic cannot be used just now, for `trouble`.
fn unavailable(trouble: EconomicTrouble) -> (StatusCode, AppError) {
    let error = AppError::EconomicUnavailable { trouble };
    (StatusCode::SERVICE_UNAVAILABLE, error)
}

db_test!(a_wrong_grant_token_is_refused, |db| async move {
    let (_sim, app, browser, tenant) = connected_setup(&db).await;

    let response = connect(&browser, "not-a-token").await;

    let expected = (StatusCode::UNPROCESSABLE_ENTITY, AppError::EconomicRejected);
    assert_refused(response, &app, tenant, expected).await;
});

db_test!(
    a_grant_token_with_line_breaks_is_refused_not_a_500,
    |db| async move {
        let (_sim, app, browser, tenant) = connected_setup(&db).await;

        for token in ["de\r\nmo", "demo\u{0}x", "de mo"] {
            let response = connect(&browser, token).await;

            let expected = (StatusCode::UNPROCESSABLE_ENTITY, AppError::EconomicRejected);
            assert_refused(response, &app, tenant, expected).await;
        }
    }
);

db_test!(the_right_grant_token_connects, |db| async move {
    let (_sim, app, browser, tenant) = connected_setup(&db).await;

    let response = connect(&browser, "demo").await;

    assert!(response.status().is_success(), "{}", response.status());
    let stored = connection::get(&app.db, tenant).await.expect("read");
    assert_eq!(stored.map(|c| c.company_name).as_deref(), Some("Demo ApS"));
});

db_test!(
    a_slow_economic_is_a_timeout_and_saves_nothing,
    |db| async move {
        let (sim, app, browser, tenant) = connected_setup(&db).await;
        sim.set_knobs(Knobs {
            latency_ms: 3_000,
            ..Knobs::default()
        });

        let response = connect(&browser, "demo").await;

        let expected = unavailable(EconomicTrouble::TimedOut);
        assert_refused(response, &app, tenant, expected).await;
    }
);

db_test!(
    an_unreachable_economic_is_named_and_saves_nothing,
    |db| async move {
        let (sim, app, browser, tenant) = connected_setup(&db).await;
        sim.shutdown();
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;

        let response = connect(&browser, "demo").await;

        let expected = unavailable(EconomicTrouble::Unreachable);
        assert_refused(response, &app, tenant, expected).await;
    }
);

db_test!(
    a_failing_economic_is_named_and_saves_nothing,
    |db| async move {
        let (sim, app, browser, tenant) = connected_setup(&db).await;
        sim.set_knobs(Knobs {
            error_rate: 1.0,
            ..Knobs::default()
        });

        let response = connect(&browser, "demo").await;

        let expected = unavailable(EconomicTrouble::Failing);
        assert_refused(response, &app, tenant, expected).await;
    }
);

db_test!(
    hourly_and_webhook_for_one_entity_are_refused_and_nothing_saved,
    |db| async move {
        let (_sim, app, browser, tenant) = connected_setup(&db).await;
        let before = settings::get(&app.db, tenant).await.expect("settings");
        let csrf = browser.csrf_token().await;

        // A form no page would send: both boxes of products ticked, plus a valid invoice box.
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("products_hourly", "on"),
            ("products_webhook", "on"),
            ("invoices_webhook", "on"),
        ];
        let response = browser.post_form("/api/save_settings", &fields).await;

        let entity = Entity::Products;
        assert_eq!(
            api_error(response).await,
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                AppError::SettingsConflict { entity }
            )
        );
        let after = settings::get(&app.db, tenant).await.expect("settings");
        assert_eq!(after, before, "nothing saved");

        // The allowed combination is saved.
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("customers_hourly", "on"),
            ("products_webhook", "on"),
        ];
        let response = browser.post_form("/api/save_settings", &fields).await;
        assert!(response.status().is_success(), "{}", response.status());
        let saved = settings::get(&app.db, tenant).await.expect("settings");
        let expected = SyncSettings {
            products: Mode::Webhook,
            customers: Mode::Hourly,
            invoices_webhook: false,
        };
        assert_eq!(saved, expected);
    }
);

db_test!(demo_mode_shows_where_the_simulator_is, |db| async move {
    let master = backend::Keys::generate_master_base64();
    let flags = [
        "--demo",
        "--sim-addr",
        "127.0.0.1:0",
        "--secret-key",
        &master,
    ];
    let demo = spawn_app_with(&db, &flags).await;
    let acme = owner(&db, "acme").await;
    let browser = demo.browser();
    let email = acme.email.to_string();
    let logged_in = browser.log_in(&email, &acme.password).await;
    assert_eq!(logged_in.status(), StatusCode::OK, "log in");

    let (status, page) = browser.page("/settings/apps/economic").await;

    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"data-test="demo-hint""#), "{page}");
    let answer = browser.get("/api/economic_demo").await;
    let sim_page: Option<String> = answer.json().await.expect("JSON");
    let sim_page = sim_page.expect("demo mode names the simulator's page");
    assert!(page.contains(&sim_page), "the page links {sim_page}");
    let opened = reqwest::get(&sim_page)
        .await
        .expect("open the simulator page");
    assert_eq!(opened.status(), StatusCode::OK);
});

db_test!(outside_demo_mode_no_simulator_is_shown, |db| async move {
    let (_sim, _app, browser, _tenant) = connected_setup(&db).await;

    let (status, page) = browser.page("/settings/apps/economic").await;

    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains(r#"data-test="demo-hint""#), "{page}");
    let answer = browser.get("/api/economic_demo").await;
    let sim_page: Option<String> = answer.json().await.expect("JSON");
    assert_eq!(sim_page, None);
});

db_test!(
    the_settings_buttons_create_and_delete_the_webhook_in_e_conomic_and_log_it,
    |db| async move {
        // Arrange: connected, the product webhook made by hand ("I create it myself"), saved.
        let (sim, _app, browser, _tenant) = connected_setup(&db).await;
        assert!(connect(&browser, "demo").await.status().is_success());
        let csrf = browser.csrf_token().await;
        let manual = [
            ("csrf_token", csrf.as_str()),
            ("kind", "products"),
            ("mode", "manual"),
        ];
        let chosen = browser.post_form("/api/set_webhook_mode", &manual).await;
        assert!(chosen.status().is_success(), "{}", chosen.status());
        let save = [("csrf_token", csrf.as_str()), ("products_webhook", "on")];
        let saved = browser.post_form("/api/save_settings", &save).await;
        assert!(saved.status().is_success(), "{}", saved.status());
        assert!(sim.agreement().webhooks().is_empty(), "made by hand: none");
        let products = [("csrf_token", csrf.as_str()), ("kind", "products")];

        // Act
        let created = browser
            .post_form("/api/create_in_economic", &products)
            .await;
        let created: OutcomeView = created.json().await.expect("JSON outcome");
        let in_economic = sim.agreement().webhooks();
        let deleted = browser
            .post_form("/api/delete_in_economic", &products)
            .await;
        let deleted: OutcomeView = deleted.json().await.expect("JSON outcome");
        let (_, activity) = browser.page("/settings/activity").await;

        // Assert
        assert_eq!(created, OutcomeView::Created);
        assert_eq!(in_economic.len(), 1, "{in_economic:?}");
        assert_eq!(in_economic[0].kind, Entity::Products);
        assert!(
            in_economic[0].url.contains("/webhooks/economic/"),
            "our URL: {}",
            in_economic[0].url
        );
        assert_eq!(deleted, OutcomeView::Deleted);
        assert!(
            sim.agreement().webhooks().is_empty(),
            "deleted in e-conomic"
        );
        let logged = Msg::ActivityEconomicWebhookChanged.text(Lang::Da);
        assert!(activity.contains(logged), "{activity}");
        assert!(activity.contains("products: created"), "{activity}");
        assert!(activity.contains("products: deleted"), "{activity}");
    }
);

db_test!(
    saving_creates_the_ticked_webhooks_the_app_makes,
    |db| async move {
        let (sim, _app, browser, _tenant) = connected_setup(&db).await;
        assert!(connect(&browser, "demo").await.status().is_success());
        let csrf = browser.csrf_token().await;

        let save = [("csrf_token", csrf.as_str()), ("invoices_webhook", "on")];
        let saved = browser.post_form("/api/save_settings", &save).await;

        assert!(saved.status().is_success(), "{}", saved.status());
        let hooks = sim.agreement().webhooks();
        assert_eq!(hooks.len(), 1, "{hooks:?}");
        assert_eq!(hooks[0].kind, Entity::Invoices);
        assert!(hooks[0].api.is_some(), "made through the Webhooks API");
    }
);
