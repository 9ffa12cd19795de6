//! Direct reads and writes of the database for arranging and inspecting a test, on either
//! database: counts of rows and what many failed log-ins would leave behind.

use backend::Db;
// The server's own sqlx (the one its session store uses).
use tower_sessions_sqlx_store::sqlx;

/// Rows in `table` (a literal from the test).
pub async fn count(db: &Db, table: &str) -> i64 {
    let sql = format!("select count(*) from {table}");
    if let Some(pool) = db.sqlite_pool() {
        sqlx::query_scalar(&sql)
            .fetch_one(pool)
            .await
            .expect("count on SQLite")
    } else {
        let pool = db.pg_pool().expect("a PostgreSQL pool");
        sqlx::query_scalar(&sql)
            .fetch_one(pool)
            .await
            .expect("count on PostgreSQL")
    }
}

/// Record `n` failed logins from throttle key `ip` (an IPv4 address) just now, for accounts no
/// one has: what `n` wrong passwords would leave behind, without `n` argon2 runs.
pub async fn record_ip_failures(db: &Db, ip: &str, n: usize) {
    let now = backend::Timestamp::now().as_millis();
    let sql = "insert into login_attempts (account, ip, attempted_at, created_at, updated_at) \
               values ($1, $2, $3, $3, $3)";
    for i in 0..n {
        let account = format!("nobody{i}@example.test");
        if let Some(pool) = db.sqlite_pool() {
            sqlx::query(sql)
                .bind(&account)
                .bind(ip)
                .bind(now)
                .execute(pool)
                .await
                .expect("insert a login attempt on SQLite");
        } else {
            let pool = db.pg_pool().expect("a PostgreSQL pool");
            sqlx::query(sql)
                .bind(&account)
                .bind(ip)
                .bind(now)
                .execute(pool)
                .await
                .expect("insert a login attempt on PostgreSQL");
        }
    }
}

/// Rows in the session store's table (tower-sessions' default names per database).
pub async fn session_rows(db: &Db) -> i64 {
    let table = if db.sqlite_pool().is_some() {
        "tower_sessions"
    } else {
        "tower_sessions.session"
    };
    count(db, table).await
}

/// Rows in `webhook_events`, whatever the tenant.
pub async fn total_events(db: &Db) -> i64 {
    let sql = "select count(*) from webhook_events";
    match (db.sqlite_pool(), db.pg_pool()) {
        (Some(pool), _) => sqlx::query_scalar(sql).fetch_one(pool).await,
        (_, Some(pool)) => sqlx::query_scalar(sql).fetch_one(pool).await,
        _ => unreachable!("a database is SQLite or PostgreSQL"),
    }
    .expect("count events")
}
