//! A faithful in-memory e-conomic simulator: the REST API (`/self`, customers, products, booked
//! invoices, groups/units/VAT zones/payment terms) with auth, pagination, filters and sorting;
//! the Webhooks API under `/webhooksapi/v1.0.0` (CRUD by event type, `objectVersion`,
//! `Idempotency-Key`, problem+json, per-app listing); webhooks sent like e-conomic sends them;
//! fault knobs; a JSON control API under `/_sim/api` and an HTML page at `/_sim/`.
//!
//! # Starting it in-process (tests, demo mode)
//!
//! ```no_run
//! # async fn demo() -> Result<(), economic_sim::SimError> {
//! use economic::Entity;
//! use economic_sim::{SimConfig, Simulator, WebhookConfig};
//!
//! let sim = Simulator::start(SimConfig { products: 50, customers: 20, ..SimConfig::default() }).await?;
//! // Point the economic client at it: tokens `demo`/`demo` unless configured otherwise.
//! let base_url = sim.base_url();
//! // Configure webhooks as a user would in e-conomic's "Nyt webhook" form:
//! sim.agreement().add_webhook(WebhookConfig::rackbeat(
//!     Entity::Customers,
//!     "http://127.0.0.1:3000/webhooks/economic/1/secret/customers",
//! ));
//! // Mutations fire webhooks asynchronously, one POST per changed record.
//! sim.agreement().renumber_customer(
//!     economic::CustomerNumber::parse("1").expect("valid"),
//!     economic::CustomerNumber::parse("1001").expect("valid"),
//! )?;
//! # let _ = base_url; Ok(()) }
//! ```
//!
//! The server runs on the caller's tokio runtime until [`SimHandle::shutdown`].

mod admission;
mod config;
mod control;
mod error;
mod fields;
mod handle;
mod html;
mod knobs;
mod query;
mod render;
mod rest;
mod seed;
mod state;
mod store;
mod webhooks;
mod webhooks_api;

pub use config::SimConfig;
pub use error::SimError;
pub use handle::{AgreementHandle, SimHandle};
pub use knobs::Knobs;
pub use store::{AgreementData, Change};
pub use webhooks::{ApiOrigin, DeliveryRecord, WebhookConfig, WebhookStats};
pub use webhooks_api::BASE_PATH as WEBHOOKS_API_PATH;

use rand::SeedableRng;
use rand::rngs::StdRng;
use state::{AgreementSlot, Shared};
use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, RwLock};
use time::OffsetDateTime;

/// Entry point: [`Simulator::start`].
pub struct Simulator;

impl Simulator {
    /// Binds `config.addr` (port 0 = any free port), seeds the default agreement and serves
    /// on the current tokio runtime. Returns once the listener is bound.
    pub async fn start(config: SimConfig) -> Result<SimHandle, SimError> {
        let listener = tokio::net::TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let knobs = Arc::new(RwLock::new(config.knobs.clone()));
        let rng = Arc::new(Mutex::new(StdRng::seed_from_u64(config.seed)));
        let sender = webhooks::WebhookSender::start(knobs.clone(), rng.clone())?;
        let mut data = AgreementData {
            agreement_number: config.agreement_number,
            company_name: config.company_name.clone(),
            ..AgreementData::default()
        };
        seed::auxiliary(&mut data);
        seed::generate(
            &mut data,
            config.seed,
            config.customers,
            config.products,
            OffsetDateTime::now_utc(),
        );
        let mut agreements = HashMap::new();
        agreements.insert(
            config.grant_token.clone(),
            Arc::new(AgreementSlot::new(data)),
        );
        let shared = Arc::new(Shared {
            app_secret_token: config.app_secret_token.clone(),
            other_apps: RwLock::new(std::collections::HashSet::new()),
            default_grant: config.grant_token.clone(),
            agreements: RwLock::new(agreements),
            knobs,
            rng,
            clock: RwLock::new(None),
            base_url: config
                .public_base_url
                .clone()
                .unwrap_or_else(|| format!("http://{addr}")),
            sender,
            log_ids: AtomicU64::new(1),
        });
        let app = webhooks_api::router(shared.clone())
            .merge(rest::router(shared.clone()))
            .merge(control::router())
            .merge(html::router())
            .with_state(shared.clone());
        let shutdown = Arc::new(tokio::sync::Notify::new());
        let stop = shutdown.clone();
        tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async move { stop.notified().await })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "e-conomic simulator stopped");
            }
        });
        tracing::info!(%addr, "e-conomic simulator listening");
        Ok(SimHandle {
            shared,
            addr,
            shutdown,
        })
    }
}
