//! Staff impersonation over HTTP: started only by a POST with a reason, read-only on every
//! state-changing route until elevated, a banner on every page, a time limit, no staff side from
//! inside, every request recorded, and the tenant's own view and veto.

use app::error::AppError;
use backend::{Db, TenantId, db_test};
use leptos::server_fn::axum::server_fn_paths;
use reqwest::StatusCode;

use crate::helpers::{Browser, TestApp, api_error, count, location, spawn_app};
use crate::isolation::{assert_no_page_shows, every_get_path, two_companies};
use crate::staff::{create_staff, enrol};

pub(crate) const REASON: &str = "customer reports stuck product sync";

/// The id of the company `browser` acts for.
pub(crate) async fn tenant_of(browser: &Browser) -> TenantId {
    let session = browser.session().await;
    let id = session["user"]["companies"]
        .as_array()
        .expect("companies")
        .iter()
        .find(|c| c["current"] == true)
        .and_then(|c| c["id"].as_i64())
        .expect("the current company");
    TenantId::new(id)
}

/// A logged-in staff browser (second factor enrolled).
pub(crate) async fn staff_browser(app: &TestApp, db: &Db) -> Browser {
    let link = create_staff(db).await;
    let staff = app.browser();
    enrol(&staff, &link).await;
    staff
}

pub(crate) async fn start(staff: &Browser, tenant: TenantId, reason: &str) -> reqwest::Response {
    let csrf = staff.csrf_token().await;
    let tenant = tenant.to_string();
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("tenant_id", tenant.as_str()),
        ("reason", reason),
        ("ticket", "SUP-42"),
    ];
    staff.post_form("/api/impersonation_start", &fields).await
}

pub(crate) async fn post(
    browser: &Browser,
    path: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = browser.csrf_token().await;
    let mut fields = vec![("csrf_token", csrf.as_str())];
    fields.extend_from_slice(extra);
    browser.post_form(path, &fields).await
}

/// Fails unless a form post was done (a server function answers 200, or redirects).
pub(crate) fn assert_done(response: &reqwest::Response) {
    let status = response.status();
    assert!(status.is_success() || status.is_redirection(), "{status}");
}

/// Sets the impersonation's end time into the past, as if its 30 minutes were over.
async fn expire_impersonations(db: &Db) {
    let sql = "update impersonations set expires_at = 1";
    if let Some(pool) = db.sqlite_pool() {
        sqlx::query(sql)
            .execute(pool)
            .await
            .expect("expire on SQLite");
    } else {
        let pool = db.pg_pool().expect("a PostgreSQL pool");
        sqlx::query(sql)
            .execute(pool)
            .await
            .expect("expire on PostgreSQL");
    }
}

db_test!(
    starting_needs_a_post_a_reason_and_cycles_the_session,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let owner = app.signed_up("alphaco").await;
        let tenant = tenant_of(&owner).await;
        let staff = staff_browser(&app, &db).await;
        let before = staff.cookie("sid").expect("a staff session cookie");

        // Act
        let by_get = staff
            .get(&format!(
                "/api/impersonation_start?tenant_id={tenant}&reason=x+y+z&ticket="
            ))
            .await;
        let no_reason = start(&staff, tenant, "").await;
        let one_word = start(&staff, tenant, "because").await;
        let started = start(&staff, tenant, REASON).await;

        // Assert
        assert!(
            !by_get.status().is_success(),
            "GET starts nothing: {}",
            by_get.status()
        );
        assert_eq!(
            api_error(no_reason).await,
            (StatusCode::UNPROCESSABLE_ENTITY, AppError::ReasonRequired)
        );
        assert_eq!(
            api_error(one_word).await,
            (StatusCode::UNPROCESSABLE_ENTITY, AppError::ReasonRequired)
        );
        assert_done(&started);
        assert_eq!(
            count(&db, "impersonations").await,
            1,
            "one started, the refused ones not"
        );
        let during = staff.cookie("sid").expect("a session cookie");
        assert_ne!(before, during, "the session id is cycled at start");
        assert_eq!(staff.session().await["user"]["company"], "alphaco ApS");

        // Act: stop.
        let stopped = post(&staff, "/api/impersonation_stop", &[]).await;

        // Assert
        assert_done(&stopped);
        assert_ne!(
            staff.cookie("sid").expect("a session cookie"),
            during,
            "cycled at stop"
        );
        let session = staff.session().await;
        assert!(
            session["user"].is_null(),
            "back on the staff session: {session}"
        );
        assert_eq!(session["staff"], "Sam Support");
    }
);

db_test!(
    every_page_shows_the_banner_and_every_request_is_recorded,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let owner = app.signed_up("alphaco").await;
        let tenant = tenant_of(&owner).await;
        let staff = staff_browser(&app, &db).await;
        start(&staff, tenant, REASON).await;
        let pages: Vec<String> = every_get_path("1")
            .into_iter()
            .filter(|p| !p.starts_with("/api/") && !p.contains('.') && !p.starts_with("/lang"))
            .filter(|p| !matches!(p.as_str(), "/healthz" | "/readyz"))
            .collect();
        assert!(pages.iter().any(|p| p == "/settings/support"), "{pages:?}");

        for path in &pages {
            // Act
            let (status, html) = staff.page(path).await;

            // Assert
            if path == "/staff" || path.starts_with("/staff/") {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{path}: no staff pages from inside"
                );
            } else if status.is_success() || status == StatusCode::NOT_FOUND {
                assert!(
                    html.contains(r#"id="support-banner""#),
                    "{path} ({status}) lacks the banner"
                );
                assert!(
                    html.contains("Sam Support") && html.contains("alphaco ApS"),
                    "{path}"
                );
                assert!(
                    html.contains(r#"action="/api/impersonation_stop""#),
                    "{path}: Stop"
                );
            } else {
                assert!(status.is_redirection(), "{path}: {status}");
            }
        }
        let recorded = count(&db, "impersonation_requests").await;
        assert!(
            recorded >= i64::try_from(pages.len()).expect("few pages"),
            "{recorded} requests recorded for {} pages: {pages:?}",
            pages.len()
        );
    }
);

db_test!(
    read_only_refuses_every_state_changing_route,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let owner = app.signed_up("alphaco").await;
        let tenant = tenant_of(&owner).await;
        let staff = staff_browser(&app, &db).await;
        start(&staff, tenant, REASON).await;
        let allowed = ["/api/impersonation_stop", "/api/impersonation_elevate"];
        // Every server function that is not a GET, and the plain form routes that change state.
        let mut changing: Vec<String> = server_fn_paths()
            .filter(|(_, method)| *method != http::Method::GET)
            .map(|(path, _)| path.to_owned())
            .filter(|path| !allowed.contains(&path.as_str()))
            .collect();
        changing.push("/events/replay".to_owned());
        assert!(
            changing
                .iter()
                .any(|p| p == "/api/save_sync_settings" || p.contains("settings")),
            "{changing:?}"
        );
        let audit_before = count(&db, "audit_log").await;

        for path in &changing {
            // Act
            let response = post(&staff, path, &[("days", "30"), ("email", "x@example.test")]).await;

            // Assert
            let status = response.status();
            let body = response.text().await.expect("body");
            assert_eq!(status, StatusCode::FORBIDDEN, "{path} must refuse: {body}");
            let error: AppError = serde_json::from_str(&body).expect("an AppError");
            assert!(
                matches!(error, AppError::ReadOnlySupport | AppError::Impersonating),
                "{path}: {error:?}"
            );
        }
        assert_eq!(
            count(&db, "audit_log").await,
            audit_before,
            "nothing was done"
        );
        assert_eq!(count(&db, "invites").await, 0);
    }
);

db_test!(
    elevation_needs_a_reason_and_the_tenants_consent,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let owner = app.signed_up("alphaco").await;
        let tenant = tenant_of(&owner).await;
        let staff = staff_browser(&app, &db).await;
        start(&staff, tenant, REASON).await;

        // Act
        let no_reason = post(&staff, "/api/impersonation_elevate", &[("reason", "now")]).await;
        let elevated = post(
            &staff,
            "/api/impersonation_elevate",
            &[("reason", "must fix the retention setting")],
        )
        .await;
        let write = post(&staff, "/api/set_event_retention", &[("days", "30")]).await;
        let invite = post(&staff, "/api/create_invite", &[("email", "me@staff.test")]).await;

        // Assert
        assert_eq!(api_error(no_reason).await.1, AppError::ReasonRequired);
        assert_done(&elevated);
        assert_done(&write);
        assert_eq!(
            backend::events::retention::get(&db, tenant)
                .await
                .expect("retention"),
            backend::events::retention::Retention::Days30
        );
        assert_eq!(
            api_error(invite).await,
            (StatusCode::FORBIDDEN, AppError::NotForSupport)
        );
        let (_, html) = staff.page("/events").await;
        assert!(
            html.contains(r#"data-elevated="true""#),
            "the banner shows write access"
        );
        let log = backend::audit::for_tenant(&db, tenant, 50)
            .await
            .expect("audit");
        let by_support: Vec<_> = log
            .iter()
            .filter(|e| matches!(e.actor, backend::audit::Actor::Impersonating { .. }))
            .map(|e| e.action)
            .collect();
        use backend::audit::Action as A;
        for action in [
            A::ImpersonationStarted,
            A::ImpersonationElevated,
            A::SettingsSaved,
        ] {
            assert!(
                by_support.contains(&action),
                "{action:?} audited as support: {by_support:?}"
            );
        }

        // Arrange: the owner allows read-only support only; a new impersonation.
        post(&staff, "/api/impersonation_stop", &[]).await;
        let saved = post(&owner, "/api/set_support_access", &[("choice", "ReadOnly")]).await;
        assert_done(&saved);
        start(&staff, tenant, REASON).await;

        // Act
        let refused = post(
            &staff,
            "/api/impersonation_elevate",
            &[("reason", "must fix the retention setting")],
        )
        .await;

        // Assert
        assert_eq!(
            api_error(refused).await,
            (StatusCode::FORBIDDEN, AppError::SupportAccessDenied)
        );
    }
);

db_test!(
    it_ends_by_itself_and_the_tenant_can_forbid_it,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let owner = app.signed_up("alphaco").await;
        let tenant = tenant_of(&owner).await;
        let staff = staff_browser(&app, &db).await;
        start(&staff, tenant, REASON).await;
        expire_impersonations(&db).await;

        // Act
        let page = staff.navigate("/settings").await;

        // Assert
        assert_eq!(page.status(), StatusCode::FOUND);
        assert_eq!(location(&page), "/staff?ended=expired");
        assert!(
            staff.session().await["user"].is_null(),
            "back on the staff session"
        );

        // Arrange: a new one, then the owner forbids support access.
        start(&staff, tenant, REASON).await;
        assert_eq!(staff.page("/settings").await.0, StatusCode::OK);
        let forbidden = post(
            &owner,
            "/api/set_support_access",
            &[("choice", "Forbidden")],
        )
        .await;
        assert_done(&forbidden);

        // Act
        let page = staff.navigate("/events").await;
        let again = start(&staff, tenant, REASON).await;

        // Assert
        assert_eq!(location(&page), "/staff?ended=revoked");
        assert_eq!(
            api_error(again).await,
            (StatusCode::FORBIDDEN, AppError::SupportAccessDenied)
        );
        let support: serde_json::Value = owner
            .get("/api/support_access")
            .await
            .json()
            .await
            .expect("JSON");
        let sessions = support["sessions"].as_array().expect("sessions");
        assert_eq!(sessions.len(), 2, "{support}");
        assert_eq!(sessions[0]["reason"], REASON);
        assert_eq!(sessions[0]["ticket"], "SUP-42");
        assert_eq!(sessions[0]["running"], false);
        assert!(sessions[0]["requests"].as_i64().unwrap_or(0) >= 1);
    }
);

db_test!(no_nesting_and_no_staff_side_from_inside, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let owner = app.signed_up("alphaco").await;
    let other = app.signed_up("bravoco").await;
    let (tenant, bravo) = (tenant_of(&owner).await, tenant_of(&other).await);
    let staff = staff_browser(&app, &db).await;
    start(&staff, tenant, REASON).await;
    post(
        &staff,
        "/api/impersonation_elevate",
        &[("reason", "must check the settings page")],
    )
    .await;

    // Act
    let nested = start(&staff, bravo, REASON).await;
    let dashboard = staff.get("/api/staff_tenants?search=&sort=Problems").await;
    let switch = post(
        &staff,
        "/api/switch_company",
        &[("tenant_id", &bravo.to_string())],
    )
    .await;

    // Assert
    assert_eq!(
        api_error(nested).await,
        (StatusCode::FORBIDDEN, AppError::Impersonating)
    );
    assert_eq!(
        api_error(dashboard).await,
        (StatusCode::FORBIDDEN, AppError::Impersonating)
    );
    assert_eq!(api_error(switch).await.0, StatusCode::FORBIDDEN);
    assert_eq!(count(&db, "impersonations").await, 1);
    assert_eq!(staff.session().await["user"]["company"], "alphaco ApS");
});

db_test!(
    impersonating_one_tenant_never_shows_another,
    |db| async move {
        // Arrange: bravoco's data all contains "bravoco"; staff look at alphaco, with write access.
        let app = spawn_app(&db).await;
        let (alpha, _bravo, bravo_token) = two_companies(&app).await;
        let tenant = tenant_of(&alpha).await;
        let staff = staff_browser(&app, &db).await;
        start(&staff, tenant, REASON).await;
        post(
            &staff,
            "/api/impersonation_elevate",
            &[("reason", "must check every page here")],
        )
        .await;

        let paths: Vec<String> = every_get_path(&bravo_token)
            .into_iter()
            .filter(|p| !p.starts_with("/staff") && !p.starts_with("/api/staff_"))
            .collect();

        // Act + Assert
        assert_no_page_shows(&staff, &paths, "bravoco").await;
    }
);

db_test!(
    support_sees_the_settings_but_never_the_webhook_credentials,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let owner = app.signed_up("alphaco").await;
        let tenant = tenant_of(&owner).await;
        let owners: serde_json::Value = owner
            .get("/api/advanced_settings")
            .await
            .json()
            .await
            .expect("JSON");
        let staff = staff_browser(&app, &db).await;
        start(&staff, tenant, REASON).await;
        post(
            &staff,
            "/api/impersonation_elevate",
            &[("reason", "must check the webhook setup")],
        )
        .await;

        // Act
        let response = staff.get("/api/advanced_settings").await;

        // Assert
        assert_eq!(response.status(), StatusCode::OK);
        let seen = response.text().await.expect("body");
        for webhook in owners["webhooks"].as_array().expect("webhooks") {
            let url = webhook["url"].as_str().expect("url");
            let credential = url.rsplit('/').next().expect("a last segment");
            assert!(
                !seen.contains(credential),
                "support saw the {url} credential"
            );
        }
        assert!(seen.contains("hidden-from-support"), "{seen}");
    }
);

db_test!(
    the_staff_tenant_page_counts_charts_and_replays,
    |db| async move {
        use backend::events::EventStatus;

        // Arrange: 3 dead, 2 processed events received just now.
        let app = spawn_app(&db).await;
        let owner = app.signed_up("alphaco").await;
        let tenant = tenant_of(&owner).await;
        backend::testing::store_events(&db, tenant, EventStatus::Dead, 3).await;
        backend::testing::store_events(&db, tenant, EventStatus::Processed, 2).await;
        let staff = staff_browser(&app, &db).await;

        // Act
        let detail: serde_json::Value = staff
            .get(&format!("/api/staff_tenant?id={tenant}"))
            .await
            .json()
            .await
            .expect("detail JSON");
        let (status, page) = staff.page(&format!("/staff/tenants/{tenant}")).await;
        let owner_asks = owner.get(&format!("/api/staff_tenant?id={tenant}")).await;

        // Assert
        assert_eq!(detail["row"]["dead"], 3, "{detail}");
        let hours = detail["hours"].as_array().expect("hours");
        assert_eq!(hours.len(), 7 * 24);
        let last = hours.last().expect("the current hour")["counts"].to_string();
        assert!(
            last.contains(r#"["dead",3]"#) && last.contains(r#"["processed",2]"#),
            "{last}"
        );
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains(r#"data-test="events-chart""#) && page.contains("<rect"),
            "an SVG chart without JavaScript"
        );
        assert_eq!(
            api_error(owner_asks).await.0,
            StatusCode::UNAUTHORIZED,
            "staff only"
        );

        // Act
        let replayed = post(
            &staff,
            "/api/staff_replay",
            &[("tenant_id", &tenant.to_string())],
        )
        .await;

        // Assert
        assert_done(&replayed);
        let counts = backend::events::count_by_status(&db, tenant)
            .await
            .expect("counts");
        assert_eq!(counts.get(&EventStatus::Dead), None, "{counts:?}");
        let log = backend::audit::for_tenant(&db, tenant, 10)
            .await
            .expect("audit");
        assert!(
            log.iter()
                .any(|e| e.action == backend::audit::Action::EventsReplayed
                    && matches!(e.actor, backend::audit::Actor::Staff(_))),
            "{log:?}"
        );
    }
);

db_test!(
    staff_never_impersonate_a_company_of_a_staff_member,
    |db| async move {
        // Arrange: the staff member's own email owns a company.
        let app = spawn_app(&db).await;
        let own = app.browser();
        let signed = own
            .sign_up_confirmed(
                &app,
                &crate::helpers::SignUp::new("samsco", crate::staff::STAFF_EMAIL),
            )
            .await;
        assert_eq!(signed.status(), StatusCode::OK);
        let tenant = tenant_of(&own).await;
        let staff = staff_browser(&app, &db).await;

        // Act
        let refused = start(&staff, tenant, REASON).await;

        // Assert
        assert_eq!(
            api_error(refused).await,
            (StatusCode::FORBIDDEN, AppError::StaffTenant)
        );
        assert_eq!(count(&db, "impersonations").await, 0);
    }
);
