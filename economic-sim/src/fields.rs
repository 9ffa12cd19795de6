//! Which properties of each record the simulator can filter and sort on (a subset of
//! e-conomic's filterable properties; others answer 400 like a non-filterable property).

use crate::query::{FieldValue, Queryable};
use economic::types::{
    BookedInvoice, Customer, CustomerGroup, PaymentTerms, Product, ProductGroup, Unit, VatZone,
};

/// An optional text: absent (or empty, which e-conomic omits) is no value (`$null:`).
fn text(value: &Option<String>) -> Option<FieldValue> {
    Some(match value.as_deref() {
        None | Some("") => FieldValue::Null,
        Some(text) => FieldValue::Text(text.to_owned()),
    })
}

fn float(value: Option<f64>) -> Option<FieldValue> {
    Some(value.map_or(FieldValue::Null, FieldValue::Float))
}

fn time(value: Option<time::OffsetDateTime>) -> Option<FieldValue> {
    Some(value.map_or(FieldValue::Null, FieldValue::Time))
}

impl Queryable for Customer {
    const FIELDS: &'static [&'static str] = &[
        "customerNumber",
        "name",
        "currency",
        "lastUpdated",
        "email",
        "address",
        "city",
        "zip",
        "country",
        "corporateIdentificationNumber",
        "vatNumber",
        "ean",
        "website",
        "telephoneAndFaxNumber",
        "balance",
        "creditLimit",
        "barred",
    ];

    fn field(&self, name: &str) -> Option<FieldValue> {
        match name {
            "customerNumber" => Some(FieldValue::Int(self.customer_number.get())),
            "name" => Some(FieldValue::Text(self.name.clone())),
            "currency" => Some(FieldValue::Text(self.currency.clone())),
            "lastUpdated" => time(self.last_updated),
            "email" => text(&self.email),
            "address" => text(&self.address),
            "city" => text(&self.city),
            "zip" => text(&self.zip),
            "country" => text(&self.country),
            "corporateIdentificationNumber" => text(&self.corporate_identification_number),
            "vatNumber" => text(&self.vat_number),
            "ean" => text(&self.ean),
            "website" => text(&self.website),
            "telephoneAndFaxNumber" => text(&self.telephone_and_fax_number),
            "balance" => float(self.balance),
            "creditLimit" => float(self.credit_limit),
            "barred" => Some(FieldValue::Text(self.barred.to_string())),
            _ => None,
        }
    }
}

impl Queryable for Product {
    const FIELDS: &'static [&'static str] = &[
        "productNumber",
        "name",
        "lastUpdated",
        "description",
        "barCode",
        "barred",
        "costPrice",
        "salesPrice",
        "recommendedPrice",
        "productGroup.productGroupNumber",
        "unit.unitNumber",
    ];

    fn field(&self, name: &str) -> Option<FieldValue> {
        match name {
            "productNumber" => Some(FieldValue::Text(self.product_number.as_str().to_owned())),
            "name" => Some(FieldValue::Text(self.name.clone())),
            "lastUpdated" => time(self.last_updated),
            "description" => text(&self.description),
            "barCode" => text(&self.bar_code),
            "barred" => Some(FieldValue::Text(self.barred.to_string())),
            "costPrice" => float(self.cost_price),
            "salesPrice" => float(self.sales_price),
            "recommendedPrice" => float(self.recommended_price),
            "productGroup.productGroupNumber" => self
                .product_group
                .as_ref()
                .map(|g| FieldValue::Int(g.product_group_number)),
            "unit.unitNumber" => self.unit.as_ref().map(|u| FieldValue::Int(u.unit_number)),
            _ => None,
        }
    }
}

impl Queryable for BookedInvoice {
    const FIELDS: &'static [&'static str] = &[
        "bookedInvoiceNumber",
        "date",
        "currency",
        "customer.customerNumber",
        "netAmount",
        "grossAmount",
    ];

    fn field(&self, name: &str) -> Option<FieldValue> {
        match name {
            "bookedInvoiceNumber" => Some(FieldValue::Int(self.booked_invoice_number.get())),
            "date" => Some(FieldValue::Text(self.date.clone())),
            "currency" => Some(FieldValue::Text(self.currency.clone())),
            "customer.customerNumber" => Some(FieldValue::Int(self.customer.customer_number.get())),
            "netAmount" => float(self.net_amount),
            "grossAmount" => float(self.gross_amount),
            _ => None,
        }
    }
}

macro_rules! numbered {
    ($ty:ty, $field:ident, $name:literal) => {
        impl Queryable for $ty {
            const FIELDS: &'static [&'static str] = &[$name, "name"];

            fn field(&self, name: &str) -> Option<FieldValue> {
                match name {
                    $name => Some(FieldValue::Int(self.$field)),
                    "name" => Some(FieldValue::Text(self.name.clone())),
                    _ => None,
                }
            }
        }
    };
}

numbered!(CustomerGroup, customer_group_number, "customerGroupNumber");
numbered!(ProductGroup, product_group_number, "productGroupNumber");
numbered!(Unit, unit_number, "unitNumber");
numbered!(VatZone, vat_zone_number, "vatZoneNumber");
numbered!(PaymentTerms, payment_terms_number, "paymentTermsNumber");
