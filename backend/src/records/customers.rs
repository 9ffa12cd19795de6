//! The tenant's customers, as last fetched from e-conomic.

use std::collections::HashMap;

use economic::CustomerNumber;
use economic::types::Customer;
use serde::Serialize;

use super::{RecordChange, change_of, field};
use crate::db::{Db, Tx};
use crate::error::{Error, Result};
use crate::ids::TenantId;
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

const COLUMNS: &str = "customer_number, name, email, address, zip, city, country, currency, \
    customer_group, barred, economic_updated_at, synced_at, deleted_at";

/// Rows per statement: 17 parameters each, far below both databases' limits.
const CHUNK: usize = 500;

impl CustomerRecord {
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

    /// What changed from `self` (stored) to `new` (fetched).
    fn change_to(&self, new: &CustomerRecord) -> RecordChange {
        if self.deleted_at.is_some() {
            return RecordChange::Created;
        }
        change_of([
            field("name", &self.name, &new.name),
            field("email", &self.email, &new.email),
            field("address", &self.address, &new.address),
            field("zip", &self.zip, &new.zip),
            field("city", &self.city, &new.city),
            field("country", &self.country, &new.country),
            field("currency", &self.currency, &new.currency),
            field("customerGroup", &self.customer_group, &new.customer_group),
            field("barred", &self.barred, &new.barred),
        ])
    }
}

/// Store fetched customers (each with its JSON as fetched), reviving soft-deleted ones.
/// Returns what changed, in input order.
pub async fn upsert_many(
    tx: &mut Tx,
    tenant_id: TenantId,
    fetched: &[(Customer, serde_json::Value)],
    synced_at: Timestamp,
) -> Result<Vec<RecordChange>> {
    let mut changes = Vec::with_capacity(fetched.len());
    for chunk in fetched.chunks(CHUNK) {
        let numbers: Vec<i64> = chunk.iter().map(|(c, _)| c.customer_number.get()).collect();
        let stored = stored(tx, tenant_id, &numbers).await?;
        let records: Vec<CustomerRecord> = chunk
            .iter()
            .map(|(c, _)| CustomerRecord::from_economic(c, synced_at))
            .collect();
        changes.extend(records.iter().map(|new| {
            stored
                .get(&new.customer_number)
                .map_or(RecordChange::Created, |old| old.change_to(new))
        }));
        let raws = chunk
            .iter()
            .map(|(_, raw)| serde_json::to_string(raw).map_err(Error::internal))
            .collect::<Result<Vec<_>>>()?;
        with_tx!(tx, conn => {
            let mut insert = sqlx::QueryBuilder::new(format!(
                "insert into customers (tenant_id, {COLUMNS}, raw, created_at, updated_at) "
            ));
            insert.push_values(records.iter().zip(&raws), |mut row, (r, raw)| {
                row.push_bind(tenant_id)
                    .push_bind(r.customer_number)
                    .push_bind(&r.name)
                    .push_bind(&r.email)
                    .push_bind(&r.address)
                    .push_bind(&r.zip)
                    .push_bind(&r.city)
                    .push_bind(&r.country)
                    .push_bind(&r.currency)
                    .push_bind(r.customer_group)
                    .push_bind(r.barred)
                    .push_bind(r.economic_updated_at)
                    .push_bind(r.synced_at)
                    .push_bind(r.deleted_at)
                    .push_bind(raw)
                    .push_bind(synced_at)
                    .push_bind(synced_at);
            });
            insert.push(
                " on conflict (tenant_id, customer_number) do update set name = excluded.name, \
                 email = excluded.email, address = excluded.address, zip = excluded.zip, \
                 city = excluded.city, country = excluded.country, currency = excluded.currency, \
                 customer_group = excluded.customer_group, barred = excluded.barred, \
                 economic_updated_at = excluded.economic_updated_at, \
                 synced_at = excluded.synced_at, deleted_at = null, raw = excluded.raw, \
                 updated_at = excluded.updated_at",
            );
            insert.build().execute(&mut **conn).await.map(|_| ())
        })?;
    }
    Ok(changes)
}

/// The stored rows (deleted ones too) of these numbers.
async fn stored(
    tx: &mut Tx,
    tenant_id: TenantId,
    numbers: &[i64],
) -> Result<HashMap<i64, CustomerRecord>> {
    let rows: Vec<CustomerRecord> = with_tx!(tx, conn => {
        let mut select = sqlx::QueryBuilder::new(format!(
            "select {COLUMNS} from customers where tenant_id = "
        ));
        select.push_bind(tenant_id).push(" and customer_number in (");
        let mut list = select.separated(", ");
        for n in numbers {
            list.push_bind(*n);
        }
        select.push(")");
        select.build_query_as().fetch_all(&mut **conn).await
    })?;
    Ok(rows.into_iter().map(|r| (r.customer_number, r)).collect())
}

/// e-conomic no longer has `number`: soft-delete it (its row stays, marked deleted).
pub async fn soft_delete(
    tx: &mut Tx,
    tenant_id: TenantId,
    number: CustomerNumber,
    now: Timestamp,
) -> Result<RecordChange> {
    let done = with_tx!(tx, conn => sqlx::query(
        "update customers set deleted_at = $3, synced_at = $3, updated_at = $3 \
         where tenant_id = $1 and customer_number = $2 and deleted_at is null",
    )
    .bind(tenant_id)
    .bind(number.get())
    .bind(now)
    .execute(&mut **conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(if done == 1 {
        RecordChange::Deleted
    } else {
        RecordChange::Gone
    })
}

/// Move the customer at `old` to `new`, keeping its row (and id). A row already at `new` (a
/// deleted customer, or one fetched before this renumbering arrived) gives way. Returns whether
/// there was a customer at `old` to move.
pub async fn renumber(
    tx: &mut Tx,
    tenant_id: TenantId,
    old: CustomerNumber,
    new: CustomerNumber,
    now: Timestamp,
) -> Result<bool> {
    let moved = with_tx!(tx, conn => async {
        let exists: Option<i64> = sqlx::query_scalar(
            "select id from customers where tenant_id = $1 and customer_number = $2",
        )
        .bind(tenant_id)
        .bind(old.get())
        .fetch_optional(&mut **conn)
        .await?;
        if exists.is_none() {
            return Ok::<_, sqlx::Error>(false);
        }
        sqlx::query("delete from customers where tenant_id = $1 and customer_number = $2")
            .bind(tenant_id)
            .bind(new.get())
            .execute(&mut **conn)
            .await?;
        sqlx::query(
            "update customers set customer_number = $3, updated_at = $4 \
             where tenant_id = $1 and customer_number = $2",
        )
        .bind(tenant_id)
        .bind(old.get())
        .bind(new.get())
        .bind(now)
        .execute(&mut **conn)
        .await?;
        Ok(true)
    }.await)?;
    Ok(moved)
}

/// When each of these (not deleted) customers was last fetched.
pub async fn synced_at(
    db: &Db,
    tenant_id: TenantId,
    numbers: &[CustomerNumber],
) -> Result<HashMap<CustomerNumber, Timestamp>> {
    let mut out = HashMap::with_capacity(numbers.len());
    for chunk in numbers.chunks(CHUNK) {
        let mut tx = db.begin_read(tenant_id).await?;
        let rows: Vec<(i64, Timestamp)> = with_tx!(tx, conn => {
            let mut select = sqlx::QueryBuilder::new(
                "select customer_number, synced_at from customers where deleted_at is null \
                 and tenant_id = ",
            );
            select.push_bind(tenant_id).push(" and customer_number in (");
            let mut list = select.separated(", ");
            for n in chunk {
                list.push_bind(n.get());
            }
            select.push(")");
            select.build_query_as().fetch_all(&mut **conn).await
        })?;
        for (number, at) in rows {
            if let Ok(number) = CustomerNumber::new(number) {
                out.insert(number, at);
            }
        }
    }
    Ok(out)
}

/// The numbers of the tenant's customers that are not deleted (a reconciliation compares
/// them with e-conomic's).
pub async fn live_numbers(db: &Db, tenant_id: TenantId) -> Result<Vec<CustomerNumber>> {
    let rows: Vec<i64> = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "select customer_number from customers where tenant_id = $1 and deleted_at is null",
    )
    .bind(tenant_id)
    .fetch_all(conn)
    .await)?;
    Ok(rows
        .into_iter()
        .filter_map(|n| CustomerNumber::new(n).ok())
        .collect())
}

/// One of the tenant's customers (deleted ones too).
pub async fn get(db: &Db, tenant_id: TenantId, number: CustomerNumber) -> Result<CustomerRecord> {
    let row: Option<CustomerRecord> = with_tenant!(db, tenant_id, conn => sqlx::query_as(&format!(
        "select {COLUMNS} from customers where tenant_id = $1 and customer_number = $2"
    ))
    .bind(tenant_id)
    .bind(number.get())
    .fetch_optional(conn)
    .await)?;
    row.ok_or(Error::NotFound)
}

/// The tenant's customers ordered by number, after `after` (keyset), at most `limit` (capped
/// at 500); `search` matches the number exactly or the name in part, ignoring case.
pub async fn list(
    db: &Db,
    tenant_id: TenantId,
    search: &str,
    after: Option<i64>,
    limit: u32,
) -> Result<Vec<CustomerRecord>> {
    let search = search.trim();
    let pattern = super::contains_pattern(search);
    let exact = search.parse::<i64>().unwrap_or(-1);
    let rows = with_tenant!(db, tenant_id, conn => sqlx::query_as(&format!(
        "select {COLUMNS} from customers where tenant_id = $1 and customer_number > $2 \
         and ($3 = '' or customer_number = $4 or lower(name) like $5 escape '\\') \
         order by customer_number limit $6"
    ))
    .bind(tenant_id)
    .bind(after.unwrap_or(0))
    .bind(search)
    .bind(exact)
    .bind(&pattern)
    .bind(i64::from(limit.min(500)))
    .fetch_all(conn)
    .await)?;
    Ok(rows)
}

/// How many customers the tenant has that are not deleted.
pub async fn count(db: &Db, tenant_id: TenantId) -> Result<i64> {
    let n = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "select count(*) from customers where tenant_id = $1 and deleted_at is null",
    )
    .bind(tenant_id)
    .fetch_one(conn)
    .await)?;
    Ok(n)
}
