//! The owner's support-access choice takes effect on the next request, also for a support
//! person who elevated before it changed.

use app::error::AppError;
use backend::db_test;
use reqwest::StatusCode;

use crate::helpers::{api_error, spawn_app};
use crate::impersonation::{REASON, assert_done, post, staff_browser, start, tenant_of};

db_test!(
    only_look_takes_write_access_from_an_elevated_support_person_at_once,
    |db| async move {
        // Arrange: support look at alphaco with write access.
        let app = spawn_app(&db).await;
        let owner = app.signed_up("alphaco").await;
        let tenant = tenant_of(&owner).await;
        let staff = staff_browser(&app, &db).await;
        assert_done(&start(&staff, tenant, REASON).await);
        let elevated = post(
            &staff,
            "/api/impersonation_elevate",
            &[("reason", "must fix the retention setting")],
        )
        .await;
        assert_done(&elevated);
        let before = post(&staff, "/api/set_event_retention", &[("days", "30")]).await;
        assert_done(&before);

        // Act: the owner chooses "only look" while the impersonation runs.
        let saved = post(&owner, "/api/set_support_access", &[("choice", "ReadOnly")]).await;
        assert_done(&saved);
        let after = post(&staff, "/api/set_event_retention", &[("days", "90")]).await;
        let (status, html) = staff.page("/events").await;

        // Assert
        assert_eq!(
            api_error(after).await,
            (StatusCode::FORBIDDEN, AppError::ReadOnlySupport)
        );
        assert_eq!(
            backend::events::retention::get(&db, tenant)
                .await
                .expect("retention"),
            backend::events::retention::Retention::Days30,
            "nothing changed after the owner's choice"
        );
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains(r#"data-elevated="false""#),
            "the banner says read-only"
        );
        assert!(
            !html.contains(r#"action="/api/impersonation_elevate""#),
            "and offers no elevation"
        );
    }
);
