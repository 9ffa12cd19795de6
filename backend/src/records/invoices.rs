//! The tenant's booked invoices with their lines. Booked invoices never change in e-conomic, so
//! each is stored once; storing it records one stock movement per product line.

use std::collections::HashMap;

use economic::InvoiceNumber;
use economic::types::BookedInvoice;
use serde::{Deserialize, Serialize};

use super::quantity_to_thousandths;
use super::stock::{self, Movement};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::lease::Fenced;
use crate::timestamp::Timestamp;

/// What storing a fetched booked invoice did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum InvoiceChange {
    /// Stored now, with its lines and their stock movements.
    Stored {
        /// Lines stored.
        lines: u32,
        /// Stock movements recorded (product lines with a quantity).
        movements: u32,
        /// Product numbers on lines that e-conomic does not have: stored without a product,
        /// no stock moved.
        unmatched: Vec<String>,
    },
    /// It was stored before (a duplicate webhook): nothing changed.
    AlreadyStored,
}

/// A booked invoice as the data pages show it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct InvoiceRecord {
    /// The booked invoice number.
    pub invoice_number: i64,
    /// Invoice date, `YYYY-MM-DD`.
    pub invoice_date: String,
    /// The customer invoiced.
    pub customer_number: i64,
    /// The recipient's name.
    pub customer_name: Option<String>,
    /// ISO currency code.
    pub currency: String,
    /// Net amount (negative for a credit note).
    pub net_amount: Option<f64>,
    /// Gross amount.
    pub gross_amount: Option<f64>,
    /// How many lines it has.
    pub lines: i64,
    /// When it was fetched.
    pub synced_at: Timestamp,
}

/// One line of a stored invoice.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct LineRecord {
    /// Line number.
    pub line_number: i64,
    /// The product number on the line, if any.
    pub product_number: Option<String>,
    /// Whether the line's product is one we have (false: unmatched, no stock moved).
    pub matched: bool,
    /// Description.
    pub description: Option<String>,
    /// Quantity in thousandths.
    pub quantity: i64,
    /// Unit net price.
    pub unit_net_price: Option<f64>,
    /// Total net amount.
    pub total_net_amount: Option<f64>,
}

/// Whether the tenant has stored booked invoice `number`.
pub async fn exists(db: &Db, tenant_id: TenantId, number: InvoiceNumber) -> Result<bool> {
    let found: Option<i64> = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "select id from booked_invoices where tenant_id = $1 and invoice_number = $2",
    )
    .bind(tenant_id)
    .bind(number.get())
    .fetch_optional(conn)
    .await)?;
    Ok(found.is_some())
}

/// Store `invoice` (fetched with its lines, `raw` as fetched) unless it is stored already,
/// and, if `moves_stock`, record a stock movement for each line whose product is in
/// `product_ids`: the line's quantity goes out of stock (a credit note's negative quantity
/// comes back in). The first import stores invoices from before the connection without moving
/// stock: the stock counted then already reflects them.
pub async fn store(
    tx: &mut Fenced,
    tenant_id: TenantId,
    invoice: &BookedInvoice,
    raw: &serde_json::Value,
    product_ids: &HashMap<String, i64>,
    moves_stock: bool,
    synced_at: Timestamp,
) -> Result<InvoiceChange> {
    let number = invoice.booked_invoice_number.get();
    let raw = serde_json::to_string(raw).map_err(Error::internal)?;
    let invoice_id: Option<i64> = with_tx!(tx, conn => sqlx::query_scalar(
        "insert into booked_invoices (tenant_id, invoice_number, invoice_date, customer_number, \
         customer_name, currency, net_amount, gross_amount, synced_at, raw, created_at, \
         updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9, $9) \
         on conflict (tenant_id, invoice_number) do nothing returning id",
    )
    .bind(tenant_id)
    .bind(number)
    .bind(&invoice.date)
    .bind(invoice.customer.customer_number.get())
    .bind(invoice.recipient.as_ref().map(|r| r.name.as_str()))
    .bind(&invoice.currency)
    .bind(invoice.net_amount)
    .bind(invoice.gross_amount)
    .bind(synced_at)
    .bind(&raw)
    .fetch_optional(&mut *conn)
    .await)?;
    let Some(invoice_id) = invoice_id else {
        return Ok(InvoiceChange::AlreadyStored);
    };
    let (mut movements, mut unmatched) = (0, Vec::new());
    for line in &invoice.lines {
        let product_number = line.product.as_ref().map(|p| p.product_number.as_str());
        let product_id = product_number.and_then(|n| product_ids.get(n).copied());
        if let (Some(n), None) = (product_number, product_id) {
            unmatched.push(n.to_owned());
        }
        let quantity = quantity_to_thousandths(line.quantity.unwrap_or(0.0));
        with_tx!(tx, conn => sqlx::query(
            "insert into invoice_lines (tenant_id, invoice_id, line_number, product_number, \
             product_id, description, quantity, unit_net_price, total_net_amount, created_at, \
             updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
             on conflict (invoice_id, line_number) do nothing",
        )
        .bind(tenant_id)
        .bind(invoice_id)
        .bind(line.line_number)
        .bind(product_number)
        .bind(product_id)
        .bind(&line.description)
        .bind(quantity)
        .bind(line.unit_net_price)
        .bind(line.total_net_amount)
        .bind(synced_at)
        .execute(&mut *conn)
        .await
        .map(|_| ()))?;
        if let Some(product_id) = product_id
            && quantity != 0
            && moves_stock
        {
            let movement = Movement {
                product_id,
                quantity: -quantity,
                invoice_number: number,
                line_number: line.line_number,
            };
            if stock::record(tx, tenant_id, &movement, synced_at).await? {
                movements += 1;
            }
        }
    }
    Ok(InvoiceChange::Stored {
        lines: u32::try_from(invoice.lines.len()).unwrap_or(u32::MAX),
        movements,
        unmatched,
    })
}

const SELECT: &str = "select i.invoice_number, i.invoice_date, i.customer_number, \
    i.customer_name, i.currency, i.net_amount, i.gross_amount, \
    (select count(*) from invoice_lines l where l.invoice_id = i.id) as lines, i.synced_at \
    from booked_invoices i";

/// The tenant's booked invoices, newest number first, before `before` (keyset), at most
/// `limit` (capped at 500); `search` matches the invoice or customer number exactly or the
/// customer's name in part.
pub async fn list(
    db: &Db,
    tenant_id: TenantId,
    search: &str,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<InvoiceRecord>> {
    let search = search.trim();
    let pattern = super::contains_pattern(search);
    let exact = search.parse::<i64>().unwrap_or(-1);
    let rows = with_tenant!(db, tenant_id, conn => sqlx::query_as(&format!(
        "{SELECT} where i.tenant_id = $1 and i.invoice_number < $2 \
         and ($3 = '' or i.invoice_number = $4 or i.customer_number = $4 \
              or lower(i.customer_name) like $5 escape '\\') \
         order by i.invoice_number desc limit $6"
    ))
    .bind(tenant_id)
    .bind(before.unwrap_or(i64::MAX))
    .bind(search)
    .bind(exact)
    .bind(&pattern)
    .bind(i64::from(limit.min(500)))
    .fetch_all(conn)
    .await)?;
    Ok(rows)
}

/// The lines of the tenant's invoice `number`, in line order. Errors: `NotFound`.
pub async fn lines(db: &Db, tenant_id: TenantId, number: InvoiceNumber) -> Result<Vec<LineRecord>> {
    if !exists(db, tenant_id, number).await? {
        return Err(Error::NotFound);
    }
    let rows = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select l.line_number, l.product_number, l.product_id is not null as matched, \
         l.description, l.quantity, l.unit_net_price, l.total_net_amount \
         from invoice_lines l join booked_invoices i on i.id = l.invoice_id \
         where i.tenant_id = $1 and l.tenant_id = $1 and i.invoice_number = $2 \
         order by l.line_number",
    )
    .bind(tenant_id)
    .bind(number.get())
    .fetch_all(conn)
    .await)?;
    Ok(rows)
}

/// How many booked invoices the tenant has stored.
pub async fn count(db: &Db, tenant_id: TenantId) -> Result<i64> {
    let n = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "select count(*) from booked_invoices where tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_one(conn)
    .await)?;
    Ok(n)
}
