//! Roles: the owner and the admins they make manage the connection, the settings, the webhook
//! URLs (credentials) and the team; members see the history and the data, and nothing of the
//! URLs. Every state-changing call a member could make is refused on the server.

use app::error::AppError;
use backend::db_test;
use reqwest::StatusCode;

use crate::helpers::{Browser, TestApp, api_error, spawn_app};

const BO_PASSWORD: &str = "bo's password 1";

/// Anna's company with Bo as a member; both logged in.
async fn company(app: &TestApp) -> (Browser, Browser, i64) {
    let anna = app.signed_up("acme").await;
    let token = anna.invite("bo@acme.test").await;
    let bo = app.browser();
    let joined = bo.accept_invite(&token, "Bo Jensen", BO_PASSWORD).await;
    assert_eq!(joined.status(), StatusCode::OK);
    let team = anna.team().await;
    let bo_id = team["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["email"] == "bo@acme.test")
        .and_then(|m| m["user_id"].as_i64())
        .expect("Bo's id");
    (anna, bo, bo_id)
}

async fn post(browser: &Browser, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let token = browser.csrf_token().await;
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    browser.post_form(path, &all).await
}

/// Every state-changing call of the settings, team, history and sync areas.
const MANAGER_CALLS: [(&str, &[(&str, &str)]); 14] = [
    ("/api/save_settings", &[("products_webhook", "on")]),
    ("/api/regenerate_webhook_url", &[("kind", "products")]),
    ("/api/create_in_economic", &[("kind", "products")]),
    ("/api/delete_in_economic", &[("kind", "products")]),
    (
        "/api/set_webhook_mode",
        &[("kind", "products"), ("mode", "manual")],
    ),
    ("/api/check_economic_webhooks", &[]),
    ("/api/connect_economic", &[("grant_token", "demo")]),
    ("/api/disconnect_economic", &[]),
    ("/api/create_invite", &[("email", "carl@acme.test")]),
    ("/api/revoke_old_webhook_urls", &[("kind", "products")]),
    (
        "/api/set_member_role",
        &[("user_id", "1"), ("role", "Admin")],
    ),
    ("/api/replay_failed", &[]),
    ("/api/replay_event", &[("id", "1")]),
    (
        "/api/request_sync",
        &[("entity", "products"), ("request", "sync_now")],
    ),
];

db_test!(
    members_see_history_and_data_but_change_nothing_and_never_see_the_urls,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let (anna, bo, _) = company(&app).await;

        // Act + Assert: every change is refused on the server.
        for (path, fields) in MANAGER_CALLS {
            let (status, error) = api_error(post(&bo, path, fields).await).await;
            assert_eq!(
                (status, error),
                (StatusCode::FORBIDDEN, AppError::Forbidden),
                "{path}"
            );
        }
        let (status, error) = api_error(bo.get("/api/advanced_settings").await).await;
        assert_eq!(
            (status, error),
            (StatusCode::FORBIDDEN, AppError::Forbidden)
        );
        let (_, page) = bo.page("/settings/apps/economic/advanced").await;
        assert!(
            !page.contains("/webhooks/economic/"),
            "no webhook URL on the page"
        );
        // What members may do.
        for path in [
            "/events",
            "/products",
            "/customers",
            "/settings/apps/economic/sync",
        ] {
            let (status, _) = bo.page(path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
        }
        let settings: serde_json::Value = anna
            .get("/api/advanced_settings")
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(
            settings["settings"]["products_webhook"], false,
            "nothing was saved"
        );
    }
);

db_test!(
    the_owner_makes_a_member_an_admin_who_then_manages,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let (anna, bo, bo_id) = company(&app).await;
        let id = bo_id.to_string();

        // Act
        let made = post(
            &anna,
            "/api/set_member_role",
            &[("user_id", &id), ("role", "Admin")],
        )
        .await;

        // Assert
        assert!(made.status().is_success(), "{}", made.status());
        let settings = bo.get("/api/advanced_settings").await;
        assert_eq!(settings.status(), StatusCode::OK);
        let body = settings.text().await.expect("body");
        assert!(body.contains("/webhooks/economic/"), "admins see the URLs");
        let saved = post(&bo, "/api/save_settings", &[("products_webhook", "on")]).await;
        assert!(saved.status().is_success(), "{}", saved.status());
        // Only the owner decides roles, and the company keeps its one owner.
        let anna_id = anna.team().await["members"][0]["user_id"]
            .as_i64()
            .expect("id")
            .to_string();
        for (who, fields) in [
            (&bo, [("user_id", id.as_str()), ("role", "Member")]),
            (&anna, [("user_id", anna_id.as_str()), ("role", "Member")]),
            (&anna, [("user_id", id.as_str()), ("role", "Owner")]),
        ] {
            let (status, error) = api_error(post(who, "/api/set_member_role", &fields).await).await;
            assert_eq!(
                (status, error),
                (StatusCode::FORBIDDEN, AppError::Forbidden),
                "{fields:?}"
            );
        }
        // Back to member: refused again.
        let back = post(
            &anna,
            "/api/set_member_role",
            &[("user_id", &id), ("role", "Member")],
        )
        .await;
        assert!(back.status().is_success());
        let (status, _) = api_error(bo.get("/api/advanced_settings").await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (_, log) = anna.page("/settings/activity").await;
        assert!(log.contains("bo@acme.test: admin") && log.contains("bo@acme.test: member"));
    }
);

db_test!(roles_cannot_be_set_across_companies, |db| async move {
    let app = spawn_app(&db).await;
    let (_anna, _bo, bo_id) = company(&app).await;
    let eve = app.signed_up("evil").await;

    let (status, error) = api_error(
        post(
            &eve,
            "/api/set_member_role",
            &[("user_id", &bo_id.to_string()), ("role", "Admin")],
        )
        .await,
    )
    .await;

    assert_eq!((status, error), (StatusCode::NOT_FOUND, AppError::NotFound));
});
