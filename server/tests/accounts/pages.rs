//! Server-rendered pages: language, redirects, 404s, security headers.

use app::i18n::{Lang, Msg};
use backend::db_test;
use reqwest::StatusCode;

use crate::helpers::{location, spawn_app};

db_test!(pages_are_danish_by_default, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let browser = app.browser();

    for (path, title) in [("/login", Msg::LoginTitle), ("/signup", Msg::SignupTitle)] {
        // Act
        let (status, html) = browser.page(path).await;

        // Assert
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains(r#"lang="da""#), "{path}: {html}");
        assert!(html.contains(title.text(Lang::Da)), "{path}: {html}");
        assert!(
            html.contains(r#"name="csrf_token""#),
            "{path} has a CSRF field"
        );
    }
});

db_test!(
    the_language_switch_sets_a_cookie_and_goes_back,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let browser = app.browser();

        // Act
        let response = browser.get("/lang/en?next=/signup").await;

        // Assert
        assert!(response.status().is_redirection(), "{}", response.status());
        assert_eq!(location(&response), "/signup");
        assert_eq!(browser.cookie("lang").as_deref(), Some("en"));
        let (status, html) = browser.page("/signup").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"lang="en""#));
        assert!(html.contains(Msg::SignupTitle.text(Lang::En)), "{html}");
        assert!(!html.contains(Msg::SignupTitle.text(Lang::Da)));
    }
);

db_test!(unknown_languages_are_not_found, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;

    // Act
    let response = app.browser().get("/lang/xx?next=/login").await;

    // Assert
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
});

db_test!(the_language_switch_stays_on_this_site, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let browser = app.browser();

    // Browsers drop tabs and line breaks inside URLs: "/\t/evil.example" is "//evil.example".
    let tricks = [
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
    ];
    for next in tricks {
        // Act
        let response = browser
            .client
            .get(browser.url("/lang/en"))
            .query(&[("next", next)])
            .send()
            .await
            .expect("GET /lang/en");

        // Assert
        assert!(
            response.status().is_redirection(),
            "{next:?}: {}",
            response.status()
        );
        assert_eq!(location(&response), "/", "{next:?} is not followed");
    }
});

db_test!(unknown_pages_are_not_found, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;

    // Act
    let (status, html) = app.browser().page("/no-such-page").await;

    // Assert
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains(Msg::NotFoundTitle.text(Lang::Da)), "{html}");
});

db_test!(private_pages_send_visitors_to_the_login, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let browser = app.browser();

    for path in ["/settings", "/team", "/"] {
        // Act
        let response = browser.navigate(path).await;

        // Assert
        assert_eq!(response.status(), StatusCode::FOUND, "{path}");
        assert_eq!(location(&response), "/login", "{path}");
    }
});

db_test!(
    the_home_page_shows_a_new_company_that_it_is_not_connected,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let browser = app.signed_up("acme").await;

        // Act
        let (status, page) = browser.page("/").await;
        let anonymous = app.browser().navigate("/").await;

        // Assert: the home page, each entity "not connected" with the way to connect, never "OK".
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains(r#"data-test="onboarding""#), "{page}");
        assert_eq!(
            page.matches(r#"data-state="not_connected""#).count(),
            3,
            "{page}"
        );
        assert_eq!(page.matches(r#"data-test="connect""#).count(), 3, "{page}");
        assert!(!page.contains(r#"data-test="health-state""#), "{page}");
        assert_eq!(anonymous.status(), StatusCode::FOUND);
        assert_eq!(location(&anonymous), "/login");
    }
);

db_test!(security_headers_are_on_every_response, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let browser = app.browser();

    for path in [
        "/login",
        "/api/session",
        "/healthz",
        "/no-such-page",
        "/lang/en",
    ] {
        // Act
        let response = browser.get(path).await;

        // Assert
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        // Pages and APIs carry webhook URLs (credentials) and per-user data.
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        let csp = headers["content-security-policy"].to_str().expect("ascii");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            !headers.contains_key("strict-transport-security"),
            "{path}: http"
        );
    }
});

db_test!(
    pages_allow_only_the_scripts_that_carry_their_nonce,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let browser = app.browser();

        // Act
        let first = browser.get("/login").await;
        let csp = first.headers()["content-security-policy"]
            .to_str()
            .expect("ascii")
            .to_owned();
        let html = first.text().await.expect("html");
        let second = browser.get("/login").await;

        // Assert
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce in the policy");
        assert!(nonce.len() >= 16, "{nonce}");
        assert!(csp.contains("script-src 'self' 'nonce-"), "{csp}");
        assert!(
            !csp.contains("unsafe-inline'; script") && !csp.contains("script-src *"),
            "{csp}"
        );
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "the inline scripts carry it"
        );
        let other = second.headers()["content-security-policy"]
            .to_str()
            .expect("ascii");
        assert!(!other.contains(nonce), "a new nonce for every page");
        // The API's answers may run nothing at all.
        let api = browser.get("/api/session").await;
        let api_csp = api.headers()["content-security-policy"]
            .to_str()
            .expect("ascii");
        assert!(api_csp.starts_with("default-src 'none'"), "{api_csp}");
    }
);

db_test!(https_deployments_send_hsts, |db| async move {
    // Arrange
    let app =
        crate::helpers::spawn_app_with(&db, &["--public-url", "https://sync.example.com"]).await;

    // Act
    let response = app.browser().get("/login").await;

    // Assert
    let hsts = response.headers()["strict-transport-security"]
        .to_str()
        .expect("ascii");
    assert!(hsts.starts_with("max-age=31536000"), "{hsts}");
});
