//! The data pages' reads: the tenant's synced customers, products (with stock and its
//! movements) and booked invoices (with their lines).
//!
//! The tenant always comes from the session, never from an argument, so no URL or form can
//! show another tenant's records. Everything is sent as typed views with the timestamps,
//! quantities and amounts already formatted: the browser build cannot link `backend`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// How many rows one page shows.
pub const PAGE_SIZE: u32 = 50;

/// One customer, as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerView {
    /// e-conomic's customer number (also the pagination cursor).
    pub number: i64,
    /// Name.
    pub name: String,
    /// E-mail address(es).
    pub email: Option<String>,
    /// Street, postal code and city, country: one line, empty parts left out.
    pub address: String,
    /// ISO currency code.
    pub currency: String,
    /// Customer group number.
    pub group: Option<i64>,
    /// Barred from sales in e-conomic.
    pub barred: bool,
    /// When it was last fetched (UTC).
    pub synced_at: String,
    /// e-conomic no longer has it (the row stays, marked).
    pub deleted: bool,
}

/// A page of customers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerList {
    /// The customers, by number.
    pub rows: Vec<CustomerView>,
    /// The cursor of the next page, if there is one.
    pub next_after: Option<i64>,
}

/// One product, as listed and on its own page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductView {
    /// e-conomic's product number (also the pagination cursor).
    pub number: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Unit name.
    pub unit: Option<String>,
    /// Product group number.
    pub group: Option<i64>,
    /// Unit net sales price, two decimals.
    pub sales_price: Option<String>,
    /// Cost price, two decimals.
    pub cost_price: Option<String>,
    /// Barred in e-conomic.
    pub barred: bool,
    /// Stock on hand, as a decimal (`2.5`, `-1`).
    pub stock: String,
    /// Whether stock is below zero (more sold than we knew of).
    pub negative: bool,
    /// e-conomic's last change (UTC), if it said.
    pub economic_updated_at: Option<String>,
    /// When it was last fetched (UTC).
    pub synced_at: String,
    /// e-conomic no longer has it (the row, stock and history stay).
    pub deleted: bool,
}

/// A page of products.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductList {
    /// The products, by number.
    pub rows: Vec<ProductView>,
    /// The cursor of the next page, if there is one.
    pub next_after: Option<String>,
}

/// One stock movement of a product.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MovementView {
    /// The change, as a decimal with its sign (`-2`, `+1.5`).
    pub quantity: String,
    /// The invoice (or credit note) that caused it.
    pub invoice_number: i64,
    /// Its line.
    pub line_number: i64,
    /// When it was recorded (UTC).
    pub recorded_at: String,
}

/// A product with its stock movements, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductWithMovements {
    /// The product.
    pub product: ProductView,
    /// Its movements (the newest 200).
    pub movements: Vec<MovementView>,
}

/// One booked invoice, as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvoiceView {
    /// The booked invoice number (also the pagination cursor).
    pub number: i64,
    /// Invoice date, `YYYY-MM-DD`.
    pub date: String,
    /// The customer invoiced.
    pub customer_number: i64,
    /// The recipient's name.
    pub customer_name: Option<String>,
    /// ISO currency code.
    pub currency: String,
    /// Net amount, two decimals (negative for a credit note).
    pub net_amount: Option<String>,
    /// Gross amount, two decimals.
    pub gross_amount: Option<String>,
    /// How many lines it has.
    pub lines: i64,
    /// When it was fetched (UTC).
    pub synced_at: String,
}

/// A page of booked invoices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvoiceList {
    /// The invoices, newest number first.
    pub rows: Vec<InvoiceView>,
    /// The cursor of the next (older) page, if there is one.
    pub next_before: Option<i64>,
}

/// One line of a booked invoice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LineView {
    /// Line number.
    pub line_number: i64,
    /// The product number on the line, if it is a product line.
    pub product_number: Option<String>,
    /// Whether we have that product (false: no stock moved for this line).
    pub matched: bool,
    /// Description.
    pub description: Option<String>,
    /// Quantity, as a decimal.
    pub quantity: String,
    /// Unit net price, two decimals.
    pub unit_net_price: Option<String>,
    /// Total net amount, two decimals.
    pub total_net_amount: Option<String>,
}

/// A booked invoice with its lines.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvoiceWithLines {
    /// The invoice.
    pub invoice: InvoiceView,
    /// Its lines, in line order.
    pub lines: Vec<LineView>,
}

/// A page of the caller's customers by number, after customer `after`; `search` matches the
/// number exactly or the name in part.
#[server(prefix = "/api", endpoint = "customers_page", input = leptos::server_fn::codec::GetUrl)]
pub async fn customers_page(search: String, after: Option<i64>) -> Result<CustomerList, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    let rows = backend::records::customers::list(
        &state.db,
        ctx.tenant_id,
        ssr::search(&search),
        after,
        PAGE_SIZE + 1,
    )
    .await?;
    let (rows, more) = ssr::one_page(rows);
    let next_after = more
        .then(|| rows.last().map(|c| c.customer_number))
        .flatten();
    Ok(CustomerList {
        rows: rows.into_iter().map(ssr::customer).collect(),
        next_after,
    })
}

/// One of the caller's customers (deleted ones too). Errors: `NotFound` for a number the
/// caller's company does not have.
#[server(prefix = "/api", endpoint = "customer_detail", input = leptos::server_fn::codec::GetUrl)]
pub async fn customer_detail(number: i64) -> Result<CustomerView, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    let number = economic::CustomerNumber::new(number).map_err(|_| AppError::NotFound)?;
    let customer = backend::records::customers::get(&state.db, ctx.tenant_id, number).await?;
    Ok(ssr::customer(customer))
}

/// A page of the caller's products by number, after product `after`; `search` matches the
/// number or the name in part.
#[server(prefix = "/api", endpoint = "products_page", input = leptos::server_fn::codec::GetUrl)]
pub async fn products_page(search: String, after: Option<String>) -> Result<ProductList, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    let rows = backend::records::products::list(
        &state.db,
        ctx.tenant_id,
        ssr::search(&search),
        after.as_deref(),
        PAGE_SIZE + 1,
    )
    .await?;
    let (rows, more) = ssr::one_page(rows);
    let next_after = more
        .then(|| rows.last().map(|p| p.product_number.clone()))
        .flatten();
    Ok(ProductList {
        rows: rows.into_iter().map(ssr::product).collect(),
        next_after,
    })
}

/// One of the caller's products (deleted ones too) with its stock movements. Errors:
/// `NotFound` for a number the caller's company does not have.
#[server(prefix = "/api", endpoint = "product_detail", input = leptos::server_fn::codec::GetUrl)]
pub async fn product_detail(number: String) -> Result<ProductWithMovements, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    // A number e-conomic could not have cannot be stored either.
    let number = economic::ProductNumber::parse(&number).map_err(|_| AppError::NotFound)?;
    let product = backend::records::products::get(&state.db, ctx.tenant_id, &number).await?;
    let movements =
        backend::records::stock::movements(&state.db, ctx.tenant_id, number.as_str()).await?;
    Ok(ProductWithMovements {
        product: ssr::product(product),
        movements: movements.into_iter().map(ssr::movement).collect(),
    })
}

/// A page of the caller's booked invoices, newest number first, before invoice `before`;
/// `search` matches the invoice or customer number exactly or the customer's name in part.
#[server(prefix = "/api", endpoint = "invoices_page", input = leptos::server_fn::codec::GetUrl)]
pub async fn invoices_page(search: String, before: Option<i64>) -> Result<InvoiceList, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    let rows = backend::records::invoices::list(
        &state.db,
        ctx.tenant_id,
        ssr::search(&search),
        before,
        PAGE_SIZE + 1,
    )
    .await?;
    let (rows, more) = ssr::one_page(rows);
    let next_before = more
        .then(|| rows.last().map(|i| i.invoice_number))
        .flatten();
    Ok(InvoiceList {
        rows: rows.into_iter().map(ssr::invoice).collect(),
        next_before,
    })
}

/// One of the caller's booked invoices with its lines. Errors: `NotFound` for a number the
/// caller's company does not have.
#[server(prefix = "/api", endpoint = "invoice_lines", input = leptos::server_fn::codec::GetUrl)]
pub async fn invoice_lines(number: i64) -> Result<InvoiceWithLines, AppError> {
    let ctx = crate::ssr::entrance::Tenant::read().await?;
    let state = &ctx.state;
    let number = economic::InvoiceNumber::new(number).map_err(|_| AppError::NotFound)?;
    let lines = backend::records::invoices::lines(&state.db, ctx.tenant_id, number).await?;
    // The list's keyset puts invoice `number` first: nothing above it is below `number + 1`.
    let invoice = backend::records::invoices::list(
        &state.db,
        ctx.tenant_id,
        &number.get().to_string(),
        number.get().checked_add(1),
        1,
    )
    .await?
    .into_iter()
    .find(|i| i.invoice_number == number.get())
    .ok_or(AppError::NotFound)?;
    Ok(InvoiceWithLines {
        invoice: ssr::invoice(invoice),
        lines: lines.into_iter().map(ssr::line).collect(),
    })
}

#[cfg(feature = "ssr")]
mod ssr {
    use backend::records::customers::CustomerRecord;
    use backend::records::format_thousandths;
    use backend::records::invoices::{InvoiceRecord, LineRecord};
    use backend::records::products::ProductRecord;
    use backend::records::stock::MovementRecord;

    use super::*;
    use crate::ssr::format::timestamp;

    /// Longest search text used; the rest is dropped (no name is longer, and it keeps the
    /// `like` pattern small).
    const MAX_SEARCH_CHARS: usize = 100;

    /// The search text as the backend gets it: trimmed and bounded.
    pub fn search(text: &str) -> &str {
        let text = text.trim();
        match text.char_indices().nth(MAX_SEARCH_CHARS) {
            Some((end, _)) => &text[..end],
            None => text,
        }
    }

    /// The first [`PAGE_SIZE`] rows of `rows` (fetched one longer), and whether there are more.
    pub fn one_page<T>(mut rows: Vec<T>) -> (Vec<T>, bool) {
        let page = PAGE_SIZE as usize;
        let more = rows.len() > page;
        rows.truncate(page);
        (rows, more)
    }

    fn amount(value: Option<f64>) -> Option<String> {
        value.map(|v| format!("{v:.2}"))
    }

    pub fn customer(c: CustomerRecord) -> CustomerView {
        let town = [c.zip, c.city]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let address = [c.address, Some(town), c.country]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        CustomerView {
            number: c.customer_number,
            name: c.name,
            email: c.email,
            address,
            currency: c.currency,
            group: c.customer_group,
            barred: c.barred,
            synced_at: timestamp(c.synced_at),
            deleted: c.deleted_at.is_some(),
        }
    }

    pub fn product(p: ProductRecord) -> ProductView {
        ProductView {
            number: p.product_number,
            name: p.name,
            description: p.description,
            unit: p.unit,
            group: p.product_group,
            sales_price: amount(p.sales_price),
            cost_price: amount(p.cost_price),
            barred: p.barred,
            stock: format_thousandths(p.stock),
            negative: p.stock < 0,
            economic_updated_at: p.economic_updated_at.map(timestamp),
            synced_at: timestamp(p.synced_at),
            deleted: p.deleted_at.is_some(),
        }
    }

    pub fn movement(m: MovementRecord) -> MovementView {
        // A plus sign too: in a ledger the direction matters as much as the size.
        let sign = if m.quantity > 0 { "+" } else { "" };
        MovementView {
            quantity: format!("{sign}{}", format_thousandths(m.quantity)),
            invoice_number: m.invoice_number,
            line_number: m.line_number,
            recorded_at: timestamp(m.created_at),
        }
    }

    pub fn invoice(i: InvoiceRecord) -> InvoiceView {
        InvoiceView {
            number: i.invoice_number,
            date: i.invoice_date,
            customer_number: i.customer_number,
            customer_name: i.customer_name,
            currency: i.currency,
            net_amount: amount(i.net_amount),
            gross_amount: amount(i.gross_amount),
            lines: i.lines,
            synced_at: timestamp(i.synced_at),
        }
    }

    pub fn line(l: LineRecord) -> LineView {
        LineView {
            line_number: l.line_number,
            product_number: l.product_number,
            matched: l.matched,
            description: l.description,
            quantity: format_thousandths(l.quantity),
            unit_net_price: amount(l.unit_net_price),
            total_net_amount: amount(l.total_net_amount),
        }
    }
}
