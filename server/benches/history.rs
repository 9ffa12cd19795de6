//! Event history benchmark, not a timed test:
//!
//! 1. seed: `BENCH_EVENTS` (1,000,000) events of one tenant among `BENCH_TOTAL` (5,000,000)
//!    events of `BENCH_TENANTS` (50) tenants, spread over 60 days with three events in each
//!    millisecond (equal timestamps on every page boundary), 90 % processed and the rest
//!    ignored, failed, dead, rejected and received; and `BENCH_PRODUCTS` (100,000) products of
//!    the tenant. Generated inside the database (`generate_series` / a recursive CTE), so
//!    seeding is one statement per tenant.
//! 2. timed over HTTP against the real server (router, session, server functions), each
//!    `BENCH_REPEAT` (50) times, p50 and p99 of the whole request on loopback: the first
//!    history page (with its counts per status), a filtered page (status + kind + time
//!    range), page 500 reached by keyset (`before=` cursors), a record-number search, the
//!    Products page; then the CSV export of all the tenant's events, streamed, with the
//!    process's peak RSS before and after.
//! 3. the query plans of the page queries (`explain query plan` / `explain`).
//!
//! `BENCH_DB=sqlite|postgres|both cargo bench -p server --bench history`

use std::time::{Duration, Instant};

use backend::testing::{Backend, TestDb};
use backend::{Db, TenantId};
use reqwest::StatusCode;
use server::{Application, Config};
use tokio::net::TcpListener;
use tower_sessions_sqlx_store::sqlx;

mod common;
use common::env;

fn main() {
    common::on_each_database(|backend, name| async move { bench(backend, &name).await });
}

/// 2026-10-01 00:00 UTC: the seeded events span the 60 days after it.
const BASE: i64 = 1_790_812_800_000;
const SPAN: i64 = 60 * 86_400_000;

async fn bench(backend: Backend, name: &str) {
    let (events, total) = (
        env("BENCH_EVENTS", 1_000_000i64),
        env("BENCH_TOTAL", 5_000_000i64),
    );
    let (tenants, products) = (
        env("BENCH_TENANTS", 50i64),
        env("BENCH_PRODUCTS", 100_000i64),
    );
    let repeat = env("BENCH_REPEAT", 50usize);
    let test_db = TestDb::new(backend).await;
    let db = test_db.db().clone();

    // 1. Seed.
    let started = Instant::now();
    let target = backend::testing::owner(&db, "bench").await;
    let others = (total - events) / (tenants - 1).max(1);
    seed_events(&db, target.tenant_id, events).await;
    for i in 1..tenants {
        let other = backend::testing::owner(&db, &format!("other{i}")).await;
        seed_events(&db, other.tenant_id, others).await;
    }
    seed_products(&db, target.tenant_id, products).await;
    analyze(&db).await;
    println!(
        "[{name}] seeded {events} events of the tenant among {} of {tenants} tenants and {products} products in {:.1} s",
        events + others * (tenants - 1),
        started.elapsed().as_secs_f64()
    );

    // 2. The real server, logged in as the tenant's owner.
    let config = Config::from_args(&["--site-addr", "127.0.0.1:0", "--no-worker"]).expect("config");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let app = Application::build_with_db(config, db.clone(), listener)
        .await
        .expect("app");
    let base = format!("http://127.0.0.1:{}", app.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let session: serde_json::Value = client
        .get(format!("{base}/api/session"))
        .send()
        .await
        .expect("session")
        .json()
        .await
        .expect("json");
    let csrf = session["csrf_token"].as_str().expect("csrf").to_owned();
    let login = client
        .post(format!("{base}/api/log_in"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", target.email.as_str()),
            ("password", &target.password),
        ])
        .send()
        .await
        .expect("log in");
    assert_eq!(login.status(), StatusCode::OK, "log in");

    let from = iso(BASE + SPAN / 2);
    let until = iso(BASE + SPAN);
    let filtered =
        format!("/api/event_history?status=failed&kind=products&from={from}&until={until}");
    time(
        name,
        "first page (with counts)",
        repeat,
        &client,
        &base,
        "/api/event_history",
    )
    .await;
    time(
        name,
        "filtered page (status + kind + time)",
        repeat,
        &client,
        &base,
        &filtered,
    )
    .await;
    let page500 = walk_to_page(&client, &base, 500).await;
    time(
        name,
        "page 500 via keyset",
        repeat,
        &client,
        &base,
        &page500,
    )
    .await;
    time(
        name,
        "record-number search (P4242…)",
        repeat,
        &client,
        &base,
        "/api/event_history?number=P4242",
    )
    .await;
    time(
        name,
        "products page (100,000 products)",
        repeat,
        &client,
        &base,
        "/api/products_page?search=",
    )
    .await;
    time(
        name,
        "products search",
        repeat,
        &client,
        &base,
        "/api/products_page?search=P0042",
    )
    .await;
    export(name, &client, &base).await;

    // 3. The plans.
    plans(&db, target.tenant_id, name).await;
    let _ = stop.send(());
    tokio::time::sleep(Duration::from_millis(200)).await;
    test_db.cleanup().await;
}

fn iso(millis: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .expect("time");
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

async fn execute(db: &Db, sql: &str) {
    if let Some(pool) = db.sqlite_pool() {
        sqlx::query(sql).execute(pool).await.expect("SQLite");
    } else {
        sqlx::query(sql)
            .execute(db.pg_pool().expect("pg"))
            .await
            .expect("PostgreSQL");
    }
}

/// `n` events of `tenant`: received over 60 days, three per millisecond; statuses by n % 100.
async fn seed_events(db: &Db, tenant: TenantId, n: i64) {
    if n == 0 {
        return;
    }
    let step = (SPAN / (n / 3 + 1)).max(1);
    let columns = "tenant_id, kind, status, action, old_number, new_number, record_key, content_type, \
        raw_body, reason, received_at, attempts, next_attempt_at, last_error, outcome, processed_at, \
        created_at, updated_at";
    let values = |n: &str, text_to_blob: &str| {
        format!(
            "{t}, case {n} % 3 when 0 then 'products' when 1 then 'customers' else 'invoices' end, \
             case when {n} % 100 < 90 then 'processed' when {n} % 100 < 95 then 'ignored' \
                  when {n} % 100 < 97 then 'failed' when {n} % 100 < 98 then 'dead' \
                  when {n} % 100 < 99 then 'rejected' else 'received' end, \
             '{{\"action\":\"updated\",\"data\":{{\"kind\":\"product\",\"number\":\"P' || ({n} % 100000) || '\"}}}}', \
             'P' || ({n} % 100000), 'P' || ({n} % 100000), 'P' || ({n} % 100000), \
             'application/x-www-form-urlencoded', {blob}, null, {BASE} + ({n} / 3) * {step}, 1, 0, \
             case when {n} % 100 between 95 and 97 then 'server error 500' end, \
             case when {n} % 100 < 90 then '{{\"outcome\":\"up_to_date\"}}' end, \
             case when {n} % 100 < 90 then {BASE} + ({n} / 3) * {step} + 20 end, \
             {BASE} + ({n} / 3) * {step}, {BASE} + ({n} / 3) * {step}",
            t = tenant.get(),
            blob = text_to_blob.replace(
                "TEXT",
                &format!("'P' || ({n} % 100000) || '&P' || ({n} % 100000)")
            ),
        )
    };
    let sql = if db.sqlite_pool().is_some() {
        format!(
            "with recursive seq(n) as (select 0 union all select n + 1 from seq where n < {last}) \
             insert into webhook_events ({columns}) select {} from seq",
            values("n", "cast(TEXT as blob)"),
            last = n - 1
        )
    } else {
        format!(
            "insert into webhook_events ({columns}) select {} from generate_series(0::bigint, {last}::bigint) n",
            values("n", "convert_to(TEXT, 'UTF8')"),
            last = n - 1
        )
    };
    execute(db, &sql).await;
}

async fn seed_products(db: &Db, tenant: TenantId, n: i64) {
    let columns =
        "tenant_id, product_number, name, barred, stock, synced_at, raw, created_at, updated_at";
    let values = |n: &str| {
        format!(
            "{t}, 'P' || substr('00000' || {n}, -5, 5), 'Vare ' || {n}, false, {n} * 1000, {BASE}, '{{}}', {BASE}, {BASE}",
            t = tenant.get()
        )
    };
    let sql = if db.sqlite_pool().is_some() {
        format!(
            "with recursive seq(n) as (select 0 union all select n + 1 from seq where n < {last}) \
             insert into products ({columns}) select {} from seq",
            values("n"),
            last = n - 1
        )
    } else {
        format!(
            "insert into products ({columns}) select {} from generate_series(0::bigint, {last}::bigint) n",
            values("n").replace("substr('00000' || n, -5, 5)", "lpad(n::text, 5, '0')"),
            last = n - 1
        )
    };
    execute(db, &sql).await;
}

async fn analyze(db: &Db) {
    execute(db, "analyze").await;
}

/// GET `path` `repeat` times (after one warm-up); prints p50 and p99.
async fn time(
    name: &str,
    what: &str,
    repeat: usize,
    client: &reqwest::Client,
    base: &str,
    path: &str,
) {
    let mut took = Vec::with_capacity(repeat);
    for i in 0..=repeat {
        let started = Instant::now();
        let response = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body = response.bytes().await.expect("body");
        assert!(!body.is_empty());
        if i > 0 {
            took.push(started.elapsed());
        }
    }
    took.sort();
    let at = |q: f64| took[((took.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0;
    println!(
        "[{name}] {what}: p50 {:.1} ms, p99 {:.1} ms ({repeat} requests)",
        at(0.5),
        at(0.99)
    );
}

/// The path of history page `n`, reached by following the "older" cursors.
async fn walk_to_page(client: &reqwest::Client, base: &str, n: usize) -> String {
    let mut path = "/api/event_history".to_owned();
    for _ in 1..n {
        let page: serde_json::Value = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("GET")
            .json()
            .await
            .expect("JSON");
        let older = page["older"].as_str().expect("an older page");
        path = format!("/api/event_history?before={older}");
    }
    path
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

async fn export(name: &str, client: &reqwest::Client, base: &str) {
    let before = peak_rss_kib();
    let started = Instant::now();
    let mut response = client
        .get(format!("{base}/events/export.csv"))
        .send()
        .await
        .expect("export");
    assert_eq!(response.status(), StatusCode::OK);
    let (mut bytes, mut lines) = (0usize, 0usize);
    let mut marks = Vec::new();
    while let Some(chunk) = response.chunk().await.expect("chunk") {
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
        if marks.len() < 4 && lines >= 250_000 * (marks.len() + 1) {
            marks.push(format!("{} rows: {} MiB", lines, peak_rss_kib() / 1024));
        }
    }
    println!(
        "[{name}] CSV export: {} rows ({:.0} MiB) in {:.1} s; peak RSS of the process {} MiB before, {} MiB after ({})",
        lines.saturating_sub(1),
        bytes as f64 / 1_048_576.0,
        started.elapsed().as_secs_f64(),
        before / 1024,
        peak_rss_kib() / 1024,
        marks.join(", ")
    );
}

async fn plans(db: &Db, tenant: TenantId, name: &str) {
    let t = tenant.get();
    let select = "select id, kind, status, received_at from webhook_events";
    let queries = [
        (
            "first page",
            format!("{select} where tenant_id = {t} order by received_at desc, id desc limit 51"),
        ),
        (
            "filtered page",
            format!(
                "{select} where tenant_id = {t} and kind = 'products' and status = 'failed' and received_at >= {} \
                 and received_at < {} order by received_at desc, id desc limit 51",
                BASE + SPAN / 2,
                BASE + SPAN
            ),
        ),
        (
            "keyset page",
            format!(
                "{select} where tenant_id = {t} and received_at <= {c} and (received_at < {c} or id < 1000) \
                 order by received_at desc, id desc limit 51",
                c = BASE + SPAN / 3
            ),
        ),
        (
            "record prefix",
            format!(
                "{select} where tenant_id = {t} and record_key >= 'P4242' and record_key < 'P4242\u{10FFFF}' \
                 order by received_at desc, id desc limit 51"
            ),
        ),
        (
            "count of a status",
            format!(
                "select count(*) from (select 1 from webhook_events where tenant_id = {t} and status = 'processed' limit 1001) c"
            ),
        ),
    ];
    for (what, sql) in queries {
        let plan: Vec<String> = if let Some(pool) = db.sqlite_pool() {
            let rows: Vec<(i64, i64, i64, String)> =
                sqlx::query_as(&format!("explain query plan {sql}"))
                    .fetch_all(pool)
                    .await
                    .expect("plan");
            rows.into_iter().map(|r| r.3).collect()
        } else {
            let rows: Vec<(String,)> =
                sqlx::query_as(&format!("explain (analyze, costs off) {sql}"))
                    .fetch_all(db.pg_pool().expect("pg"))
                    .await
                    .expect("plan");
            rows.into_iter().map(|r| r.0).collect()
        };
        println!("[{name}] plan of the {what}:");
        for line in plan {
            println!("    {line}");
        }
    }
}
