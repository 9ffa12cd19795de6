//! The app on a random port with a known master key, and helpers to build webhook URLs and read
//! back the events stored.

use backend::events::{self, Event};
use backend::settings::{self, SyncSettings};
use backend::{Db, Keys, TenantId, Timestamp, webhook_credentials};
use economic::Entity;
use reqwest::Response;
use server::{Application, Config};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A running server. Stops when dropped.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The server's database.
    pub db: Db,
    /// The server's keys (same master key), to compute URLs as the settings page would.
    pub keys: Keys,
    /// A plain HTTP client.
    pub client: reqwest::Client,
    _stop: oneshot::Sender<()>,
}

/// Start the app on `db` with a fresh master key.
pub async fn spawn_app(db: &Db) -> TestApp {
    spawn_app_with(db, &[]).await
}

/// Start the app on `db` with a fresh master key and extra flags (e.g. `--economic-base-url`).
pub async fn spawn_app_with(db: &Db, flags: &[&str]) -> TestApp {
    let master = Keys::generate_master_base64();
    let mut args = vec!["--site-addr", "127.0.0.1:0", "--secret-key", &master];
    args.extend_from_slice(flags);
    // Without an e-conomic to talk to, workers could only fail: tests that need them pass the
    // simulator's URL.
    if !flags.contains(&"--economic-base-url") && !flags.contains(&"--no-worker") {
        args.push("--no-worker");
    }
    let config = Config::from_args(&args).expect("test config");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
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
        keys: Keys::from_base64(&master).expect("key"),
        client: reqwest::Client::new(),
        _stop: stop,
    }
}

/// Every webhook on, hourly sync off.
pub const ALL_WEBHOOKS: SyncSettings = SyncSettings::ALL_WEBHOOKS;

impl TestApp {
    /// A new tenant (`"<label> ApS"`) with every webhook enabled, counting as connected to
    /// e-conomic (without asking it: [`TestApp::connect`] connects for real).
    pub async fn live_tenant(&self, label: &str) -> TenantId {
        let tenant = backend::testing::owner(&self.db, label).await.tenant_id;
        settings::save(&self.db, tenant, &ALL_WEBHOOKS, Timestamp::now())
            .await
            .expect("save settings");
        backend::connection::connect_offline(
            &self.db,
            &self.keys,
            tenant,
            "demo",
            Timestamp::now(),
        )
        .await
        .expect("connect offline");
        tenant
    }

    /// Connect the tenant to the simulator at `base_url` with grant token `demo`.
    pub async fn connect(&self, tenant: TenantId, base_url: &str) {
        let client =
            economic::Client::new(economic::ClientConfig::new(base_url, "demo")).expect("client");
        backend::connection::connect(
            &self.db,
            &self.keys,
            &client,
            tenant,
            "demo",
            Timestamp::now(),
        )
        .await
        .expect("connect to the simulator");
    }

    /// The current credential of the tenant's `kind` URL.
    pub async fn token(&self, tenant: TenantId, kind: Entity) -> String {
        webhook_credentials::url_token(&self.db, &self.keys, tenant, kind)
            .await
            .expect("url token")
    }

    /// The full URL the settings page shows for the tenant's `kind`.
    pub async fn url(&self, tenant: TenantId, kind: Entity) -> String {
        let token = self.token(tenant, kind).await;
        self.url_with(&tenant.to_string(), kind.as_str(), &token)
    }

    /// A webhook URL from raw parts.
    pub fn url_with(&self, tenant: &str, slug: &str, token: &str) -> String {
        format!("{}/webhooks/economic/{tenant}/{slug}/{token}", self.address)
    }

    /// POST `body` as e-conomic does (form content type).
    pub async fn post(&self, url: &str, body: impl Into<reqwest::Body>) -> Response {
        self.post_as(url, economic::CONTENT_TYPE, body).await
    }

    /// POST `body` with `content_type`.
    pub async fn post_as(
        &self,
        url: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        self.client
            .post(url)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("send the webhook")
    }

    /// The tenant's events, newest first.
    pub async fn events(&self, tenant: TenantId) -> Vec<Event> {
        events::list(&self.db, tenant, 500, None)
            .await
            .expect("list events")
    }

    /// All stored events of all tenants.
    pub async fn total_events(&self) -> i64 {
        total_events(&self.db).await
    }
}

/// Rows in `webhook_events`, whatever the tenant.
pub async fn total_events(db: &Db) -> i64 {
    let sql = "select count(*) from webhook_events";
    match (db.sqlite_pool(), db.pg_pool()) {
        (Some(pool), _) => sqlx::query_scalar(sql).fetch_one(pool).await,
        (_, Some(pool)) => sqlx::query_scalar(sql).fetch_one(pool).await,
        _ => unreachable!("a database is SQLite or PostgreSQL"),
    }
    .expect("count events")
}

/// The tenant's live product numbers and the simulator agreement's, each sorted: equal when the
/// local data have converged.
pub async fn product_numbers(
    db: &Db,
    tenant: TenantId,
    agreement: &economic_sim::AgreementHandle,
) -> (Vec<String>, Vec<String>) {
    let mut local: Vec<String> =
        backend::records::live_numbers::<backend::records::ProductRecord>(db, tenant)
            .await
            .expect("numbers")
            .into_iter()
            .map(|n| n.as_str().to_owned())
            .collect();
    local.sort();
    let mut remote: Vec<String> = agreement
        .read(|d| d.products.keys().map(|n| n.as_str().to_owned()).collect())
        .unwrap_or_default();
    remote.sort();
    (local, remote)
}
