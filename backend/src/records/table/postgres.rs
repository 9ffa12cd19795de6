//! The PostgreSQL form of the bulk statements: one array per column with `unnest`, so the
//! statement text is the same for any number of rows and is prepared once per connection. (A
//! multi-row `values (…), (…)` with 16 parameters a row was re-parsed and re-planned for every
//! chunk: the first import of 100,000 products spent most of its 16 s there.)
//!
//! Lookups by a set of numbers probe the number's index once per number, whatever the planner
//! believes of the table: `unnest` the numbers and `cross join lateral` a `limit 1` select of
//! each. As `number = any($2)` the plan depends on statistics, and a table never analysed was
//! scanned whole for every 500 numbers (22 s of a burst's 82 s of database time).

use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::{PgConnection, Postgres};

use super::{Conflict, Rows, condition, on_conflict, written_columns};
use crate::ids::TenantId;
use crate::records::record::{Key, Record, Value};
use crate::timestamp::Timestamp;

/// Insert `records` with their JSON in one statement.
pub(super) async fn write<R: Record>(
    conn: &mut PgConnection,
    tenant_id: TenantId,
    records: &[R],
    raws: &[String],
    synced_at: Timestamp,
    conflict: Conflict,
) -> sqlx::Result<()> {
    let columns = R::FIELDS
        .iter()
        .map(|field| Column::of(records.iter().map(|r| (field.get)(r))))
        .collect::<sqlx::Result<Vec<_>>>()?;
    // $1 tenant, $2 synced_at, $3 the numbers, then one array per field, then
    // `economic_updated_at` and `raw`.
    let arrays: Vec<String> = std::iter::once(R::Key::PG_ARRAY)
        .chain(columns.iter().map(Column::array_type))
        .chain(["bigint[]", "text[]"])
        .zip(3..)
        .map(|(array, n)| format!("${n}::{array}"))
        .collect();
    let fields: Vec<&str> = R::FIELDS.iter().map(|f| f.column).collect();
    let fields = fields.join(", ");
    let sql = format!(
        "insert into {table} (tenant_id, {written}) \
         select $1, {number}, {fields}, economic_updated_at, $2, raw, $2, $2 \
         from unnest({arrays}) as t({number}, {fields}, economic_updated_at, raw){conflict}",
        table = R::TABLE,
        written = written_columns::<R>(),
        number = R::NUMBER,
        arrays = arrays.join(", "),
        conflict = on_conflict::<R>(conflict),
    );
    let mut insert = sqlx::query(&sql)
        .bind(tenant_id)
        .bind(synced_at)
        .bind(records.iter().map(|r| r.key().clone()).collect::<Vec<_>>());
    for column in columns {
        insert = column.bind(insert);
    }
    insert
        .bind(
            records
                .iter()
                .map(|r| r.economic_updated_at().map(Timestamp::as_millis))
                .collect::<Vec<_>>(),
        )
        .bind(raws)
        .execute(conn)
        .await?;
    Ok(())
}

/// The rows with these numbers, as `columns`: one index probe per number.
pub(super) async fn lookup<R: Record, O>(
    conn: &mut PgConnection,
    tenant_id: TenantId,
    columns: &str,
    rows: Rows,
    keys: &[R::Key],
) -> sqlx::Result<Vec<O>>
where
    O: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
{
    let sql = format!(
        "select r.* from unnest($2::{array}) as n(number) cross join lateral \
         (select {columns} from {table} where tenant_id = $1 and {number} = n.number{live} \
          limit 1) r",
        array = R::Key::PG_ARRAY,
        table = R::TABLE,
        number = R::NUMBER,
        live = condition(rows),
    );
    sqlx::query_as(&sql)
        .bind(tenant_id)
        .bind(keys)
        .fetch_all(conn)
        .await
}

/// One field's values of every row, as the array bound for it.
enum Column<'a> {
    Text(Vec<Option<&'a str>>),
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Bool(Vec<bool>),
}

impl<'a> Column<'a> {
    /// The column of these values (all of one type: a field's accessor returns one variant).
    fn of(values: impl Iterator<Item = Value<'a>>) -> sqlx::Result<Column<'a>> {
        let mut values = values.peekable();
        let mut column = match values.peek() {
            Some(Value::Int(_)) => Column::Int(Vec::new()),
            Some(Value::Float(_)) => Column::Float(Vec::new()),
            Some(Value::Bool(_)) => Column::Bool(Vec::new()),
            Some(Value::Text(_)) | None => Column::Text(Vec::new()),
        };
        for value in values {
            match (&mut column, value) {
                (Column::Text(c), Value::Text(v)) => c.push(v),
                (Column::Int(c), Value::Int(v)) => c.push(v),
                (Column::Float(c), Value::Float(v)) => c.push(v),
                (Column::Bool(c), Value::Bool(v)) => c.push(v),
                (_, value) => {
                    return Err(sqlx::Error::Encode(
                        format!("a field's values differ in type: {value:?}").into(),
                    ));
                }
            }
        }
        Ok(column)
    }

    fn array_type(&self) -> &'static str {
        match self {
            Column::Text(_) => "text[]",
            Column::Int(_) => "bigint[]",
            Column::Float(_) => "float8[]",
            Column::Bool(_) => "bool[]",
        }
    }

    fn bind<'q>(self, query: Query<'q, Postgres, PgArguments>) -> Query<'q, Postgres, PgArguments>
    where
        'a: 'q,
    {
        match self {
            Column::Text(values) => query.bind(values),
            Column::Int(values) => query.bind(values),
            Column::Float(values) => query.bind(values),
            Column::Bool(values) => query.bind(values),
        }
    }
}
