//! In-process control of a running simulator: [`SimHandle`] for the server as a whole and
//! [`AgreementHandle`] for one agreement's data and webhooks. Mutations fire webhooks exactly
//! like the REST calls do.

use crate::error::SimError;
use crate::knobs::Knobs;
use crate::seed;
use crate::state::{AgreementSlot, Shared};
use crate::store::AgreementData;
use crate::webhooks::{DeliveryRecord, WebhookConfig, WebhookStats};
use economic::types::{BookedInvoice, Customer, Product};
use economic::{CustomerNumber, InvoiceNumber, ProductNumber};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use time::OffsetDateTime;

/// A running simulator. Dropping the handle does not stop the server; call [`SimHandle::shutdown`].
#[derive(Clone)]
pub struct SimHandle {
    pub(crate) shared: Arc<Shared>,
    pub(crate) addr: SocketAddr,
    pub(crate) shutdown: Arc<tokio::sync::Notify>,
}

impl SimHandle {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://{addr}`: the base URL for [`economic::ClientConfig`].
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://{addr}/webhooksapi/v1.0.0`: where the simulator serves e-conomic's Webhooks API.
    pub fn webhooks_api_url(&self) -> String {
        format!("http://{}{}", self.addr, crate::webhooks_api::BASE_PATH)
    }

    /// Lets another app (another `X-AppSecretToken`) use the Webhooks API, to show that each
    /// app sees only the webhooks it created.
    pub fn register_app(&self, app_secret_token: &str) {
        if let Ok(mut apps) = self.shared.other_apps.write() {
            apps.insert(app_secret_token.to_owned());
        }
    }

    /// The default agreement (the one whose grant token was in [`crate::SimConfig`]).
    pub fn agreement(&self) -> AgreementHandle {
        self.agreement_for(&self.shared.default_grant.clone())
            .unwrap_or_else(|| AgreementHandle::detached(self.shared.clone()))
    }

    /// The agreement with this grant token, if any.
    pub fn agreement_for(&self, grant_token: &str) -> Option<AgreementHandle> {
        let slot = self.shared.slot(grant_token)?;
        Some(AgreementHandle {
            shared: self.shared.clone(),
            slot,
        })
    }

    /// Revokes `grant_token`, as an e-conomic user withdrawing the app's access would: every
    /// later call with it gets 401. The agreement's data stays reachable in-process.
    pub fn revoke_grant(&self, grant_token: &str) {
        if let Ok(mut map) = self.shared.agreements.write() {
            map.remove(grant_token);
        }
    }

    /// Adds another (empty, with auxiliary collections) agreement reachable with `grant_token`.
    pub fn add_agreement(
        &self,
        grant_token: &str,
        agreement_number: i64,
        company_name: &str,
    ) -> AgreementHandle {
        let mut data = AgreementData {
            agreement_number,
            company_name: company_name.to_owned(),
            ..AgreementData::default()
        };
        seed::auxiliary(&mut data);
        let slot = Arc::new(AgreementSlot::new(data));
        if let Ok(mut map) = self.shared.agreements.write() {
            map.insert(grant_token.to_owned(), slot.clone());
        }
        AgreementHandle {
            shared: self.shared.clone(),
            slot,
        }
    }

    /// Current knobs.
    pub fn knobs(&self) -> Knobs {
        self.shared.knobs()
    }

    /// Replaces the knobs (takes effect for the next request / webhook).
    pub fn set_knobs(&self, knobs: Knobs) {
        if let Ok(mut k) = self.shared.knobs.write() {
            *k = knobs;
        }
    }

    /// Freezes the simulated clock (`Some`) or returns to real time (`None`).
    pub fn set_clock(&self, now: Option<OffsetDateTime>) {
        if let Ok(mut clock) = self.shared.clock.write() {
            *clock = now;
        }
    }

    /// Webhook sender counters.
    pub fn webhook_stats(&self) -> WebhookStats {
        self.shared.sender.stats()
    }

    /// The most recent finished webhook deliveries.
    pub fn recent_deliveries(&self) -> Vec<DeliveryRecord> {
        self.shared.sender.recent()
    }

    /// Waits until all queued webhooks are delivered, failed or dropped; false on timeout.
    pub async fn wait_webhooks_idle(&self, timeout: Duration) -> bool {
        self.shared.sender.wait_idle(timeout).await
    }

    /// Stops accepting connections.
    pub fn shutdown(&self) {
        self.shutdown.notify_one();
    }
}

/// In-process access to one agreement.
#[derive(Clone)]
pub struct AgreementHandle {
    shared: Arc<Shared>,
    slot: Arc<AgreementSlot>,
}

impl AgreementHandle {
    pub(crate) fn from_parts(shared: Arc<Shared>, slot: Arc<AgreementSlot>) -> Self {
        Self { shared, slot }
    }

    fn detached(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            slot: Arc::new(AgreementSlot::new(AgreementData::default())),
        }
    }

    /// REST calls made with this agreement's grant token (including rejected ones).
    pub fn calls(&self) -> u64 {
        self.slot.calls.load(Ordering::Relaxed)
    }

    /// Calls this agreement's token bucket refused with 429 (both APIs, every app).
    pub fn bucket_refusals(&self) -> u64 {
        self.slot.bucket_refusals.load(Ordering::Relaxed)
    }

    /// Reads the data under the lock.
    pub fn read<T>(&self, f: impl FnOnce(&AgreementData) -> T) -> Option<T> {
        self.slot.data.read().ok().map(|d| f(&d))
    }

    /// A customer by number.
    pub fn customer(&self, number: CustomerNumber) -> Option<Customer> {
        self.read(|d| d.customers.get(&number).cloned()).flatten()
    }

    /// A product by number.
    pub fn product(&self, number: &ProductNumber) -> Option<Product> {
        self.read(|d| d.products.get(number).cloned()).flatten()
    }

    /// A booked invoice by number.
    pub fn invoice(&self, number: InvoiceNumber) -> Option<BookedInvoice> {
        self.read(|d| d.invoices.get(&number).cloned()).flatten()
    }

    /// Creates a customer (fires "created": empty old number).
    pub fn create_customer(&self, customer: Customer) -> Result<(), SimError> {
        self.shared.mutate(&self.slot, |d, now| {
            Ok((vec![d.create_customer(customer, now)?], ()))
        })
    }

    /// Creates a customer under the next free number, as e-conomic does for a customer created
    /// without one (the number in `customer` is ignored); returns the number given.
    pub fn create_customer_numbered(
        &self,
        mut customer: Customer,
    ) -> Result<CustomerNumber, SimError> {
        self.shared.mutate(&self.slot, |d, now| {
            let number = d.next_customer_number()?;
            customer.customer_number = number;
            Ok((vec![d.create_customer(customer, now)?], number))
        })
    }

    /// Replaces a customer with the same number (fires "updated").
    pub fn update_customer(&self, customer: Customer) -> Result<(), SimError> {
        let number = customer.customer_number;
        self.shared.mutate(&self.slot, |d, now| {
            Ok((vec![d.replace_customer(number, customer, now)?], ()))
        })
    }

    /// Replaces customer `old` with `customer`; a different number renumbers it.
    pub fn replace_customer(
        &self,
        old: CustomerNumber,
        customer: Customer,
    ) -> Result<(), SimError> {
        self.shared.mutate(&self.slot, |d, now| {
            Ok((vec![d.replace_customer(old, customer, now)?], ()))
        })
    }

    /// Replaces product `old` with `product`; a different number renumbers it.
    pub fn replace_product(&self, old: &ProductNumber, product: Product) -> Result<(), SimError> {
        self.shared.mutate(&self.slot, |d, now| {
            Ok((vec![d.replace_product(old, product, now)?], ()))
        })
    }

    /// Gives customer `old` the number `new` (fires "renumbered").
    pub fn renumber_customer(
        &self,
        old: CustomerNumber,
        new: CustomerNumber,
    ) -> Result<(), SimError> {
        self.shared.mutate(&self.slot, |d, now| {
            let mut customer = d
                .customers
                .get(&old)
                .cloned()
                .ok_or_else(|| SimError::NotFound(format!("customer {old}")))?;
            customer.customer_number = new;
            Ok((vec![d.replace_customer(old, customer, now)?], ()))
        })
    }

    /// Deletes a customer (fires "deleted": empty new number).
    pub fn delete_customer(&self, number: CustomerNumber) -> Result<(), SimError> {
        self.shared.mutate(&self.slot, |d, _| {
            Ok((vec![d.delete_customer(number)?], ()))
        })
    }

    /// Creates a product.
    pub fn create_product(&self, product: Product) -> Result<(), SimError> {
        self.shared.mutate(&self.slot, |d, now| {
            Ok((vec![d.create_product(product, now)?], ()))
        })
    }

    /// Replaces a product with the same number.
    pub fn update_product(&self, product: Product) -> Result<(), SimError> {
        let number = product.product_number.clone();
        self.shared.mutate(&self.slot, |d, now| {
            Ok((vec![d.replace_product(&number, product, now)?], ()))
        })
    }

    /// Gives product `old` the number `new`.
    pub fn renumber_product(
        &self,
        old: &ProductNumber,
        new: ProductNumber,
    ) -> Result<(), SimError> {
        self.shared.mutate(&self.slot, |d, now| {
            let mut product = d
                .products
                .get(old)
                .cloned()
                .ok_or_else(|| SimError::NotFound(format!("product {old}")))?;
            product.product_number = new;
            Ok((vec![d.replace_product(old, product, now)?], ()))
        })
    }

    /// Deletes a product.
    pub fn delete_product(&self, number: &ProductNumber) -> Result<(), SimError> {
        self.shared
            .mutate(&self.slot, |d, _| Ok((vec![d.delete_product(number)?], ())))
    }

    /// Books an invoice for `customer` with `(product, quantity)` lines (fires "invoice booked").
    pub fn book_invoice(
        &self,
        customer: CustomerNumber,
        lines: &[(ProductNumber, f64)],
    ) -> Result<InvoiceNumber, SimError> {
        self.shared.mutate(&self.slot, |d, now| {
            let mut products = Vec::with_capacity(lines.len());
            for (number, quantity) in lines {
                let product =
                    d.products.get(number).cloned().ok_or_else(|| {
                        SimError::validation("product", "product does not exist.")
                    })?;
                products.push((product, *quantity));
            }
            let change = d.book_invoice(seed::invoice(customer, &products, now), None)?;
            let number = match change {
                crate::store::Change::InvoiceBooked(n) => n,
                _ => InvoiceNumber::MIN,
            };
            Ok((vec![change], number))
        })
    }

    /// Imports `count` new products in one go (numbers `BULK-1`, `BULK-2`, … continuing after
    /// earlier imports) and fires one webhook per product, as fast as the sender allows.
    pub fn bulk_import_products(&self, count: usize) -> Result<Vec<ProductNumber>, SimError> {
        self.shared.mutate(&self.slot, |d, now| {
            let start = d
                .products
                .keys()
                .filter(|n| n.as_str().starts_with("BULK-"))
                .count()
                + 1;
            let mut changes = Vec::with_capacity(count);
            let mut numbers = Vec::with_capacity(count);
            for i in start..start + count {
                let number = ProductNumber::parse(&format!("BULK-{i}"))
                    .map_err(|e| SimError::validation("productNumber", &e.to_string()))?;
                let product = seed::product(number.clone(), &format!("Importeret vare {i}"), 10.0);
                changes.push(d.create_product(product, now)?);
                numbers.push(number);
            }
            Ok((changes, numbers))
        })
    }

    /// Replaces all customers, products and booked invoices with freshly generated ones
    /// (deterministic for `seed`). Like a restore, this fires no webhooks.
    pub fn reseed(&self, seed: u64, customers: usize, products: usize) {
        let now = self.shared.now();
        if let Ok(mut d) = self.slot.data.write() {
            d.customers.clear();
            d.products.clear();
            d.invoices.clear();
            seed::generate(&mut d, seed, customers, products, now);
            // Under the write lock, as in `Shared::mutate`.
            self.slot.clear_rendered();
        }
    }

    /// Adds a webhook configuration, whatever the agreement has already: a test's back door
    /// (e-conomic itself allows one webhook per event type and agreement; see
    /// [`AgreementHandle::add_webhook_once`]).
    pub fn add_webhook(&self, config: WebhookConfig) {
        if let Ok(mut d) = self.slot.data.write() {
            d.webhooks.push(config);
        }
    }

    /// Adds a webhook as a person in e-conomic's screens would: refused (`false`) when the
    /// agreement already has one of that type, as e-conomic allows one per event type.
    pub fn add_webhook_once(&self, config: WebhookConfig) -> bool {
        let Ok(mut d) = self.slot.data.write() else {
            return false;
        };
        if d.has_webhook(config.kind) {
            return false;
        }
        d.webhooks.push(config);
        true
    }

    /// Deletes the agreement's webhooks of `kind` (as in e-conomic's screens); returns how many.
    pub fn delete_webhooks(&self, kind: economic::Entity) -> usize {
        let Ok(mut d) = self.slot.data.write() else {
            return 0;
        };
        let before = d.webhooks.len();
        d.webhooks.retain(|w| w.kind != kind);
        d.webhook_failures.retain(|(k, _), _| *k != kind);
        before - d.webhooks.len()
    }

    /// Disables the `kind` webhooks as e-conomic does after failed deliveries (`isDisabled`,
    /// `lastDisabledDate`, a new `objectVersion`); returns how many were enabled before.
    pub fn disable_webhooks(&self, kind: economic::Entity) -> usize {
        let now = self.shared.now();
        let Ok(mut d) = self.slot.data.write() else {
            return 0;
        };
        let mut n = 0;
        for w in d
            .webhooks
            .iter_mut()
            .filter(|w| w.kind == kind && !w.is_disabled)
        {
            w.is_disabled = true;
            w.last_disabled_date = Some(now);
            w.touch(now);
            n += 1;
        }
        n
    }

    /// Removes all webhook configurations.
    pub fn clear_webhooks(&self) {
        if let Ok(mut d) = self.slot.data.write() {
            d.webhooks.clear();
        }
    }

    /// The webhook configurations.
    pub fn webhooks(&self) -> Vec<WebhookConfig> {
        self.read(|d| d.webhooks.clone()).unwrap_or_default()
    }
}
