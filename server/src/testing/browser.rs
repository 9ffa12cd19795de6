//! A browser for tests: an HTTP client with its own cookie jar that does what a user's browser
//! does (pages, forms with and without JavaScript, sign-up through the mailed link), and the
//! small readers tests need of its answers.

use std::sync::Arc;

use app::error::AppError;
use reqwest::cookie::{CookieStore as _, Jar};
use reqwest::header::{ACCEPT, REFERER};
use reqwest::{Response, StatusCode, Url};
use serde_json::Value;

use super::{PASSWORD, TestApp};

/// The token at the end of the first link in `mail` that contains `path` (e.g. `/invite/`).
pub fn link_token(mail: &mail_catcher::CaughtMail, path: &str) -> String {
    let link = mail
        .links()
        .into_iter()
        .find(|l| l.contains(path))
        .unwrap_or_else(|| panic!("no {path} link in {:?}", mail.text));
    link.rsplit('/').next().expect("a token").to_owned()
}

/// One browser: a client with its own cookie jar.
pub struct Browser {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The client; redirects are not followed.
    pub client: reqwest::Client,
    pub(super) jar: Arc<Jar>,
}

/// The fields of the sign-up form.
pub struct SignUp {
    /// The company's name.
    pub company_name: String,
    /// The owner's name.
    pub name: String,
    /// The owner's e-mail address.
    pub email: String,
    /// The owner's password.
    pub password: String,
}

impl SignUp {
    /// A valid form: company `"<label> ApS"`, the given email, password [`PASSWORD`].
    pub fn new(label: &str, email: &str) -> SignUp {
        SignUp {
            company_name: format!("{label} ApS"),
            name: format!("Owner of {label}"),
            email: email.to_owned(),
            password: PASSWORD.to_owned(),
        }
    }

    fn fields<'a>(&'a self, csrf_token: &'a str) -> Vec<(&'a str, &'a str)> {
        vec![
            ("csrf_token", csrf_token),
            ("company_name", &self.company_name),
            ("name", &self.name),
            ("email", &self.email),
            ("password", &self.password),
        ]
    }
}

impl Browser {
    /// This browser (same cookies) pointed at another server, e.g. after a restart.
    pub fn moved_to(&self, app: &TestApp) -> Browser {
        Browser {
            address: app.address.clone(),
            client: self.client.clone(),
            jar: self.jar.clone(),
        }
    }

    /// `address` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// GET `path`.
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET request")
    }

    /// GET `path` as a browser navigating there (accepting HTML, so redirects are real ones).
    pub async fn navigate(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .header(ACCEPT, "text/html")
            .send()
            .await
            .expect("GET page")
    }

    /// GET `path` as a browser navigating there: status and HTML.
    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let response = self.navigate(path).await;
        let status = response.status();
        (status, response.text().await.expect("page body"))
    }

    /// POST a form as the app's own scripts do (they accept any content type, not HTML).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST request")
    }

    /// POST a form as a browser without JavaScript does: accepts HTML, sends the page it came
    /// from as `Referer`.
    pub async fn submit_form(
        &self,
        path: &str,
        referer_path: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        self.client
            .post(self.url(path))
            .header(ACCEPT, "text/html,application/xhtml+xml")
            .header(REFERER, self.url(referer_path))
            .form(fields)
            .send()
            .await
            .expect("POST form")
    }

    /// `GET /api/session` as JSON.
    pub async fn session(&self) -> Value {
        let response = self.get("/api/session").await;
        assert_eq!(response.status(), StatusCode::OK, "GET /api/session");
        response.json().await.expect("session JSON")
    }

    /// The session's CSRF token (created on first use).
    pub async fn csrf_token(&self) -> String {
        self.session().await["csrf_token"]
            .as_str()
            .expect("csrf_token in the session view")
            .to_owned()
    }

    /// The logged-in user's email, if any.
    pub async fn user_email(&self) -> Option<String> {
        self.session().await["user"]["email"]
            .as_str()
            .map(str::to_owned)
    }

    /// Sign up through `/api/sign_up`, with this session's CSRF token.
    pub async fn sign_up(&self, form: &SignUp) -> Response {
        let token = self.csrf_token().await;
        self.post_form("/api/sign_up", &form.fields(&token)).await
    }

    /// Sign up, then confirm with the link mailed to `form.email` (as the owner would, in this
    /// browser); the answer of the confirmation.
    pub async fn sign_up_confirmed(&self, app: &TestApp, form: &SignUp) -> Response {
        let response = self.sign_up(form).await;
        assert_eq!(response.status(), StatusCode::OK, "sign up {}", form.email);
        let mail = app.mail_with_link(&form.email, "/signup/confirm/").await;
        let token = link_token(&mail, "/signup/confirm/");
        self.confirm_sign_up(&token).await
    }

    /// Confirm a sign-up through `/api/confirm_sign_up`.
    pub async fn confirm_sign_up(&self, token: &str) -> Response {
        let csrf = self.csrf_token().await;
        let fields = [("csrf_token", csrf.as_str()), ("token", token)];
        self.post_form("/api/confirm_sign_up", &fields).await
    }

    /// Log in through `/api/log_in`.
    pub async fn log_in(&self, email: &str, password: &str) -> Response {
        let token = self.csrf_token().await;
        let fields = [
            ("csrf_token", token.as_str()),
            ("email", email),
            ("password", password),
        ];
        self.post_form("/api/log_in", &fields).await
    }

    /// Log out through `/api/log_out`.
    pub async fn log_out(&self) -> Response {
        let token = self.csrf_token().await;
        self.post_form("/api/log_out", &[("csrf_token", token.as_str())])
            .await
    }

    /// Create an invite through `/api/create_invite`.
    pub async fn create_invite(&self, email: &str) -> Response {
        let token = self.csrf_token().await;
        let fields = [("csrf_token", token.as_str()), ("email", email)];
        self.post_form("/api/create_invite", &fields).await
    }

    /// Create an invite and return the token from the link; panics unless it succeeds.
    pub async fn invite(&self, email: &str) -> String {
        let response = self.create_invite(email).await;
        assert_eq!(response.status(), StatusCode::OK, "create invite");
        let link: String = response.json().await.expect("invite link JSON");
        let (_, token) = link
            .split_once("/invite/")
            .expect("the link has /invite/<token>");
        token.to_owned()
    }

    /// Accept an invite through `/api/accept_invite`.
    pub async fn accept_invite(&self, token: &str, name: &str, password: &str) -> Response {
        let csrf = self.csrf_token().await;
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("token", token),
            ("name", name),
            ("password", password),
        ];
        self.post_form("/api/accept_invite", &fields).await
    }

    /// Join the invite's company with an existing account through `/api/join_invite`.
    pub async fn join_invite(&self, token: &str, password: &str) -> Response {
        let csrf = self.csrf_token().await;
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("token", token),
            ("password", password),
        ];
        self.post_form("/api/join_invite", &fields).await
    }

    /// Act for another of the user's companies through `/api/switch_company`.
    pub async fn switch_company(&self, tenant_id: i64) -> Response {
        let csrf = self.csrf_token().await;
        let tenant = tenant_id.to_string();
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("tenant_id", tenant.as_str()),
        ];
        self.post_form("/api/switch_company", &fields).await
    }

    /// `GET /api/team` as JSON; panics unless it succeeds.
    pub async fn team(&self) -> Value {
        let response = self.get("/api/team").await;
        assert_eq!(response.status(), StatusCode::OK, "GET /api/team");
        response.json().await.expect("team JSON")
    }

    /// The value of cookie `name` in this browser's jar, if set.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let url = Url::parse(&self.address).expect("app URL");
        let header = self.jar.cookies(&url)?;
        let header = header.to_str().expect("cookie header is ASCII").to_owned();
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, value)| value.to_owned())
    }

    /// Put cookie `name=value` into this browser's jar (e.g. a stolen or stale session id).
    pub fn set_cookie(&self, name: &str, value: &str) {
        let url = Url::parse(&self.address).expect("app URL");
        self.jar
            .add_cookie_str(&format!("{name}={value}; Path=/"), &url);
    }
}

/// The status and [`AppError`] of a failed server-function call.
pub async fn api_error(response: Response) -> (StatusCode, AppError) {
    let status = response.status();
    let body = response.text().await.expect("error body");
    let error = serde_json::from_str(&body)
        .unwrap_or_else(|e| panic!("not an AppError ({e}), status {status}: {body}"));
    (status, error)
}

/// The `Location` header of a redirect.
pub fn location(response: &Response) -> String {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .expect("a Location header")
        .to_str()
        .expect("Location is ASCII")
        .to_owned()
}

/// The emails of the members in a `/api/team` answer, sorted.
pub fn member_emails(team: &Value) -> Vec<String> {
    let mut emails: Vec<String> = team["members"]
        .as_array()
        .expect("members array")
        .iter()
        .map(|m| m["email"].as_str().expect("member email").to_owned())
        .collect();
    emails.sort();
    emails
}

/// The hidden `csrf_token` input of a server-rendered form.
pub fn csrf_from_html(html: &str) -> String {
    let (_, after) = html
        .split_once(r#"name="csrf_token""#)
        .expect("a csrf_token input in the page");
    let (_, value) = after.split_once(r#"value=""#).expect("its value");
    let (token, _) = value.split_once('"').expect("the end of the value");
    assert!(!token.is_empty(), "the page's CSRF token is empty");
    token.to_owned()
}
