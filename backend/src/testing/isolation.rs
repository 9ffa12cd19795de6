//! Probes for the tenant-isolation tests: what a query that forgot its `tenant_id` filter sees,
//! and what the database says about its own row-level security.

use crate::{Db, TenantId};

/// Every table with a `tenant_id` column, by name (from the database's own catalog), and
/// `tenants` (keyed by the tenant's `id`).
pub async fn tenant_tables(db: &Db) -> Vec<String> {
    let sql = match db.backend_name() {
        "sqlite" => {
            "select m.name from sqlite_master m join pragma_table_info(m.name) c \
             where m.type = 'table' and c.name = 'tenant_id' order by m.name"
        }
        _ => {
            "select c.relname::text from pg_class c \
             join pg_namespace n on n.oid = c.relnamespace \
             join pg_attribute a on a.attrelid = c.oid \
             where n.nspname = 'public' and c.relkind = 'r' and a.attname = 'tenant_id' \
               and not a.attisdropped order by c.relname"
        }
    };
    let mut tables: Vec<String> =
        with_cross_tenant!(db, crate::CrossTenant::Staff, conn => sqlx::query_scalar(sql)
            .fetch_all(conn)
            .await)
        .expect("list the tenant tables");
    tables.push("tenants".to_owned());
    tables
}

/// `select tenant_id from <table>` without any filter — the bug row-level security is for —
/// run as the app runs tenant work: for `tenant`, or (`None`) outside any tenant's transaction.
/// Returns the tenant ids of the rows it saw.
pub async fn unfiltered_tenant_ids(db: &Db, tenant: Option<TenantId>, table: &str) -> Vec<i64> {
    assert!(
        table.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
        "a table name from tenant_tables: {table:?}"
    );
    let column = if table == "tenants" {
        "id"
    } else {
        "tenant_id"
    };
    let sql = format!("select {column} from {table} where {column} is not null");
    let seen = match tenant {
        Some(tenant) => with_tenant!(db, tenant, conn => sqlx::query_scalar(&sql)
            .fetch_all(conn)
            .await),
        None => with_db!(db, conn => sqlx::query_scalar(&sql).fetch_all(conn).await),
    };
    seen.unwrap_or_else(|e| panic!("unfiltered select from {table}: {e}"))
}

/// What PostgreSQL says of one table: row-level security enabled, forced, and its policies'
/// names. `None` on SQLite.
pub async fn row_security(db: &Db, table: &str) -> Option<(bool, bool, Vec<String>)> {
    let crate::db::Pool::Postgres(pools) = db.pool() else {
        return None;
    };
    let (enabled, forced): (bool, bool) = sqlx::query_as(
        "select relrowsecurity, relforcerowsecurity from pg_class \
         where oid = ('public.' || $1)::regclass",
    )
    .bind(table)
    .fetch_one(&pools.owner)
    .await
    .expect("read pg_class");
    let policies: Vec<String> = sqlx::query_scalar(
        "select policyname::text from pg_policies where schemaname = 'public' and tablename = $1 \
         order by policyname",
    )
    .bind(table)
    .fetch_all(&pools.owner)
    .await
    .expect("read pg_policies");
    Some((enabled, forced, policies))
}

/// The role the app's tenant work runs as: (name, superuser, bypasses RLS, owns any table of
/// this database). `None` on SQLite.
pub async fn app_role(db: &Db, tenant: TenantId) -> Option<(String, bool, bool, bool)> {
    let crate::db::Pool::Postgres(_) = db.pool() else {
        return None;
    };
    let row: (String, bool, bool, bool) = with_tenant!(db, tenant, conn => sqlx::query_as(
        "select current_user::text, r.rolsuper, r.rolbypassrls, \
         exists (select 1 from pg_tables t where t.schemaname = 'public' \
                 and t.tableowner = current_user) \
         from pg_roles r where r.rolname = current_user",
    )
    .fetch_one(conn)
    .await)
    .expect("read the app role");
    Some(row)
}

/// Insert an `event_retention` row for `target` inside a transaction of `as_tenant`; the
/// database's error text if refused.
pub async fn write_retention_as(
    db: &Db,
    as_tenant: TenantId,
    target: TenantId,
) -> Result<(), String> {
    with_tenant!(db, as_tenant, conn => sqlx::query(
        "insert into event_retention (tenant_id, days, created_at, updated_at) \
         values ($1, 30, 0, 0)",
    )
    .bind(target)
    .execute(conn)
    .await
    .map(|_| ()))
    .map_err(|e| e.to_string())
}

/// Inside `tenant`'s transaction, drop the app role (`set local role none`, what an injected
/// `reset role` does for the rest of the transaction) and report who the transaction then is:
/// (name, superuser, bypasses RLS). `None` on SQLite.
pub async fn after_reset_role(db: &Db, tenant: TenantId) -> Option<(String, bool, bool)> {
    let crate::db::Pool::Postgres(_) = db.pool() else {
        return None;
    };
    let row: (String, bool, bool) = with_tenant!(db, tenant, conn => async {
        sqlx::raw_sql("set local role none").execute(&mut *conn).await?;
        sqlx::query_as(
            "select current_user::text, r.rolsuper, r.rolbypassrls \
             from pg_roles r where r.rolname = current_user",
        )
        .fetch_one(&mut *conn)
        .await
    }
    .await)
    .expect("read the role after reset");
    Some(row)
}

/// Run `sql` (a literal from the test) inside `tenant`'s transaction; the number of rows, or
/// the database's refusal.
pub async fn rows_as(db: &Db, tenant: TenantId, sql: &str) -> Result<usize, String> {
    with_tenant!(db, tenant, conn => sqlx::query(sql)
        .fetch_all(conn)
        .await
        .map(|rows| rows.len()))
    .map_err(|e| e.to_string())
}
