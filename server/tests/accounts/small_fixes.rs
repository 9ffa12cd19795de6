//! Small findings of a security probe, over HTTP on both databases: an impersonation reason is a
//! sentence or names a ticket; `%` and `_` in a search match themselves; the no-JavaScript error
//! redirect stays on this app's origin; the preload links never carry the CSP nonce; `/metrics`
//! takes the `bearer` scheme in any case. (The webhook parser's messages for a customer body with
//! several `&` and for multipart bodies are tested in `economic/src/webhook/tests.rs`.)

use app::error::AppError;
use backend::queue::Fenced;
use backend::records::{self, CustomerRecord, ProductRecord};
use backend::{Db, TenantId, Timestamp, db_test};
use economic::types::{Customer, Product};
use economic::{CustomerNumber, ProductNumber};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, LOCATION, REFERER};
use serde_json::json;

use crate::helpers::{Browser, api_error, owner, spawn_app, spawn_app_with};
use crate::impersonation::{assert_done, staff_browser, start, tenant_of};

async fn logged_in(app: &crate::helpers::TestApp, who: &backend::testing::Owner) -> Browser {
    let browser = app.browser();
    let response = browser.log_in(who.email.as_str(), &who.password).await;
    assert_eq!(response.status(), StatusCode::OK, "log in");
    browser
}

db_test!(a_reason_is_a_sentence_or_names_a_ticket, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let owner = app.signed_up("alphaco").await;
    let tenant = tenant_of(&owner).await;
    let staff = staff_browser(&app, &db).await;

    // Act
    let letters = start(&staff, tenant, "ab cd ef").await;
    let ticket = start(&staff, tenant, "see SUP-42").await;

    // Assert
    assert_eq!(
        api_error(letters).await,
        (StatusCode::UNPROCESSABLE_ENTITY, AppError::ReasonRequired)
    );
    assert_done(&ticket);
});

async fn seed(db: &Db, tenant: TenantId) {
    let list = [("P-1", "Widget"), ("P_2", "Sale 50% off"), ("P3", "Plain")];
    let fetched: Vec<(Product, serde_json::Value)> = list
        .iter()
        .map(|(n, name)| {
            let number = ProductNumber::parse(n).expect("product number");
            (Product::new(number, *name), json!({}))
        })
        .collect();
    let people = [(1, "Ann 100%"), (2, "Bo"), (3, "C_D")];
    let customers_fetched: Vec<(Customer, serde_json::Value)> = people
        .iter()
        .map(|(n, name)| {
            let number = CustomerNumber::new(*n).expect("customer number");
            (Customer::new(number, *name), json!({}))
        })
        .collect();
    let mut tx = Fenced::unchecked_for_tests(db.begin(tenant).await.expect("begin"), tenant);
    records::upsert_many::<ProductRecord>(&mut tx, tenant, &fetched, Timestamp::now())
        .await
        .expect("store products");
    records::upsert_many::<CustomerRecord>(&mut tx, tenant, &customers_fetched, Timestamp::now())
        .await
        .expect("store customers");
    tx.commit().await.expect("commit");
}

db_test!(
    percent_and_underscore_in_a_search_match_themselves,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let acme = owner(&db, "acme").await;
        seed(&db, acme.tenant_id).await;
        let browser = logged_in(&app, &acme).await;

        // Act
        let (_, percent) = browser.page("/products?q=%25").await;
        let (_, underscore) = browser.page("/products?q=_").await;
        let (_, people) = browser.page("/customers?q=%25").await;
        let (_, people_underscore) = browser.page("/customers?q=_").await;

        // Assert
        assert!(
            percent.contains("Sale 50% off") && !percent.contains("Widget"),
            "'%' matches a '%' only"
        );
        assert!(!percent.contains("Plain"));
        assert!(
            underscore.contains("Sale 50% off") && !underscore.contains("Widget"),
            "'_' matches a '_' only (P_2)"
        );
        assert!(people.contains("Ann 100%") && !people.contains(">Bo<"));
        assert!(people_underscore.contains("C_D") && !people_underscore.contains("Ann 100%"));
    }
);

db_test!(
    a_form_error_redirects_only_to_this_apps_own_origin,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let acme = owner(&db, "acme").await;
        let browser = app.browser();
        let csrf = browser.csrf_token().await;
        let form = [
            ("csrf_token", csrf.as_str()),
            ("email", acme.email.as_str()),
            ("password", "not the password"),
        ];
        let post = |referer: String| {
            browser
                .client
                .post(browser.url("/api/log_in"))
                .header(ACCEPT, "text/html,application/xhtml+xml")
                .header(REFERER, referer)
                .form(&form)
                .send()
        };

        // Act
        let foreign = post("https://evil.example/login".to_owned())
            .await
            .expect("POST");
        let own = post(browser.url("/login")).await.expect("POST");

        // Assert
        assert!(foreign.status().is_redirection(), "{}", foreign.status());
        let to = foreign.headers()[LOCATION].to_str().expect("ASCII");
        assert!(
            !to.contains("evil.example"),
            "never to another origin: {to}"
        );
        assert!(to.starts_with('/') && !to.starts_with("//"), "{to}");
        let back = own.headers()[LOCATION].to_str().expect("ASCII");
        assert!(
            back.starts_with(&browser.url("/login")),
            "back to the page, with the error: {back}"
        );
    }
);

db_test!(the_preload_links_never_carry_the_nonce, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let browser = app.browser();

    // Act
    let response = browser.navigate("/login").await;
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .expect("ASCII")
        .to_owned();
    let html = response.text().await.expect("page");

    // Assert
    let (_, after) = policy.split_once("'nonce-").expect("a nonce in the CSP");
    let nonce = after.split('\'').next().expect("the nonce");
    assert!(html.contains(r#"rel="modulepreload""#), "{html}");
    assert!(html.contains(r#"rel="preload""#), "{html}");
    let appearances = html.matches(nonce).count();
    let on_scripts = html.matches(&format!(r#"nonce="{nonce}""#)).count();
    assert!(on_scripts >= 1, "the hydration script carries it");
    assert_eq!(
        appearances, on_scripts,
        "the nonce only in nonce attributes: {html}"
    );
    for link in html.split("<link").skip(1) {
        let tag = link.split('>').next().unwrap_or_default();
        if tag.contains("preload") {
            assert!(tag.contains(r#"crossorigin="""#), "{tag}");
        }
    }
});

db_test!(
    metrics_take_the_bearer_scheme_in_any_case,
    |db| async move {
        // Arrange
        let token = "metrics-token-for-the-test";
        let app = spawn_app_with(&db, &["--metrics-token", token]).await;
        let client = reqwest::Client::new();
        let scrape = |scheme: &'static str| {
            client
                .get(format!("{}/metrics", app.address))
                .header("authorization", format!("{scheme} {token}"))
                .send()
        };

        // Act
        let lower = scrape("bearer").await.expect("GET");
        let upper = scrape("BEARER").await.expect("GET");
        let basic = scrape("Basic").await.expect("GET");

        // Assert
        assert_eq!(lower.status(), StatusCode::OK);
        assert_eq!(upper.status(), StatusCode::OK);
        assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
    }
);
