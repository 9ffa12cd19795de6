//! What the sync engine needs to know of a kind of record to keep a copy of it: its table, its
//! columns, how a row is made from what e-conomic sends, and how a change is described. Customers
//! and products implement [`Record`]; every function of [`super::table`] then works for both, and
//! a new entity needs one such implementation, not a copy of the table code.

use std::fmt;
use std::hash::Hash;

use economic::{Entity, RecordNumber};
use sqlx::postgres::{PgHasArrayType, PgRow};
use sqlx::sqlite::SqliteRow;
use sqlx::{Postgres, Sqlite};

use super::{FieldChange, RecordChange};
use crate::timestamp::Timestamp;

/// A kind of record kept as a copy of e-conomic's: one row per number and tenant in
/// [`Record::TABLE`], with the columns every such table has (`tenant_id`, the number,
/// `economic_updated_at`, `synced_at`, `deleted_at`, `raw`, `created_at`, `updated_at`) and its
/// own [`Record::FIELDS`].
pub trait Record:
    for<'r> sqlx::FromRow<'r, SqliteRow>
    + for<'r> sqlx::FromRow<'r, PgRow>
    + fmt::Debug
    + Send
    + Sync
    + Unpin
    + Sized
    + 'static
{
    /// The entity these records are.
    const ENTITY: Entity;
    /// The table.
    const TABLE: &'static str;
    /// The column holding e-conomic's number (unique per tenant).
    const NUMBER: &'static str;
    /// Every column a row is read with: the fields of the implementing struct.
    const COLUMNS: &'static str;
    /// The columns filled from e-conomic's data: written by every upsert, and compared (by
    /// e-conomic's name) to describe a change.
    const FIELDS: &'static [Field<Self>];
    /// What a data page's search matches, as an SQL condition on `$4` (the search as an integer,
    /// `-1` if it is none) and `$5` (the search lowercased, as a `like` pattern whose
    /// wildcards are escaped with `\`: each `like $5` needs `escape '\'`).
    const SEARCH: &'static str;
    /// Statements that fold the row at a renumbering's new number into the row that moves
    /// there, before the former is deleted: `$1` is its id, `$2` the moving row's, `$3` the
    /// tenant. Empty when nothing refers to these rows.
    const MERGE: &'static [&'static str];
    /// e-conomic's name of the number in a record's JSON (`customerNumber`, `productNumber`).
    const NUMBER_FIELD: &'static str;

    /// The record as e-conomic sends it.
    type Fetched: serde::de::DeserializeOwned + Clone + fmt::Debug + Send + Sync;
    /// e-conomic's number of such a record; stored as its [`Record::Key`], from which it is read
    /// back (a stored number that is not one was never written).
    type Number: Clone
        + Eq
        + Hash
        + fmt::Debug
        + fmt::Display
        + Send
        + Sync
        + Into<Self::Key>
        + TryFrom<Self::Key>;
    /// The number as stored.
    type Key: Key;

    /// The row for a record fetched from e-conomic by a fetch that started at `synced_at`.
    fn from_economic(fetched: &Self::Fetched, synced_at: Timestamp) -> Self;
    /// The number of a fetched record.
    fn number(fetched: &Self::Fetched) -> Self::Number;
    /// The number in a record's JSON that could not be decoded whole, if it can be read.
    fn number_in_json(raw: &serde_json::Value) -> Option<Self::Number>;
    /// The number as a webhook of this entity carries it; `None` for another entity's.
    fn number_in_webhook(number: &RecordNumber) -> Option<Self::Number>;
    /// This row's number as stored.
    fn key(&self) -> &Self::Key;
    /// e-conomic's `lastUpdated` of this row.
    fn economic_updated_at(&self) -> Option<Timestamp>;
    /// When this row was soft-deleted.
    fn deleted_at(&self) -> Option<Timestamp>;
}

/// A number as stored.
pub(super) fn key_of<R: Record>(number: &R::Number) -> R::Key {
    number.clone().into()
}

/// A stored number as e-conomic's; `None` if it is not one (never written so).
pub(super) fn number_of<R: Record>(key: R::Key) -> Option<R::Number> {
    R::Number::try_from(key).ok()
}

/// What changed from `stored` to `fetched` (a deleted row fetched again is created anew).
pub(super) fn change<R: Record>(stored: &R, fetched: &R) -> RecordChange {
    if stored.deleted_at().is_some() {
        return RecordChange::Created;
    }
    let values: Vec<FieldChange> = R::FIELDS
        .iter()
        .filter_map(|f| {
            let (before, after) = ((f.get)(stored), (f.get)(fetched));
            (before != after).then(|| FieldChange {
                field: f.name.to_owned(),
                before: before.shown(),
                after: after.shown(),
            })
        })
        .collect();
    if values.is_empty() {
        RecordChange::Unchanged
    } else {
        RecordChange::Updated {
            fields: values.iter().map(|v| v.field.clone()).collect(),
            values,
        }
    }
}

/// One column filled from e-conomic's data.
pub struct Field<R> {
    /// The column.
    pub column: &'static str,
    /// e-conomic's name of it, as a change lists it (`salesPrice`).
    pub name: &'static str,
    /// Its value in a row.
    pub get: for<'r> fn(&'r R) -> Value<'r>,
}

impl<R> Field<R> {
    /// The column `column`, called `name` by e-conomic, of value `get`.
    pub const fn new(
        column: &'static str,
        name: &'static str,
        get: for<'r> fn(&'r R) -> Value<'r>,
    ) -> Self {
        Field { column, name, get }
    }
}

/// A column's value, typed as both databases store it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// `text`.
    Text(Option<&'a str>),
    /// `bigint`.
    Int(Option<i64>),
    /// `double precision`.
    Float(Option<f64>),
    /// `boolean`, never null.
    Bool(bool),
}

impl Value<'_> {
    /// As a [`FieldChange`] shows it.
    fn shown(self) -> Option<String> {
        match self {
            Value::Text(v) => v.map(str::to_owned),
            Value::Int(v) => v.map(|v| v.to_string()),
            Value::Float(v) => v.map(|v| v.to_string()),
            Value::Bool(v) => Some(v.to_string()),
        }
    }
}

/// A stored number: `bigint` (customers) or `text` (products).
pub trait Key:
    Clone
    + Eq
    + Hash
    + fmt::Debug
    + Send
    + Sync
    + Unpin
    + 'static
    + for<'q> sqlx::Encode<'q, Sqlite>
    + for<'r> sqlx::Decode<'r, Sqlite>
    + sqlx::Type<Sqlite>
    + for<'q> sqlx::Encode<'q, Postgres>
    + for<'r> sqlx::Decode<'r, Postgres>
    + sqlx::Type<Postgres>
    + PgHasArrayType
{
    /// PostgreSQL's array type of it, for `unnest($n::…)`.
    const PG_ARRAY: &'static str;
    /// A key below every stored one: where a data page's first page starts.
    const BEFORE_ALL: Self;
}

impl Key for i64 {
    const PG_ARRAY: &'static str = "bigint[]";
    const BEFORE_ALL: Self = 0;
}

impl Key for String {
    const PG_ARRAY: &'static str = "text[]";
    const BEFORE_ALL: Self = String::new();
}
