//! Sync health benchmark, not a timed test:
//!
//! 1. seed `BENCH_COMPANIES` (10,000) companies inside the database (`generate_series` / a
//!    recursive CTE): each with its owner, a connection to e-conomic, every entity on webhooks
//!    and imported, three webhooks the app manages (never checked, so their health is
//!    "unchecked" and costs the same to derive), the facts the sweep keeps, API calls in the
//!    budget's window, and `BENCH_EVENTS_PER` (20) processed events of the last day; every
//!    thirtieth company also has 5 dead events (a problem: "events failing"). The first
//!    company is a real sign-up whose owner logs in.
//! 2. the detection sweep (`backend::health::sweep::sweep`, what the health task runs every
//!    minute): the first sweep (it opens an episode, with its notifications and mails, for each
//!    company with a problem), then `BENCH_SWEEPS` (10) sweeps a minute apart with nothing
//!    changed. Nearly all of a sweep is database time (a handful of grouped queries and the
//!    per-row work on their answers), so its wall time is an upper bound of its database time.
//! 3. the home page of the first company over HTTP against the real server, logged in:
//!    `/api/home_health` (the page's data) and `/` (the whole page rendered on the server),
//!    `BENCH_REPEAT` (50) times each, p50 and p99 on loopback.
//! 4. the staff dashboard's server function: its page of 50 companies among all of them
//!    (`backend::tenant_health::page`, problems first and by API calls), `BENCH_REPEAT` times.
//!
//! `BENCH_DB=sqlite|postgres|both cargo bench -p server --bench health`

use std::time::{Duration, Instant};

use backend::health::signals::UrlBase;
use backend::health::sweep::{self, Context};
use backend::testing::{Backend, TestDb};
use backend::{Db, Keys, Timestamp};
use reqwest::StatusCode;
use server::{Application, Config};
use tokio::net::TcpListener;
use tower_sessions_sqlx_store::sqlx;

mod common;
use common::env;

fn main() {
    common::on_each_database(|backend, name| async move { bench(backend, &name).await });
}

const PUBLIC_URL: &str = "http://127.0.0.1:3000";

async fn bench(backend: Backend, name: &str) {
    let companies = env("BENCH_COMPANIES", 10_000i64);
    let per = env("BENCH_EVENTS_PER", 20i64);
    let sweeps = env("BENCH_SWEEPS", 10usize);
    let repeat = env("BENCH_REPEAT", 50usize);
    let test_db = TestDb::new(backend).await;
    let db = test_db.db().clone();
    let master = Keys::generate_master_base64();
    let keys = Keys::from_base64(&master).expect("keys");

    // 1. Seed.
    let started = Instant::now();
    let first = backend::testing::owner(&db, "bench").await;
    let now = Timestamp::now();
    seed(&db, companies - 1, per, now.as_millis()).await;
    execute(&db, "analyze").await;
    println!(
        "[{name}] seeded {companies} companies ({} events) in {:.1} s",
        companies * per,
        started.elapsed().as_secs_f64()
    );

    // 2. The sweep.
    let ctx = Context {
        db: &db,
        urls: UrlBase {
            keys: &keys,
            public_url: PUBLIC_URL,
        },
        config: backend::health::Config::default(),
        mail_text: app::api::health::alert_mail,
    };
    let started = Instant::now();
    let swept = sweep::sweep(ctx, now).await.expect("sweep");
    println!(
        "[{name}] first sweep of {} companies: {:.0} ms (opened {} episodes, {} probes due)",
        swept.tenants,
        started.elapsed().as_secs_f64() * 1000.0,
        swept.opened,
        swept.probes.len()
    );
    let mut took = Vec::with_capacity(sweeps);
    for i in 1..=sweeps {
        let at = now + time::Duration::minutes(i64::try_from(i).unwrap_or(0));
        let started = Instant::now();
        let swept = sweep::sweep(ctx, at).await.expect("sweep");
        took.push(started.elapsed());
        assert_eq!(swept.opened + swept.resolved, 0, "nothing changed");
    }
    report(name, "sweep, nothing changed (once a minute)", &mut took);

    // 3. The home page, logged in as the first company's owner.
    let config = Config::from_args(&[
        "--site-addr",
        "127.0.0.1:0",
        "--no-worker",
        "--secret-key",
        &master,
    ])
    .expect("config");
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
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    log_in(&client, &base, first.email.as_str(), &first.password).await;
    for (what, path) in [
        ("home page data (/api/home_health)", "/api/home_health"),
        ("home page, rendered (/)", "/"),
    ] {
        let mut took = Vec::with_capacity(repeat);
        for i in 0..=repeat {
            let started = Instant::now();
            let response = client
                .get(format!("{base}{path}"))
                .send()
                .await
                .expect("GET");
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert!(!response.bytes().await.expect("body").is_empty());
            if i > 0 {
                took.push(started.elapsed());
            }
        }
        report(name, what, &mut took);
    }
    // 4. The staff dashboard's page of companies.
    for (what, sort) in [
        (
            "staff dashboard page (problems first)",
            backend::tenant_health::Sort::Problems,
        ),
        (
            "staff dashboard page (by API calls)",
            backend::tenant_health::Sort::ApiCalls,
        ),
    ] {
        let mut took = Vec::with_capacity(repeat);
        for _ in 0..repeat {
            let started = Instant::now();
            let page = backend::tenant_health::page(ctx, "", sort, 0, 50, Timestamp::now())
                .await
                .expect("page");
            took.push(started.elapsed());
            assert_eq!(page.rows.len(), 50);
        }
        report(name, what, &mut took);
    }
    // Stopping the server closes the database's pools.
    let _ = stop.send(());
    test_db.cleanup().await;
}

async fn log_in(client: &reqwest::Client, base: &str, email: &str, password: &str) {
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
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .expect("log in");
    assert!(login.status().is_success(), "log in: {}", login.status());
}

/// Prints p50, p99 and the largest of `took`.
fn report(name: &str, what: &str, took: &mut [Duration]) {
    took.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| ms(took[((took.len() as f64 - 1.0) * q).round() as usize]);
    println!(
        "[{name}] {what}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} runs)",
        at(0.5),
        at(0.99),
        ms(took[took.len() - 1]),
        took.len()
    );
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

/// `n` more companies, all of them (and the one signed up) connected, on webhooks, imported,
/// with facts, calls and `per` events each; every thirtieth with 5 dead events.
async fn seed(db: &Db, n: i64, per: i64, now: i64) {
    let sqlite = db.sqlite_pool().is_some();
    // `{seq}` is a row source of `n` in 0..count.
    let seq = |count: i64| {
        if sqlite {
            format!(
                "(with recursive s(n) as (select 0 union all select n + 1 from s where n < {}) \
                 select n from s)",
                count - 1
            )
        } else {
            format!(
                "(select n from generate_series(0::bigint, {}::bigint) n)",
                count - 1
            )
        }
    };
    let blob = if sqlite { "x'00'" } else { "'\\x00'::bytea" };
    let day = 86_400_000i64;
    let statements = [
        format!(
            "insert into tenants (name, created_at, updated_at) \
             select 'Company ' || n, {now}, {now} from {} q",
            seq(n)
        ),
        format!(
            "insert into users (email, name, password_hash, created_at, updated_at) \
             select 'owner' || n || '@bench.test', 'Owner ' || n, 'x', {now}, {now} from {} q",
            seq(n)
        ),
        "insert into memberships (tenant_id, user_id, role, created_at, updated_at) \
         select t.id, u.id, 'owner', t.created_at, t.created_at from tenants t \
         join users u on u.email = 'owner' || substr(t.name, 9) || '@bench.test' \
         where t.name like 'Company %'"
            .to_owned(),
        format!(
            "insert into economic_connections (tenant_id, grant_token_ciphertext, \
             grant_token_nonce, agreement_number, company_name, connected_at, \
             webhooks_api_allowed, created_at, updated_at) \
             select id, {blob}, {blob}, 100000 + id, name, {c}, true, {c}, {c} from tenants",
            c = now - 30 * day
        ),
        format!(
            "insert into sync_settings (tenant_id, products_hourly, customers_hourly, \
             products_webhook, customers_webhook, invoices_webhook, created_at, updated_at) \
             select id, false, false, true, true, true, {c}, {c} from tenants",
            c = now - 30 * day
        ),
    ];
    for sql in &statements {
        execute(db, sql).await;
    }
    for entity in ["customers", "products", "invoices"] {
        let c = now - 29 * day;
        let recent = now - 5 * 60_000;
        for sql in [
            format!(
                "insert into sync_state (tenant_id, entity, watermark, imported_at, created_at, \
                 updated_at) select id, '{entity}', {c}, {c}, {c}, {c} from tenants"
            ),
            format!(
                "insert into health_entities (tenant_id, entity, last_webhook_at, \
                 last_run_ok_at, fresh_until, created_at, updated_at) \
                 select id, '{entity}', {recent}, {c}, {recent}, {c}, {recent} from tenants"
            ),
            format!(
                "insert into managed_webhooks (tenant_id, kind, managed, mode, outcome, \
                 outcome_at, created_at, updated_at) \
                 select id, '{entity}', true, 'automatic', 'created', {c}, {c}, {c} from tenants"
            ),
        ] {
            execute(db, &sql).await;
        }
    }
    // Calls in the budget's window: 300 a day, in 10-minute buckets of the last 6 hours.
    let bucket = 600_000i64;
    let last = now.div_euclid(bucket) * bucket;
    execute(
        db,
        &format!(
            "insert into api_usage (tenant_id, bucket, calls, created_at, updated_at) \
             select t.id, {last} - q.n * {bucket}, 8, {now}, {now} from tenants t, {} q",
            seq(36)
        ),
    )
    .await;
    let events = |count: i64, status: &str, filter: &str| {
        format!(
            "insert into webhook_events (tenant_id, kind, status, action, old_number, new_number, \
             record_key, content_type, raw_body, received_at, attempts, next_attempt_at, \
             last_error, processed_at, created_at, updated_at) \
             select t.id, 'products', '{status}', \
             '{{\"action\":\"updated\",\"data\":{{\"kind\":\"product\",\"number\":\"P' || q.n || '\"}}}}', \
             'P' || q.n, 'P' || q.n, 'P' || q.n, \
             'application/json', {blob}, {now} - 3600000 - q.n * 60000, 1, {now}, \
             case when '{status}' = 'dead' then 'server error 500' end, \
             case when '{status}' = 'processed' then {now} - 3600000 - q.n * 60000 + 20 end, \
             {now} - 3600000 - q.n * 60000, {now} from tenants t, {} q{filter}",
            seq(count)
        )
    };
    execute(db, &events(per, "processed", "")).await;
    execute(db, &events(5, "dead", " where t.id % 30 = 0")).await;
}
