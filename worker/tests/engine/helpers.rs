//! A connected tenant on a fresh simulator, events stored as the webhook endpoint stores them,
//! and the queue drained on demand.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use backend::events::{self, EventStatus, NewEvent};
use backend::queue::Signal;
use backend::settings::{self, SyncSettings};
use backend::{Db, Keys, TenantId, Timestamp, connection};
use economic::{CustomerNumber, Entity, ProductNumber, RecordNumber, WebhookAction};
use economic_sim::{SimConfig, SimHandle, Simulator};
use worker::{Environment, RetryPolicy, WorkerConfig};

/// One tenant connected to its own simulator, with every webhook switched on.
pub struct Harness {
    pub db: Db,
    pub sim: SimHandle,
    pub env: Environment,
    pub tenant: TenantId,
    /// Whether events may end failed or dead: draining the queue asserts that none did unless
    /// the test said it expects it ([`Harness::expect_failures`]), so a test of the happy path
    /// cannot pass while its events quietly fail.
    failures_expected: AtomicBool,
}

impl Harness {
    /// A simulator with `customers` and `products` seeded, and a connected tenant whose first
    /// import is forgotten (these tests are about webhooks).
    pub async fn new(db: &Db, customers: usize, products: usize) -> Harness {
        let h = Harness::importing(db, customers, products).await;
        backend::testing::forget_sync_runs(db, h.tenant).await;
        h
    }

    /// Like [`Harness::new`], with the first import queued as connecting queues it.
    pub async fn importing(db: &Db, customers: usize, products: usize) -> Harness {
        let sim = Simulator::start(SimConfig {
            customers,
            products,
            ..SimConfig::default()
        })
        .await
        .expect("simulator starts");
        let keys = Keys::generate();
        let mut config = economic::ClientConfig::new(sim.base_url(), "demo");
        // Far above the simulator's slowest knob (1 s a page): a loaded CI machine must not turn
        // slow pages into timeouts (a cut-short import then waited for a retry instead).
        config.timeout = Duration::from_secs(10);
        let economic = economic::Client::new(config).expect("client");
        let tenant = backend::testing::owner(db, "acme").await.tenant_id;
        connection::connect(db, &keys, &economic, tenant, "demo", Timestamp::now())
            .await
            .expect("connects to the simulator");
        settings::save(db, tenant, &SyncSettings::ALL_WEBHOOKS, Timestamp::now())
            .await
            .expect("settings");
        let env = Environment {
            db: db.clone(),
            keys,
            economic,
            signal: Signal::default(),
            config: WorkerConfig {
                poll: Duration::from_millis(20),
                retry: RetryPolicy {
                    base: Duration::from_millis(1),
                    cap: Duration::from_millis(5),
                    max_attempts: 3,
                },
                ..WorkerConfig::default()
            },
        };
        Harness {
            db: db.clone(),
            sim,
            env,
            tenant,
            failures_expected: AtomicBool::new(false),
        }
    }

    /// Generate the simulator's records again, stamped an hour ago: nothing has changed
    /// lately, so an incremental sync finds nothing in its overlap.
    pub fn age_records(&self, customers: usize, products: usize) {
        let hour_ago = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
        self.sim.set_clock(Some(hour_ago));
        self.sim.agreement().reseed(42, customers, products);
        self.sim.set_clock(None);
    }

    /// Booked invoices in the simulator.
    pub fn sim_invoices(&self) -> u64 {
        self.sim
            .agreement()
            .read(|d| d.invoices.len() as u64)
            .unwrap_or_default()
    }

    /// Store an event as the webhook endpoint does (`received`).
    pub async fn event(&self, kind: Entity, action: WebhookAction) -> events::EventId {
        events::ingest(&self.db, self.tenant, &received(kind, action))
            .await
            .expect("ingest")
    }

    /// A "product updated" webhook for `number` (created if `created`).
    pub async fn product_event(&self, number: &str) -> events::EventId {
        let n = RecordNumber::Product(product(number));
        self.event(Entity::Products, WebhookAction::Updated(n))
            .await
    }

    /// A "customer updated" webhook for `number`.
    pub async fn customer_event(&self, number: i64) -> events::EventId {
        let n = RecordNumber::Customer(customer(number));
        self.event(Entity::Customers, WebhookAction::Updated(n))
            .await
    }

    /// This test makes events fail (a fault, a refused record): draining no longer asserts
    /// that none did.
    pub fn expect_failures(&self) {
        self.failures_expected.store(true, Ordering::Relaxed);
    }

    /// Drain the queue: run every batch that is due now; then assert that no event ended
    /// failed or dead, unless the test expects it.
    pub async fn run(&self) -> usize {
        let ran = worker::run_pending_jobs(&self.env).await.expect("jobs run");
        if !self.failures_expected.load(Ordering::Relaxed) {
            let failed = self.count(EventStatus::Failed).await;
            let dead = self.count(EventStatus::Dead).await;
            assert_eq!(
                (failed, dead),
                (0, 0),
                "events ended failed or dead (failed, dead) in a test that expects none: \
                 call `expect_failures` if the test means it"
            );
        }
        ran
    }

    /// Drain the queue, waiting out retries, until no event waits (at most `for_at_most`).
    pub async fn run_until_settled(&self, for_at_most: Duration) {
        let deadline = std::time::Instant::now() + for_at_most;
        loop {
            self.run().await;
            let waiting = events::waiting(&self.db, self.tenant)
                .await
                .expect("waiting");
            if waiting == 0 || std::time::Instant::now() > deadline {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// How many of the tenant's events are in `status`.
    pub async fn count(&self, status: EventStatus) -> i64 {
        let counts = events::count_by_status(&self.db, self.tenant)
            .await
            .expect("count");
        counts.get(&status).copied().unwrap_or(0)
    }

    /// The simulator's product numbers, in order.
    pub fn sim_products(&self) -> Vec<ProductNumber> {
        self.sim
            .agreement()
            .read(|d| d.products.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The simulator's customer numbers, in order.
    pub fn sim_customers(&self) -> Vec<CustomerNumber> {
        self.sim
            .agreement()
            .read(|d| d.customers.keys().copied().collect())
            .unwrap_or_default()
    }

    /// REST calls the tenant's agreement has received so far.
    pub fn calls(&self) -> u64 {
        self.sim.agreement().calls()
    }
}

/// A `received` event as the webhook endpoint stores it.
pub fn received(kind: Entity, action: WebhookAction) -> NewEvent {
    NewEvent {
        kind,
        status: EventStatus::Received,
        action: Some(action),
        content_type: Some(economic::CONTENT_TYPE.to_owned()),
        raw_query: None,
        raw_body: Vec::new(),
        reason: None,
        received_at: Timestamp::now(),
    }
}

pub fn product(number: &str) -> ProductNumber {
    ProductNumber::parse(number).expect("product number")
}

pub fn customer(number: i64) -> CustomerNumber {
    CustomerNumber::new(number).expect("customer number")
}
