//! The CSRF layer: every state-changing server function needs this session's token; refused
//! requests change nothing.

use app::error::AppError;
use app::i18n::{Lang, Msg};
use backend::db_test;
use reqwest::StatusCode;

use crate::helpers::{Browser, PASSWORD, TestApp, api_error, count, spawn_app};

/// Every state-changing server function with fields that would succeed for the owner of
/// `acme` holding an invite `token` for bo@acme.test.
fn state_changing_calls(invite_token: &str) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let s = |v: &str| v.to_owned();
    vec![
        (
            "/api/sign_up",
            vec![
                ("company_name", s("Evil ApS")),
                ("name", s("Eve")),
                ("email", s("eve@evil.test")),
                ("password", s(PASSWORD)),
            ],
        ),
        (
            "/api/log_in",
            vec![("email", s("owner@acme.test")), ("password", s(PASSWORD))],
        ),
        ("/api/create_invite", vec![("email", s("carl@acme.test"))]),
        (
            "/api/accept_invite",
            vec![
                ("token", s(invite_token)),
                ("name", s("Bo")),
                ("password", s(PASSWORD)),
            ],
        ),
        ("/api/log_out", vec![]),
    ]
}

/// Anna, logged in as owner of acme, and an open invite token for bo@acme.test.
async fn arrange(app: &TestApp) -> (Browser, String) {
    let anna = app.signed_up("acme").await;
    let token = anna.invite("bo@acme.test").await;
    (anna, token)
}

/// Posts every state-changing call from `browser` with `csrf` (if any) and checks each is
/// refused with the JSON `Csrf` error.
async fn assert_every_call_refused(browser: &Browser, invite_token: &str, csrf: Option<&str>) {
    for (path, mut fields) in state_changing_calls(invite_token) {
        if let Some(csrf) = csrf {
            fields.push(("csrf_token", csrf.to_owned()));
        }
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let response = browser.post_form(path, &fields).await;
        let (status, error) = api_error(response).await;
        assert_eq!(
            (status, error),
            (StatusCode::FORBIDDEN, AppError::Csrf),
            "{path}"
        );
    }
}

/// Nothing that the refused calls would have done has happened.
async fn assert_nothing_changed(app: &TestApp, anna: &Browser, sid_before: &str) {
    assert_eq!(count(&app.db, "tenants").await, 1, "no sign-up");
    assert_eq!(count(&app.db, "users").await, 1, "no accepted invite");
    assert_eq!(count(&app.db, "invites").await, 1, "no new invite");
    assert_eq!(
        // Sign-ups are counted in the same table (`action:…`); the set-up signed up once.
        count(&app.db, "login_attempts where account not like 'action:%'").await,
        0,
        "no login attempt"
    );
    assert_eq!(
        anna.cookie("sid").as_deref(),
        Some(sid_before),
        "no login, no logout"
    );
    assert_eq!(anna.user_email().await.as_deref(), Some("owner@acme.test"));
}

db_test!(calls_without_a_token_are_refused, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let (anna, invite) = arrange(&app).await;
    let sid = anna.cookie("sid").expect("session");

    // Act + Assert
    assert_every_call_refused(&anna, &invite, None).await;
    assert_nothing_changed(&app, &anna, &sid).await;
});

db_test!(calls_with_a_wrong_token_are_refused, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let (anna, invite) = arrange(&app).await;
    let sid = anna.cookie("sid").expect("session");
    let real = anna.csrf_token().await;
    let wrong = format!("{}x", &real[..real.len() - 1]);

    // Act + Assert
    assert_every_call_refused(&anna, &invite, Some(&wrong)).await;
    assert_every_call_refused(&anna, &invite, Some("")).await;
    assert_nothing_changed(&app, &anna, &sid).await;
});

db_test!(a_token_of_another_session_is_refused, |db| async move {
    // Arrange: the attacker's own, valid token, replayed with the victim's cookie.
    let app = spawn_app(&db).await;
    let (anna, invite) = arrange(&app).await;
    let sid = anna.cookie("sid").expect("session");
    let attackers_token = app.browser().csrf_token().await;

    // Act + Assert
    assert_every_call_refused(&anna, &invite, Some(&attackers_token)).await;
    assert_nothing_changed(&app, &anna, &sid).await;
});

db_test!(a_browser_without_a_session_is_refused, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let stranger = app.browser();
    let form = [
        ("csrf_token", "made-up"),
        ("company_name", "Evil ApS"),
        ("name", "Eve"),
        ("email", "eve@evil.test"),
        ("password", PASSWORD),
    ];

    // Act
    let (status, error) = api_error(stranger.post_form("/api/sign_up", &form).await).await;

    // Assert
    assert_eq!((status, error), (StatusCode::FORBIDDEN, AppError::Csrf));
    assert_eq!(count(&db, "tenants").await, 0);
});

db_test!(the_token_in_the_header_is_accepted, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let (anna, _) = arrange(&app).await;
    let token = anna.csrf_token().await;

    // Act
    let response = anna
        .client
        .post(anna.url("/api/create_invite"))
        .header("x-csrf-token", token)
        .form(&[("csrf_token", "ignored"), ("email", "carl@acme.test")])
        .send()
        .await
        .expect("POST");

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(count(&db, "invites").await, 2);
});

db_test!(
    a_plain_form_post_without_a_token_gets_a_page,
    |db| async move {
        // Arrange
        let app = spawn_app(&db).await;
        let (anna, _) = arrange(&app).await;

        for (lang, cookie) in [(Lang::Da, None), (Lang::En, Some("en"))] {
            if let Some(code) = cookie {
                anna.set_cookie("lang", code);
            }

            // Act
            let response = anna
                .submit_form(
                    "/api/create_invite",
                    "/team",
                    &[("email", "carl@acme.test")],
                )
                .await;

            // Assert
            assert_eq!(response.status(), StatusCode::FORBIDDEN);
            let html = response.text().await.expect("page");
            assert!(html.contains(Msg::ErrorCsrf.text(lang)), "{lang:?}: {html}");
            assert!(html.contains(&format!(r#"lang="{}""#, lang.code())));
        }
        assert_eq!(count(&db, "invites").await, 1);
    }
);

db_test!(reading_needs_no_token, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let (anna, _) = arrange(&app).await;

    // Act
    let session = anna.get("/api/session").await;
    let team = anna.get("/api/team").await;
    let page = anna.navigate("/team").await;

    // Assert
    assert_eq!(session.status(), StatusCode::OK);
    assert_eq!(team.status(), StatusCode::OK);
    assert_eq!(page.status(), StatusCode::OK);
});

db_test!(
    an_oversized_form_is_explained_not_a_blank_413,
    |db| async move {
        let app = spawn_app(&db).await;
        let browser = app.browser();
        let token = browser.csrf_token().await;
        // Over the CSRF layer's form limit (256 KiB), under the server's (1 MiB): read and refused.
        let medium = "x".repeat(300 * 1024);
        let fields = [
            ("csrf_token", token.as_str()),
            ("email", "anna@acme.test"),
            ("password", medium.as_str()),
        ];
        let as_page = browser
            .client
            .post(browser.url("/api/log_in"))
            .header("accept", "text/html")
            .form(&fields)
            .send()
            .await
            .expect("post");
        assert_eq!(as_page.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let html = as_page.text().await.expect("body");
        assert!(html.contains(Msg::ErrorTooLarge.text(Lang::Da)), "{html}");
        let as_api = browser.post_form("/api/log_in", &fields).await;
        assert_eq!(
            api_error(as_api).await,
            (StatusCode::PAYLOAD_TOO_LARGE, AppError::TooLarge)
        );

        // Over the server's limit: refused from the declared length alone. Only the head is sent
        // (the server answers before the body, and a client still sending it could lose the
        // answer to the connection's close).
        let address = app.address.trim_start_matches("http://");
        let mut stream = tokio::net::TcpStream::connect(address)
            .await
            .expect("connect");
        let head = format!(
            "POST /api/log_in HTTP/1.1\r\nHost: {address}\r\nAccept: text/html\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
            2 * 1024 * 1024
        );
        tokio::io::AsyncWriteExt::write_all(&mut stream, head.as_bytes())
            .await
            .expect("write");
        let mut answer = vec![0u8; 16 * 1024];
        let n = tokio::io::AsyncReadExt::read(&mut stream, &mut answer)
            .await
            .expect("read");
        let answer = String::from_utf8_lossy(&answer[..n]);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(
            answer.contains(Msg::ErrorTooLarge.text(Lang::Da)),
            "{answer}"
        );
    }
);
