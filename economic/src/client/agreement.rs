//! Calls on one agreement: `/self`, customers, products, booked invoices and the auxiliary
//! collections, single pages and whole lists (following `pagination.nextPage`).

use super::Client;
use super::error::ClientError;
use super::response::{check, decode};
use crate::entity::Entity;
use crate::filter::Filter;
use crate::numbers::{CustomerNumber, InvoiceNumber, ProductNumber};
use crate::product_path;
use crate::types::{
    BookedInvoice, Collection, Customer, CustomerGroup, PaymentTerms, Product, ProductGroup,
    SelfInfo, Unit, VatZone,
};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Largest page e-conomic serves.
pub const MAX_PAGE_SIZE: u32 = 1000;
/// Page size used by the `list_*` calls.
pub const LIST_PAGE_SIZE: u32 = MAX_PAGE_SIZE;

/// A borrowed handle for calls on one agreement; create with [`Client::agreement`].
#[derive(Clone, Copy)]
pub struct Agreement<'a> {
    client: &'a Client,
    grant_token: &'a str,
}

impl std::fmt::Debug for Agreement<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agreement")
            .field("grant_token", &"***")
            .finish()
    }
}

impl<'a> Agreement<'a> {
    pub(super) fn new(client: &'a Client, grant_token: &'a str) -> Self {
        Self {
            client,
            grant_token,
        }
    }

    /// `GET /self`: agreement number, company name, ….
    pub async fn self_info(&self) -> Result<SelfInfo, ClientError> {
        self.get("/self").await
    }

    /// `GET /customers/{n}`.
    pub async fn customer(&self, number: CustomerNumber) -> Result<Customer, ClientError> {
        self.get(&format!("/customers/{number}")).await
    }

    /// `GET /products/{encoded n}`.
    pub async fn product(&self, number: &ProductNumber) -> Result<Product, ClientError> {
        self.get(&product_url(number)).await
    }

    /// `GET /invoices/booked/{n}`, with lines.
    pub async fn booked_invoice(
        &self,
        number: InvoiceNumber,
    ) -> Result<BookedInvoice, ClientError> {
        self.get(&format!("/invoices/booked/{number}")).await
    }

    /// `GET /customers/{n}` as JSON, exactly as e-conomic sent it (the sync engine stores it
    /// and decodes it itself, so that one odd record fails alone).
    pub async fn customer_json(
        &self,
        number: CustomerNumber,
    ) -> Result<serde_json::Value, ClientError> {
        self.get(&format!("/customers/{number}")).await
    }

    /// `GET /products/{encoded n}` as JSON.
    pub async fn product_json(
        &self,
        number: &ProductNumber,
    ) -> Result<serde_json::Value, ClientError> {
        self.get(&product_url(number)).await
    }

    /// `GET /invoices/booked/{n}` as JSON, with lines.
    pub async fn booked_invoice_json(
        &self,
        number: InvoiceNumber,
    ) -> Result<serde_json::Value, ClientError> {
        self.get(&format!("/invoices/booked/{number}")).await
    }

    /// One page of `/customers`, each record as JSON.
    pub async fn customers_page_json(
        &self,
        skip_pages: u32,
        page_size: u32,
        filter: Option<&Filter>,
    ) -> Result<Collection<serde_json::Value>, ClientError> {
        self.page("/customers", skip_pages, page_size, filter).await
    }

    /// One page of `/products`, each record as JSON.
    pub async fn products_page_json(
        &self,
        skip_pages: u32,
        page_size: u32,
        filter: Option<&Filter>,
    ) -> Result<Collection<serde_json::Value>, ClientError> {
        self.page("/products", skip_pages, page_size, filter).await
    }

    /// One page of `entity`'s list (`/customers`, `/products`, `/invoices/booked`), each
    /// record as JSON, ordered by `sort` (e.g. `lastUpdated`) when given.
    pub async fn list_page_json(
        &self,
        entity: Entity,
        skip_pages: u32,
        page_size: u32,
        filter: Option<&Filter>,
        sort: Option<&str>,
    ) -> Result<Collection<serde_json::Value>, ClientError> {
        let path = match entity {
            Entity::Customers => "/customers",
            Entity::Products => "/products",
            Entity::Invoices => "/invoices/booked",
        };
        let mut url = page_url(path, skip_pages, page_size, filter);
        if let Some(sort) = sort {
            url.push_str("&sort=");
            url.extend(utf8_percent_encode(sort, NON_ALPHANUMERIC));
        }
        self.get(&url).await
    }

    /// One page of `/customers`.
    pub async fn customers_page(
        &self,
        skip_pages: u32,
        page_size: u32,
        filter: Option<&Filter>,
    ) -> Result<Collection<Customer>, ClientError> {
        self.page("/customers", skip_pages, page_size, filter).await
    }

    /// One page of `/products`.
    pub async fn products_page(
        &self,
        skip_pages: u32,
        page_size: u32,
        filter: Option<&Filter>,
    ) -> Result<Collection<Product>, ClientError> {
        self.page("/products", skip_pages, page_size, filter).await
    }

    /// One page of `/invoices/booked` (without lines).
    pub async fn booked_invoices_page(
        &self,
        skip_pages: u32,
        page_size: u32,
        filter: Option<&Filter>,
    ) -> Result<Collection<BookedInvoice>, ClientError> {
        self.page("/invoices/booked", skip_pages, page_size, filter)
            .await
    }

    /// All customers matching `filter`, 1000 per request.
    pub async fn list_customers(
        &self,
        filter: Option<&Filter>,
    ) -> Result<Vec<Customer>, ClientError> {
        self.list("/customers", filter).await
    }

    /// All products matching `filter`, 1000 per request.
    pub async fn list_products(
        &self,
        filter: Option<&Filter>,
    ) -> Result<Vec<Product>, ClientError> {
        self.list("/products", filter).await
    }

    /// All booked invoices matching `filter` (without lines).
    pub async fn list_booked_invoices(
        &self,
        filter: Option<&Filter>,
    ) -> Result<Vec<BookedInvoice>, ClientError> {
        self.list("/invoices/booked", filter).await
    }

    /// All customer groups.
    pub async fn customer_groups(&self) -> Result<Vec<CustomerGroup>, ClientError> {
        self.list("/customer-groups", None).await
    }

    /// All product groups.
    pub async fn product_groups(&self) -> Result<Vec<ProductGroup>, ClientError> {
        self.list("/product-groups", None).await
    }

    /// All units.
    pub async fn units(&self) -> Result<Vec<Unit>, ClientError> {
        self.list("/units", None).await
    }

    /// All VAT zones.
    pub async fn vat_zones(&self) -> Result<Vec<VatZone>, ClientError> {
        self.list("/vat-zones", None).await
    }

    /// All payment terms.
    pub async fn payment_terms(&self) -> Result<Vec<PaymentTerms>, ClientError> {
        self.list("/payment-terms", None).await
    }

    /// `POST /customers`; returns the stored customer.
    pub async fn create_customer(&self, customer: &Customer) -> Result<Customer, ClientError> {
        self.send(Method::POST, "/customers", customer).await
    }

    /// `PUT /customers/{n}`: replaces the whole customer (a different `customerNumber` renumbers).
    pub async fn replace_customer(
        &self,
        number: CustomerNumber,
        customer: &Customer,
    ) -> Result<Customer, ClientError> {
        self.send(Method::PUT, &format!("/customers/{number}"), customer)
            .await
    }

    /// `DELETE /customers/{n}`.
    pub async fn delete_customer(&self, number: CustomerNumber) -> Result<(), ClientError> {
        self.delete(&format!("/customers/{number}")).await
    }

    /// `POST /products`; returns the stored product.
    pub async fn create_product(&self, product: &Product) -> Result<Product, ClientError> {
        self.send(Method::POST, "/products", product).await
    }

    /// `PUT /products/{encoded n}`: replaces the whole product.
    pub async fn replace_product(
        &self,
        number: &ProductNumber,
        product: &Product,
    ) -> Result<Product, ClientError> {
        self.send(Method::PUT, &product_url(number), product).await
    }

    /// `DELETE /products/{encoded n}`.
    pub async fn delete_product(&self, number: &ProductNumber) -> Result<(), ClientError> {
        self.delete(&product_url(number)).await
    }

    async fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        filter: Option<&Filter>,
    ) -> Result<Vec<T>, ClientError> {
        let mut all = Vec::new();
        let mut skip_pages = 0;
        loop {
            let page: Collection<T> = self.page(path, skip_pages, LIST_PAGE_SIZE, filter).await?;
            let count = page.collection.len();
            all.extend(page.collection);
            // Follow nextPage by its meaning (skip one more page) rather than requesting the
            // link verbatim, so the tokens are never sent to a host other than base_url.
            if page.pagination.next_page.is_none() || count == 0 {
                return Ok(all);
            }
            skip_pages += 1;
        }
    }

    async fn page<T: DeserializeOwned>(
        &self,
        path: &str,
        skip_pages: u32,
        page_size: u32,
        filter: Option<&Filter>,
    ) -> Result<Collection<T>, ClientError> {
        self.get(&page_url(path, skip_pages, page_size, filter))
            .await
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let request = self.request(Method::GET, path);
        decode(self.client.execute(self.grant_token, path, request).await?).await
    }

    async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        let request = self.request(method, path).json(body);
        decode(self.client.execute(self.grant_token, path, request).await?).await
    }

    async fn delete(&self, path: &str) -> Result<(), ClientError> {
        let request = self.request(Method::DELETE, path);
        check(self.client.execute(self.grant_token, path, request).await?).await?;
        Ok(())
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .http
            .request(method, format!("{}{path}", self.client.base_url))
            .header("X-AppSecretToken", self.client.app_secret_token.expose())
            .header("X-AgreementGrantToken", self.grant_token)
    }
}

/// Sends `request`, counting and timing it for `/metrics` by endpoint (the path's first
/// segment: `products`, `customers`, … — never a record number) and status.
pub(super) async fn timed(
    path: &str,
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, reqwest::Error> {
    let endpoint = endpoint(path);
    let started = std::time::Instant::now();
    let response = request.send().await;
    let status = match &response {
        Ok(r) => r.status().as_u16().to_string(),
        Err(e) if e.is_timeout() => "timeout".to_owned(),
        Err(_) => "connect".to_owned(),
    };
    metrics::counter!("inventory_sync_economic_calls_total", "endpoint" => endpoint, "status" => status)
        .increment(1);
    metrics::histogram!("inventory_sync_economic_call_seconds", "endpoint" => endpoint)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The endpoint label of a request path.
fn endpoint(path: &str) -> &'static str {
    let first = path
        .trim_start_matches('/')
        .split(['/', '?'])
        .next()
        .unwrap_or("");
    match first {
        "products" => "products",
        "customers" => "customers",
        "invoices" => "invoices",
        "self" => "self",
        "customer-groups" => "customer-groups",
        "product-groups" => "product-groups",
        "units" => "units",
        "vat-zones" => "vat-zones",
        "webhooks" | "EventTypes" => "webhooks",
        _ => "other",
    }
}

fn page_url(path: &str, skip_pages: u32, page_size: u32, filter: Option<&Filter>) -> String {
    let page_size = page_size.clamp(1, MAX_PAGE_SIZE);
    let mut url = format!("{path}?skippages={skip_pages}&pagesize={page_size}");
    if let Some(filter) = filter.filter(|f| !f.as_str().is_empty()) {
        url.push_str("&filter=");
        url.extend(utf8_percent_encode(filter.as_str(), NON_ALPHANUMERIC));
    }
    url
}

fn product_url(number: &ProductNumber) -> String {
    format!("/products/{}", product_path::encode(number.as_str()))
}
