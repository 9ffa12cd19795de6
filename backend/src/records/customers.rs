//! The tenant's customers, as last fetched from e-conomic: what a customer row holds, and where
//! e-conomic's customer puts it. Storing and reading them is [`super::table`]'s.

use economic::types::Customer;
use economic::{CustomerNumber, Entity, RecordNumber};
use serde::Serialize;

use super::record::{Field, Record, Value};
use crate::timestamp::Timestamp;

/// A customer as the data pages show it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct CustomerRecord {
    /// e-conomic's customer number.
    pub customer_number: i64,
    /// Name.
    pub name: String,
    /// E-mail address(es).
    pub email: Option<String>,
    /// Street address.
    pub address: Option<String>,
    /// Postal code.
    pub zip: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// ISO currency code.
    pub currency: String,
    /// Customer group number.
    pub customer_group: Option<i64>,
    /// Barred from sales.
    pub barred: bool,
    /// e-conomic's `lastUpdated`.
    pub economic_updated_at: Option<Timestamp>,
    /// When the fetch that produced this row started.
    pub synced_at: Timestamp,
    /// When it was soft-deleted (e-conomic no longer has it).
    pub deleted_at: Option<Timestamp>,
}

impl Record for CustomerRecord {
    const ENTITY: Entity = Entity::Customers;
    const TABLE: &'static str = "customers";
    const NUMBER: &'static str = "customer_number";
    const COLUMNS: &'static str = "customer_number, name, email, address, zip, city, country, \
        currency, customer_group, barred, economic_updated_at, synced_at, deleted_at";
    const FIELDS: &'static [Field<Self>] = &[
        Field::new("name", "name", |c| Value::Text(Some(&c.name))),
        Field::new("email", "email", |c| Value::Text(c.email.as_deref())),
        Field::new("address", "address", |c| Value::Text(c.address.as_deref())),
        Field::new("zip", "zip", |c| Value::Text(c.zip.as_deref())),
        Field::new("city", "city", |c| Value::Text(c.city.as_deref())),
        Field::new("country", "country", |c| Value::Text(c.country.as_deref())),
        Field::new("currency", "currency", |c| Value::Text(Some(&c.currency))),
        Field::new("customer_group", "customerGroup", |c| {
            Value::Int(c.customer_group)
        }),
        Field::new("barred", "barred", |c| Value::Bool(c.barred)),
    ];
    // The number exactly (customer numbers are integers), or the name in part.
    const SEARCH: &'static str = "customer_number = $4 or lower(name) like $5 escape '\\'";
    // Nothing refers to a customer row.
    const MERGE: &'static [&'static str] = &[];
    const NUMBER_FIELD: &'static str = "customerNumber";

    type Fetched = Customer;
    type Number = CustomerNumber;
    type Key = i64;

    fn from_economic(c: &Customer, synced_at: Timestamp) -> Self {
        CustomerRecord {
            customer_number: c.customer_number.get(),
            name: c.name.clone(),
            email: c.email.clone(),
            address: c.address.clone(),
            zip: c.zip.clone(),
            city: c.city.clone(),
            country: c.country.clone(),
            currency: c.currency.clone(),
            customer_group: c.customer_group.as_ref().map(|g| g.customer_group_number),
            barred: c.barred,
            economic_updated_at: c.last_updated.map(Timestamp::from),
            synced_at,
            deleted_at: None,
        }
    }

    fn number(c: &Customer) -> CustomerNumber {
        c.customer_number
    }

    fn number_in_json(raw: &serde_json::Value) -> Option<CustomerNumber> {
        let number = raw.get(Self::NUMBER_FIELD)?.as_i64()?;
        CustomerNumber::new(number).ok()
    }

    fn number_in_webhook(number: &RecordNumber) -> Option<CustomerNumber> {
        match number {
            RecordNumber::Customer(n) => Some(*n),
            RecordNumber::Product(_) => None,
        }
    }

    fn key(&self) -> &i64 {
        &self.customer_number
    }

    fn economic_updated_at(&self) -> Option<Timestamp> {
        self.economic_updated_at
    }

    fn deleted_at(&self) -> Option<Timestamp> {
        self.deleted_at
    }
}
