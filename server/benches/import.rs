//! Sync runs benchmark, not a timed test:
//!
//! 1. first import: a tenant connects to a simulator holding `BENCH_PRODUCTS` (100,000)
//!    products; timed from the connect until its import runs are done (the workers' own code,
//!    drained with `run_pending_jobs`); then every local product number is compared with the
//!    simulator's. Target: under 15 s with 100 list calls plus a few.
//! 2. an incremental sync with no changes ("Sync now", the hourly run's code): its calls
//!    (target: one per entity) and time;
//! 3. the same after `BENCH_CHANGED` (1,000) products changed: target under 2 s, ≤ 3 calls.
//!
//! The simulator's records are stamped an hour before the run, as a catalogue that has not
//! changed lately is. SQLite and PostgreSQL (`BENCH_DB=sqlite|postgres|both`); loopback only.
//!
//! `cargo bench -p server --bench import`

use std::time::{Duration, Instant};

use backend::records::{self, ProductRecord};
use backend::sync::{self, RunKind};
use backend::testing::{Backend, TestDb};
use backend::{Keys, Timestamp, connection};
use economic::Entity;
use economic_sim::{SimConfig, Simulator};

mod common;
use common::env;

fn main() {
    common::on_each_database(|backend, name| async move { bench(backend, &name).await });
}

async fn bench(backend: Backend, name: &str) {
    let count = env("BENCH_PRODUCTS", 100_000usize);
    let changed = env("BENCH_CHANGED", 1_000usize);
    let test_db = TestDb::new(backend).await;
    let db = test_db.db().clone();
    let sim = Simulator::start(SimConfig {
        products: 0,
        customers: 0,
        ..SimConfig::default()
    })
    .await
    .expect("simulator");
    sim.set_clock(Some(
        time::OffsetDateTime::now_utc() - time::Duration::hours(1),
    ));
    sim.agreement().reseed(7, 100, count);
    sim.set_clock(None);
    let keys = Keys::generate();
    let client =
        economic::Client::new(economic::ClientConfig::new(sim.base_url(), "demo")).expect("client");
    let env = worker::Environment {
        db: db.clone(),
        keys: keys.clone(),
        economic: client.clone(),
        signal: backend::queue::Signal::default(),
        config: worker::WorkerConfig::default(),
    };
    let tenant = backend::testing::owner(&db, "bench").await.tenant_id;

    // 1. The first import.
    let calls_before = sim.agreement().calls();
    let started = Instant::now();
    connection::connect(&db, &keys, &client, tenant, "demo", Timestamp::now())
        .await
        .expect("connect");
    worker::run_pending_jobs(&env).await.expect("import");
    let imported_in = started.elapsed();
    let import_calls = sim.agreement().calls() - calls_before;
    let mut local: Vec<String> = records::live_numbers::<ProductRecord>(&db, tenant)
        .await
        .expect("numbers")
        .into_iter()
        .map(|n| n.as_str().to_owned())
        .collect();
    local.sort();
    let mut remote: Vec<String> = sim
        .agreement()
        .read(|d| d.products.keys().map(|n| n.as_str().to_owned()).collect())
        .unwrap_or_default();
    remote.sort();
    let runs = sync::list(&db, tenant, None, 10).await.expect("runs");
    let product_run = runs.iter().find(|r| r.entity == Entity::Products);
    println!(
        "{name}: first import of {count} products: {:.2} s, {import_calls} e-conomic calls in all \
         (products: {} calls, {} pages); local equals simulator: {}",
        imported_in.as_secs_f64(),
        product_run.map_or(0, |r| r.api_calls),
        product_run.map_or(0, |r| r.pages_done),
        local == remote,
    );

    // 2. Nothing changed.
    let (secs, calls) = sync_now(&env, &sim, tenant).await;
    println!("{name}: incremental sync, nothing changed: {secs:.3} s, {calls} calls (products)");

    // 3. Some products changed.
    let agreement = sim.agreement();
    let numbers: Vec<_> = agreement
        .read(|d| d.products.keys().take(changed).cloned().collect())
        .unwrap_or_default();
    for number in &numbers {
        let mut p = agreement.product(number).expect("product");
        p.sales_price = Some(p.sales_price.unwrap_or(0.0) + 1.0);
        agreement.update_product(p).expect("update");
    }
    let (secs, calls) = sync_now(&env, &sim, tenant).await;
    let updated = sync::list(&db, tenant, None, 1)
        .await
        .expect("runs")
        .first()
        .map_or(0, |r| r.counts.updated);
    println!(
        "{name}: incremental sync after {changed} products changed: {secs:.3} s, {calls} calls, \
         {updated} updated"
    );
    sim.shutdown();
    test_db.cleanup().await;
}

/// "Sync now" of products, run to its end: seconds and calls.
async fn sync_now(
    env: &worker::Environment,
    sim: &economic_sim::SimHandle,
    tenant: backend::TenantId,
) -> (f64, u64) {
    let before = sim.agreement().calls();
    let started = Instant::now();
    sync::request(
        &env.db,
        tenant,
        Entity::Products,
        RunKind::Manual,
        Timestamp::now(),
    )
    .await
    .expect("requested");
    worker::run_pending_jobs(env).await.expect("sync");
    let secs = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(10)).await;
    (secs, sim.agreement().calls() - before)
}
