//! The test harness of every HTTP-level test (the `testing` feature): the real server on a
//! random port over a test's database, with a real SMTP server of its own, and browsers and
//! webhook senders that talk to it. Both test suites of this crate (`accounts`, `webhooks`)
//! and the benchmarks use this one harness, so a change to how the app starts is made once.

mod browser;
mod db;
mod webhooks;

use backend::{Db, Keys};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::{Application, Config};

pub use backend::testing::{Owner, PASSWORD, owner};
pub use browser::{
    Browser, SignUp, api_error, csrf_from_html, link_token, location, member_emails,
};
pub use db::{count, record_ip_failures, session_rows, total_events};
pub use webhooks::ALL_WEBHOOKS;

/// How long a test waits for a mail to arrive.
pub const MAIL_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

/// A running server. Stops when dropped (or with the test's runtime).
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The database the server uses, for arranging and inspecting state directly.
    pub db: Db,
    /// The server's keys (its master key), to compute URLs as the settings page would.
    pub keys: Keys,
    /// A plain HTTP client (no cookies), as e-conomic's webhook calls come.
    pub client: reqwest::Client,
    /// The SMTP server the app sends its mails to (started by the test, on a random port).
    pub mail: mail_catcher::Catcher,
    _stop: oneshot::Sender<()>,
}

/// Start the app on `db` as production runs it: web server, sync workers and mail sender.
/// Without `--economic-base-url` the workers would talk to the real e-conomic, which a test
/// never reaches: tests of the web side alone use [`spawn_ingest_only`].
pub async fn spawn_app(db: &Db) -> TestApp {
    spawn_app_with(db, &[]).await
}

/// The web server and mail sender without sync workers (`--no-worker`): the webhook endpoint
/// stores and acknowledges, and nothing works the queue unless the test does.
pub async fn spawn_ingest_only(db: &Db) -> TestApp {
    spawn_app_with(db, &["--no-worker"]).await
}

/// Start the app on `db` with extra command-line flags (e.g. `--economic-base-url`,
/// `--trust-proxy-headers`); a fresh master key unless `--secret-key` is among them.
pub async fn spawn_app_with(db: &Db, flags: &[&str]) -> TestApp {
    let mail = mail_catcher::Catcher::start(mail_catcher::CatcherConfig::default())
        .await
        .expect("start the test SMTP server");
    let smtp_url = mail.smtp_url();
    let generated = Keys::generate_master_base64();
    let master = match flags.iter().position(|f| *f == "--secret-key") {
        Some(at) => flags.get(at + 1).copied().unwrap_or_default().to_owned(),
        None => generated.clone(),
    };
    let mut args = vec!["--site-addr", "127.0.0.1:0"];
    args.extend_from_slice(flags);
    if !flags.contains(&"--secret-key") {
        args.extend(["--secret-key", generated.as_str()]);
    }
    // Every mail goes through real SMTP to the catcher; the sender looks often, so that tests
    // wait little.
    if !flags.contains(&"--smtp-url") {
        args.extend(["--smtp-url", smtp_url.as_str()]);
    }
    args.extend(["--mail-from", "Inventory Sync <noreply@sync.test>"]);
    if !flags.contains(&"--mail-poll-ms") {
        args.extend(["--mail-poll-ms", "20"]);
    }
    // Tests sign up many companies from 127.0.0.1; the throttle tests set their own limit.
    if !flags.contains(&"--sign-ups-per-ip") {
        args.extend(["--sign-ups-per-ip", "1000"]);
    }
    let config = Config::from_args(&args).expect("test config");
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a random port");
    let application = Application::build_with_db(config, db.clone(), listener)
        .await
        .expect("build the application");
    let address = format!("http://127.0.0.1:{}", application.port());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(application.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    TestApp {
        address,
        db: db.clone(),
        keys: Keys::from_base64(&master).expect("the test's master key"),
        client: reqwest::Client::new(),
        mail,
        _stop: stop,
    }
}

impl TestApp {
    /// A new browser with an empty cookie jar; redirects are not followed, so that tests can
    /// assert on `302` and `Location`.
    pub fn browser(&self) -> Browser {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("build the HTTP client");
        Browser {
            address: self.address.clone(),
            client,
            jar,
        }
    }

    /// A browser that has signed up company `"<label> ApS"` with owner `owner@<label>.test`
    /// (password [`PASSWORD`]), confirmed it with the mailed link, and is logged in as that owner.
    pub async fn signed_up(&self, label: &str) -> Browser {
        let browser = self.browser();
        let response = browser
            .sign_up_confirmed(self, &SignUp::new(label, &format!("owner@{label}.test")))
            .await;
        assert_eq!(
            response.status(),
            reqwest::StatusCode::OK,
            "sign up {label}"
        );
        browser
    }

    /// The newest mail to `to` with a link containing `path` (e.g. `/reset-password/`),
    /// waiting for one to arrive; panics after [`MAIL_WAIT`].
    pub async fn mail_with_link(&self, to: &str, path: &str) -> mail_catcher::CaughtMail {
        let wanted = |m: &mail_catcher::CaughtMail| {
            m.to.iter().any(|t| t.eq_ignore_ascii_case(to))
                && m.links().iter().any(|l| l.contains(path))
        };
        self.mail
            .wait_for(&wanted, MAIL_WAIT)
            .await
            .unwrap_or_else(|| {
                panic!(
                    "no mail to {to} with a {path} link: {:#?}",
                    self.mail.mails()
                )
            });
        self.mail
            .mails()
            .into_iter()
            .rev()
            .find(|m| wanted(m))
            .expect("the mail just found")
    }

    /// The mails that reached `to` so far.
    pub fn mails_to(&self, to: &str) -> Vec<mail_catcher::CaughtMail> {
        self.mail
            .mails()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(to)))
            .collect()
    }
}
