//! The e-conomic REST API as the rest of the product sees it: serde [`types`], the typed
//! [`Client`], record numbers, product-number URL encoding ([`product_path`]), the
//! [`filter`] builder and the [`webhook`] payload parser.
//!
//! ```no_run
//! # async fn demo() -> Result<(), economic::ClientError> {
//! use economic::{Client, ClientConfig, Filter};
//! let client = Client::new(ClientConfig::new("http://127.0.0.1:3100", "demo"))?;
//! let agreement = client.agreement("demo");
//! let company = agreement.self_info().await?.company.name;
//! let changed = agreement
//!     .list_products(Some(&Filter::last_updated_since(time::OffsetDateTime::now_utc())))
//!     .await?;
//! # let _ = (company, changed); Ok(()) }
//! ```

#[cfg(feature = "client")]
pub mod client;
pub mod datetime;
pub mod entity;
pub mod filter;
pub mod numbers;
pub mod product_path;
pub mod rate_limit;
pub mod types;
pub mod webhook;

#[cfg(feature = "client")]
pub use client::{
    Agreement, BucketView, Client, ClientConfig, ClientError, IdempotencyKey, Secret, WebhooksApi,
};
pub use entity::{CONTENT_TYPE, Entity, UnknownEntity};
pub use filter::{Filter, FilterError, FilterOp, MAX_IN_VALUES};
pub use numbers::{CustomerNumber, InvoiceNumber, NumberError, ProductNumber, RecordNumber};
pub use rate_limit::RateLimitStatus;
pub use webhook::{WebhookAction, WebhookParseError};
