//! The stock ledger: every change of a product's stock is a movement with a unique source key
//! (tenant, invoice number, line number), inserted in the same transaction as the change, so an
//! invoice line moves stock exactly once however often its webhook arrives.

use serde::Serialize;

use crate::db::Db;
use crate::error::Result;
use crate::ids::TenantId;
use crate::lease::Fenced;
use crate::timestamp::Timestamp;

/// One movement to record: what an invoice line did to a product's stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Movement {
    /// The product's local id.
    pub product_id: i64,
    /// Thousandths of a unit; negative takes stock out (a sale), positive adds it (a credit
    /// note).
    pub quantity: i64,
    /// The booked invoice (or credit note) that caused it.
    pub invoice_number: i64,
    /// Its line.
    pub line_number: i64,
}

/// Record `movement` and change the product's stock by it, unless this source already moved
/// stock. Returns whether it did now.
pub async fn record(
    tx: &mut Fenced,
    tenant_id: TenantId,
    movement: &Movement,
    now: Timestamp,
) -> Result<bool> {
    let recorded = with_tx!(tx, conn => async {
        let inserted = sqlx::query(
            "insert into stock_movements (tenant_id, product_id, quantity, invoice_number, \
             line_number, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $6) \
             on conflict (tenant_id, invoice_number, line_number) do nothing",
        )
        .bind(tenant_id)
        .bind(movement.product_id)
        .bind(movement.quantity)
        .bind(movement.invoice_number)
        .bind(movement.line_number)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if inserted.rows_affected() == 0 {
            return Ok::<_, sqlx::Error>(false);
        }
        sqlx::query(
            "update products set stock = stock + $3, updated_at = $4 \
             where tenant_id = $1 and id = $2",
        )
        .bind(tenant_id)
        .bind(movement.product_id)
        .bind(movement.quantity)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(true)
    }.await)?;
    Ok(recorded)
}

/// A movement as the product page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MovementRecord {
    /// Thousandths of a unit (negative: out).
    pub quantity: i64,
    /// The invoice that caused it.
    pub invoice_number: i64,
    /// Its line.
    pub line_number: i64,
    /// When it was recorded.
    pub created_at: Timestamp,
}

/// The movements of the tenant's product `product_number`, newest first (at most 200).
pub async fn movements(
    db: &Db,
    tenant_id: TenantId,
    product_number: &str,
) -> Result<Vec<MovementRecord>> {
    let rows = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select m.quantity, m.invoice_number, m.line_number, m.created_at \
         from stock_movements m join products p on p.id = m.product_id \
         where m.tenant_id = $1 and p.tenant_id = $1 and p.product_number = $2 \
         order by m.id desc limit 200",
    )
    .bind(tenant_id)
    .bind(product_number)
    .fetch_all(conn)
    .await)?;
    Ok(rows)
}

/// How many movements the tenant has (tests: duplicates must not add any).
pub async fn count(db: &Db, tenant_id: TenantId) -> Result<i64> {
    let n = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "select count(*) from stock_movements where tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_one(conn)
    .await)?;
    Ok(n)
}

/// A movement of a booked invoice, with the product it moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct InvoiceMovement {
    /// The product's number.
    pub product_number: String,
    /// Thousandths of a unit (negative: out).
    pub quantity: i64,
    /// The invoice line that caused it.
    pub line_number: i64,
    /// When it was recorded.
    pub created_at: Timestamp,
}

/// The stock movements the tenant's booked invoice `invoice_number` caused, by line.
pub async fn of_invoice(
    db: &Db,
    tenant_id: TenantId,
    invoice_number: i64,
) -> Result<Vec<InvoiceMovement>> {
    let rows = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select p.product_number, m.quantity, m.line_number, m.created_at \
         from stock_movements m join products p on p.id = m.product_id \
         where m.tenant_id = $1 and p.tenant_id = $1 and m.invoice_number = $2 \
         order by m.line_number",
    )
    .bind(tenant_id)
    .bind(invoice_number)
    .fetch_all(conn)
    .await)?;
    Ok(rows)
}
