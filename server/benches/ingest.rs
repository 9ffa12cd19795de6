//! Webhook ingest benchmark, not a timed test:
//!
//! 1. closed loop: `BENCH_CONNS` connections post as fast as they can for `BENCH_SECS` seconds,
//!    to a bare axum handler answering 200 and to the real webhook endpoint (credential check,
//!    settings, parse, committed insert), alternately for `BENCH_ROUNDS` rounds: acks/s of both,
//!    the ratio per round and its median (the machine's shared cores make single runs noisy),
//!    p50/p99. Both get byte-for-byte the same requests (same path, headers and bodies), so the
//!    load generator's own work is the same on both sides;
//! 2. paced: the endpoint at half its measured maximum rate, p50/p99;
//! 3. burst: the simulator imports `BENCH_BURST` products and fires one webhook each at the app;
//!    every one must be answered 2xx and stored (rows counted).
//!
//! On SQLite and on PostgreSQL (`BENCH_DB=sqlite|postgres|both`, default both; PostgreSQL at
//! `TEST_POSTGRES_URL`). Loopback only; every loop is bounded in time and count.
//!
//! `BENCH_SERVE_SECS=N` skips all three: it prints the bare handler's and the endpoint's URLs
//! (`BARE <url>`, `INGEST <url>`), serves both for N seconds so that an outside load generator
//! (wrk with `server/benches/webhook.lua`) can drive them side by side, then prints the events
//! stored.
//!
//! `cargo bench -p server --bench ingest`

use std::time::{Duration, Instant};

use backend::settings::{self, SyncSettings};
use backend::testing::{Backend, TestDb};
use backend::{Keys, Timestamp, webhook_credentials};
use economic::Entity;
use economic_sim::{SimConfig, Simulator, WebhookConfig};
use tokio::net::TcpListener;

mod common;
use common::env;

#[derive(Debug, Clone, Copy)]
struct Run {
    acks: u64,
    errors: u64,
    per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn main() {
    common::on_each_database(|backend, name| async move { bench(backend, &name).await });
}

async fn bench(backend: Backend, name: &str) {
    let secs = env("BENCH_SECS", 5u64);
    let conns = env("BENCH_CONNS", 64usize);
    let burst = env("BENCH_BURST", 100_000usize);
    let rounds = env("BENCH_ROUNDS", 3usize).max(1);
    let test_db = TestDb::new(backend).await;
    let db = test_db.db().clone();

    // The app, with a live tenant.
    let master = Keys::generate_master_base64();
    let keys = Keys::from_base64(&master).expect("key");
    let args = [
        "--site-addr",
        "127.0.0.1:0",
        "--secret-key",
        master.as_str(),
    ];
    let config = server::Config::from_args(&args).expect("config");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let app = server::Application::build_with_db(config, db.clone(), listener)
        .await
        .expect("app");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    let tenant = backend::testing::owner(&db, "bench").await.tenant_id;
    let live = SyncSettings {
        products_hourly: false,
        customers_hourly: false,
        products_webhook: true,
        customers_webhook: true,
        invoices_webhook: true,
    };
    settings::save(&db, tenant, &live, Timestamp::now())
        .await
        .expect("settings");
    let kind = Entity::Products;
    let token = webhook_credentials::url_token(&db, &keys, tenant, kind)
        .await
        .expect("token");
    let app_url = format!(
        "{address}{}",
        webhook_credentials::webhook_path(tenant, kind, &token)
    );

    // The bare handler, same runtime, same client, same path (it answers any path).
    let bare = axum::Router::new().route(
        "/{*path}",
        axum::routing::post(|_body: axum::body::Bytes| async { "ok" }),
    );
    let bare_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let bare_url = format!(
        "http://{}{}",
        bare_listener.local_addr().expect("addr"),
        webhook_credentials::webhook_path(tenant, kind, &token)
    );
    tokio::spawn(async move { axum::serve(bare_listener, bare).await });

    if let Some(serve) = std::env::var("BENCH_SERVE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        println!("== {name}: serving for {serve} s\nBARE {bare_url}\nINGEST {app_url}");
        // The driving script ends the serving early with SIGTERM: stop then too, so that the
        // database is removed (a killed bench left its `t_…` database behind on PostgreSQL).
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(serve)) => {}
            _ = terminate.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        let stored = backend::events::count(&db, tenant).await.expect("count");
        println!("  events stored: {stored}");
        test_db.cleanup().await;
        return;
    }

    let duration = Duration::from_secs(secs);
    println!("== {name}: {conns} connections, {secs} s per run, {rounds} rounds");
    let mut ratios = Vec::new();
    let mut best_app = None::<Run>;
    for round in 1..=rounds {
        let bare_run = closed_loop(&bare_url, conns, duration).await;
        let app_run = closed_loop(&app_url, conns, duration).await;
        let ratio = 100.0 * app_run.per_sec / bare_run.per_sec;
        report(&format!("{round}: bare axum 200"), &bare_run);
        report(&format!("{round}: webhook ingest"), &app_run);
        println!("  {round}: ratio ingest/bare: {ratio:.0}%");
        ratios.push(ratio);
        if best_app.is_none_or(|b| app_run.per_sec > b.per_sec) {
            best_app = Some(app_run);
        }
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "  median ratio ingest/bare: {:.0}% (rounds: {})",
        ratios[ratios.len() / 2],
        ratios
            .iter()
            .map(|r| format!("{r:.0}%"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let max_rate = best_app.map_or(1.0, |r| r.per_sec);
    let paced = paced(&app_url, conns, max_rate / 2.0, duration).await;
    report("ingest at half max", &paced);

    // The burst, from the simulator, configured as the Rackbeat guide says.
    let before = backend::events::count(&db, tenant).await.expect("count");
    let sim = Simulator::start(SimConfig::default()).await.expect("sim");
    sim.agreement()
        .add_webhook(WebhookConfig::rackbeat(kind, app_url.clone()));
    let started = Instant::now();
    sim.agreement()
        .bulk_import_products(burst)
        .expect("bulk import");
    let idle = sim.wait_webhooks_idle(Duration::from_secs(600)).await;
    let elapsed = started.elapsed();
    let stats = sim.webhook_stats();
    let stored = backend::events::count(&db, tenant).await.expect("count") - before;
    println!(
        "  burst of {burst}: idle={idle} in {:.1} s ({:.0}/s), delivered 2xx {}, failed {}, \
         attempts {}, rows stored {stored}",
        elapsed.as_secs_f64(),
        burst as f64 / elapsed.as_secs_f64(),
        stats.delivered,
        stats.failed,
        stats.attempts,
    );
    sim.shutdown();
    test_db.cleanup().await;
}

fn report(label: &str, run: &Run) {
    println!(
        "  {label:<23} {:>8.0} acks/s  p50 {:>6.2} ms  p99 {:>6.2} ms  ({} acks, {} non-2xx)",
        run.per_sec, run.p50_ms, run.p99_ms, run.acks, run.errors
    );
}

fn client(conns: usize) -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(conns)
        .build()
        .expect("client")
}

/// `conns` workers post back to back until `duration` is over.
async fn closed_loop(url: &str, conns: usize, duration: Duration) -> Run {
    let client = client(conns);
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let workers = (0..conns).map(|w| {
        let (client, url) = (client.clone(), url.to_owned());
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut i = 0u64;
            while Instant::now() < deadline {
                i += 1;
                let t = Instant::now();
                if !post(&client, &url, w, i).await {
                    errors += 1;
                }
                latencies.push(t.elapsed());
            }
            (latencies, errors)
        })
    });
    collect(futures::future::join_all(workers).await, started.elapsed())
}

/// `conns` workers together post `rate` requests per second, evenly spaced, for `duration`.
async fn paced(url: &str, conns: usize, rate: f64, duration: Duration) -> Run {
    let client = client(conns);
    let per_worker = Duration::from_secs_f64(conns as f64 / rate.max(1.0));
    let started = Instant::now();
    let deadline = started + duration;
    let workers = (0..conns).map(|w| {
        let (client, url) = (client.clone(), url.to_owned());
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(per_worker);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut i = 0u64;
            loop {
                interval.tick().await;
                if Instant::now() >= deadline {
                    break;
                }
                i += 1;
                let t = Instant::now();
                if !post(&client, &url, w, i).await {
                    errors += 1;
                }
                latencies.push(t.elapsed());
            }
            (latencies, errors)
        })
    });
    collect(futures::future::join_all(workers).await, started.elapsed())
}

async fn post(client: &reqwest::Client, url: &str, worker: usize, i: u64) -> bool {
    let body = format!("W{worker}-{i}&W{worker}-{i}");
    client
        .post(url)
        .header("content-type", economic::CONTENT_TYPE)
        .body(body)
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
}

type WorkerResult = Result<(Vec<Duration>, u64), tokio::task::JoinError>;

fn collect(results: Vec<WorkerResult>, elapsed: Duration) -> Run {
    let mut all = Vec::new();
    let mut errors = 0;
    for (latencies, e) in results.into_iter().flatten() {
        all.extend(latencies);
        errors += e;
    }
    all.sort_unstable();
    let pct = |p: f64| {
        let i = ((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1));
        all.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let total = all.len() as u64;
    Run {
        acks: total - errors,
        errors,
        per_sec: (total - errors) as f64 / elapsed.as_secs_f64(),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
    }
}
