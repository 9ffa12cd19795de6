//! The reqwest-based e-conomic REST client: one [`Client`] per process (it holds the connection
//! pool and the app secret), one borrowed [`Agreement`] handle per grant token.

mod agreement;
mod config;
mod error;
mod pacing;
mod response;
mod webhooks_api;

pub use agreement::{Agreement, LIST_PAGE_SIZE, MAX_PAGE_SIZE};
pub use config::{ClientConfig, PRODUCTION_BASE_URL, PRODUCTION_WEBHOOKS_API_URL, Secret};
pub use error::ClientError;
pub use pacing::BucketView;
pub use response::parse_retry_after;
pub use webhooks_api::{IdempotencyKey, WebhooksApi};

use crate::rate_limit::{CALL_COST_HEADER, RATE_LIMITING_HEADER, RateLimitStatus};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The e-conomic client. Cheap to clone (shares the pool, the call counter and the token-bucket
/// book, so that every worker of the process paces by the same bucket).
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    webhooks_api_url: String,
    app_secret_token: Secret,
    calls: Arc<AtomicU64>,
    pacing: Arc<pacing::Pacing>,
}

impl Client {
    /// Builds the client once, with the configured timeouts.
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!(
                "inventory-sync-economic/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(|e| ClientError::InvalidRequest(e.to_string()))?;
        let webhooks_api_url = config.resolved_webhooks_api_url();
        Ok(Self {
            http,
            webhooks_api_url,
            base_url: config.base_url.trim_end_matches('/').to_owned(),
            app_secret_token: config.app_secret_token,
            calls: Arc::new(AtomicU64::new(0)),
            pacing: Arc::new(pacing::Pacing::default()),
        })
    }

    /// e-conomic's token bucket for the agreement of `grant_token`, as its last answer to this
    /// client reported it (`None` before any answer carried the headers).
    pub fn bucket(&self, grant_token: &str) -> Option<BucketView> {
        self.pacing.view(grant_token)
    }

    /// A handle for calls on one agreement (company), authenticated by its grant token.
    pub fn agreement<'a>(&'a self, grant_token: &'a str) -> Agreement<'a> {
        Agreement::new(self, grant_token)
    }

    /// A handle for Webhooks API calls on one agreement.
    pub fn webhooks_api<'a>(&'a self, grant_token: &'a str) -> WebhooksApi<'a> {
        WebhooksApi::new(self, grant_token)
    }

    /// The Webhooks API's base URL.
    pub fn webhooks_api_url(&self) -> &str {
        &self.webhooks_api_url
    }

    /// How many HTTP requests this client (and its clones) has sent, for the 50 000/day budget.
    pub fn calls_made(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// The configured base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn count_call(&self) {
        // Relaxed: a statistic, no ordering with other memory is needed.
        self.calls.fetch_add(1, Ordering::Relaxed);
    }

    /// Sends one request on the agreement of `grant_token`: first waits while its token bucket
    /// has no room (as the last answers reported it), then sends, counts and times it, and
    /// notes what the answer says about the bucket.
    pub(crate) async fn execute(
        &self,
        grant_token: &str,
        path: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ClientError> {
        let cost = loop {
            match self.pacing.reserve(grant_token, std::time::Instant::now()) {
                Ok(cost) => break cost,
                Err(wait) => {
                    metrics::counter!("inventory_sync_economic_paced_total").increment(1);
                    tokio::time::sleep(wait).await;
                }
            }
        };
        self.count_call();
        let sent = agreement::timed(path, request).await;
        let report = sent.as_ref().ok().and_then(|response| {
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let value = header(RATE_LIMITING_HEADER)?;
            RateLimitStatus::parse(&value, header(CALL_COST_HEADER).as_deref())
        });
        self.pacing.answered(grant_token, cost, report);
        sent.map_err(|e| ClientError::from_transport(&e))
    }
}
