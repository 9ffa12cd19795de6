//! The tenant's products with their stock on hand, as last fetched from e-conomic: what a
//! product row holds, and where e-conomic's product puts it. Storing and reading them is
//! [`super::table`]'s. Stock is ours, not e-conomic's: it changes only through [`super::stock`].

use economic::types::Product;
use economic::{Entity, ProductNumber, RecordNumber};
use serde::Serialize;

use super::record::{Field, Record, Value};
use crate::timestamp::Timestamp;

/// A product as the data pages show it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct ProductRecord {
    /// e-conomic's product number.
    pub product_number: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Unit name.
    pub unit: Option<String>,
    /// Product group number.
    pub product_group: Option<i64>,
    /// Unit net sales price.
    pub sales_price: Option<f64>,
    /// Cost price.
    pub cost_price: Option<f64>,
    /// Barred.
    pub barred: bool,
    /// Stock on hand, in thousandths of a unit.
    pub stock: i64,
    /// e-conomic's `lastUpdated`.
    pub economic_updated_at: Option<Timestamp>,
    /// When the fetch that produced this row started.
    pub synced_at: Timestamp,
    /// When it was soft-deleted (e-conomic no longer has it).
    pub deleted_at: Option<Timestamp>,
}

impl Record for ProductRecord {
    const ENTITY: Entity = Entity::Products;
    const TABLE: &'static str = "products";
    const NUMBER: &'static str = "product_number";
    const COLUMNS: &'static str = "product_number, name, description, unit, product_group, \
        sales_price, cost_price, barred, stock, economic_updated_at, synced_at, deleted_at";
    // Not `stock`: a new row starts at the column's default, 0, and an update leaves it.
    const FIELDS: &'static [Field<Self>] = &[
        Field::new("name", "name", |p| Value::Text(Some(&p.name))),
        Field::new("description", "description", |p| {
            Value::Text(p.description.as_deref())
        }),
        Field::new("unit", "unit", |p| Value::Text(p.unit.as_deref())),
        Field::new("product_group", "productGroup", |p| {
            Value::Int(p.product_group)
        }),
        Field::new("sales_price", "salesPrice", |p| Value::Float(p.sales_price)),
        Field::new("cost_price", "costPrice", |p| Value::Float(p.cost_price)),
        Field::new("barred", "barred", |p| Value::Bool(p.barred)),
    ];
    // The number or the name in part.
    const SEARCH: &'static str =
        "lower(product_number) like $5 escape '\\' or lower(name) like $5 escape '\\'";
    // A product keeps its stock and history through a renumbering: the row that gives way hands
    // its stock movements, invoice lines and stock to the one that moves.
    const MERGE: &'static [&'static str] = &[
        "update stock_movements set product_id = $2 where tenant_id = $3 and product_id = $1",
        "update invoice_lines set product_id = $2 where tenant_id = $3 and product_id = $1",
        "update products set stock = stock + (select stock from products where id = $1) \
         where tenant_id = $3 and id = $2",
    ];
    const NUMBER_FIELD: &'static str = "productNumber";

    type Fetched = Product;
    type Number = ProductNumber;
    type Key = String;

    fn from_economic(p: &Product, synced_at: Timestamp) -> Self {
        ProductRecord {
            product_number: p.product_number.as_str().to_owned(),
            name: p.name.clone(),
            description: p.description.clone(),
            unit: p.unit.as_ref().and_then(|u| u.name.clone()),
            product_group: p.product_group.as_ref().map(|g| g.product_group_number),
            sales_price: p.sales_price,
            cost_price: p.cost_price,
            barred: p.barred,
            stock: 0,
            economic_updated_at: p.last_updated.map(Timestamp::from),
            synced_at,
            deleted_at: None,
        }
    }

    fn number(p: &Product) -> ProductNumber {
        p.product_number.clone()
    }

    fn number_in_json(raw: &serde_json::Value) -> Option<ProductNumber> {
        let number = raw.get(Self::NUMBER_FIELD)?.as_str()?;
        ProductNumber::parse(number).ok()
    }

    fn number_in_webhook(number: &RecordNumber) -> Option<ProductNumber> {
        match number {
            RecordNumber::Product(n) => Some(n.clone()),
            RecordNumber::Customer(_) => None,
        }
    }

    fn key(&self) -> &String {
        &self.product_number
    }

    fn economic_updated_at(&self) -> Option<Timestamp> {
        self.economic_updated_at
    }

    fn deleted_at(&self) -> Option<Timestamp> {
        self.deleted_at
    }
}
