//! The tenant's products with their stock on hand, as last fetched from e-conomic. Stock is
//! ours, not e-conomic's: it changes only through [`super::stock`].

use std::collections::HashMap;

use economic::ProductNumber;
use economic::types::Product;
use serde::Serialize;

use super::{RecordChange, change_of, field, products_postgres};
use crate::db::{Db, Tx, TxInner};
use crate::error::{Error, Result};
use crate::ids::TenantId;
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

pub(super) const COLUMNS: &str = "product_number, name, description, unit, product_group, sales_price, \
    cost_price, barred, stock, economic_updated_at, synced_at, deleted_at";

/// Rows per statement: 16 parameters each.
const CHUNK: usize = 500;

impl ProductRecord {
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

    fn change_to(&self, new: &ProductRecord) -> RecordChange {
        if self.deleted_at.is_some() {
            return RecordChange::Created;
        }
        change_of([
            field("name", &self.name, &new.name),
            field("description", &self.description, &new.description),
            field("unit", &self.unit, &new.unit),
            field("productGroup", &self.product_group, &new.product_group),
            field("salesPrice", &self.sales_price, &new.sales_price),
            field("costPrice", &self.cost_price, &new.cost_price),
            field("barred", &self.barred, &new.barred),
        ])
    }
}

/// Store fetched products (each with its JSON as fetched), reviving soft-deleted ones; stock
/// is left as it is. Returns what changed, in input order.
pub async fn upsert_many(
    tx: &mut Tx,
    tenant_id: TenantId,
    fetched: &[(Product, serde_json::Value)],
    synced_at: Timestamp,
) -> Result<Vec<RecordChange>> {
    let mut changes = Vec::with_capacity(fetched.len());
    for chunk in fetched.chunks(CHUNK) {
        let numbers: Vec<&str> = chunk
            .iter()
            .map(|(p, _)| p.product_number.as_str())
            .collect();
        let stored = stored(tx, tenant_id, &numbers).await?;
        let records: Vec<ProductRecord> = chunk
            .iter()
            .map(|(p, _)| ProductRecord::from_economic(p, synced_at))
            .collect();
        changes.extend(records.iter().map(|new| {
            stored
                .get(&new.product_number)
                .map_or(RecordChange::Created, |old| old.change_to(new))
        }));
        let raws = chunk
            .iter()
            .map(|(_, raw)| serde_json::to_string(raw).map_err(Error::internal))
            .collect::<Result<Vec<_>>>()?;
        if let TxInner::Postgres(conn) = &mut tx.0 {
            products_postgres::upsert(conn, tenant_id, &records, &raws, synced_at).await?;
            continue;
        }
        with_tx!(tx, conn => {
            let mut insert = sqlx::QueryBuilder::new(format!(
                "insert into products (tenant_id, {COLUMNS}, raw, created_at, updated_at) "
            ));
            insert.push_values(records.iter().zip(&raws), |mut row, (r, raw)| {
                row.push_bind(tenant_id)
                    .push_bind(&r.product_number)
                    .push_bind(&r.name)
                    .push_bind(&r.description)
                    .push_bind(&r.unit)
                    .push_bind(r.product_group)
                    .push_bind(r.sales_price)
                    .push_bind(r.cost_price)
                    .push_bind(r.barred)
                    .push_bind(r.stock)
                    .push_bind(r.economic_updated_at)
                    .push_bind(r.synced_at)
                    .push_bind(r.deleted_at)
                    .push_bind(raw)
                    .push_bind(synced_at)
                    .push_bind(synced_at);
            });
            insert.push(
                " on conflict (tenant_id, product_number) do update set name = excluded.name, \
                 description = excluded.description, unit = excluded.unit, \
                 product_group = excluded.product_group, sales_price = excluded.sales_price, \
                 cost_price = excluded.cost_price, barred = excluded.barred, \
                 economic_updated_at = excluded.economic_updated_at, \
                 synced_at = excluded.synced_at, deleted_at = null, raw = excluded.raw, \
                 updated_at = excluded.updated_at",
            );
            insert.build().execute(&mut **conn).await.map(|_| ())
        })?;
    }
    Ok(changes)
}

/// Store a product that an invoice line needs, unless the tenant has it already (then the
/// stored one wins: the products queue, not the invoices queue, keeps products up to date).
/// Returns its id.
pub async fn insert_if_missing(
    tx: &mut Tx,
    tenant_id: TenantId,
    product: &Product,
    raw: &serde_json::Value,
    synced_at: Timestamp,
) -> Result<i64> {
    let r = ProductRecord::from_economic(product, synced_at);
    let raw = serde_json::to_string(raw).map_err(Error::internal)?;
    let id = with_tx!(tx, conn => async {
        sqlx::query(&format!(
            "insert into products (tenant_id, {COLUMNS}, raw, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, null, $12, $11, $11) \
             on conflict (tenant_id, product_number) do nothing"
        ))
        .bind(tenant_id)
        .bind(&r.product_number)
        .bind(&r.name)
        .bind(&r.description)
        .bind(&r.unit)
        .bind(r.product_group)
        .bind(r.sales_price)
        .bind(r.cost_price)
        .bind(r.barred)
        .bind(r.economic_updated_at)
        .bind(synced_at)
        .bind(&raw)
        .execute(&mut **conn)
        .await?;
        sqlx::query_scalar::<_, i64>(
            "select id from products where tenant_id = $1 and product_number = $2",
        )
        .bind(tenant_id)
        .bind(&r.product_number)
        .fetch_one(&mut **conn)
        .await
    }.await)?;
    Ok(id)
}

async fn stored(
    tx: &mut Tx,
    tenant_id: TenantId,
    numbers: &[&str],
) -> Result<HashMap<String, ProductRecord>> {
    if let TxInner::Postgres(conn) = &mut tx.0 {
        return products_postgres::stored(conn, tenant_id, numbers).await;
    }
    let rows: Vec<ProductRecord> = with_tx!(tx, conn => {
        let mut select = sqlx::QueryBuilder::new(format!(
            "select {COLUMNS} from products where tenant_id = "
        ));
        select.push_bind(tenant_id).push(" and product_number in (");
        let mut list = select.separated(", ");
        for n in numbers {
            list.push_bind(*n);
        }
        select.push(")");
        select.build_query_as().fetch_all(&mut **conn).await
    })?;
    Ok(rows
        .into_iter()
        .map(|r| (r.product_number.clone(), r))
        .collect())
}

/// The local ids of these (not deleted) products, for invoice lines.
pub async fn ids(
    tx: &mut Tx,
    tenant_id: TenantId,
    numbers: &[&str],
) -> Result<HashMap<String, i64>> {
    if numbers.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, i64)> = with_tx!(tx, conn => {
        let mut select = sqlx::QueryBuilder::new(
            "select product_number, id from products where deleted_at is null and tenant_id = ",
        );
        select.push_bind(tenant_id).push(" and product_number in (");
        let mut list = select.separated(", ");
        for n in numbers {
            list.push_bind(*n);
        }
        select.push(")");
        select.build_query_as().fetch_all(&mut **conn).await
    })?;
    Ok(rows.into_iter().collect())
}

/// e-conomic no longer has `number`: soft-delete it (its row, stock and history stay).
pub async fn soft_delete(
    tx: &mut Tx,
    tenant_id: TenantId,
    number: &ProductNumber,
    now: Timestamp,
) -> Result<RecordChange> {
    let done = with_tx!(tx, conn => sqlx::query(
        "update products set deleted_at = $3, synced_at = $3, updated_at = $3 \
         where tenant_id = $1 and product_number = $2 and deleted_at is null",
    )
    .bind(tenant_id)
    .bind(number.as_str())
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

/// Move the product at `old` to `new`, keeping its id, stock and history. A row already at
/// `new` (one fetched before this renumbering arrived, or an old deleted one) is merged into
/// it: its stock movements and invoice lines move over, then it goes. Returns whether there was
/// a product at `old` to move.
pub async fn renumber(
    tx: &mut Tx,
    tenant_id: TenantId,
    old: &ProductNumber,
    new: &ProductNumber,
    now: Timestamp,
) -> Result<bool> {
    let moved = with_tx!(tx, conn => async {
        let id_of = |number: String| {
            sqlx::query_scalar::<_, i64>(
                "select id from products where tenant_id = $1 and product_number = $2",
            )
            .bind(tenant_id)
            .bind(number)
        };
        let Some(kept) = id_of(old.as_str().to_owned()).fetch_optional(&mut **conn).await? else {
            return Ok::<_, sqlx::Error>(false);
        };
        if let Some(merged) = id_of(new.as_str().to_owned()).fetch_optional(&mut **conn).await? {
            for sql in [
                "update stock_movements set product_id = $2 where tenant_id = $3 and product_id = $1",
                "update invoice_lines set product_id = $2 where tenant_id = $3 and product_id = $1",
            ] {
                sqlx::query(sql)
                    .bind(merged)
                    .bind(kept)
                    .bind(tenant_id)
                    .execute(&mut **conn)
                    .await?;
            }
            sqlx::query(
                "update products set stock = stock + \
                 (select stock from products where id = $2) where id = $1",
            )
            .bind(kept)
            .bind(merged)
            .execute(&mut **conn)
            .await?;
            sqlx::query("delete from products where id = $1")
                .bind(merged)
                .execute(&mut **conn)
                .await?;
        }
        sqlx::query("update products set product_number = $2, updated_at = $3 where id = $1")
            .bind(kept)
            .bind(new.as_str())
            .bind(now)
            .execute(&mut **conn)
            .await?;
        Ok(true)
    }.await)?;
    Ok(moved)
}

/// When each of these (not deleted) products was last fetched.
pub async fn synced_at(
    db: &Db,
    tenant_id: TenantId,
    numbers: &[ProductNumber],
) -> Result<HashMap<ProductNumber, Timestamp>> {
    let mut out = HashMap::with_capacity(numbers.len());
    for chunk in numbers.chunks(CHUNK) {
        let mut tx = db.begin_read(tenant_id).await?;
        let rows: Vec<(String, Timestamp)> = with_tx!(tx, conn => {
            let mut select = sqlx::QueryBuilder::new(
                "select product_number, synced_at from products where deleted_at is null \
                 and tenant_id = ",
            );
            select.push_bind(tenant_id).push(" and product_number in (");
            let mut list = select.separated(", ");
            for n in chunk {
                list.push_bind(n.as_str());
            }
            select.push(")");
            select.build_query_as().fetch_all(&mut **conn).await
        })?;
        for (number, at) in rows {
            if let Ok(number) = ProductNumber::parse(&number) {
                out.insert(number, at);
            }
        }
    }
    Ok(out)
}

/// The numbers of the tenant's products that are not deleted.
pub async fn live_numbers(db: &Db, tenant_id: TenantId) -> Result<Vec<ProductNumber>> {
    let rows: Vec<String> = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "select product_number from products where tenant_id = $1 and deleted_at is null",
    )
    .bind(tenant_id)
    .fetch_all(conn)
    .await)?;
    Ok(rows
        .into_iter()
        .filter_map(|n| ProductNumber::parse(&n).ok())
        .collect())
}

/// One of the tenant's products (deleted ones too).
pub async fn get(db: &Db, tenant_id: TenantId, number: &ProductNumber) -> Result<ProductRecord> {
    let row: Option<ProductRecord> = with_tenant!(db, tenant_id, conn => sqlx::query_as(&format!(
        "select {COLUMNS} from products where tenant_id = $1 and product_number = $2"
    ))
    .bind(tenant_id)
    .bind(number.as_str())
    .fetch_optional(conn)
    .await)?;
    row.ok_or(Error::NotFound)
}

/// The tenant's products ordered by number, after `after` (keyset), at most `limit` (capped
/// at 500); `search` matches the number or the name in part, ignoring case.
pub async fn list(
    db: &Db,
    tenant_id: TenantId,
    search: &str,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<ProductRecord>> {
    let search = search.trim();
    let pattern = super::contains_pattern(search);
    let rows = with_tenant!(db, tenant_id, conn => sqlx::query_as(&format!(
        "select {COLUMNS} from products where tenant_id = $1 and product_number > $2 \
         and ($3 = '' or lower(product_number) like $4 escape '\\' \
              or lower(name) like $4 escape '\\') \
         order by product_number limit $5"
    ))
    .bind(tenant_id)
    .bind(after.unwrap_or(""))
    .bind(search)
    .bind(&pattern)
    .bind(i64::from(limit.min(500)))
    .fetch_all(conn)
    .await)?;
    Ok(rows)
}

/// How many products the tenant has that are not deleted.
pub async fn count(db: &Db, tenant_id: TenantId) -> Result<i64> {
    let n = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "select count(*) from products where tenant_id = $1 and deleted_at is null",
    )
    .bind(tenant_id)
    .fetch_one(conn)
    .await)?;
    Ok(n)
}
