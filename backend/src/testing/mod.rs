//! Test support (cargo feature `testing`): a fresh, migrated database per test, on SQLite and
//! on PostgreSQL, [`db_test!`](crate::db_test) to run one test body on both, and fixtures.
//!
//! PostgreSQL tests create `t_<random>` on the server at `TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`, a superuser with trust authentication) and
//! drop it afterwards, best effort. That administrator migrates the database, as the owner role
//! does in production; the test's [`Db`] and [`TestDb::url`] then log in as [`LOGIN`], which is
//! no superuser, has no `BYPASSRLS` and owns nothing (README, "Running against PostgreSQL").
//! SQLite tests use a file in a temporary directory (WAL mode, as in production).
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
        // The administrator plays the owner role: it runs the migrations, as `server migrate`
        // would in production. The app then logs in as a role that may do no more than its work.
        let owner = Db::connect_postgres(admin.clone().database(&name))
            .await
            .expect("connect to the test database");
        owner.migrate().await.expect("migrate the test database");
        owner.close().await;
        ensure_login(&admin.clone().database(&name)).await;
        let db = Db::connect_postgres(admin.clone().database(&name).username(LOGIN))
            .await
            .expect("connect to the test database as the app's login");
        TestDb {
            db,
            url: login_url(&url, &name),
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

/// The login the PostgreSQL tests' app uses: no superuser, no `BYPASSRLS`, owns nothing, a
/// member of `inventory_sync_app` and `inventory_sync_cross_tenant` only (README, "Running
/// against PostgreSQL"). One for the whole cluster, as roles are; made by the first test.
pub const LOGIN: &str = "inventory_sync_test_login";

/// Make [`LOGIN`] and grant it the app's two roles, idempotently: several test processes may
/// do this at once, and whoever is second ignores the duplicate. Refuses (panics) if a role of
/// that name exists with more rights than a login should have.
async fn ensure_login(migrated: &PgConnectOptions) {
    let mut conn = PgConnection::connect_with(migrated)
        .await
        .expect("connect to the test database as the administrator");
    let make = format!(
        r#"do $$
        begin
            create role {LOGIN} login nosuperuser nobypassrls nocreatedb nocreaterole;
        exception when duplicate_object or unique_violation then null;
        end $$;
        do $$
        begin
            if not pg_has_role('{LOGIN}', 'inventory_sync_app', 'member')
                or not pg_has_role('{LOGIN}', 'inventory_sync_cross_tenant', 'member') then
                grant inventory_sync_app, inventory_sync_cross_tenant to {LOGIN};
            end if;
        exception when unique_violation then null;
        end $$;"#
    );
    sqlx::raw_sql(&make)
        .execute(&mut conn)
        .await
        .expect("make the tests' login role");
    let (superuser, bypass, create_db, create_role): (bool, bool, bool, bool) = sqlx::query_as(
        "select rolsuper, rolbypassrls, rolcreatedb, rolcreaterole from pg_roles where rolname = $1",
    )
    .bind(LOGIN)
    .fetch_one(&mut conn)
    .await
    .expect("read the tests' login role");
    assert!(
        !(superuser || bypass || create_db || create_role),
        "the role {LOGIN} exists with more rights than the app's login may have"
    );
    let _ = conn.close().await;
}

/// `url` (the administrator's) with [`LOGIN`] as its user, no password, and `database`.
fn login_url(url: &str, database: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let host_and_path = rest.rsplit_once('@').map_or(rest, |(_, after)| after);
    let (without_query, query) = host_and_path.split_once('?').unwrap_or((host_and_path, ""));
    let server = without_query
        .split_once('/')
        .map_or(without_query, |(server, _)| server);
    match query {
        "" => format!("{scheme}://{LOGIN}@{server}/{database}"),
        q => format!("{scheme}://{LOGIN}@{server}/{database}?{q}"),
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
