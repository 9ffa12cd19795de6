//! The tenant's own copy of its e-conomic data: customers, products with their stock,
//! booked invoices with their lines, and the stock ledger. Written only by the sync engine,
//! always inside a [`crate::queue::Fenced`] transaction (the engine's lease checked); read by the
//! data pages.
//!
//! Each record keeps what a user needs to see as columns, and the JSON exactly as fetched in
//! `raw`. `synced_at` is when the fetch that produced the row *started*: a webhook received
//! before it is already reflected, and needs no call.
//!
//! Customers and products are one kind of thing: a [`Record`] (its table, columns and
//! conversions: [`customers`], [`products`]), stored and read by the functions of one module
//! whatever the kind, e.g. `records::get::<ProductRecord>(db, tenant, &number)`.

pub mod customers;
pub mod invoices;
pub mod products;
mod record;
pub mod stock;
mod table;

use serde::{Deserialize, Serialize};

pub use customers::CustomerRecord;
pub use products::ProductRecord;
pub use record::{Field, Key, Record, Value};
pub use table::{
    count, get, ids, insert_if_missing, list, live_numbers, renumber, soft_delete, synced_at,
    upsert_many,
};

/// The `like` pattern (with `escape '\'`) matching text that contains `search`, lowercased:
/// `%`, `_` and `\` in what a user typed are matched as themselves, not as wildcards.
pub(crate) fn contains_pattern(search: &str) -> String {
    let mut pattern = String::with_capacity(search.len() + 2);
    pattern.push('%');
    for c in search.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// What applying one fetched (or vanished) record did to the local copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum RecordChange {
    /// A record we did not have (or had deleted) now exists.
    Created,
    /// These fields changed (e-conomic's names, e.g. `name`, `salesPrice`).
    Updated {
        /// The changed fields.
        fields: Vec<String>,
        /// Their values before and after, in the same order (empty in outcomes stored before
        /// the values were kept).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        values: Vec<FieldChange>,
    },
    /// Fetched again; nothing we keep had changed.
    Unchanged,
    /// e-conomic no longer has it: soft-deleted here.
    Deleted,
    /// e-conomic no longer has it, and neither did we (or it was deleted already).
    Gone,
}

/// Quantities are kept in thousandths of a unit: e-conomic sends decimals (`2.5`, `-1`), and
/// sums of integers are exact where sums of floats are not.
pub fn quantity_to_thousandths(quantity: f64) -> i64 {
    // `as` saturates for out-of-range values; e-conomic's quantities are far inside i64/1000.
    (quantity * 1000.0).round() as i64
}

/// A thousandths quantity as a decimal text, `2500` → `2.5`, `-1000` → `-1`.
pub fn format_thousandths(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.unsigned_abs();
    let (whole, frac) = (abs / 1000, abs % 1000);
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        let frac = format!("{frac:03}");
        format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
    }
}

/// One field's value before and after a change, as text (`None`: no value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// e-conomic's name of the field.
    pub field: String,
    /// Its value before.
    pub before: Option<String>,
    /// Its value after.
    pub after: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_typed_by_a_user_match_themselves() {
        assert_eq!(contains_pattern("Abc"), "%abc%");
        assert_eq!(contains_pattern(r"50%_off\"), r"%50\%\_off\\%");
    }

    #[test]
    fn quantities_are_exact_thousandths() {
        assert_eq!(quantity_to_thousandths(2.5), 2500);
        assert_eq!(quantity_to_thousandths(-1.0), -1000);
        assert_eq!(quantity_to_thousandths(0.1 + 0.2), 300);
        assert_eq!(format_thousandths(2500), "2.5");
        assert_eq!(format_thousandths(-1000), "-1");
        assert_eq!(format_thousandths(1234), "1.234");
        assert_eq!(format_thousandths(-50), "-0.05");
        assert_eq!(format_thousandths(0), "0");
    }
}
