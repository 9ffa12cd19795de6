//! References from one resource to another (`{"vatZoneNumber": 1, "self": "…"}`).

use serde::{Deserialize, Serialize};

/// Reference to a customer group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerGroupRef {
    /// The group number.
    pub customer_group_number: i64,
    /// Link to the group.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
}

/// Reference to payment terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentTermsRef {
    /// The payment terms number.
    pub payment_terms_number: i64,
    /// Link to the payment terms.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
}

/// Reference to a VAT zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VatZoneRef {
    /// The VAT zone number.
    pub vat_zone_number: i64,
    /// Link to the VAT zone.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
}

/// Reference to a product group (products embed its name and links).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductGroupRef {
    /// The group number.
    pub product_group_number: i64,
    /// The group name, when embedded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Link to the group's sales accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_accounts: Option<String>,
    /// Link to the group's products.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<String>,
    /// Link to the group.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
}

/// Reference to a unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitRef {
    /// The unit number.
    pub unit_number: i64,
    /// The unit name, when embedded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Link to the unit's products.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<String>,
    /// Link to the unit.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
}
