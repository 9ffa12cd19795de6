//! The asynchronous webhook sender. A single dispatcher task takes deliveries in mutation order,
//! applies delay / reorder / duplicate / drop-delete knobs, and spawns one task per request,
//! bounded by `webhook_concurrency`; failed requests are retried with exponential backoff.

use super::template::Delivery;
use crate::error::SimError;
use crate::knobs::Knobs;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc};
use tokio::time::Instant;

/// How many finished deliveries the log keeps.
const LOG_CAPACITY: usize = 1000;

/// Counters of the sender, for tests, the HTML page and benchmarks.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookStats {
    /// Deliveries accepted (including duplicates).
    pub queued: u64,
    /// HTTP requests made (including retries).
    pub attempts: u64,
    /// Deliveries answered 2xx.
    pub delivered: u64,
    /// Deliveries that failed after all retries.
    pub failed: u64,
    /// Delete deliveries dropped by the knob.
    pub dropped: u64,
    /// Extra copies sent by the duplicate knob.
    pub duplicated: u64,
}

/// The outcome of one delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryRecord {
    /// Webhook type slug.
    pub kind: String,
    /// Target URL.
    pub url: String,
    /// Body sent.
    pub body: String,
    /// Last HTTP status, if any answer came.
    pub status: Option<u16>,
    /// Requests made for it.
    pub attempts: u32,
    /// Last transport error.
    pub error: Option<String>,
}

#[derive(Default)]
struct Counters {
    queued: AtomicU64,
    attempts: AtomicU64,
    delivered: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
    duplicated: AtomicU64,
}

struct Queued {
    delivery: Delivery,
    enqueued: Instant,
}

/// Handle to the sender; cheap to clone.
#[derive(Clone)]
pub struct WebhookSender {
    tx: mpsc::UnboundedSender<Queued>,
    counters: Arc<Counters>,
    log: Arc<Mutex<VecDeque<DeliveryRecord>>>,
}

impl WebhookSender {
    /// Starts the dispatcher on the current tokio runtime.
    pub fn start(knobs: Arc<RwLock<Knobs>>, rng: Arc<Mutex<StdRng>>) -> Result<Self, SimError> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(4096)
            .no_proxy()
            .build()
            .map_err(|e| SimError::HttpClient(e.to_string()))?;
        let (tx, rx) = mpsc::unbounded_channel();
        let sender = Self {
            tx,
            counters: Arc::new(Counters::default()),
            log: Arc::new(Mutex::new(VecDeque::new())),
        };
        let dispatcher = Dispatcher {
            http,
            knobs,
            rng,
            counters: sender.counters.clone(),
            log: sender.log.clone(),
        };
        tokio::spawn(dispatcher.run(rx));
        Ok(sender)
    }

    /// Queues deliveries; returns at once (delivery is asynchronous, as in e-conomic).
    pub fn enqueue(&self, deliveries: Vec<Delivery>) {
        let enqueued = Instant::now();
        for delivery in deliveries {
            self.counters.queued.fetch_add(1, Ordering::Relaxed);
            // A closed channel means the runtime is shutting down; nothing left to deliver to.
            let _ = self.tx.send(Queued { delivery, enqueued });
        }
    }

    /// Current counters.
    pub fn stats(&self) -> WebhookStats {
        let c = &self.counters;
        WebhookStats {
            queued: c.queued.load(Ordering::Relaxed),
            attempts: c.attempts.load(Ordering::Relaxed),
            delivered: c.delivered.load(Ordering::Relaxed),
            failed: c.failed.load(Ordering::Relaxed),
            dropped: c.dropped.load(Ordering::Relaxed),
            duplicated: c.duplicated.load(Ordering::Relaxed),
        }
    }

    /// The most recent finished deliveries, oldest first.
    pub fn recent(&self) -> Vec<DeliveryRecord> {
        self.log
            .lock()
            .map(|l| l.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Waits until every queued delivery has finished (delivered, failed or dropped), or `timeout`.
    /// Returns whether the sender became idle.
    pub async fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let s = self.stats();
            if s.delivered + s.failed + s.dropped >= s.queued + s.duplicated {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
}

struct Dispatcher {
    http: reqwest::Client,
    knobs: Arc<RwLock<Knobs>>,
    rng: Arc<Mutex<StdRng>>,
    counters: Arc<Counters>,
    log: Arc<Mutex<VecDeque<DeliveryRecord>>>,
}

impl Dispatcher {
    async fn run(self, mut rx: mpsc::UnboundedReceiver<Queued>) {
        let this = Arc::new(self);
        let mut limit = 0;
        let mut semaphore = Arc::new(Semaphore::new(1));
        while let Some(first) = rx.recv().await {
            let knobs = this.knobs.read().map(|k| k.clone()).unwrap_or_default();
            if knobs.webhook_concurrency.max(1) != limit {
                // In-flight requests keep their permits on the old semaphore; new ones use the new limit.
                limit = knobs.webhook_concurrency.max(1);
                semaphore = Arc::new(Semaphore::new(limit));
            }
            let mut batch = vec![first];
            if knobs.webhook_reorder {
                let window =
                    Instant::now() + Duration::from_millis(knobs.webhook_reorder_window_ms);
                while let Ok(Some(next)) = tokio::time::timeout_at(window, rx.recv()).await {
                    batch.push(next);
                }
                if let Ok(mut rng) = this.rng.lock() {
                    batch.shuffle(&mut *rng);
                }
            } else {
                while let Ok(next) = rx.try_recv() {
                    batch.push(next);
                    if batch.len() >= 1024 {
                        break;
                    }
                }
            }
            for queued in batch {
                if knobs.drop_delete_webhooks && queued.delivery.is_delete {
                    this.counters.dropped.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                let due = queued.enqueued + Duration::from_millis(knobs.webhook_delay_ms);
                tokio::time::sleep_until(due).await;
                let copies = if this.chance(knobs.webhook_duplicate_rate) {
                    this.counters.duplicated.fetch_add(1, Ordering::Relaxed);
                    2
                } else {
                    1
                };
                for _ in 0..copies {
                    let Ok(permit) = semaphore.clone().acquire_owned().await else {
                        return;
                    };
                    let this = this.clone();
                    let delivery = queued.delivery.clone();
                    let knobs = knobs.clone();
                    tokio::spawn(async move {
                        this.deliver(delivery, &knobs).await;
                        drop(permit);
                    });
                }
            }
        }
    }

    fn chance(&self, share: f64) -> bool {
        share > 0.0
            && self
                .rng
                .lock()
                .map(|mut r| r.gen_bool(share.clamp(0.0, 1.0)))
                .unwrap_or(false)
    }

    async fn deliver(&self, delivery: Delivery, knobs: &Knobs) {
        let mut attempts = 0;
        let mut backoff = Duration::from_millis(knobs.webhook_backoff_ms);
        loop {
            attempts += 1;
            self.counters.attempts.fetch_add(1, Ordering::Relaxed);
            let (status, error) = self.attempt(&delivery, knobs).await;
            let ok = status.is_some_and(|s| (200..300).contains(&s));
            if ok || attempts > knobs.webhook_retries {
                let counter = if ok {
                    &self.counters.delivered
                } else {
                    &self.counters.failed
                };
                self.record(DeliveryRecord {
                    kind: delivery.kind.as_str().to_owned(),
                    url: delivery.url.clone(),
                    body: delivery.body.clone(),
                    status,
                    attempts,
                    error,
                });
                if let Some(hook) = &delivery.on_outcome {
                    hook(ok);
                }
                counter.fetch_add(1, Ordering::Relaxed);
                return;
            }
            tokio::time::sleep(backoff).await;
            backoff = backoff.saturating_mul(2);
        }
    }

    async fn attempt(&self, delivery: &Delivery, knobs: &Knobs) -> (Option<u16>, Option<String>) {
        let mut request = self
            .http
            .post(&delivery.url)
            .timeout(Duration::from_millis(knobs.webhook_timeout_ms.max(1)))
            .header(reqwest::header::CONTENT_TYPE, &delivery.content_type)
            .body(delivery.body.clone());
        for (key, value) in &delivery.headers {
            request = request.header(key, value);
        }
        match request.send().await {
            Ok(response) => (Some(response.status().as_u16()), None),
            Err(e) => (None, Some(e.to_string())),
        }
    }

    fn record(&self, record: DeliveryRecord) {
        if let Ok(mut log) = self.log.lock() {
            if log.len() >= LOG_CAPACITY {
                log.pop_front();
            }
            log.push_back(record);
        }
    }
}
