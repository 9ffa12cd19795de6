//! The database handle: SQLite or PostgreSQL, chosen by URL at start-up.
//!
//! Queries are written once: `sqlx::query` is generic over the database, so the macros expand
//! the same tokens for both. SQL must therefore be portable: `$1` placeholders, `bigint`
//! millisecond timestamps, `returning`, no vendor functions.
//!
//! On PostgreSQL, tenant isolation is also enforced by the database ([`scope`]): tenant data is
//! read and written as the role `inventory_sync_app`, which row-level security limits to the
//! tenant named in the transaction; the few tasks that span tenants take a separate, named path.

#[macro_use]
mod macros;
mod least_privilege;
mod scope;

pub use least_privilege::LoginPrivileges;
pub use scope::CrossTenant;
pub(crate) use scope::begin_tenant;

use std::str::FromStr;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection};

use crate::error::{Error, Result};

/// A cloneable handle to the database (clones share one pool).
#[derive(Debug, Clone)]
pub struct Db {
    pool: Pool,
}

/// The pool behind a [`Db`]; crate-internal so callers cannot bypass tenant-scoped functions.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPools),
}

/// PostgreSQL's two pools: the same login, two roles.
#[derive(Debug, Clone)]
pub(crate) struct PgPools {
    /// Connections that `set role inventory_sync_app`: not the tables' owner, no `BYPASSRLS`,
    /// so every tenant table shows only the tenant its transaction names.
    pub(crate) app: PgPool,
    /// The login role itself (the tables' owner): migrations, the session store, and the
    /// [`CrossTenant`] path.
    pub(crate) owner: PgPool,
}

/// How long a query waits for a locked SQLite database before failing.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections of PostgreSQL's app-role pool (tenant work).
const APP_CONNECTIONS: u32 = 16;
/// Connections of PostgreSQL's owner pool (migrations, sessions, work across tenants).
const OWNER_CONNECTIONS: u32 = 8;
/// How long to wait for a free pooled connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a background task moves SQLite's write-ahead log into the database file.
const SQLITE_CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// The size (bytes) SQLite cuts the write-ahead log back to after a checkpoint; a burst may
/// have grown it far beyond.
const SQLITE_WAL_SIZE_LIMIT: &str = "67108864";

impl Db {
    /// Connect to `sqlite://path?mode=rwc`, `sqlite::memory:` or `postgres://…`.
    ///
    /// SQLite files (and their parent directory) are created if missing and opened in WAL mode
    /// with foreign keys on and a busy timeout; run [`Db::checkpoint_until`] beside it. Migrations
    /// are not run; call [`Db::migrate`].
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?;
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            Self::connect_sqlite(options, in_memory).await
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Self::connect_postgres(PgConnectOptions::from_str(url)?).await
        } else {
            // Never echo the URL: it may carry a password.
            Err(Error::internal(
                "unsupported database URL scheme (sqlite: or postgres:)",
            ))
        }
    }

    /// Open a SQLite database with our settings. An in-memory database lives only as long as a
    /// connection does, so it gets exactly one connection that is never closed while idle.
    pub(crate) async fn connect_sqlite(
        options: SqliteConnectOptions,
        in_memory: bool,
    ) -> Result<Db> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(SQLITE_BUSY_TIMEOUT)
            // No checkpoints inside commits: SQLite's automatic one runs in whichever commit
            // crosses 1000 pages and stalled the webhook writer for up to 100 ms (p99 of ingest
            // 26 ms instead of 11). The background task below checkpoints instead.
            .pragma("wal_autocheckpoint", "0")
            .pragma("journal_size_limit", SQLITE_WAL_SIZE_LIMIT);
        let pool_options = if in_memory {
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            if let Some(dir) = options.get_filename().parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(|e| {
                    Error::internal(format!("cannot create {}: {e}", dir.display()))
                })?;
            }
            SqlitePoolOptions::new().max_connections(8)
        };
        let pool = pool_options
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await?;
        Ok(Db {
            pool: Pool::Sqlite(pool),
        })
    }

    /// Open PostgreSQL's pools. The owner's is opened at once (so an unreachable server fails
    /// here); the app role's lazily, because that role exists only once [`Db::migrate`] ran.
    pub async fn connect_postgres(options: PgConnectOptions) -> Result<Db> {
        let owner = PgPoolOptions::new()
            .max_connections(OWNER_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options.clone())
            .await?;
        let app = PgPoolOptions::new()
            .max_connections(APP_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .after_connect(|conn, _| Box::pin(scope::become_app_role(conn)))
            .connect_lazy_with(options);
        Ok(Db {
            pool: Pool::Postgres(PgPools { app, owner }),
        })
    }

    /// Apply all pending migrations of this database's dialect (embedded at compile time).
    pub async fn migrate(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::migrate!("../migrations/sqlite").run(pool).await?,
            Pool::Postgres(pools) => {
                let migrator = sqlx::migrate!("../migrations/postgres");
                if !least_privilege::is_current(&pools.owner, &migrator).await {
                    migrator.run(&pools.owner).await?;
                }
            }
        }
        Ok(())
    }

    /// Check that the database answers (for `/readyz` and `check-config`). On PostgreSQL through
    /// the login role, which exists before the first migration (the app role does not yet).
    pub async fn ping(&self) -> Result<()> {
        let _: i32 = match &self.pool {
            Pool::Sqlite(pool) => sqlx::query_scalar("select 1").fetch_one(pool).await?,
            Pool::Postgres(pools) => {
                sqlx::query_scalar("select 1")
                    .fetch_one(&pools.owner)
                    .await?
            }
        };
        Ok(())
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend_name(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    /// The raw SQLite pool, for libraries that need it (the session store). Not for queries on
    /// tenant data: those go through this crate's functions.
    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.pool {
            Pool::Sqlite(pool) => Some(pool),
            Pool::Postgres(_) => None,
        }
    }

    /// The raw PostgreSQL pool of the login role, which sees every tenant; see
    /// [`Db::sqlite_pool`]. For libraries (the session store, the notification listener) and
    /// tests that inspect rows, never for the app's own queries.
    pub fn pg_pool(&self) -> Option<&PgPool> {
        match &self.pool {
            Pool::Postgres(pools) => Some(&pools.owner),
            Pool::Sqlite(_) => None,
        }
    }

    /// Close the pool, waiting for checked-out connections to come back (graceful shutdown).
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pools) => {
                pools.app.close().await;
                pools.owner.close().await;
            }
        }
    }

    /// Whether [`Db::close`] has been called.
    pub fn is_closed(&self) -> bool {
        match &self.pool {
            Pool::Sqlite(pool) => pool.is_closed(),
            Pool::Postgres(pools) => pools.owner.is_closed(),
        }
    }

    pub(crate) fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Begin a transaction for `tenant` that several of this crate's functions can share. On
    /// SQLite it begins `IMMEDIATE`: it takes the write lock at once, so a transaction that reads
    /// and then writes waits out the busy timeout instead of failing with `SQLITE_BUSY` at its
    /// first write. On PostgreSQL it runs as the app role for that tenant only ([`scope`]).
    pub async fn begin(&self, tenant: crate::TenantId) -> Result<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx(TxInner::Sqlite(pool.begin_with("begin immediate").await?)),
            Pool::Postgres(pools) => Tx(TxInner::Postgres(
                scope::begin_tenant_planned(&pools.app, tenant).await?,
            )),
        })
    }

    /// Begin a transaction for `tenant`'s reads only: on SQLite a deferred one, which takes no
    /// write lock (rolled back when dropped); on PostgreSQL as [`Db::begin`].
    pub async fn begin_read(&self, tenant: crate::TenantId) -> Result<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx(TxInner::Sqlite(pool.begin().await?)),
            Pool::Postgres(pools) => Tx(TxInner::Postgres(
                scope::begin_tenant_planned(&pools.app, tenant).await?,
            )),
        })
    }

    /// Begin a transaction that spans tenants, for `reason` (see [`CrossTenant`]); SQLite as
    /// [`Db::begin`].
    pub async fn begin_cross_tenant(&self, reason: CrossTenant) -> Result<Tx> {
        reason.record();
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx(TxInner::Sqlite(pool.begin_with("begin immediate").await?)),
            Pool::Postgres(pools) => Tx(TxInner::Postgres(scope::begin_owner(&pools.owner).await?)),
        })
    }

    /// Checkpoint SQLite's write-ahead log every second until `stop` is cancelled (nothing to
    /// do on PostgreSQL or in memory). The server's start-up runs it as one of its tasks.
    pub async fn checkpoint_until(&self, stop: tokio_util::sync::CancellationToken) {
        let Pool::Sqlite(pool) = &self.pool else {
            return;
        };
        tokio::select! {
            () = checkpoint_sqlite(pool.clone()) => {}
            () = stop.cancelled() => {}
        }
    }

    /// Take one connection out of the pool, for a task that runs many statements back to back
    /// (the webhook writer): each one then skips the pool's checkout and health check. Give it
    /// back (drop it) when idle; it stays usable after [`Db::close`] until dropped, so check
    /// [`Db::is_closed`] before using a kept one.
    ///
    /// The connection spans tenants (the writer stores every tenant's webhooks), so it is taken
    /// for a [`CrossTenant`] reason.
    pub async fn acquire_cross_tenant(&self, reason: CrossTenant) -> Result<Conn> {
        reason.record();
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Conn(PooledConn::Sqlite(pool.acquire().await?)),
            Pool::Postgres(pools) => Conn(PooledConn::Postgres(pools.owner.acquire().await?)),
        })
    }
}

/// A connection taken out of the pool by [`Db::acquire_cross_tenant`]; back in the pool when
/// dropped.
#[derive(Debug)]
pub struct Conn(PooledConn);

/// What a [`Conn`] holds.
#[derive(Debug)]
enum PooledConn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Conn {
    /// The connection, for the query macros.
    pub(crate) fn connection(&mut self) -> Connection<'_> {
        match &mut self.0 {
            PooledConn::Sqlite(conn) => Connection::Sqlite(conn),
            PooledConn::Postgres(conn) => Connection::Postgres(conn),
        }
    }
}

/// A transaction begun by [`Db::begin`]; rolled back if dropped without [`Tx::commit`].
#[derive(Debug)]
pub struct Tx(TxInner);

/// What a [`Tx`] holds.
#[derive(Debug)]
enum TxInner {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    /// Commit everything done in this transaction.
    pub async fn commit(self) -> Result<()> {
        match self.0 {
            TxInner::Sqlite(tx) => tx.commit().await?,
            TxInner::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Let PostgreSQL acknowledge this transaction's commit before it is flushed to disk
    /// (`synchronous_commit = off`; a crash may lose it whole, never half of it). Only for
    /// work that is redone when lost: a sync run's page commits with its own progress, so a lost
    /// page is read again. SQLite: nothing.
    pub async fn commit_without_waiting_for_disk(&mut self) -> Result<()> {
        if let TxInner::Postgres(conn) = &mut self.0 {
            sqlx::query("set local synchronous_commit = off")
                .execute(&mut **conn)
                .await?;
        }
        Ok(())
    }

    /// The transaction's connection, for the query macros.
    pub(crate) fn connection(&mut self) -> Connection<'_> {
        match &mut self.0 {
            TxInner::Sqlite(tx) => Connection::Sqlite(tx),
            TxInner::Postgres(tx) => Connection::Postgres(tx),
        }
    }
}

/// One connection of either database, borrowed: what every query macro binds its body to (one
/// shape for all of them), and what its per-database arms tell apart.
pub(crate) enum Connection<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// Checkpoints the SQLite log every [`SQLITE_CHECKPOINT_EVERY`] until the pool is closed.
/// `passive` never waits for, nor blocks, readers and the writer: commits go on meanwhile.
async fn checkpoint_sqlite(pool: SqlitePool) {
    let mut tick = tokio::time::interval(SQLITE_CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        let checkpoint = sqlx::query("pragma wal_checkpoint(passive)")
            .execute(&pool)
            .await;
        if let Err(e) = checkpoint
            && !pool.is_closed()
        {
            tracing::warn!(error = %e, "SQLite checkpoint failed; retrying");
        }
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_background_task_checkpoints_the_sqlite_log() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let file = dir.path().join("app.db");
        let db = Db::connect(&format!("sqlite://{}?mode=rwc", file.display()))
            .await
            .expect("connect");
        let stop = tokio_util::sync::CancellationToken::new();
        let checkpointer = tokio::spawn({
            let (db, stop) = (db.clone(), stop.clone());
            async move { db.checkpoint_until(stop).await }
        });
        let Pool::Sqlite(pool) = db.pool() else {
            unreachable!("a SQLite URL gives a SQLite pool")
        };
        sqlx::query("create table filler (data blob not null)")
            .execute(pool)
            .await
            .expect("create");
        // About 4 MiB: far more than the 1000 pages after which SQLite would checkpoint itself.
        for _ in 0..64 {
            sqlx::query("insert into filler (data) values (randomblob(65536))")
                .execute(pool)
                .await
                .expect("insert");
        }
        let size = || std::fs::metadata(&file).map_or(0, |m| m.len());
        // Commits never checkpoint: the rows are still only in the log.
        assert!(size() < 1 << 20, "database file holds {} bytes", size());

        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while size() < 4 << 20 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        assert!(
            size() >= 4 << 20,
            "checkpointed into the file: {} bytes",
            size()
        );
        stop.cancel();
        checkpointer.await.expect("checkpointer stops");
        db.close().await;
    }
}
