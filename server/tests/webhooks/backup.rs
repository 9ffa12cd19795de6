//! `server backup` while the app takes webhooks: the backup is taken online, by the real
//! binary, from the live SQLite database, and restoring it (opening the file as the database)
//! loses nothing that was acknowledged before the backup began.

use std::collections::HashSet;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use backend::testing::{Backend, TestDb};
use economic::Entity;

use crate::helpers::*;

/// Parallel senders, like e-conomic's bursts (each sends one request at a time).
const SENDERS: usize = 4;
/// How long the load runs before and after the backup starts.
const LOAD_BEFORE: Duration = Duration::from_millis(500);
const LOAD_AFTER: Duration = Duration::from_millis(300);
/// A bound on the load whatever the timing: no sender sends more.
const MAX_PER_SENDER: usize = 5_000;

fn backup(database_url: &str, to: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["backup", "--database-url", database_url, "--to"])
        .arg(to)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run server backup")
}

#[tokio::test]
async fn a_backup_under_webhook_load_keeps_every_acknowledged_event() {
    // Arrange: the app on a SQLite file, senders posting webhooks and noting each 2xx's time.
    let test_db = TestDb::new(Backend::Sqlite).await;
    let app = Arc::new(spawn_ingest_only(test_db.db()).await);
    let tenant = app.live_tenant("acme").await;
    let url = app.url(tenant, Entity::Products).await;
    let acked: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let stop = tokio_util::sync::CancellationToken::new();
    let senders: Vec<_> = (0..SENDERS)
        .map(|sender| {
            let (app, url, acked, stop) = (app.clone(), url.clone(), acked.clone(), stop.clone());
            tokio::spawn(async move {
                for i in 0..MAX_PER_SENDER {
                    if stop.is_cancelled() {
                        break;
                    }
                    let number = format!("S{sender}-{i}");
                    let response = app.post(&url, format!("{number}&{number}")).await;
                    if response.status().is_success() {
                        let at = Instant::now();
                        acked.lock().expect("acked").push((number, at));
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(LOAD_BEFORE).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let backup_file = dir.path().join("backup.db");

    // Act: back up with the binary while the senders go on.
    let began = Instant::now();
    let url_of_db = test_db.url().to_owned();
    let file = backup_file.clone();
    let output = tokio::task::spawn_blocking(move || backup(&url_of_db, &file))
        .await
        .expect("backup task");
    tokio::time::sleep(LOAD_AFTER).await;
    stop.cancel();
    for sender in senders {
        sender.await.expect("sender");
    }

    // Assert: the backup restores (opens, migrations up to date) with every number acked
    // before it began.
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let before: HashSet<String> = acked
        .lock()
        .expect("acked")
        .iter()
        .filter(|(_, at)| *at < began)
        .map(|(number, _)| number.clone())
        .collect();
    let total_acked = acked.lock().expect("acked").len();
    assert!(
        before.len() > 100,
        "load before the backup: {}",
        before.len()
    );
    assert!(total_acked > before.len(), "load went on during the backup");
    let restored = backend::Db::connect(&format!("sqlite://{}", backup_file.display()))
        .await
        .expect("open the backup as the database");
    restored
        .migrate()
        .await
        .expect("the backup's schema is current");
    let pool = restored.sqlite_pool().expect("SQLite");
    let stored: HashSet<String> =
        sqlx::query_scalar::<_, String>("select new_number from webhook_events")
            .fetch_all(pool)
            .await
            .expect("read the restored events")
            .into_iter()
            .collect();
    let lost: Vec<&String> = before.difference(&stored).collect();
    assert!(
        lost.is_empty(),
        "lost {} of {}: {lost:?}",
        lost.len(),
        before.len()
    );
    restored.close().await;
}

#[test]
fn a_backup_refuses_to_overwrite_a_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let existing = dir.path().join("backup.db");
    std::fs::write(&existing, b"keep me").expect("write");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display());

    let output = backup(&url, &existing);

    assert!(!output.status.success());
    assert_eq!(std::fs::read(&existing).expect("read"), b"keep me");
}

/// PostgreSQL is backed up with its own tool: the command says how instead of failing silently.
#[tokio::test]
async fn on_postgres_backup_points_to_pg_dump() {
    let test_db = TestDb::new(Backend::Postgres).await;
    let dir = tempfile::tempdir().expect("temp dir");

    let output = backup(test_db.url(), &dir.path().join("backup.dump"));

    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!output.status.success());
    assert!(text.contains("pg_dump"), "{text}");
    assert!(!dir.path().join("backup.dump").exists());
}
