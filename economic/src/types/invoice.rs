//! A booked invoice (`/invoices/booked/{n}`); the collection omits `lines`.

use super::refs::{UnitRef, VatZoneRef};
use crate::numbers::{CustomerNumber, InvoiceNumber};
use serde::{Deserialize, Serialize};

/// A booked invoice. `lines` is empty in collections (e-conomic only returns them on the
/// single-invoice endpoint).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookedInvoice {
    /// The invoice number assigned on booking.
    pub booked_invoice_number: InvoiceNumber,
    /// Invoice date, `YYYY-MM-DD`.
    #[serde(default)]
    pub date: String,
    /// Due date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    /// ISO currency code.
    #[serde(default)]
    pub currency: String,
    /// Exchange rate to the base currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_rate: Option<f64>,
    /// The invoiced customer.
    pub customer: InvoiceCustomer,
    /// Recipient details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<Recipient>,
    /// Payment terms as booked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_terms: Option<InvoicePaymentTerms>,
    /// Notes; often absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<Notes>,
    /// References; often absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references: Option<References>,
    /// Net amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_amount: Option<f64>,
    /// Net amount in base currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_amount_in_base_currency: Option<f64>,
    /// Gross amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gross_amount: Option<f64>,
    /// Gross amount in base currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gross_amount_in_base_currency: Option<f64>,
    /// VAT amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_amount: Option<f64>,
    /// Rounding amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rounding_amount: Option<f64>,
    /// Remainder (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remainder: Option<f64>,
    /// PDF link: `pdf.download` in real payloads, `pdf.self` in the 2019 docs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf: Option<Pdf>,
    /// Invoice lines (single-invoice endpoint only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<InvoiceLine>,
    /// Link to this invoice.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
}

/// The customer on an invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceCustomer {
    /// Customer number.
    pub customer_number: CustomerNumber,
    /// Link to the customer.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
}

/// Recipient block of an invoice.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recipient {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// EAN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ean: Option<String>,
    /// VAT zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_zone: Option<VatZoneRef>,
}

/// Payment terms embedded in an invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoicePaymentTerms {
    /// Number.
    pub payment_terms_number: i64,
    /// Days of credit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_of_credit: Option<i64>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `net`, `invoiceMonth`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_terms_type: Option<String>,
}

/// Invoice notes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notes {
    /// Heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// First text line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_line1: Option<String>,
    /// Second text line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_line2: Option<String>,
}

/// Invoice references.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct References {
    /// Vendor reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_reference: Option<String>,
    /// Free-text other reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<String>,
}

/// The PDF link of a booked invoice; either field may carry it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Pdf {
    /// `pdf.download` (observed in real payloads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download: Option<String>,
    /// `pdf.self` (2019 docs).
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
}

impl Pdf {
    /// Whichever link is present, `download` preferred.
    pub fn url(&self) -> Option<&str> {
        self.download.as_deref().or(self.self_link.as_deref())
    }
}

/// The product on an invoice line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceProduct {
    /// Product number as text (kept raw: old invoices may carry numbers we would reject).
    pub product_number: String,
    /// Link to the product.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
}

/// One invoice line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceLine {
    /// Line number.
    #[serde(default)]
    pub line_number: i64,
    /// Sort key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_key: Option<i64>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Product, if the line is a product line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<InvoiceProduct>,
    /// Quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<f64>,
    /// Unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitRef>,
    /// Unit net price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_net_price: Option<f64>,
    /// Discount percentage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_percentage: Option<f64>,
    /// Unit cost price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_cost_price: Option<f64>,
    /// VAT rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_rate: Option<f64>,
    /// VAT amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_amount: Option<f64>,
    /// Total net amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_net_amount: Option<f64>,
}
