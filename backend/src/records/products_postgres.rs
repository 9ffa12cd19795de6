//! The PostgreSQL form of the products' bulk statements: one array per column with `unnest`,
//! so the statement text is the same for every page and is prepared once per connection. A
//! multi-row `values (…), (…)` with 16 parameters a row was re-parsed and re-planned for every
//! chunk: the first import of 100,000 products spent most of its 16 s there. (SQLite, in
//! process and without arrays, keeps the multi-row form in `products`.)

use std::collections::HashMap;

use sqlx::PgConnection;

use super::products::{COLUMNS, ProductRecord};
use crate::error::Result;
use crate::ids::TenantId;
use crate::timestamp::Timestamp;

/// The stored rows of these product numbers, by number.
pub(super) async fn stored(
    conn: &mut PgConnection,
    tenant_id: TenantId,
    numbers: &[&str],
) -> Result<HashMap<String, ProductRecord>> {
    let rows: Vec<ProductRecord> = sqlx::query_as(&format!(
        "select {COLUMNS} from products where tenant_id = $1 and product_number = any($2::text[])"
    ))
    .bind(tenant_id)
    .bind(numbers)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.product_number.clone(), r))
        .collect())
}

/// Insert or update `records` (with their JSON) in one statement.
pub(super) async fn upsert(
    conn: &mut PgConnection,
    tenant_id: TenantId,
    records: &[ProductRecord],
    raws: &[String],
    synced_at: Timestamp,
) -> Result<()> {
    let column =
        |f: fn(&ProductRecord) -> Option<String>| records.iter().map(f).collect::<Vec<_>>();
    sqlx::query(
        "insert into products (tenant_id, product_number, name, description, unit, product_group, \
         sales_price, cost_price, barred, stock, economic_updated_at, synced_at, raw, created_at, \
         updated_at) \
         select $1, n, name, description, unit, product_group, sales_price, cost_price, barred, 0, \
                economic_updated_at, $2, raw, $2, $2 \
         from unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], \
                     $8::float8[], $9::float8[], $10::bool[], $11::bigint[], $12::text[]) \
              as t(n, name, description, unit, product_group, sales_price, cost_price, barred, \
                   economic_updated_at, raw) \
         on conflict (tenant_id, product_number) do update set name = excluded.name, \
         description = excluded.description, unit = excluded.unit, \
         product_group = excluded.product_group, sales_price = excluded.sales_price, \
         cost_price = excluded.cost_price, barred = excluded.barred, \
         economic_updated_at = excluded.economic_updated_at, synced_at = excluded.synced_at, \
         deleted_at = null, raw = excluded.raw, updated_at = excluded.updated_at",
    )
    .bind(tenant_id)
    .bind(synced_at)
    .bind(
        records
            .iter()
            .map(|r| r.product_number.clone())
            .collect::<Vec<_>>(),
    )
    .bind(records.iter().map(|r| r.name.clone()).collect::<Vec<_>>())
    .bind(column(|r| r.description.clone()))
    .bind(column(|r| r.unit.clone()))
    .bind(records.iter().map(|r| r.product_group).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.sales_price).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.cost_price).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.barred).collect::<Vec<_>>())
    .bind(
        records
            .iter()
            .map(|r| r.economic_updated_at.map(Timestamp::as_millis))
            .collect::<Vec<_>>(),
    )
    .bind(raws)
    .execute(conn)
    .await?;
    Ok(())
}
