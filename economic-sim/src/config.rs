//! How to start a simulator.

use crate::knobs::Knobs;
use std::net::SocketAddr;

/// Simulator start-up settings. `SimConfig::default()` listens on 127.0.0.1:0 with tokens
/// `demo`/`demo`, seed 42 and an empty agreement.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Where to listen; port 0 picks a free port.
    pub addr: SocketAddr,
    /// Accepted `X-AppSecretToken`.
    pub app_secret_token: String,
    /// Grant token of the default agreement.
    pub grant_token: String,
    /// Seed for generated data and random faults.
    pub seed: u64,
    /// Products to generate at start.
    pub products: usize,
    /// Customers to generate at start.
    pub customers: usize,
    /// Agreement number of the default agreement.
    pub agreement_number: i64,
    /// Company name of the default agreement.
    pub company_name: String,
    /// Base URL used in `self`/pagination links; `None` = `http://{bound addr}`.
    /// Set to `https://restapi.e-conomic.com` to compare responses with real fixtures.
    pub public_base_url: Option<String>,
    /// Initial fault knobs.
    pub knobs: Knobs,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            app_secret_token: "demo".to_owned(),
            grant_token: "demo".to_owned(),
            seed: 42,
            products: 0,
            customers: 0,
            agreement_number: 9_000_001,
            company_name: "Demo ApS".to_owned(),
            public_base_url: None,
            knobs: Knobs::default(),
        }
    }
}
