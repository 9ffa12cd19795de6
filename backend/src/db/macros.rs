//! The query macros: one body of `sqlx` calls, expanded once per database. Which macro a query
//! uses says whose rows it may touch (see [`super::scope`]).

/// Run one body against whichever pool `$db` holds, binding it to `$pool`: for tables that are
/// not tenant data (users, staff, log-in attempts). On PostgreSQL this is the app role,
/// so a statement on tenant data here sees no rows at all; use [`with_tenant!`] for those.
///
/// ```ignore
/// let n: i64 = with_db!(db, pool => sqlx::query_scalar("select 1").fetch_one(pool).await)?;
/// ```
macro_rules! with_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db.pool() {
            $crate::db::Pool::Sqlite($pool) => $body,
            $crate::db::Pool::Postgres(pools) => {
                let $pool = &pools.app;
                $body
            }
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

/// Run one body across tenants, for the reason `$reason` (a [`CrossTenant`]), binding `$pool`.
/// On PostgreSQL this is the owner's pool, which row-level security lets see every tenant; each
/// use is counted by reason (`inventory_sync_cross_tenant_queries_total`). Keep these few and
/// obvious.
macro_rules! with_cross_tenant {
    ($db:expr, $reason:expr, $pool:ident => $body:expr) => {{
        $crate::db::CrossTenant::record($reason);
        match $db.pool() {
            $crate::db::Pool::Sqlite($pool) => $body,
            $crate::db::Pool::Postgres(pools) => {
                let $pool = &pools.owner;
                $body
            }
        }
    }};
}

/// Run one body inside the transaction `$tx` (a [`Tx`], or anything with its `connection()`),
/// binding `$conn` (a `&mut` connection) to it, as [`with_tenant!`] does. The transaction was
/// begun for one tenant ([`Db::begin`]) or across tenants ([`Db::begin_cross_tenant`]).
///
/// Where the databases need different statements, one arm each, as in [`with_tenant!`]:
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
