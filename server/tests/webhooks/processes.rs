//! The server as separate processes, as operators run it: killed with SIGKILL in the middle of a
//! burst and restarted (nothing acknowledged is lost, nothing applied twice), and three worker
//! processes sharing one PostgreSQL database (each event applied once).

use std::net::TcpListener as StdListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use backend::events;
use backend::records::{self, ProductRecord, stock};
use backend::settings;
use backend::testing::{Backend, TestDb};
use backend::{Db, Keys, TenantId, Timestamp, connection, webhook_credentials};
use economic::{CustomerNumber, Entity};
use economic_sim::{AgreementHandle, Knobs, SimConfig, SimHandle, Simulator, WebhookConfig};

use crate::helpers::ALL_WEBHOOKS;

/// A server process; killed (SIGKILL) when dropped.
pub(crate) struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn free_port() -> u16 {
    let listener = StdListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// `server <args>` with fast retries, its log in the test's output only on failure.
pub(crate) fn start(args: &[&str]) -> Process {
    let child = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .args([
            "--worker-poll-ms",
            "100",
            "--retry-base-ms",
            "50",
            "--retry-cap-secs",
            "1",
        ])
        .args([
            "--retry-max-attempts",
            "100",
            "--economic-timeout-secs",
            "2",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start the server binary");
    Process(child)
}

pub(crate) async fn wait_ready(port: u16) {
    let url = format!("http://127.0.0.1:{port}/healthz");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if reqwest::get(&url)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server on port {port} did not become ready");
}

/// A tenant connected to `agreement` (grant token `token`), webhooks of the simulator pointing
/// at `port`.
async fn tenant(
    db: &Db,
    keys: &Keys,
    sim: &SimHandle,
    agreement: &AgreementHandle,
    token: &str,
    label: &str,
    port: u16,
) -> TenantId {
    let tenant = backend::testing::owner(db, label).await.tenant_id;
    settings::save(db, tenant, &ALL_WEBHOOKS, Timestamp::now())
        .await
        .expect("settings");
    let client =
        economic::Client::new(economic::ClientConfig::new(sim.base_url(), "demo")).expect("client");
    connection::connect(db, keys, &client, tenant, token, Timestamp::now())
        .await
        .expect("connect");
    for kind in [Entity::Products, Entity::Invoices] {
        let credential = webhook_credentials::url_token(db, keys, tenant, kind)
            .await
            .expect("url");
        let path = webhook_credentials::webhook_path(tenant, kind, &credential);
        agreement.add_webhook(WebhookConfig::rackbeat(
            kind,
            format!("http://127.0.0.1:{port}{path}"),
        ));
    }
    tenant
}

async fn waiting(db: &Db, tenant: TenantId) -> i64 {
    events::waiting(db, tenant).await.expect("waiting")
}

async fn settle(db: &Db, tenants: &[TenantId], timeout: Duration) {
    let deadline = Instant::now() + timeout;
    loop {
        let mut left = 0;
        for t in tenants {
            left += waiting(db, *t).await;
        }
        if left == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "{left} events still waiting");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Rows of `sql` (a `select count(*)`), on either database.
pub(crate) async fn count(db: &Db, sql: &str) -> i64 {
    match (db.sqlite_pool(), db.pg_pool()) {
        (Some(pool), _) => sqlx::query_scalar(sql).fetch_one(pool).await,
        (_, Some(pool)) => sqlx::query_scalar(sql).fetch_one(pool).await,
        _ => unreachable!("a database is SQLite or PostgreSQL"),
    }
    .expect("count")
}

/// Book `n` one-line invoices of quantity 1 on the first `n` products.
fn book(agreement: &AgreementHandle, products: &[economic::ProductNumber], n: usize) {
    let customer = CustomerNumber::new(1).expect("n");
    for p in products.iter().take(n) {
        agreement
            .book_invoice(customer, &[(p.clone(), 1.0)])
            .expect("book");
    }
}

async fn killed_during_a_burst(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let db = test_db.db().clone();
    let sim = Simulator::start(SimConfig {
        products: 0,
        customers: 1,
        // e-conomic retries what we did not acknowledge while the server was down.
        knobs: Knobs {
            webhook_retries: 8,
            webhook_backoff_ms: 250,
            ..Knobs::default()
        },
        ..SimConfig::default()
    })
    .await
    .expect("simulator");
    let master = Keys::generate_master_base64();
    let keys = Keys::from_base64(&master).expect("keys");
    let port = free_port();
    let tenant = tenant(&db, &keys, &sim, &sim.agreement(), "demo", "acme", port).await;
    let addr = format!("127.0.0.1:{port}");
    let base = sim.base_url();
    let args = [
        "serve",
        "--database-url",
        test_db.url(),
        "--site-addr",
        &addr,
        "--secret-key",
        &master,
        "--economic-base-url",
        &base,
        "--site-root",
        "/nonexistent",
    ];
    let mut server = start(&args);
    wait_ready(port).await;

    let numbers = sim
        .agreement()
        .bulk_import_products(20_000)
        .expect("import");
    book(&sim.agreement(), &numbers, 20);
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(800)).await;
        drop(server); // SIGKILL
        server = start(&args);
        wait_ready(port).await;
    }
    assert!(
        sim.wait_webhooks_idle(Duration::from_secs(120)).await,
        "webhooks delivered"
    );
    assert_eq!(
        sim.webhook_stats().failed,
        0,
        "every webhook was acknowledged in the end"
    );
    settle(&db, &[tenant], Duration::from_secs(120)).await;
    drop(server);

    assert_eq!(
        records::count::<ProductRecord>(&db, tenant)
            .await
            .expect("products"),
        20_000
    );
    for n in numbers.iter().step_by(997) {
        let local = records::get::<ProductRecord>(&db, tenant, n)
            .await
            .expect("stored");
        assert_eq!(Some(local.name), sim.agreement().product(n).map(|p| p.name));
    }
    assert_eq!(
        stock::count(&db, tenant).await.expect("movements"),
        20,
        "none doubled"
    );
    for n in numbers.iter().take(20) {
        assert_eq!(
            records::get::<ProductRecord>(&db, tenant, n)
                .await
                .expect("p")
                .stock,
            -1000,
            "{n}"
        );
    }
    let dead = count(
        &db,
        "select count(*) from webhook_events where status = 'dead'",
    )
    .await;
    assert_eq!(dead, 0);
    sim.shutdown();
    test_db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_a_burst_loses_nothing_on_sqlite() {
    killed_during_a_burst(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_a_burst_loses_nothing_on_postgres() {
    killed_during_a_burst(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_worker_processes_share_the_work_and_apply_each_event_once() {
    let test_db = TestDb::new(Backend::Postgres).await;
    let db = test_db.db().clone();
    let sim = Simulator::start(SimConfig {
        products: 0,
        customers: 1,
        ..SimConfig::default()
    })
    .await
    .expect("simulator");
    let master = Keys::generate_master_base64();
    let keys = Keys::from_base64(&master).expect("keys");
    let port = free_port();
    let mut tenants = Vec::new();
    let mut agreements = Vec::new();
    for i in 0..3 {
        let token = format!("token-{i}");
        let agreement = sim.add_agreement(&token, 100 + i, &format!("Firma {i}"));
        agreement
            .create_customer(economic::types::Customer::new(
                CustomerNumber::new(1).expect("n"),
                "K",
            ))
            .expect("customer");
        tenants.push(tenant(&db, &keys, &sim, &agreement, &token, &format!("t{i}"), port).await);
        agreements.push(agreement);
    }
    let (addr, base) = (format!("127.0.0.1:{port}"), sim.base_url());
    let common = [
        "--database-url",
        test_db.url(),
        "--secret-key",
        &master,
        "--economic-base-url",
        &base,
    ];
    let mut web = vec![
        "serve",
        "--no-worker",
        "--site-addr",
        &addr,
        "--site-root",
        "/nonexistent",
    ];
    web.extend_from_slice(&common);
    let _web = start(&web);
    let mut work = vec!["worker", "--workers", "2", "--worker-batch", "300"];
    work.extend_from_slice(&common);
    let _workers: Vec<Process> = (0..3).map(|_| start(&work)).collect();
    wait_ready(port).await;

    for agreement in &agreements {
        let numbers = agreement.bulk_import_products(1500).expect("import");
        book(agreement, &numbers, 10);
    }
    assert!(
        sim.wait_webhooks_idle(Duration::from_secs(60)).await,
        "webhooks delivered"
    );
    settle(&db, &tenants, Duration::from_secs(120)).await;

    let twice = count(
        &db,
        "select count(*) from webhook_events where attempts <> 1",
    )
    .await;
    assert_eq!(twice, 0, "every event was claimed exactly once");
    let applied_twice = count(
        &db,
        "select count(*) from (select event_id from event_attempts where outcome = 'processed' \
         group by event_id having count(*) > 1) t",
    )
    .await;
    assert_eq!(applied_twice, 0);
    let processes = count(
        &db,
        "select count(distinct split_part(worker, '-', 1)) from event_attempts",
    )
    .await;
    assert!(
        processes >= 2,
        "the work was shared by {processes} process(es)"
    );
    for tenant in &tenants {
        assert_eq!(
            records::count::<ProductRecord>(&db, *tenant)
                .await
                .expect("count"),
            1500
        );
        assert_eq!(stock::count(&db, *tenant).await.expect("movements"), 10);
    }
    sim.shutdown();
    test_db.cleanup().await;
}
