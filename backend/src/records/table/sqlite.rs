//! The SQLite form of the bulk statements: in process and without arrays, a multi-row
//! `values (…), (…)` per chunk, and `in (…)` lists for the lookups.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::{CHUNK, Conflict, Rows, condition, on_conflict, written_columns};
use crate::ids::TenantId;
use crate::records::record::{Record, Value};
use crate::timestamp::Timestamp;

/// Insert `records` (at most [`CHUNK`]) with their JSON in one statement.
pub(super) async fn write<R: Record>(
    conn: &mut SqliteConnection,
    tenant_id: TenantId,
    records: &[R],
    raws: &[String],
    synced_at: Timestamp,
    conflict: Conflict,
) -> sqlx::Result<()> {
    let mut insert: QueryBuilder<'_, Sqlite> = QueryBuilder::new(format!(
        "insert into {} (tenant_id, {}) ",
        R::TABLE,
        written_columns::<R>()
    ));
    insert.push_values(records.iter().zip(raws), |mut row, (r, raw)| {
        row.push_bind(tenant_id).push_bind(r.key().clone());
        for field in R::FIELDS {
            match (field.get)(r) {
                Value::Text(v) => row.push_bind(v),
                Value::Int(v) => row.push_bind(v),
                Value::Float(v) => row.push_bind(v),
                Value::Bool(v) => row.push_bind(v),
            };
        }
        row.push_bind(r.economic_updated_at())
            .push_bind(synced_at)
            .push_bind(raw)
            .push_bind(synced_at)
            .push_bind(synced_at);
    });
    insert.push(on_conflict::<R>(conflict));
    insert.build().execute(conn).await?;
    Ok(())
}

/// The rows with these numbers, as `columns`, [`CHUNK`] numbers a statement.
pub(super) async fn lookup<R: Record, O>(
    conn: &mut SqliteConnection,
    tenant_id: TenantId,
    columns: &str,
    rows: Rows,
    keys: &[R::Key],
) -> sqlx::Result<Vec<O>>
where
    O: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    let mut found = Vec::new();
    for chunk in keys.chunks(CHUNK) {
        let mut select: QueryBuilder<'_, Sqlite> = QueryBuilder::new(format!(
            "select {columns} from {} where tenant_id = ",
            R::TABLE
        ));
        select
            .push_bind(tenant_id)
            .push(format!("{} and {} in (", condition(rows), R::NUMBER));
        let mut list = select.separated(", ");
        for key in chunk {
            list.push_bind(key.clone());
        }
        select.push(")");
        found.extend(select.build_query_as::<O>().fetch_all(&mut *conn).await?);
    }
    Ok(found)
}
