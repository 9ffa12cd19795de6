//! State shared by the HTTP handlers and the in-process handles: agreements by grant token,
//! knobs, the seeded RNG, the clock and the webhook sender.

use crate::error::SimError;
use crate::knobs::Knobs;
use crate::store::{AgreementData, Change};
use crate::webhooks::{OutcomeHook, WebhookSender, deliveries_for};
use axum::body::Bytes;
use economic::{CustomerNumber, Entity, ProductNumber};
use rand::rngs::StdRng;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use time::OffsetDateTime;

/// A record whose rendered JSON is cached.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum CacheKey {
    Customer(CustomerNumber),
    Product(ProductNumber),
}

/// Cached renderings are dropped wholesale beyond this many entries.
const CACHE_CAPACITY: usize = 50_000;

/// One agreement: its data, its call counter and its rate-limit window.
pub(crate) struct AgreementSlot {
    pub data: RwLock<AgreementData>,
    /// Rendered single-record JSON, for the hot `GET /customers/{n}` / `GET /products/{n}` path.
    rendered: Mutex<HashMap<CacheKey, Bytes>>,
    pub calls: AtomicU64,
    /// (window start, requests in window) for the per-second rate limit.
    pub window: Mutex<(std::time::Instant, u32)>,
    /// e-conomic's token bucket of this agreement (both APIs, every app).
    pub bucket: Mutex<crate::admission::Bucket>,
    /// Calls the token bucket refused (429).
    pub bucket_refusals: AtomicU64,
}

impl AgreementSlot {
    pub fn new(data: AgreementData) -> Self {
        Self {
            data: RwLock::new(data),
            rendered: Mutex::new(HashMap::new()),
            calls: AtomicU64::new(0),
            window: Mutex::new((std::time::Instant::now(), 0)),
            bucket: Mutex::new(crate::admission::Bucket::default()),
            bucket_refusals: AtomicU64::new(0),
        }
    }
}

impl AgreementSlot {
    /// The cached rendering of a record, rendering (and caching) it on a miss. `render` runs
    /// under the data read lock and the entry is stored before the lock is released, so a
    /// concurrent write (which invalidates under the write lock) can never leave a stale entry.
    pub fn rendered(
        &self,
        key: CacheKey,
        render: impl FnOnce(&AgreementData) -> Option<Bytes>,
    ) -> Option<Bytes> {
        if let Some(hit) = self.rendered.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Some(hit);
        }
        let data = self.data.read().ok()?;
        let bytes = render(&data)?;
        if let Ok(mut cache) = self.rendered.lock() {
            if cache.len() >= CACHE_CAPACITY {
                cache.clear();
            }
            cache.insert(key, bytes.clone());
        }
        Some(bytes)
    }

    /// Drops every cached rendering (after a wholesale data change).
    pub fn clear_rendered(&self) {
        if let Ok(mut cache) = self.rendered.lock() {
            cache.clear();
        }
    }

    fn invalidate(&self, change: &Change) {
        let Ok(mut cache) = self.rendered.lock() else {
            return;
        };
        match change {
            Change::Customer { old, new } => {
                for n in [old, new].into_iter().flatten() {
                    cache.remove(&CacheKey::Customer(*n));
                }
            }
            Change::Product { old, new } => {
                for n in [old, new].into_iter().flatten() {
                    cache.remove(&CacheKey::Product(n.clone()));
                }
            }
            Change::InvoiceBooked(_) => {}
        }
    }
}

/// Everything the simulator shares between tasks.
pub(crate) struct Shared {
    pub app_secret_token: String,
    /// Further apps' secret tokens the Webhooks API accepts (each sees only its own webhooks).
    pub other_apps: RwLock<std::collections::HashSet<String>>,
    pub default_grant: String,
    pub agreements: RwLock<HashMap<String, Arc<AgreementSlot>>>,
    pub knobs: Arc<RwLock<Knobs>>,
    pub rng: Arc<Mutex<StdRng>>,
    pub clock: RwLock<Option<OffsetDateTime>>,
    pub base_url: String,
    pub sender: WebhookSender,
    pub log_ids: AtomicU64,
}

impl Shared {
    /// The simulated time: frozen if set, else the real UTC time.
    pub fn now(&self) -> OffsetDateTime {
        self.clock
            .read()
            .ok()
            .and_then(|c| *c)
            .unwrap_or_else(OffsetDateTime::now_utc)
    }

    /// The agreement behind a grant token.
    pub fn slot(&self, grant_token: &str) -> Option<Arc<AgreementSlot>> {
        self.agreements.read().ok()?.get(grant_token).cloned()
    }

    /// A copy of the current knobs.
    pub fn knobs(&self) -> Knobs {
        self.knobs.read().map(|k| k.clone()).unwrap_or_default()
    }

    /// A fresh log id in e-conomic's style (`8d79f54f226ebe44-CPH`).
    pub fn log_id(&self) -> String {
        let n = self.log_ids.fetch_add(1, Ordering::Relaxed);
        format!("{:016x}-CPH", n.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    /// Applies a mutation under the agreement's write lock, then queues the webhooks it causes
    /// (after the lock is released: delivery is asynchronous, as in e-conomic).
    pub fn mutate<T>(
        &self,
        slot: &Arc<AgreementSlot>,
        f: impl FnOnce(&mut AgreementData, OffsetDateTime) -> Result<(Vec<Change>, T), SimError>,
    ) -> Result<T, SimError> {
        let now = self.now();
        let knobs = self.knobs();
        let url_encode = knobs.url_encode_values;
        let (deliveries, out) = {
            let mut data = slot
                .data
                .write()
                .map_err(|_| SimError::NotFound("agreement".into()))?;
            let (changes, out) = f(&mut data, now)?;
            // Under the write lock: no reader can cache the old rendering after this.
            for change in &changes {
                slot.invalidate(change);
            }
            let mut deliveries: Vec<_> = changes
                .iter()
                .flat_map(|c| deliveries_for(c, &data.webhooks, url_encode))
                .collect();
            if let Some(limit) = knobs.webhook_disable_after_failures {
                for delivery in &mut deliveries {
                    delivery.on_outcome = Some(disable_hook(
                        slot,
                        delivery.kind,
                        &delivery.config_url,
                        limit,
                    ));
                }
            }
            (deliveries, out)
        };
        self.sender.enqueue(deliveries);
        Ok(out)
    }
}

/// The outcome hook that counts failures and disables the configuration at `limit`. Holds the
/// agreement weakly: a removed agreement simply stops counting.
fn disable_hook(slot: &Arc<AgreementSlot>, kind: Entity, url: &str, limit: u32) -> OutcomeHook {
    let slot = Arc::downgrade(slot);
    let url = url.to_owned();
    Arc::new(move |ok| {
        let Some(slot) = slot.upgrade() else { return };
        if let Ok(mut data) = slot.data.write() {
            data.record_webhook_outcome(kind, &url, ok, limit);
        }
    })
}
