//! Serde types for e-conomic REST resources. Reading is tolerant like the real API behaves:
//! unknown fields are ignored, omitted booleans mean `false`, omitted fields are `None`/empty.
//! Writing omits `None` and `false` as e-conomic does.

mod aux;
mod collection;
mod customer;
mod invoice;
mod product;
mod refs;
pub mod webhooks_api;

pub use aux::{CustomerGroup, PaymentTerms, ProductGroup, Unit, VatZone};
pub use collection::{Collection, ErrorBody, Pagination, SelfCompany, SelfInfo};
pub use customer::Customer;
pub use invoice::{
    BookedInvoice, InvoiceCustomer, InvoiceLine, InvoicePaymentTerms, InvoiceProduct, Notes, Pdf,
    Recipient, References,
};
pub use product::{Inventory, Product};
pub use refs::{CustomerGroupRef, PaymentTermsRef, ProductGroupRef, UnitRef, VatZoneRef};
pub use webhooks_api::{ApiWebhook, ProblemDetails};

/// `skip_serializing_if` helper: e-conomic omits false booleans.
pub(crate) fn is_false(value: &bool) -> bool {
    !*value
}
