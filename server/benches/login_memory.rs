//! Memory under failed log-ins, not a timed test.
//!
//! Starts the real server binary (built with the bench profile, i.e. release) on a fresh
//! database with `BENCH_ACCOUNTS` (10) known accounts, reads its resident memory (`VmRSS` in
//! `/proc/<pid>/status`) when idle, then sends `BENCH_LOGINS` (500) log-ins with wrong
//! passwords, `BENCH_PARALLEL` (64) at once, half to known accounts and half to unknown
//! e-mails (both cost one argon2 hash), each from its own `X-Forwarded-For` address so that the
//! throttle lets every one reach the hash; then reads the memory again at once and after
//! `BENCH_PAUSE_SECS` (30). Target: less than 100 MB above the idle figure.
//!
//! `BENCH_DB=sqlite|postgres|both cargo bench -p server --bench login_memory`

use std::collections::BTreeMap;
use std::net::TcpListener as StdListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use backend::Keys;
use backend::testing::{Backend, TestDb};

mod common;
use common::env;

fn main() {
    common::on_each_database(|backend, name| async move { bench(backend, &name).await });
}

/// The server process; killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn bench(backend: Backend, name: &str) {
    let logins = env("BENCH_LOGINS", 500usize);
    let parallel = env("BENCH_PARALLEL", 64usize);
    let pause = env("BENCH_PAUSE_SECS", 30u64);
    let accounts = env("BENCH_ACCOUNTS", 10usize);
    let test_db = TestDb::new(backend).await;
    let mut known = Vec::new();
    for i in 0..accounts {
        let owner = backend::testing::owner(test_db.db(), &format!("known{i}")).await;
        known.push(owner.email.as_str().to_owned());
    }

    let port = StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let master = Keys::generate_master_base64();
    let args = [
        "serve",
        "--database-url",
        test_db.url(),
        "--site-addr",
        &addr,
        "--secret-key",
        &master,
        "--site-root",
        "/nonexistent",
        "--no-worker",
        "--trust-proxy-headers",
    ];
    let child = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start the server binary");
    let pid = child.id();
    let server = Server(child);
    let base = format!("http://{addr}");
    wait_ready(&base).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = rss_kib(pid);

    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let statuses = Arc::new(Mutex::new(BTreeMap::<u16, usize>::new()));
    let known = Arc::new(known);
    let workers: Vec<_> = (0..parallel)
        .map(|_| {
            let (next, statuses, known, base) =
                (next.clone(), statuses.clone(), known.clone(), base.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .cookie_store(true)
                    .build()
                    .expect("client");
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= logins {
                        break;
                    }
                    let email = match i % 2 {
                        0 => known[(i / 2) % known.len()].clone(),
                        _ => format!("nobody{i}@unknown.test"),
                    };
                    let status = log_in(&client, &base, &email, i).await;
                    *statuses
                        .lock()
                        .expect("statuses")
                        .entry(status)
                        .or_default() += 1;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("worker");
    }
    let took = started.elapsed();
    let after = rss_kib(pid);
    tokio::time::sleep(Duration::from_secs(pause)).await;
    let later = rss_kib(pid);
    let peak = status_kib(pid, "VmHWM:");
    drop(server);
    test_db.cleanup().await;

    let mb = |kib: u64| kib as f64 * 1024.0 / 1_000_000.0;
    let answers: Vec<String> = statuses
        .lock()
        .expect("statuses")
        .iter()
        .map(|(status, n)| format!("{n}× {status}"))
        .collect();
    println!(
        "[{name}] {logins} failed log-ins, {parallel} at once, in {:.1} s (answers: {})",
        took.as_secs_f64(),
        answers.join(", ")
    );
    println!(
        "[{name}] RSS idle {:.0} MB, after {:.0} MB (+{:.0} MB), after {pause} s {:.0} MB \
         (+{:.0} MB), peak {:.0} MB; target < +100 MB: {}",
        mb(idle),
        mb(after),
        mb(after.saturating_sub(idle)),
        mb(later),
        mb(later.saturating_sub(idle)),
        mb(peak),
        if mb(after.max(later).saturating_sub(idle)) < 100.0 {
            "met"
        } else {
            "MISSED"
        }
    );
}

/// One failed log-in from its own address; the answer's status.
async fn log_in(client: &reqwest::Client, base: &str, email: &str, i: usize) -> u16 {
    let session: serde_json::Value = client
        .get(format!("{base}/api/session"))
        .send()
        .await
        .expect("GET /api/session")
        .json()
        .await
        .expect("session JSON");
    let csrf = session["csrf_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let address = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
    let password = format!("not the password {i}");
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("email", email),
        ("password", password.as_str()),
    ];
    client
        .post(format!("{base}/api/log_in"))
        .header("x-forwarded-for", address)
        .form(&fields)
        .send()
        .await
        .expect("POST /api/log_in")
        .status()
        .as_u16()
}

async fn wait_ready(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if reqwest::get(format!("{base}/healthz"))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server at {base} did not become ready");
}

/// Resident memory of `pid` now, in KiB.
fn rss_kib(pid: u32) -> u64 {
    status_kib(pid, "VmRSS:")
}

/// A `kB` line of `/proc/<pid>/status`.
fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
