//! One agreement's data and the mutations e-conomic allows on it. Every mutation returns the
//! [`Change`] that the webhook sender turns into requests; the caller holds the lock.

use crate::error::SimError;
use crate::webhooks::WebhookConfig;
use economic::Entity;
use economic::types::{
    BookedInvoice, Customer, CustomerGroup, PaymentTerms, Product, ProductGroup, Unit, VatZone,
};
use economic::{CustomerNumber, InvoiceNumber, ProductNumber};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;

/// What changed, in webhook terms: `None` old = created, `None` new = deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A customer was created, updated, renumbered or deleted.
    Customer {
        /// Number before (`None` on create).
        old: Option<CustomerNumber>,
        /// Number after (`None` on delete).
        new: Option<CustomerNumber>,
    },
    /// A product was created, updated, renumbered or deleted.
    Product {
        /// Number before (`None` on create).
        old: Option<ProductNumber>,
        /// Number after (`None` on delete).
        new: Option<ProductNumber>,
    },
    /// An invoice was booked.
    InvoiceBooked(InvoiceNumber),
}

/// Everything one agreement (company) holds.
#[derive(Debug, Clone, Default)]
pub struct AgreementData {
    /// The agreement number shown by `/self`.
    pub agreement_number: i64,
    /// The company name shown by `/self`.
    pub company_name: String,
    /// Customers by number.
    pub customers: BTreeMap<CustomerNumber, Customer>,
    /// Products by number.
    pub products: BTreeMap<ProductNumber, Product>,
    /// Booked invoices by number.
    pub invoices: BTreeMap<InvoiceNumber, BookedInvoice>,
    /// Customer groups.
    pub customer_groups: Vec<CustomerGroup>,
    /// Product groups.
    pub product_groups: Vec<ProductGroup>,
    /// Units.
    pub units: Vec<Unit>,
    /// VAT zones.
    pub vat_zones: Vec<VatZone>,
    /// Payment terms.
    pub payment_terms: Vec<PaymentTerms>,
    /// Configured webhooks.
    pub webhooks: Vec<WebhookConfig>,
    /// Consecutive failed deliveries per configuration (kind, URL template).
    pub webhook_failures: HashMap<(Entity, String), u32>,
    /// Webhooks API answers by (app secret token, `Idempotency-Key`): (status, JSON body), so a
    /// retried request gets the first answer instead of doing the work twice.
    pub webhook_api_replays: HashMap<(String, String), (u16, String)>,
}

/// e-conomic stamps products at minute precision (observed in real data).
pub fn minute(now: OffsetDateTime) -> OffsetDateTime {
    now.replace_second(0)
        .and_then(|t| t.replace_nanosecond(0))
        .unwrap_or(now)
}

/// Customers are stamped at second precision.
pub fn second(now: OffsetDateTime) -> OffsetDateTime {
    now.replace_nanosecond(0).unwrap_or(now)
}

impl AgreementData {
    /// Records a delivery outcome for a configuration; after `limit` consecutive failures the
    /// configuration is disabled, like e-conomic's `isDisabled`.
    pub fn record_webhook_outcome(&mut self, kind: Entity, url: &str, ok: bool, limit: u32) {
        let key = (kind, url.to_owned());
        if ok {
            self.webhook_failures.remove(&key);
            return;
        }
        let failures = self.webhook_failures.entry(key).or_insert(0);
        *failures += 1;
        if *failures >= limit {
            let now = OffsetDateTime::now_utc();
            for config in self
                .webhooks
                .iter_mut()
                .filter(|c| c.kind == kind && c.url == url && !c.is_disabled)
            {
                config.is_disabled = true;
                config.last_disabled_date = Some(now);
                config.touch(now);
            }
        }
    }

    /// Adds a customer; conflict if the number is taken.
    pub fn create_customer(
        &mut self,
        mut customer: Customer,
        now: OffsetDateTime,
    ) -> Result<Change, SimError> {
        let number = customer.customer_number;
        if self.customers.contains_key(&number) {
            return Err(SimError::Conflict(format!("customer {number}")));
        }
        prepare_customer(&mut customer, now);
        self.customers.insert(number, customer);
        Ok(Change::Customer {
            old: None,
            new: Some(number),
        })
    }

    /// The number e-conomic gives a customer created without one: one above the highest in use.
    pub fn next_customer_number(&self) -> Result<CustomerNumber, SimError> {
        let last = self.customers.keys().next_back().map_or(0, |n| n.get());
        CustomerNumber::new(last + 1)
            .map_err(|e| SimError::validation("customerNumber", &e.to_string()))
    }

    /// `PUT /customers/{old}`: replaces customer `old` (a different number in `customer`
    /// renumbers it), or creates `customer` when `old` does not exist — e-conomic's PUT is an
    /// upsert (201). Returns the change and whether it created.
    pub fn upsert_customer(
        &mut self,
        old: CustomerNumber,
        customer: Customer,
        now: OffsetDateTime,
    ) -> Result<(Change, bool), SimError> {
        match self.customers.contains_key(&old) {
            true => Ok((self.replace_customer(old, customer, now)?, false)),
            false => Ok((self.create_customer(customer, now)?, true)),
        }
    }

    /// `PUT /products/{old}`: like [`AgreementData::upsert_customer`].
    pub fn upsert_product(
        &mut self,
        old: &ProductNumber,
        product: Product,
        now: OffsetDateTime,
    ) -> Result<(Change, bool), SimError> {
        match self.products.contains_key(old) {
            true => Ok((self.replace_product(old, product, now)?, false)),
            false => Ok((self.create_product(product, now)?, true)),
        }
    }

    /// Whether the agreement has a webhook of `kind` (e-conomic allows one per event type and
    /// agreement, whoever made it).
    pub fn has_webhook(&self, kind: Entity) -> bool {
        self.webhooks.iter().any(|w| w.kind == kind)
    }

    /// Replaces customer `old` with `customer` (a different number renumbers it).
    pub fn replace_customer(
        &mut self,
        old: CustomerNumber,
        mut customer: Customer,
        now: OffsetDateTime,
    ) -> Result<Change, SimError> {
        let new = customer.customer_number;
        if !self.customers.contains_key(&old) {
            return Err(SimError::NotFound(format!("customer {old}")));
        }
        if new != old && self.customers.contains_key(&new) {
            return Err(SimError::Conflict(format!("customer {new}")));
        }
        prepare_customer(&mut customer, now);
        self.customers.remove(&old);
        self.customers.insert(new, customer);
        Ok(Change::Customer {
            old: Some(old),
            new: Some(new),
        })
    }

    /// Deletes a customer.
    pub fn delete_customer(&mut self, number: CustomerNumber) -> Result<Change, SimError> {
        self.customers
            .remove(&number)
            .ok_or_else(|| SimError::NotFound(format!("customer {number}")))?;
        Ok(Change::Customer {
            old: Some(number),
            new: None,
        })
    }

    /// Adds a product; conflict if the number is taken.
    pub fn create_product(
        &mut self,
        mut product: Product,
        now: OffsetDateTime,
    ) -> Result<Change, SimError> {
        let number = product.product_number.clone();
        if self.products.contains_key(&number) {
            return Err(SimError::Conflict(format!("product {number}")));
        }
        prepare_product(&mut product, now);
        self.products.insert(number.clone(), product);
        Ok(Change::Product {
            old: None,
            new: Some(number),
        })
    }

    /// Replaces product `old` with `product` (a different number renumbers it).
    pub fn replace_product(
        &mut self,
        old: &ProductNumber,
        mut product: Product,
        now: OffsetDateTime,
    ) -> Result<Change, SimError> {
        let new = product.product_number.clone();
        if !self.products.contains_key(old) {
            return Err(SimError::NotFound(format!("product {old}")));
        }
        if &new != old && self.products.contains_key(&new) {
            return Err(SimError::Conflict(format!("product {new}")));
        }
        prepare_product(&mut product, now);
        self.products.remove(old);
        self.products.insert(new.clone(), product);
        Ok(Change::Product {
            old: Some(old.clone()),
            new: Some(new),
        })
    }

    /// Deletes a product, unless a booked invoice uses it (400, as in e-conomic).
    pub fn delete_product(&mut self, number: &ProductNumber) -> Result<Change, SimError> {
        // e-conomic: "you can't delete a product that is in use".
        let in_use = self.invoices.values().flat_map(|i| &i.lines).any(|l| {
            l.product
                .as_ref()
                .is_some_and(|p| p.product_number == number.as_str())
        });
        if in_use && self.products.contains_key(number) {
            return Err(SimError::validation(
                "productNumber",
                "The product is in use and cannot be deleted.",
            ));
        }
        self.products
            .remove(number)
            .ok_or_else(|| SimError::NotFound(format!("product {number}")))?;
        Ok(Change::Product {
            old: Some(number.clone()),
            new: None,
        })
    }

    /// Books an invoice; its number is `book_with` or the next free one.
    pub fn book_invoice(
        &mut self,
        mut invoice: BookedInvoice,
        book_with: Option<InvoiceNumber>,
    ) -> Result<Change, SimError> {
        let number = match book_with {
            Some(n) if self.invoices.contains_key(&n) => {
                return Err(SimError::Conflict(format!("booked invoice {n}")));
            }
            Some(n) => n,
            None => self.next_invoice_number()?,
        };
        if !self
            .customers
            .contains_key(&invoice.customer.customer_number)
        {
            return Err(SimError::validation("customer", "customer does not exist."));
        }
        invoice.booked_invoice_number = number;
        invoice.self_link = None;
        for (i, line) in invoice.lines.iter_mut().enumerate() {
            let index = i64::try_from(i).unwrap_or(i64::MAX - 1) + 1;
            line.line_number = index;
            line.sort_key.get_or_insert(index);
        }
        self.invoices.insert(number, invoice);
        Ok(Change::InvoiceBooked(number))
    }

    fn next_invoice_number(&self) -> Result<InvoiceNumber, SimError> {
        let last = self.invoices.keys().next_back().map_or(20_146, |n| n.get());
        InvoiceNumber::new(last + 1)
            .map_err(|e| SimError::validation("bookedInvoiceNumber", &e.to_string()))
    }
}

fn prepare_customer(customer: &mut Customer, now: OffsetDateTime) {
    customer.self_link = None;
    customer.last_updated = Some(second(now));
    customer.balance.get_or_insert(0.0);
    customer.due_amount.get_or_insert(0.0);
}

fn prepare_product(product: &mut Product, now: OffsetDateTime) {
    product.self_link = None;
    product.last_updated = Some(minute(now));
}
