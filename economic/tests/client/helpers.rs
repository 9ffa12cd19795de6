//! Test helpers: a simulator with test tokens and a client pointed at it.

use economic::types::{
    Customer, CustomerGroupRef, PaymentTermsRef, Product, ProductGroupRef, VatZoneRef,
};
use economic::{Client, ClientConfig, CustomerNumber, ProductNumber};
use economic_sim::{SimConfig, SimHandle, Simulator};
use std::time::Duration;

pub const APP: &str = "app-secret";
pub const GRANT: &str = "grant-1";

/// A simulator (tweaked) and a client for it with short timeouts.
pub async fn spawn(tweak: impl FnOnce(&mut SimConfig)) -> (SimHandle, Client) {
    let mut config = SimConfig {
        app_secret_token: APP.into(),
        grant_token: GRANT.into(),
        customers: 5,
        products: 12,
        ..SimConfig::default()
    };
    tweak(&mut config);
    let sim = Simulator::start(config).await.expect("simulator starts");
    let client = client_for(&sim.base_url(), APP);
    (sim, client)
}

/// A client for `base_url` with a 1 s timeout.
pub fn client_for(base_url: &str, app_secret: &str) -> Client {
    let mut config = ClientConfig::new(base_url, app_secret);
    config.timeout = Duration::from_secs(1);
    config.connect_timeout = Duration::from_millis(500);
    Client::new(config).expect("client builds")
}

pub fn cn(n: i64) -> CustomerNumber {
    CustomerNumber::new(n).expect("positive")
}

pub fn pn(n: &str) -> ProductNumber {
    ProductNumber::parse(n).expect("valid")
}

/// A customer with the properties e-conomic requires.
pub fn customer(n: i64, name: &str) -> Customer {
    let mut c = Customer::new(cn(n), name);
    c.customer_group = Some(CustomerGroupRef {
        customer_group_number: 1,
        self_link: None,
    });
    c.payment_terms = Some(PaymentTermsRef {
        payment_terms_number: 1,
        self_link: None,
    });
    c.vat_zone = Some(VatZoneRef {
        vat_zone_number: 1,
        self_link: None,
    });
    c
}

/// A product with the properties e-conomic requires.
pub fn product(n: &str, name: &str) -> Product {
    let mut p = Product::new(pn(n), name);
    p.product_group = Some(ProductGroupRef {
        product_group_number: 1,
        name: None,
        sales_accounts: None,
        products: None,
        self_link: None,
    });
    p
}
