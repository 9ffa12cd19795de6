//! Sync engine benchmark, not a timed test:
//!
//! 1. burst: the simulator bulk-imports `BENCH_BURST` (100,000) products with the product
//!    webhook configured at the app; timed from the import (the first webhook leaves within a
//!    millisecond of it) until every product is stored locally and no event waits; then every
//!    local product is compared with the simulator's. Reports the e-conomic calls made and the
//!    ingest acknowledgements per second during the burst;
//! 2. steady state: `BENCH_STEADY` single product edits at `BENCH_RATE` per second (no backlog),
//!    each one webhook and one GET: events applied per second and received → processed p50/p99.
//!
//! The real server (its own workers, `WORKERS`, default 2) on SQLite and PostgreSQL
//! (`BENCH_DB=sqlite|postgres|both`). Loopback only; every wait is bounded.
//!
//! `cargo bench -p server --bench sync`

use std::time::{Duration, Instant};

use backend::records::{self, ProductRecord};
use backend::settings::{self, SyncSettings};
use backend::testing::{Backend, TestDb};
use backend::{Db, Keys, TenantId, Timestamp, connection, webhook_credentials};
use economic::Entity;
use economic_sim::{SimConfig, Simulator, WebhookConfig};
use tokio::net::TcpListener;

mod common;
use common::env;

fn main() {
    common::on_each_database(|backend, name| async move { bench(backend, &name).await });
}

async fn bench(backend: Backend, name: &str) {
    let burst = env("BENCH_BURST", 100_000usize);
    let steady = env("BENCH_STEADY", 300usize);
    let rate = env("BENCH_RATE", 50u64).max(1);
    let workers = env("WORKERS", 2usize).to_string();
    let test_db = TestDb::new(backend).await;
    let db = test_db.db().clone();
    let sim = Simulator::start(SimConfig {
        products: 0,
        customers: 0,
        ..SimConfig::default()
    })
    .await
    .expect("simulator");
    let master = Keys::generate_master_base64();
    let keys = Keys::from_base64(&master).expect("key");
    let base = sim.base_url();
    let args = [
        "--site-addr",
        "127.0.0.1:0",
        "--secret-key",
        &master,
        "--economic-base-url",
        &base,
        "--workers",
        &workers,
    ];
    let config = server::Config::from_args(&args).expect("config");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let app = server::Application::build_with_db(config, db.clone(), listener)
        .await
        .expect("app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));

    let tenant = backend::testing::owner(&db, "bench").await.tenant_id;
    settings::save(&db, tenant, &SyncSettings::ALL_WEBHOOKS, Timestamp::now())
        .await
        .expect("settings");
    let client =
        economic::Client::new(economic::ClientConfig::new(base.as_str(), "demo")).expect("client");
    connection::connect(&db, &keys, &client, tenant, "demo", Timestamp::now())
        .await
        .expect("connect");
    // Connecting queues the first import; it finishes (over the empty catalogue) before the
    // burst, as for a tenant who connected earlier. Otherwise it would read the burst's products
    // itself, in competition with ingest.
    let deadline = Instant::now() + Duration::from_secs(60);
    while backend::sync::list(&db, tenant, None, 10)
        .await
        .expect("runs")
        .iter()
        .any(|r| {
            matches!(
                r.status,
                backend::sync::RunStatus::Queued | backend::sync::RunStatus::Running
            )
        })
    {
        assert!(Instant::now() < deadline, "the first import did not finish");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let token = webhook_credentials::url_token(&db, &keys, tenant, Entity::Products)
        .await
        .expect("token");
    let path = webhook_credentials::webhook_path(tenant, Entity::Products, &token);
    sim.agreement().add_webhook(WebhookConfig::rackbeat(
        Entity::Products,
        format!("{address}{path}"),
    ));

    // 1. The burst.
    let calls_before = sim.agreement().calls();
    let started = Instant::now();
    let numbers = sim.agreement().bulk_import_products(burst).expect("import");
    let delivered = sim.wait_webhooks_idle(Duration::from_secs(300)).await;
    let acked_in = started.elapsed();
    let applied = wait_applied(&db, tenant, burst as i64, Duration::from_secs(600)).await;
    let applied_in = started.elapsed();
    let calls = sim.agreement().calls() - calls_before;
    let stats = sim.webhook_stats();
    let mut mismatches = 0;
    let mut after: Option<String> = None;
    loop {
        let page = records::list::<ProductRecord>(&db, tenant, "", after.clone(), 500)
            .await
            .expect("list");
        let Some(last) = page.last() else { break };
        after = Some(last.product_number.clone());
        for local in &page {
            let number = economic::ProductNumber::parse(&local.product_number).expect("number");
            let same = sim
                .agreement()
                .product(&number)
                .is_some_and(|p| p.name == local.name && p.sales_price == local.sales_price);
            mismatches += usize::from(!same);
        }
    }
    println!(
        "{name}: burst of {burst}: webhooks {} delivered / {} failed (all sent: {delivered}) in {:.2} s \
         = {:.0} acks/s; applied: {applied} in {:.2} s; e-conomic calls: {calls}; \
         local ≠ simulator: {mismatches}",
        stats.delivered,
        stats.failed,
        acked_in.as_secs_f64(),
        burst as f64 / acked_in.as_secs_f64(),
        applied_in.as_secs_f64(),
    );

    // 2. Steady state: one edit at a time, no backlog.
    let calls_before = sim.agreement().calls();
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
    for (i, number) in numbers.iter().cycle().take(steady).enumerate() {
        tick.tick().await;
        let mut product = sim.agreement().product(number).expect("product");
        product.name = format!("Steady {i}");
        sim.agreement().update_product(product).expect("edit");
    }
    let expected = (burst + steady) as i64;
    let settled = wait_processed(&db, tenant, expected, Duration::from_secs(120)).await;
    let elapsed = started.elapsed();
    let mut latencies = latencies(&db, tenant, steady).await;
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0)
    };
    println!(
        "{name}: steady state: {steady} edits at {rate}/s: settled {settled}, {:.0} events applied/s, \
         e-conomic calls {}, received → processed p50 {} ms, p99 {} ms",
        steady as f64 / elapsed.as_secs_f64(),
        sim.agreement().calls() - calls_before,
        pct(0.5),
        pct(0.99),
    );

    let _ = stop.send(());
    let _ = served.await;
    sim.shutdown();
    test_db.cleanup().await;
}

/// Wait until `n` products are stored and no event waits; whether that happened in time.
async fn wait_applied(db: &Db, tenant: TenantId, n: i64, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        // The cheap check first: counting products scans them, and the bench must not load the
        // database it measures.
        if waiting(db, tenant).await == 0
            && records::count::<ProductRecord>(db, tenant)
                .await
                .expect("count")
                >= n
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Wait until `n` events are processed and none waits.
async fn wait_processed(db: &Db, tenant: TenantId, n: i64, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        let counts = backend::events::count_by_status(db, tenant)
            .await
            .expect("counts");
        let processed = counts
            .get(&backend::events::EventStatus::Processed)
            .copied()
            .unwrap_or(0);
        if processed >= n && waiting(db, tenant).await == 0 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

async fn waiting(db: &Db, tenant: TenantId) -> i64 {
    backend::events::waiting(db, tenant).await.expect("waiting")
}

/// received → processed of the newest `n` events, in milliseconds.
async fn latencies(db: &Db, tenant: TenantId, n: usize) -> Vec<i64> {
    let sql = "select processed_at - received_at from webhook_events \
               where tenant_id = $1 and processed_at is not null order by id desc limit $2";
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    match (db.sqlite_pool(), db.pg_pool()) {
        (Some(pool), _) => {
            sqlx::query_scalar(sql)
                .bind(tenant)
                .bind(n)
                .fetch_all(pool)
                .await
        }
        (_, Some(pool)) => {
            sqlx::query_scalar(sql)
                .bind(tenant)
                .bind(n)
                .fetch_all(pool)
                .await
        }
        _ => unreachable!("a database is SQLite or PostgreSQL"),
    }
    .expect("latencies")
}
