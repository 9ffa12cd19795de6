//! A product (`/products/{encoded productNumber}`).

use super::refs::{ProductGroupRef, UnitRef};
use crate::numbers::ProductNumber;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A product as e-conomic returns it. `unit` and `costPrice` may be omitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// The product number (string, 1–25 characters).
    pub product_number: ProductNumber,
    /// Name (1–300 characters).
    #[serde(default)]
    pub name: String,
    /// Description (max 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Bar code (max 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bar_code: Option<String>,
    /// Cost price (read-only with the inventory module).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_price: Option<f64>,
    /// Recommended price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommended_price: Option<f64>,
    /// Unit net sales price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_price: Option<f64>,
    /// Barred; e-conomic sometimes sends `false`, sometimes omits it.
    #[serde(default)]
    pub barred: bool,
    /// Last change, UTC; observed at minute precision (read-only).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::datetime::rest"
    )]
    pub last_updated: Option<OffsetDateTime>,
    /// Product group (required on write).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_group: Option<ProductGroupRef>,
    /// Unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitRef>,
    /// Inventory figures (inventory module only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<Inventory>,
    /// Link to this product.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
}

impl Product {
    /// A product with the given number and name and nothing else set.
    pub fn new(product_number: ProductNumber, name: impl Into<String>) -> Self {
        Self {
            product_number,
            name: name.into(),
            description: None,
            bar_code: None,
            cost_price: None,
            recommended_price: None,
            sales_price: None,
            barred: false,
            last_updated: None,
            product_group: None,
            unit: None,
            inventory: None,
            self_link: None,
        }
    }
}

/// Inventory figures of a product (mostly read-only).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Inventory {
    /// Available quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available: Option<f64>,
    /// Quantity in stock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_stock: Option<f64>,
    /// Ordered from suppliers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordered_from_suppliers: Option<f64>,
    /// Ordered by customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordered_by_customers: Option<f64>,
    /// Gross weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gross_weight: Option<f64>,
    /// Net weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_weight: Option<f64>,
    /// Package volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_volume: Option<f64>,
    /// Recommended cost price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommended_cost_price: Option<f64>,
}
