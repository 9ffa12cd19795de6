//! Test helpers: start a simulator, make raw REST calls, and a webhook receiver on port 0
//! whose answer status can change mid-test.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use economic_sim::{SimConfig, SimHandle, Simulator};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const APP: &str = "app-secret";
pub const GRANT: &str = "grant-1";

/// A simulator with test tokens and the given tweaks.
pub async fn spawn_sim(tweak: impl FnOnce(&mut SimConfig)) -> SimHandle {
    let mut config = SimConfig {
        app_secret_token: APP.into(),
        grant_token: GRANT.into(),
        ..SimConfig::default()
    };
    tweak(&mut config);
    Simulator::start(config).await.expect("simulator starts")
}

/// GET with the test tokens; returns status, headers and JSON body (Null if not JSON).
pub async fn get(sim: &SimHandle, path: &str) -> (StatusCode, HeaderMap, Value) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", sim.base_url()))
        .header("X-AppSecretToken", APP)
        .header("X-AgreementGrantToken", GRANT)
        .send()
        .await
        .expect("request");
    let status = StatusCode::from_u16(response.status().as_u16()).expect("status");
    let headers = response.headers().clone();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, headers, body)
}

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// Path and query, e.g. `/hook?old=1&new=2`.
    pub uri: String,
    pub query: Option<String>,
    pub content_type: Option<String>,
    /// The `x-webhook-secret` custom header, if sent.
    pub secret: Option<String>,
    pub body: String,
}

/// A webhook receiver on 127.0.0.1:0.
#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
    fail_first: Arc<AtomicU32>,
}

#[derive(Clone)]
struct ReceiverState {
    received: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
    fail_first: Arc<AtomicU32>,
}

async fn receive(
    State(state): State<ReceiverState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    state.received.lock().unwrap().push(Received {
        uri: uri.to_string(),
        query: uri.query().map(str::to_owned),
        content_type: headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        secret: headers
            .get("x-webhook-secret")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let failing = state
        .fail_first
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    StatusCode::from_u16(state.status.load(Ordering::SeqCst)).unwrap_or(StatusCode::OK)
}

impl Receiver {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let state = ReceiverState {
            received: Arc::default(),
            status: Arc::new(AtomicU16::new(200)),
            fail_first: Arc::new(AtomicU32::new(0)),
        };
        let receiver = Self {
            addr,
            received: state.received.clone(),
            status: state.status.clone(),
            fail_first: state.fail_first.clone(),
        };
        let app = Router::new().fallback(receive).with_state(state);
        tokio::spawn(async move { axum::serve(listener, app).await });
        receiver
    }

    /// `http://addr{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Answer this status from now on.
    pub fn set_status(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    /// Answer 500 to the next `n` requests.
    pub fn fail_next(&self, n: u32) {
        self.fail_first.store(n, Ordering::SeqCst);
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived (panics after 10 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..1000 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("expected {n} webhooks, got {:?}", self.received());
    }

    /// Clears the log.
    pub fn clear(&self) {
        self.received.lock().unwrap().clear();
    }
}

pub fn customer_number(n: i64) -> economic::CustomerNumber {
    economic::CustomerNumber::new(n).expect("positive")
}

pub fn product_number(n: &str) -> economic::ProductNumber {
    economic::ProductNumber::parse(n).expect("valid product number")
}

/// A customer with the required references.
pub fn customer(n: i64, name: &str) -> economic::types::Customer {
    let mut c = economic::types::Customer::new(customer_number(n), name);
    c.customer_group = Some(economic::types::CustomerGroupRef {
        customer_group_number: 1,
        self_link: None,
    });
    c.payment_terms = Some(economic::types::PaymentTermsRef {
        payment_terms_number: 1,
        self_link: None,
    });
    c.vat_zone = Some(economic::types::VatZoneRef {
        vat_zone_number: 1,
        self_link: None,
    });
    c
}

/// A product in group 1.
pub fn product(n: &str, name: &str) -> economic::types::Product {
    let mut p = economic::types::Product::new(product_number(n), name);
    p.product_group = Some(economic::types::ProductGroupRef {
        product_group_number: 1,
        name: None,
        sales_accounts: None,
        products: None,
        self_link: None,
    });
    p
}
