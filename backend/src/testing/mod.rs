//! Test support (cargo feature `testing`): a fresh, migrated database per test, on SQLite and
//! on PostgreSQL, [`db_test!`](crate::db_test) to run one test body on both, and fixtures.
//!
//! PostgreSQL tests create `t_<random>` on the server at `TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) and drop it afterwards, best effort. SQLite
//! tests use a file in a temporary directory (WAL mode, as in production).
//!
//! From another crate, add to its `Cargo.toml`:
//!
//! ```toml
//! [dev-dependencies]
//! backend = { workspace = true, features = ["testing"] }
//! ```
//!
//! then either `backend::db_test!(name, |db| async move { … })` (two `#[test]`s, each with its own
//! runtime: `name::sqlite`, `name::postgres`), or, inside your own `#[tokio::test]`:
//!
//! ```ignore
//! for backend in [Backend::Sqlite, Backend::Postgres] {
//!     let test_db = TestDb::new(backend).await;
//!     let app = server::build(config, test_db.db().clone()).await;
//!     // …
//!     test_db.cleanup().await;
//! }
//! ```

mod fixtures;
pub mod isolation;

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::str::FromStr;

use rand::Rng;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};

use crate::Db;

pub use fixtures::{Owner, PASSWORD, owner};

/// The server tests create their databases on unless `TEST_POSTGRES_URL` says otherwise.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a temporary directory.
    Sqlite,
    /// A new database on the test PostgreSQL server.
    Postgres,
}

/// A fresh, migrated database that is removed by [`TestDb::cleanup`].
#[derive(Debug)]
pub struct TestDb {
    db: Db,
    url: String,
    place: Place,
}

#[derive(Debug)]
enum Place {
    Sqlite(tempfile::TempDir),
    Postgres {
        admin: Box<PgConnectOptions>,
        name: String,
    },
}

impl TestDb {
    /// Create and migrate a fresh database; panics if that is impossible (it is a test).
    pub async fn new(backend: Backend) -> TestDb {
        let test_db = match backend {
            Backend::Sqlite => Self::sqlite().await,
            Backend::Postgres => Self::postgres().await,
        };
        test_db
            .db
            .migrate()
            .await
            .expect("migrate the test database");
        test_db
    }

    async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        // A subdirectory that does not exist yet: `Db::connect` must create it.
        let path = dir.path().join("data").join("test.db");
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let db = Db::connect(&url)
            .await
            .expect("open the SQLite test database");
        TestDb {
            db,
            url,
            place: Place::Sqlite(dir),
        }
    }

    async fn postgres() -> TestDb {
        let url =
            std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.into());
        let admin = PgConnectOptions::from_str(&url).expect("parse TEST_POSTGRES_URL");
        let name = format!("t_{:016x}", rand::thread_rng().r#gen::<u64>());
        let mut conn = PgConnection::connect_with(&admin)
            .await
            .expect("connect to the test PostgreSQL server (TEST_POSTGRES_URL)");
        sqlx::raw_sql(&format!(r#"create database "{name}""#))
            .execute(&mut conn)
            .await
            .expect("create the test database");
        let _ = conn.close().await;
        let db = Db::connect_postgres(admin.clone().database(&name))
            .await
            .expect("connect to the test database");
        // The same server and user, the new database: replace the URL's last path segment.
        let (without_query, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
        let server = without_query
            .rsplit_once('/')
            .map_or(without_query, |(s, _)| s);
        let child_url = match query {
            "" => format!("{server}/{name}"),
            q => format!("{server}/{name}?{q}"),
        };
        TestDb {
            db,
            url: child_url,
            place: Place::Postgres {
                admin: Box::new(admin),
                name,
            },
        }
    }

    /// The database's URL, for another process (a server started as a child) to open it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database handle (clone it freely).
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Close the pool and remove the database, best effort (a failure only leaves garbage).
    pub async fn cleanup(self) {
        self.db.close().await;
        match self.place {
            Place::Sqlite(dir) => drop(dir),
            Place::Postgres { admin, name } => {
                if let Ok(mut conn) = PgConnection::connect_with(&admin).await {
                    let sql = format!(r#"drop database if exists "{name}" with (force)"#);
                    let _ = sqlx::raw_sql(&sql).execute(&mut conn).await;
                    let _ = conn.close().await;
                }
            }
        }
    }
}

/// Run `test` on a fresh database of `backend` in its own runtime, then clean up — also when the
/// test panics (the panic is re-raised afterwards). Used by [`db_test!`](crate::db_test).
pub fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("build a tokio runtime");
    let test_db = runtime.block_on(TestDb::new(backend));
    let db = test_db.db().clone();
    let outcome = catch_unwind(AssertUnwindSafe(|| runtime.block_on(test(db))));
    runtime.block_on(test_db.cleanup());
    if let Err(panic) = outcome {
        resume_unwind(panic);
    }
}

/// Define one async test body that runs twice, on a fresh SQLite and a fresh PostgreSQL
/// database: `<name>::sqlite` and `<name>::postgres`.
///
/// ```ignore
/// use backend::db_test;
///
/// // This form is formatted by rustfmt:
/// db_test!(ping_works, |db| async move {
///     db.ping().await.expect("ping");
/// });
///
/// // This form takes attributes (e.g. `#[ignore]`), applied to both tests:
/// db_test!(#[ignore] async fn slow_one(db) {
///     db.ping().await.expect("ping");
/// });
/// ```
///
/// The body receives `db: backend::Db` and returns `()`; use `expect`. Each test gets its own
/// runtime (multi-threaded), so no tokio setup is needed. The calling crate needs `backend` with
/// feature `testing` in its dev-dependencies.
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$db:ident| async move $body:block) => {
        $crate::db_test!(async fn $name($db) $body);
    };
    ($(#[$meta:meta])* async fn $name:ident($db:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $(#[$meta])*
            #[test]
            fn sqlite() {
                let backend = $crate::testing::Backend::Sqlite;
                $crate::testing::run(backend, |$db: $crate::Db| async move $body);
            }

            $(#[$meta])*
            #[test]
            fn postgres() {
                let backend = $crate::testing::Backend::Postgres;
                $crate::testing::run(backend, |$db: $crate::Db| async move $body);
            }
        }
    };
}

/// Delete the tenant's sync runs (connecting queues an import; tests of webhooks do without).
pub async fn forget_sync_runs(db: &Db, tenant_id: crate::TenantId) {
    with_tenant!(db, tenant_id, conn => sqlx::query("delete from sync_runs where tenant_id = $1")
        .bind(tenant_id)
        .execute(conn)
        .await
        .map(|_| ()))
    .expect("sync runs deleted");
}

/// Insert `n` product webhook events of the tenant in `status` directly (the staff dashboard's
/// tests need counts per status without running the engine).
pub async fn store_events(
    db: &Db,
    tenant_id: crate::TenantId,
    status: crate::events::EventStatus,
    n: usize,
) {
    let now = crate::Timestamp::now();
    for _ in 0..n {
        with_tenant!(db, tenant_id, conn => sqlx::query(
            "insert into webhook_events \
             (tenant_id, kind, status, raw_body, received_at, created_at, updated_at) \
             values ($1, 'products', $2, $3, $4, $4, $4)",
        )
        .bind(tenant_id)
        .bind(status.as_str())
        .bind(b"number=1".as_slice())
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ()))
        .expect("event stored");
    }
}
