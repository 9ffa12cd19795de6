//! The auxiliary resources customers and products refer to: groups, units, VAT zones, payment terms.

use serde::{Deserialize, Serialize};

/// A customer group (`/customer-groups`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerGroup {
    /// The group number.
    pub customer_group_number: i64,
    /// The group name.
    #[serde(default)]
    pub name: String,
    /// Link to this group.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
}

/// A product group (`/product-groups`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductGroup {
    /// The group number.
    pub product_group_number: i64,
    /// The group name.
    #[serde(default)]
    pub name: String,
    /// Link to this group.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
}

/// A unit (`/units`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Unit {
    /// The unit number.
    pub unit_number: i64,
    /// The unit name (max 8 characters).
    #[serde(default)]
    pub name: String,
    /// Link to this unit.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
}

/// A VAT zone (`/vat-zones`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VatZone {
    /// The VAT zone number.
    pub vat_zone_number: i64,
    /// The zone name.
    #[serde(default)]
    pub name: String,
    /// Usable on customers.
    #[serde(default, skip_serializing_if = "super::is_false")]
    pub enabled_for_customer: bool,
    /// Usable on suppliers.
    #[serde(default, skip_serializing_if = "super::is_false")]
    pub enabled_for_supplier: bool,
    /// Link to this zone.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
}

/// Payment terms (`/payment-terms`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentTerms {
    /// The payment terms number.
    pub payment_terms_number: i64,
    /// The name.
    #[serde(default)]
    pub name: String,
    /// Days of credit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_of_credit: Option<i64>,
    /// `net`, `invoiceMonth`, `paidInCash`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_terms_type: Option<String>,
    /// Link to these terms.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
}
