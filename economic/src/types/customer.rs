//! A customer (`/customers/{customerNumber}`).

use super::refs::{CustomerGroupRef, PaymentTermsRef, VatZoneRef};
use crate::numbers::CustomerNumber;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A customer as e-conomic returns it. Empty fields are omitted by e-conomic and are `None` here;
/// links other than `self` (contacts, totals, templates, …) are ignored when reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// The customer number (1..=999 999 999).
    pub customer_number: CustomerNumber,
    /// Name (1–255 characters).
    #[serde(default)]
    pub name: String,
    /// ISO currency code, e.g. `DKK`.
    #[serde(default)]
    pub currency: String,
    /// Customer group (required on write).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_group: Option<CustomerGroupRef>,
    /// Payment terms (required on write).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_terms: Option<PaymentTermsRef>,
    /// VAT zone (required on write).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_zone: Option<VatZoneRef>,
    /// E-mail address(es), separated by spaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Country (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// CVR number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corporate_identification_number: Option<String>,
    /// P-number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_number: Option<String>,
    /// VAT number (non-Danish customers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_number: Option<String>,
    /// EAN number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ean: Option<String>,
    /// Public entry number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_entry_number: Option<String>,
    /// Telephone and fax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telephone_and_fax_number: Option<String>,
    /// Mobile phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    /// Website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Credit limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_limit: Option<f64>,
    /// Balance (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<f64>,
    /// Due amount (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_amount: Option<f64>,
    /// Barred from sales; omitted when false.
    #[serde(default, skip_serializing_if = "super::is_false")]
    pub barred: bool,
    /// Last change, UTC, whole seconds (read-only).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::datetime::rest"
    )]
    pub last_updated: Option<OffsetDateTime>,
    /// Link to this customer.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
}

impl Customer {
    /// A customer with the given number and name and nothing else set.
    pub fn new(customer_number: CustomerNumber, name: impl Into<String>) -> Self {
        Self {
            customer_number,
            name: name.into(),
            currency: "DKK".to_owned(),
            customer_group: None,
            payment_terms: None,
            vat_zone: None,
            email: None,
            address: None,
            zip: None,
            city: None,
            country: None,
            corporate_identification_number: None,
            p_number: None,
            vat_number: None,
            ean: None,
            public_entry_number: None,
            telephone_and_fax_number: None,
            mobile_phone: None,
            website: None,
            credit_limit: None,
            balance: None,
            due_amount: None,
            barred: false,
            last_updated: None,
            self_link: None,
        }
    }
}
