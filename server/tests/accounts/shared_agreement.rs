//! Two companies connecting one e-conomic agreement as new users would, over HTTP:
//! each connects with the same token and saves its Advanced Settings with the customer webhook
//! ticked ("created for me" is the default when the agreement allows the Webhooks API). The
//! first gets the webhook; the second is told whose it is, and nothing of the first's changes;
//! both pages show that the agreement is shared and who receives which type; staff see it.

use app::api::managed_webhooks::{ManagedOverview, OutcomeView, ReceiverView};
use backend::db_test;
use economic::Entity;
use economic_sim::{SimConfig, Simulator};
use reqwest::StatusCode;

use crate::helpers::{Browser, owner, spawn_app_with};

async fn post(browser: &Browser, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let token = browser.csrf_token().await;
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    browser.post_form(path, &all).await
}

/// Connects with `demo` and saves: customers by webhook, products hourly.
async fn connect_and_save(browser: &Browser) {
    let connected = post(browser, "/api/connect_economic", &[("grant_token", "demo")]).await;
    assert!(connected.status().is_success(), "{}", connected.status());
    let saved = post(
        browser,
        "/api/save_settings",
        &[("customers_webhook", "on"), ("products_hourly", "on")],
    )
    .await;
    assert!(saved.status().is_success(), "{}", saved.status());
}

async fn overview(browser: &Browser) -> ManagedOverview {
    browser
        .get("/api/managed_webhooks")
        .await
        .json()
        .await
        .expect("JSON")
}

db_test!(
    two_companies_on_one_agreement_as_new_users_would,
    |db| async move {
        let sim = Simulator::start(SimConfig::default())
            .await
            .expect("simulator");
        let base_url = sim.base_url();
        let app = spawn_app_with(&db, &["--economic-base-url", base_url.as_str()]).await;
        let (first, second) = (owner(&db, "first").await, owner(&db, "second").await);
        let (a, b) = (app.browser(), app.browser());
        for (browser, who) in [(&a, &first), (&b, &second)] {
            let logged_in = browser.log_in(who.email.as_ref(), &who.password).await;
            assert_eq!(logged_in.status(), StatusCode::OK);
        }

        connect_and_save(&a).await;
        connect_and_save(&b).await;
        let (first_view, second_view) = (overview(&a).await, overview(&b).await);
        let (_, first_page) = a.page("/settings/apps/economic").await;
        let (_, second_page) = b.page("/settings/apps/economic/advanced").await;

        // e-conomic has one customer webhook, the first company's.
        let hooks = sim.agreement().webhooks();
        assert_eq!(hooks.len(), 1, "{hooks:?}");
        assert_eq!(hooks[0].kind, Entity::Customers);
        assert!(
            hooks[0].url.contains(&format!(
                "/webhooks/economic/{}/customers/",
                first.tenant_id
            )),
            "{}",
            hooks[0].url
        );
        let customers = |view: &ManagedOverview| {
            view.webhooks
                .iter()
                .find(|w| w.kind == "customers")
                .cloned()
                .expect("customers")
        };
        assert_eq!(customers(&first_view).outcome, Some(OutcomeView::Created));
        let refused = customers(&second_view);
        assert_eq!(refused.outcome, Some(OutcomeView::OtherCompany));
        assert_eq!(refused.other_company.as_deref(), Some("first ApS"));
        // Both are shown the shared agreement and who receives the customer webhook.
        for view in [&first_view, &second_view] {
            let shared = view.shared.clone().expect("shared");
            assert_eq!(shared.companies.len(), 2);
            let (_, receiver) = shared
                .receivers
                .iter()
                .find(|(name, _)| name == "Kunde opdateret")
                .expect("customers")
                .clone();
            assert!(
                matches!(&receiver, ReceiverView::Company(c) if c.name == "first ApS"),
                "{receiver:?}"
            );
        }
        assert!(
            first_page.contains(r#"data-test="shared-agreement""#),
            "{first_page}"
        );
        assert!(
            second_page.contains("first ApS"),
            "the second is told whose it is"
        );
        assert!(second_page.contains(r#"data-test="economic-outcome-customers""#));
        sim.shutdown();
    }
);
