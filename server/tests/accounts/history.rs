//! The event history over HTTP: the filtered list (page and server function), the event's
//! page without the credential, replay of one, a selection and a filter's failed events, the
//! CSV export, the live stream; and for every one of them, another company's ids answer as if
//! they did not exist.

use backend::events::{self, EventId, EventStatus, NewEvent};
use backend::settings::{self, SyncSettings};
use backend::{Db, TenantId, Timestamp, db_test};
use economic::{Entity, ProductNumber, RecordNumber, WebhookAction};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION};

use crate::helpers::{Browser, TestApp, count, csrf_from_html, owner, spawn_app};

/// A product update of `number` received at `at`.
fn event(number: &str, at: i64) -> NewEvent {
    let n = RecordNumber::Product(ProductNumber::parse(number).expect("number"));
    NewEvent {
        kind: Entity::Products,
        status: EventStatus::Received,
        action: Some(WebhookAction::Updated(n)),
        content_type: Some("application/x-www-form-urlencoded".into()),
        raw_query: None,
        raw_body: format!("{number}&{number}").into_bytes(),
        reason: None,
        received_at: Timestamp::from_millis(1_795_953_600_000 + at),
    }
}

async fn store(db: &Db, tenant: TenantId, number: &str, at: i64, status: EventStatus) -> EventId {
    let id = events::ingest(db, tenant, &event(number, at))
        .await
        .expect("ingest");
    let sql = format!(
        "update webhook_events set status = '{}', last_error = 'HTTP 500 from e-conomic' \
         where id = {}",
        status.as_str(),
        id.get()
    );
    execute(db, &sql).await;
    id
}

async fn execute(db: &Db, sql: &str) {
    use tower_sessions_sqlx_store::sqlx;
    if let Some(pool) = db.sqlite_pool() {
        sqlx::query(sql).execute(pool).await.expect("SQLite");
    } else {
        let pool = db.pg_pool().expect("PostgreSQL");
        sqlx::query(sql).execute(pool).await.expect("PostgreSQL");
    }
}

/// Companies acme (logged in) and globex, each with events; returns acme's browser, acme's
/// and globex's tenant, and globex's dead event.
async fn two_companies(app: &TestApp) -> (Browser, TenantId, TenantId, EventId) {
    let acme = owner(&app.db, "acme").await;
    let globex = owner(&app.db, "globex").await;
    store(&app.db, acme.tenant_id, "A-1", 1, EventStatus::Processed).await;
    store(&app.db, acme.tenant_id, "A-2", 2, EventStatus::Dead).await;
    store(&app.db, acme.tenant_id, "B-1", 3, EventStatus::Failed).await;
    let theirs = store(&app.db, globex.tenant_id, "G-SECRET", 4, EventStatus::Dead).await;
    let browser = app.browser();
    let response = browser.log_in(acme.email.as_str(), &acme.password).await;
    assert_eq!(response.status(), StatusCode::OK, "log in");
    (browser, acme.tenant_id, globex.tenant_id, theirs)
}

async fn status_of(db: &Db, tenant: TenantId, id: EventId) -> EventStatus {
    events::get(db, tenant, id).await.expect("event").status
}

/// POST the replay form with the page's CSRF token and `fields`; returns the redirect target.
async fn replay_form(browser: &Browser, fields: &[(&str, &str)]) -> String {
    let (_, html) = browser.page("/events").await;
    let token = csrf_from_html(&html);
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    let response = browser.submit_form("/events/replay", "/events", &all).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "replay answers 303"
    );
    response.headers()[LOCATION]
        .to_str()
        .expect("ASCII")
        .to_owned()
}

db_test!(
    the_filtered_history_is_a_url_and_counts_its_statuses,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let (acme, ..) = two_companies(&app).await;

        // Act
        let (status, dead) = acme
            .page("/events?status=dead&kind=products&number=A")
            .await;
        let (_, all) = acme.page("/events").await;
        let api: serde_json::Value = acme
            .get("/api/event_history?status=failed")
            .await
            .json()
            .await
            .expect("JSON");

        // Assert
        assert_eq!(status, StatusCode::OK);
        // Only the page's content: the CSP nonces elsewhere are random text that once contained
        // "B-1" ("…TB-1z4…").
        let main = |html: &str| {
            let start = html.find("<main").expect("a main element");
            let end = html.find("</main>").expect("its end");
            html[start..end].to_owned()
        };
        let (dead, all) = (main(&dead), main(&all));
        assert!(
            dead.contains("A-2") && !dead.contains("A-1") && !dead.contains("B-1"),
            "{dead}"
        );
        assert!(dead.contains(r#"data-count="dead""#), "counts per status");
        assert!(all.contains("A-1") && all.contains("A-2") && all.contains("B-1"));
        assert!(
            !all.contains("<th></th>"),
            "every column has a header, for screen readers too"
        );
        assert!(!all.contains("G-SECRET"), "never another company's events");
        let listed: Vec<&str> = api["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| e["numbers"].as_str().expect("numbers"))
            .collect();
        assert_eq!(listed, vec!["B-1"]);
        let failed = api["counts"]
            .as_array()
            .expect("counts")
            .iter()
            .find(|c| c["status"] == "failed")
            .expect("a failed count");
        assert_eq!(failed["count"], 1);
    }
);

db_test!(the_event_page_never_shows_the_credential, |db| async move {
    // Arrange: an event posted to the real webhook URL.
    let app = spawn_app(&db).await;
    let acme = owner(&db, "acme").await;
    settings::save(
        &db,
        acme.tenant_id,
        &SyncSettings::ALL_WEBHOOKS,
        Timestamp::now(),
    )
    .await
    .expect("settings");
    let browser = app.browser();
    browser.log_in(acme.email.as_str(), &acme.password).await;
    let setup: serde_json::Value = browser
        .get("/api/advanced_settings")
        .await
        .json()
        .await
        .expect("JSON");
    let url = setup["webhooks"][1]["url"]
        .as_str()
        .expect("product URL")
        .to_owned();
    let token = url.rsplit('/').next().expect("token").to_owned();
    assert!(token.len() >= 20, "{url}");
    let sent = reqwest::Client::new()
        .post(format!("{url}?source=economic"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("1001&1001")
        .send()
        .await
        .expect("webhook");
    assert!(sent.status().is_success(), "{}", sent.status());
    let id = events::page(
        &db,
        acme.tenant_id,
        &Default::default(),
        Default::default(),
        1,
    )
    .await
    .expect("page")
    .events[0]
        .id;

    // Act
    let (status, html) = browser.page(&format!("/events/{id}")).await;
    let api = browser
        .get(&format!("/api/event_detail?id={id}"))
        .await
        .text()
        .await
        .expect("JSON");
    let csv = browser
        .get("/events/export.csv")
        .await
        .text()
        .await
        .expect("CSV");
    let (_, list) = browser.page("/events").await;

    // Assert
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("1001&amp;1001"),
        "the body as received: {html}"
    );
    assert!(
        html.contains("source=economic"),
        "the query string as received"
    );
    assert!(html.contains("application/x-www-form-urlencoded"));
    for (what, text) in [
        ("page", &html),
        ("API", &api),
        ("CSV", &csv),
        ("list", &list),
    ] {
        assert!(
            !text.contains(&token),
            "the credential appears in the {what}"
        );
    }
});

db_test!(replay_one_a_selection_and_a_filter, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let (acme, tenant, ..) = two_companies(&app).await;
    let dead_a = store(&db, tenant, "A-3", 5, EventStatus::Dead).await;
    let dead_b = store(&db, tenant, "B-2", 6, EventStatus::Dead).await;
    let failed_a = store(&db, tenant, "A-4", 7, EventStatus::Failed).await;
    let received = store(&db, tenant, "A-5", 8, EventStatus::Received).await;

    // Act + Assert: one row's button.
    let one = dead_a.to_string();
    let to = replay_form(&acme, &[("only", &one), ("status", "dead")]).await;
    assert_eq!(to, "/events?status=dead&replayed=1");
    assert_eq!(status_of(&db, tenant, dead_a).await, EventStatus::Queued);

    // A selection: a waiting event in it is left alone.
    let (b, r) = (dead_b.to_string(), received.to_string());
    let to = replay_form(&acme, &[("scope", "selected"), ("id", &b), ("id", &r)]).await;
    assert_eq!(to, "/events?replayed=1");
    assert_eq!(status_of(&db, tenant, dead_b).await, EventStatus::Queued);
    assert_eq!(
        status_of(&db, tenant, received).await,
        EventStatus::Received
    );

    // Every failed and dead event of the filter "number starts with A": A-2 (dead), A-4.
    let to = replay_form(&acme, &[("scope", "filter"), ("number", "A")]).await;
    assert_eq!(to, "/events?number=A&replayed=2");
    assert_eq!(status_of(&db, tenant, failed_a).await, EventStatus::Queued);
    let b1_failed = events::page(&db, tenant, &Default::default(), Default::default(), 50)
        .await
        .expect("page")
        .events
        .into_iter()
        .find(|e| e.new_number.as_deref() == Some("B-1"))
        .expect("B-1");
    assert_eq!(b1_failed.status, EventStatus::Failed, "outside the filter");

    // The confirmation page says how many the filter would replay.
    let (status, confirm) = acme.page("/events?status=failed&confirm=1").await;
    assert!(
        confirm.contains(r#"data-test="confirm""#),
        "{status}: {confirm}"
    );
});

db_test!(the_export_is_csv_of_the_filter, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let (acme, ..) = two_companies(&app).await;

    // Act
    let response = acme.get("/events/export.csv?kind=products&number=A").await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[CONTENT_TYPE]
            .to_str()
            .expect("type")
            .starts_with("text/csv")
    );
    let csv = response.text().await.expect("CSV");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "id,received_at,kind,action,old_number,new_number,invoice_number,status,attempts,\
         processed_at,next_attempt_at,outcome,error,content_type,query,body"
    );
    assert_eq!(lines.len(), 3, "a header and A-2, A-1: {csv}");
    assert!(
        lines[1].contains(",products,updated,A-2,A-2,,dead,0,"),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("HTTP 500 from e-conomic"));
    assert!(lines[1].ends_with(",A-2&A-2"), "{}", lines[1]);
    assert!(lines[2].contains(",A-1,A-1,,processed,"));
    assert!(!csv.contains("G-SECRET"));
});

db_test!(
    another_companys_events_cannot_be_seen_replayed_or_exported,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let (acme, _, globex, theirs) = two_companies(&app).await;
        let id = theirs.to_string();

        // Act + Assert: the page and the server function answer 404.
        let (status, html) = acme.page(&format!("/events/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!html.contains("G-SECRET"));
        let api = acme.get(&format!("/api/event_detail?id={id}")).await;
        assert_eq!(api.status(), StatusCode::NOT_FOUND);

        // Replay by id, by selection, by filter: nothing of globex's moves.
        let token = acme.csrf_token().await;
        let one = acme
            .post_form("/api/replay_event", &[("csrf_token", &token), ("id", &id)])
            .await;
        assert_eq!(one.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            replay_form(&acme, &[("only", &id)]).await,
            "/events?replayed=0"
        );
        assert_eq!(
            replay_form(&acme, &[("scope", "selected"), ("id", &id)]).await,
            "/events?replayed=0"
        );
        replay_form(&acme, &[("scope", "filter"), ("number", "G")]).await;
        assert_eq!(status_of(&db, globex, theirs).await, EventStatus::Dead);

        // The list, its server function, the export and the counts never show it.
        let list = acme
            .get("/api/event_history?number=G")
            .await
            .text()
            .await
            .expect("JSON");
        assert!(!list.contains("G-SECRET"), "{list}");
        let csv = acme
            .get("/events/export.csv")
            .await
            .text()
            .await
            .expect("CSV");
        assert!(!csv.contains("G-SECRET"));
        let cursor = format!("{}_{}", 1_795_953_600_010_i64, theirs.get() + 1);
        let older = acme
            .get(&format!("/api/event_history?before={cursor}"))
            .await
            .text()
            .await
            .expect("JSON");
        assert!(!older.contains("G-SECRET"));

        // Logged out, none of the routes answers with data.
        let stranger = app.browser();
        let (status, _) = stranger.page("/events/export.csv").await;
        assert_eq!(status, StatusCode::FOUND, "to the login page");
        assert_eq!(
            stranger.get("/events/live").await.status(),
            StatusCode::FOUND
        );
        assert!(count(&db, "webhook_events").await >= 4);
    }
);

db_test!(
    the_live_stream_says_when_an_event_arrives,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let (acme, tenant, globex, _) = two_companies(&app).await;
        let response = acme.get("/events/live").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()[CONTENT_TYPE]
                .to_str()
                .expect("type")
                .starts_with("text/event-stream")
        );
        let mut response = response;
        let mut seen = String::new();
        while !seen.contains("event: ready") {
            let chunk = response
                .chunk()
                .await
                .expect("bytes")
                .expect("the stream stays open");
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }

        // Act: another company's event, then one of acme's.
        store(&db, globex, "G-2", 9, EventStatus::Received).await;
        store(&db, tenant, "A-9", 10, EventStatus::Received).await;

        // Assert: a `changed` message comes (keep-alive comments may come first).
        while !seen.contains("data: changed") {
            let chunk = response
                .chunk()
                .await
                .expect("bytes")
                .expect("the stream stays open");
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
);

db_test!(
    record_pages_show_their_events_and_never_another_companys,
    |db| async move {
        use backend::queue::Fenced;
        use backend::records::{self, CustomerRecord, ProductRecord};
        use economic::CustomerNumber;
        use economic::types::{Customer, Product};

        // Arrange: acme's product A-1 (with two events) and customer 7; globex's customer 8.
        let app = spawn_app(&db).await;
        let (acme, tenant, globex, _) = two_companies(&app).await;
        store(&db, tenant, "A-1", 20, EventStatus::Processed).await;
        let mut tx = Fenced::unchecked_for_tests(db.begin(tenant).await.expect("begin"), tenant);
        let product = Product::new(ProductNumber::parse("A-1").expect("number"), "Alpha Widget");
        records::upsert_many::<ProductRecord>(
            &mut tx,
            tenant,
            &[(product, serde_json::json!({}))],
            Timestamp::now(),
        )
        .await
        .expect("product");
        tx.commit().await.expect("commit");
        // One transaction per tenant: on PostgreSQL a transaction is one tenant's only.
        for (t, n, name) in [(tenant, 7, "Acme Kunde"), (globex, 8, "Globex Kunde")] {
            let mut tx = Fenced::unchecked_for_tests(db.begin(t).await.expect("begin"), t);
            let c = Customer::new(CustomerNumber::new(n).expect("number"), name);
            records::upsert_many::<CustomerRecord>(
                &mut tx,
                t,
                &[(c, serde_json::json!({}))],
                Timestamp::now(),
            )
            .await
            .expect("customer");
            tx.commit().await.expect("commit");
        }

        // Act
        let (status, product_page) = acme.page("/products/A-1").await;
        let (customer_status, customer_page) = acme.page("/customers/7").await;
        let (their_status, their_page) = acme.page("/customers/8").await;
        let theirs: serde_json::Value = acme
            .get("/api/record_events?kind=products&number=G-SECRET")
            .await
            .json()
            .await
            .expect("JSON");

        // Assert
        assert_eq!(status, StatusCode::OK);
        assert!(product_page.contains(r#"data-test="record-events""#));
        assert_eq!(
            product_page.matches("data-event=").count(),
            2,
            "{product_page}"
        );
        assert!(
            product_page.contains("/events?kind=products&amp;number=A-1")
                || product_page.contains("/events?kind=products&number=A-1")
        );
        assert_eq!(customer_status, StatusCode::OK);
        assert!(customer_page.contains("Acme Kunde"));
        assert_eq!(their_status, StatusCode::NOT_FOUND);
        assert!(!their_page.contains("Globex Kunde"));
        assert_eq!(theirs, serde_json::json!([]));
        let detail = acme.get("/api/customer_detail?number=8").await;
        assert_eq!(detail.status(), StatusCode::NOT_FOUND);
    }
);

db_test!(
    a_dead_event_is_dismissed_by_its_company_only,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let (acme, tenant, globex, theirs) = two_companies(&app).await;
        let ours = store(&db, tenant, "A-9", 9, EventStatus::Dead).await;
        let csrf = acme.csrf_token().await;

        // Act
        let guessed = acme
            .post_form(
                "/api/dismiss_event",
                &[("csrf_token", &csrf), ("id", &theirs.to_string())],
            )
            .await;
        let dismissed = acme
            .post_form(
                "/api/dismiss_event",
                &[("csrf_token", &csrf), ("id", &ours.to_string())],
            )
            .await;
        let (_, page) = acme.page(&format!("/events/{ours}")).await;

        // Assert
        assert_eq!(
            guessed.status(),
            StatusCode::NOT_FOUND,
            "another company's event"
        );
        let theirs_now = events::get(&db, globex, theirs).await.expect("event");
        assert_eq!(theirs_now.dismissed_at, None);
        assert!(dismissed.status().is_success() || dismissed.status().is_redirection());
        let ours_now = events::get(&db, tenant, ours).await.expect("event");
        assert!(ours_now.dismissed_at.is_some());
        assert!(
            page.contains(r#"data-test="dismissed""#),
            "the page says so"
        );
        assert!(
            !page.contains(r#"data-test="dismiss""#),
            "and offers it no more"
        );
    }
);
