//! Sessions in the database (tower-sessions), on whichever database `Db` is.
//!
//! The sqlx stores are one type per database; `Store` puts them behind one type so the router is
//! built once.

use async_trait::async_trait;
use time::Duration;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "sid";

/// The session store of whichever database is configured.
#[derive(Clone, Debug)]
pub enum Store {
    /// SQLite.
    Sqlite(SqliteStore),
    /// PostgreSQL.
    Postgres(PostgresStore),
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.create(record).await,
            Store::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.save(record).await,
            Store::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Store::Sqlite(s) => s.load(id).await,
            Store::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.delete(id).await,
            Store::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for Store {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.delete_expired().await,
            Store::Postgres(s) => s.delete_expired().await,
        }
    }
}

/// The session layer: HttpOnly, SameSite=Lax, Secure when served over HTTPS, 12 hours of
/// inactivity; and its store, for start-up to run [`delete_expired_until`] on. Fails when the
/// store's table cannot be created.
pub async fn layer(
    db: &backend::Db,
    secure: bool,
) -> Result<(SessionManagerLayer<Store>, Store), tower_sessions_sqlx_store::sqlx::Error> {
    let store = match (db.sqlite_pool(), db.pg_pool()) {
        (Some(pool), _) => {
            let store = SqliteStore::new(pool.clone());
            store.migrate().await?;
            Store::Sqlite(store)
        }
        (None, Some(pool)) => {
            let store = PostgresStore::new(pool.clone());
            // The owner's migration 20261207000801 makes the table; a least-privilege login
            // could not (it may not create schemas), and need not.
            let made: bool = tower_sessions_sqlx_store::sqlx::query_scalar(
                "select to_regclass('tower_sessions.session') is not null",
            )
            .fetch_one(pool)
            .await?;
            if !made {
                store.migrate().await?;
            }
            Store::Postgres(store)
        }
        (None, None) => {
            let missing = "no database pool for the session store";
            return Err(tower_sessions_sqlx_store::sqlx::Error::Configuration(
                missing.into(),
            ));
        }
    };
    let layer = SessionManagerLayer::new(store.clone())
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(Duration::hours(12)));
    Ok((layer, store))
}

/// Delete expired sessions every hour until `stop`.
pub async fn delete_expired_until(store: Store, stop: tokio_util::sync::CancellationToken) {
    let every = tokio::time::Duration::from_secs(3600);
    tokio::select! {
        ended = store.continuously_delete_expired(every) => {
            if let Err(e) = ended {
                tracing::error!(error = %e, "deleting expired sessions failed");
            }
        }
        () = stop.cancelled() => {}
    }
}

/// Sessions that have not expired (the operator's `/metrics`).
pub async fn active(db: &backend::Db) -> Result<i64, tower_sessions_sqlx_store::sqlx::Error> {
    // The stores' own tables: an integer expiry in seconds on SQLite, a timestamptz on PostgreSQL.
    if let Some(pool) = db.sqlite_pool() {
        sqlx_count(
            pool,
            "select count(*) from tower_sessions where expiry_date > unixepoch()",
        )
        .await
    } else if let Some(pool) = db.pg_pool() {
        tower_sessions_sqlx_store::sqlx::query_scalar(
            "select count(*) from tower_sessions.session where expiry_date > now()",
        )
        .fetch_one(pool)
        .await
    } else {
        Ok(0)
    }
}

async fn sqlx_count(
    pool: &tower_sessions_sqlx_store::sqlx::SqlitePool,
    sql: &'static str,
) -> Result<i64, tower_sessions_sqlx_store::sqlx::Error> {
    tower_sessions_sqlx_store::sqlx::query_scalar(sql)
        .fetch_one(pool)
        .await
}
