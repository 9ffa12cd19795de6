//! Storing and reading any [`Record`]: the sync engine's writes (upsert, soft delete,
//! renumbering, always inside its [`Fenced`] transaction, so a worker that lost its lease cannot
//! write), its lookups by a set of numbers, and the data
//! pages' reads. Where the databases differ, the statements are in [`sqlite`] and [`postgres`]:
//! the bulk writes, and the lookups by numbers.

mod postgres;
mod sqlite;

use std::collections::HashMap;

use super::RecordChange;
use super::record::{Key, Record, change, key_of, number_of};
use crate::db::{Db, Tx};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::lease::Fenced;
use crate::timestamp::Timestamp;

/// Records per statement on SQLite (at most 17 parameters each, far below its limit), and per
/// lookup of the stored rows before an upsert.
const CHUNK: usize = 500;

/// What a write does to a row that exists already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conflict {
    /// Replace its data with the fetched one (and revive it if it was deleted).
    Update,
    /// Leave it as it is.
    Keep,
}

/// Which rows a lookup by numbers finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rows {
    /// Deleted ones too.
    All,
    /// Those not deleted.
    Live,
}

/// Store fetched records (each with its JSON as fetched), reviving soft-deleted ones; columns
/// that are not e-conomic's (a product's stock) are left as they are. Returns what changed, in
/// input order.
pub async fn upsert_many<'f, R: Record>(
    tx: &mut Fenced,
    tenant_id: TenantId,
    fetched: impl IntoIterator<Item = &'f (R::Fetched, serde_json::Value)>,
    synced_at: Timestamp,
) -> Result<Vec<RecordChange>> {
    let fetched: Vec<&(R::Fetched, serde_json::Value)> = fetched.into_iter().collect();
    let mut changes = Vec::with_capacity(fetched.len());
    for chunk in fetched.chunks(CHUNK) {
        let records: Vec<R> = chunk
            .iter()
            .map(|(f, _)| R::from_economic(f, synced_at))
            .collect();
        let keys: Vec<R::Key> = records.iter().map(|r| r.key().clone()).collect();
        let stored: HashMap<R::Key, R> =
            lookup::<R, R>(tx, tenant_id, R::COLUMNS, Rows::All, &keys)
                .await?
                .into_iter()
                .map(|r| (r.key().clone(), r))
                .collect();
        changes.extend(records.iter().map(|new| {
            stored
                .get(new.key())
                .map_or(RecordChange::Created, |old| change(old, new))
        }));
        let raws = chunk
            .iter()
            .map(|(_, raw)| serde_json::to_string(raw).map_err(Error::internal))
            .collect::<Result<Vec<_>>>()?;
        write(tx, tenant_id, &records, &raws, synced_at, Conflict::Update).await?;
    }
    Ok(changes)
}

/// Store a record that another one needs (an invoice line's product) unless the tenant has it
/// already: then the stored one wins, since its own queue, not the other's, keeps it up to date.
/// Returns its id.
pub async fn insert_if_missing<R: Record>(
    tx: &mut Fenced,
    tenant_id: TenantId,
    fetched: &R::Fetched,
    raw: &serde_json::Value,
    synced_at: Timestamp,
) -> Result<i64> {
    let record = R::from_economic(fetched, synced_at);
    let raw = serde_json::to_string(raw).map_err(Error::internal)?;
    let records = [record];
    write(tx, tenant_id, &records, &[raw], synced_at, Conflict::Keep).await?;
    let sql = format!(
        "select id from {} where tenant_id = $1 and {} = $2",
        R::TABLE,
        R::NUMBER
    );
    let [record] = records;
    let id = with_tx!(tx, conn => sqlx::query_scalar(&sql)
        .bind(tenant_id)
        .bind(record.key().clone())
        .fetch_one(conn)
        .await)?;
    Ok(id)
}

/// The local ids of these (not deleted) records, by their number as stored (an invoice's lines
/// refer to products by id).
pub async fn ids<R: Record>(
    tx: &mut Tx,
    tenant_id: TenantId,
    numbers: &[R::Number],
) -> Result<HashMap<R::Key, i64>> {
    let keys: Vec<R::Key> = numbers.iter().map(key_of::<R>).collect();
    let columns = format!("{}, id", R::NUMBER);
    let rows: Vec<(R::Key, i64)> =
        lookup::<R, _>(tx, tenant_id, &columns, Rows::Live, &keys).await?;
    Ok(rows.into_iter().collect())
}

/// e-conomic no longer has `number`: soft-delete it (its row, and what refers to it, stay).
pub async fn soft_delete<R: Record>(
    tx: &mut Fenced,
    tenant_id: TenantId,
    number: &R::Number,
    now: Timestamp,
) -> Result<RecordChange> {
    let sql = format!(
        "update {} set deleted_at = $3, synced_at = $3, updated_at = $3 \
         where tenant_id = $1 and {} = $2 and deleted_at is null",
        R::TABLE,
        R::NUMBER
    );
    let done = with_tx!(tx, conn => sqlx::query(&sql)
        .bind(tenant_id)
        .bind(key_of::<R>(number))
        .bind(now)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(if done == 1 {
        RecordChange::Deleted
    } else {
        RecordChange::Gone
    })
}

/// Move the record at `old` to `new`, keeping its row (and id, and what refers to it). A row
/// already at `new` (one fetched before this renumbering arrived, or an old deleted one) gives
/// way: what refers to it is handed over first ([`Record::MERGE`]). Returns whether there was a
/// record at `old` to move.
pub async fn renumber<R: Record>(
    tx: &mut Fenced,
    tenant_id: TenantId,
    old: &R::Number,
    new: &R::Number,
    now: Timestamp,
) -> Result<bool> {
    let (table, number) = (R::TABLE, R::NUMBER);
    let id_of = format!("select id from {table} where tenant_id = $1 and {number} = $2");
    let give_way = format!("delete from {table} where tenant_id = $1 and id = $2");
    let move_to = format!(
        "update {table} set {number} = $3, updated_at = $4 where tenant_id = $1 and id = $2"
    );
    let (old, new) = (key_of::<R>(old), key_of::<R>(new));
    let moved = with_tx!(tx, conn => async {
        let kept: Option<i64> = sqlx::query_scalar(&id_of)
            .bind(tenant_id)
            .bind(old)
            .fetch_optional(&mut *conn)
            .await?;
        let Some(kept) = kept else {
            return Ok::<_, sqlx::Error>(false);
        };
        let merged: Option<i64> = sqlx::query_scalar(&id_of)
            .bind(tenant_id)
            .bind(new.clone())
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(merged) = merged {
            for sql in R::MERGE {
                sqlx::query(sql)
                    .bind(merged)
                    .bind(kept)
                    .bind(tenant_id)
                    .execute(&mut *conn)
                    .await?;
            }
            sqlx::query(&give_way)
                .bind(tenant_id)
                .bind(merged)
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query(&move_to)
            .bind(tenant_id)
            .bind(kept)
            .bind(new)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        Ok(true)
    }.await)?;
    Ok(moved)
}

/// When each of these (not deleted) records was last fetched.
pub async fn synced_at<R: Record>(
    db: &Db,
    tenant_id: TenantId,
    numbers: &[R::Number],
) -> Result<HashMap<R::Number, Timestamp>> {
    let keys: Vec<R::Key> = numbers.iter().map(key_of::<R>).collect();
    let columns = format!("{}, synced_at", R::NUMBER);
    let rows: Vec<(R::Key, Timestamp)> = with_tenant!(db, tenant_id, conn {
        sqlite => sqlite::lookup::<R, _>(conn, tenant_id, &columns, Rows::Live, &keys).await,
        postgres => postgres::lookup::<R, _>(conn, tenant_id, &columns, Rows::Live, &keys).await,
    })?;
    Ok(by_number::<R, _>(rows))
}

/// The numbers of the tenant's records that are not deleted (a reconciliation compares them
/// with e-conomic's).
pub async fn live_numbers<R: Record>(db: &Db, tenant_id: TenantId) -> Result<Vec<R::Number>> {
    let sql = format!(
        "select {} from {} where tenant_id = $1 and deleted_at is null",
        R::NUMBER,
        R::TABLE
    );
    let keys: Vec<R::Key> = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(&sql)
        .bind(tenant_id)
        .fetch_all(conn)
        .await)?;
    Ok(keys.into_iter().filter_map(number_of::<R>).collect())
}

/// One of the tenant's records (deleted ones too).
pub async fn get<R: Record>(db: &Db, tenant_id: TenantId, number: &R::Number) -> Result<R> {
    let sql = format!(
        "select {} from {} where tenant_id = $1 and {} = $2",
        R::COLUMNS,
        R::TABLE,
        R::NUMBER
    );
    let row: Option<R> = with_tenant!(db, tenant_id, conn => sqlx::query_as(&sql)
        .bind(tenant_id)
        .bind(key_of::<R>(number))
        .fetch_optional(conn)
        .await)?;
    row.ok_or(Error::NotFound)
}

/// The tenant's records ordered by number, after `after` (keyset), at most `limit` (capped at
/// 500), those that `search` matches ([`Record::SEARCH`]; ignoring case), deleted ones too.
pub async fn list<R: Record>(
    db: &Db,
    tenant_id: TenantId,
    search: &str,
    after: Option<R::Key>,
    limit: u32,
) -> Result<Vec<R>> {
    let search = search.trim();
    let pattern = super::contains_pattern(search);
    let exact = search.parse::<i64>().unwrap_or(-1);
    let sql = format!(
        "select {columns} from {table} where tenant_id = $1 and {number} > $2 \
         and ($3 = '' or {search}) order by {number} limit $6",
        columns = R::COLUMNS,
        table = R::TABLE,
        number = R::NUMBER,
        search = R::SEARCH,
    );
    let rows = with_tenant!(db, tenant_id, conn => sqlx::query_as(&sql)
        .bind(tenant_id)
        .bind(after.clone().unwrap_or(R::Key::BEFORE_ALL))
        .bind(search)
        .bind(exact)
        .bind(&pattern)
        .bind(i64::from(limit.min(500)))
        .fetch_all(conn)
        .await)?;
    Ok(rows)
}

/// How many records the tenant has that are not deleted.
pub async fn count<R: Record>(db: &Db, tenant_id: TenantId) -> Result<i64> {
    let sql = format!(
        "select count(*) from {} where tenant_id = $1 and deleted_at is null",
        R::TABLE
    );
    let n = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(&sql)
        .bind(tenant_id)
        .fetch_one(conn)
        .await)?;
    Ok(n)
}

/// Insert `records` (with their JSON, in the same order), or on a conflict do as `conflict`
/// says.
async fn write<R: Record>(
    tx: &mut Fenced,
    tenant_id: TenantId,
    records: &[R],
    raws: &[String],
    synced_at: Timestamp,
    conflict: Conflict,
) -> Result<()> {
    with_tx!(tx, conn {
        sqlite => sqlite::write(conn, tenant_id, records, raws, synced_at, conflict).await,
        postgres => postgres::write(conn, tenant_id, records, raws, synced_at, conflict).await,
    })?;
    Ok(())
}

/// The rows of `R`'s table with these numbers, as `columns` (read as `O`).
async fn lookup<R: Record, O>(
    tx: &mut Tx,
    tenant_id: TenantId,
    columns: &str,
    rows: Rows,
    keys: &[R::Key],
) -> Result<Vec<O>>
where
    O: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
{
    let found = with_tx!(tx, conn {
        sqlite => sqlite::lookup::<R, O>(conn, tenant_id, columns, rows, keys).await,
        postgres => postgres::lookup::<R, O>(conn, tenant_id, columns, rows, keys).await,
    })?;
    Ok(found)
}

/// Stored numbers with a value, by e-conomic's number.
fn by_number<R: Record, V>(rows: Vec<(R::Key, V)>) -> HashMap<R::Number, V> {
    rows.into_iter()
        .filter_map(|(key, value)| Some((number_of::<R>(key)?, value)))
        .collect()
}

/// The columns every write lists, after `tenant_id`.
fn written_columns<R: Record>() -> String {
    let fields: Vec<&str> = R::FIELDS.iter().map(|f| f.column).collect();
    format!(
        "{}, {}, economic_updated_at, synced_at, raw, created_at, updated_at",
        R::NUMBER,
        fields.join(", ")
    )
}

/// The `on conflict` clause of a write.
fn on_conflict<R: Record>(conflict: Conflict) -> String {
    match conflict {
        Conflict::Keep => format!(" on conflict (tenant_id, {}) do nothing", R::NUMBER),
        Conflict::Update => {
            let fields: Vec<String> = R::FIELDS
                .iter()
                .map(|f| format!("{0} = excluded.{0}", f.column))
                .collect();
            format!(
                " on conflict (tenant_id, {}) do update set {}, \
                 economic_updated_at = excluded.economic_updated_at, \
                 synced_at = excluded.synced_at, deleted_at = null, raw = excluded.raw, \
                 updated_at = excluded.updated_at",
                R::NUMBER,
                fields.join(", ")
            )
        }
    }
}

/// The condition a lookup adds for `rows`.
fn condition(rows: Rows) -> &'static str {
    match rows {
        Rows::All => "",
        Rows::Live => " and deleted_at is null",
    }
}
