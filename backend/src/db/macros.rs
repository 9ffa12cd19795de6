//! The query macros: one body of `sqlx` calls, expanded once per database, or one arm per
//! database where the statements differ (in the manner of vaultwarden's `db_run!`). Each binds
//! its body to a `&mut` connection of that database; which macro a query uses says whose rows it
//! may touch (see [`super::scope`]).

/// Run one body on a connection of whichever pool `$db` holds, binding `$conn` (a `&mut`
/// connection, as every macro here does): for tables that are not tenant data (users, staff,
/// log-in attempts). On PostgreSQL this is the app role, so a statement on tenant data here sees
/// no rows at all; use `with_tenant!` for those. Per-database arms as in `with_tenant!`.
///
/// ```ignore
/// let n: i64 = with_db!(db, conn => sqlx::query_scalar("select 1").fetch_one(conn).await)?;
/// ```
macro_rules! with_db {
    ($db:expr, $conn:ident => $body:expr) => {
        with_db!($db, $conn { sqlite => $body, postgres => $body })
    };
    ($db:expr, $conn:ident {
        sqlite => $sqlite:expr,
        postgres => $postgres:expr $(,)?
    }) => {
        match $db.pool() {
            $crate::db::Pool::Sqlite(pool) => match pool.acquire().await {
                Ok(mut held) => {
                    let $conn = &mut *held;
                    $sqlite
                }
                Err(e) => Err(e.into()),
            },
            $crate::db::Pool::Postgres(pools) => match pools.app.acquire().await {
                Ok(mut held) => {
                    let $conn = &mut *held;
                    $postgres
                }
                Err(e) => Err(e.into()),
            },
        }
    };
}

/// Run one body as tenant `$tenant`, binding `$conn` (a `&mut` connection) to it; use
/// `&mut *$conn` where the body runs more than one statement. On PostgreSQL the body runs in its
/// own transaction that names the tenant, so row-level security shows it that tenant's rows only
/// (a `where tenant_id = …` forgotten here returns nothing of another tenant's).
///
/// Where the databases need different statements, one arm each (the body's error type is
/// `sqlx::Error`):
///
/// ```ignore
/// with_tenant!(db, tenant, conn {
///     sqlite => sqlite::lookup(conn, tenant, keys).await,
///     postgres => postgres::lookup(conn, tenant, keys).await,
/// })
/// ```
macro_rules! with_tenant {
    ($db:expr, $tenant:expr, $conn:ident => $body:expr) => {
        with_tenant!($db, $tenant, $conn { sqlite => $body, postgres => $body })
    };
    ($db:expr, $tenant:expr, $conn:ident {
        sqlite => $sqlite:expr,
        postgres => $postgres:expr $(,)?
    }) => {
        match $db.pool() {
            $crate::db::Pool::Sqlite(pool) => match pool.acquire().await {
                Ok(mut held) => {
                    let $conn = &mut *held;
                    $sqlite
                }
                Err(e) => Err(e),
            },
            $crate::db::Pool::Postgres(pools) => {
                match $crate::db::begin_tenant(&pools.app, $tenant).await {
                    Ok(mut tx) => {
                        let result = {
                            let $conn = &mut *tx;
                            $postgres
                        };
                        match result {
                            Ok(value) => tx.commit().await.map(|()| value),
                            Err(e) => Err(e),
                        }
                    }
                    Err(e) => Err(e),
                }
            }
        }
    };
}

/// Run one body across tenants, for the reason `$reason` (a [`CrossTenant`](crate::db::CrossTenant)), binding `$conn`
/// (a `&mut` connection). On PostgreSQL this is a connection of the owner's pool, which
/// row-level security lets see every tenant; each use is counted by reason
/// (`inventory_sync_cross_tenant_queries_total`). Keep these few and obvious.
macro_rules! with_cross_tenant {
    ($db:expr, $reason:expr, $conn:ident => $body:expr) => {
        with_cross_tenant!($db, $reason, $conn { sqlite => $body, postgres => $body })
    };
    ($db:expr, $reason:expr, $conn:ident {
        sqlite => $sqlite:expr,
        postgres => $postgres:expr $(,)?
    }) => {{
        $crate::db::CrossTenant::record($reason);
        match $db.pool() {
            $crate::db::Pool::Sqlite(pool) => match pool.acquire().await {
                Ok(mut held) => {
                    let $conn = &mut *held;
                    $sqlite
                }
                Err(e) => Err(e.into()),
            },
            $crate::db::Pool::Postgres(pools) => match pools.owner.acquire().await {
                Ok(mut held) => {
                    let $conn = &mut *held;
                    $postgres
                }
                Err(e) => Err(e.into()),
            },
        }
    }};
}

/// Run one body inside the transaction `$tx` (a [`Tx`](crate::db::Tx), or anything with its `connection()`),
/// binding `$conn` (a `&mut` connection) to it, as `with_tenant!` does. The transaction was
/// begun for one tenant ([`Db::begin`](crate::db::Db::begin)) or across tenants ([`Db::begin_cross_tenant`](crate::db::Db::begin_cross_tenant)).
///
/// Where the databases need different statements, one arm each, as in `with_tenant!`:
/// `with_tx!(tx, conn { sqlite => …, postgres => … })`.
macro_rules! with_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        with_tx!($tx, $conn { sqlite => $body, postgres => $body })
    };
    ($tx:expr, $conn:ident {
        sqlite => $sqlite:expr,
        postgres => $postgres:expr $(,)?
    }) => {
        match $tx.connection() {
            $crate::db::Connection::Sqlite($conn) => $sqlite,
            $crate::db::Connection::Postgres($conn) => $postgres,
        }
    };
}
