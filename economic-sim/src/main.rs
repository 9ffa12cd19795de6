//! The simulator as a standalone server:
//! `economic-sim --addr 127.0.0.1:3100 --app-secret-token demo --grant-token demo --seed 42 --products 50 --customers 20`.

use clap::Parser;
use economic::Entity;
use economic_sim::{Knobs, SimConfig, Simulator, WebhookConfig};
use std::net::SocketAddr;

/// A faithful e-conomic REST + webhook simulator.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Listen address.
    #[arg(long, env = "ECONOMIC_SIM_ADDR", default_value = "127.0.0.1:3100")]
    addr: SocketAddr,
    /// Accepted X-AppSecretToken.
    #[arg(long, env = "ECONOMIC_SIM_APP_SECRET_TOKEN", default_value = "demo")]
    app_secret_token: String,
    /// Grant token of the agreement.
    #[arg(long, env = "ECONOMIC_SIM_GRANT_TOKEN", default_value = "demo")]
    grant_token: String,
    /// Seed for generated data and random faults.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Products to generate.
    #[arg(long, default_value_t = 50)]
    products: usize,
    /// Customers to generate.
    #[arg(long, default_value_t = 20)]
    customers: usize,
    /// Base URL used in links (default: http://ADDR).
    #[arg(long)]
    public_base_url: Option<String>,
    /// Webhook for "Kunde opdateret" (Rackbeat template `[OLDNUMBER]&[NEWNUMBER]`).
    #[arg(long)]
    customer_webhook: Option<String>,
    /// Webhook for "Vare opdateret".
    #[arg(long)]
    product_webhook: Option<String>,
    /// Webhook for "Faktura bogført" (`[INVOICENO]`).
    #[arg(long)]
    invoice_webhook: Option<String>,
    /// Added REST latency in ms.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share of REST requests answered 500.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Share of REST requests answered 429.
    #[arg(long, default_value_t = 0.0)]
    rate_limited_rate: f64,
    /// Per-agreement REST requests per second before 429.
    #[arg(long)]
    rate_limit_per_second: Option<u32>,
    /// Webhook delay in ms.
    #[arg(long, default_value_t = 0)]
    webhook_delay_ms: u64,
    /// Share of webhooks delivered twice.
    #[arg(long, default_value_t = 0.0)]
    webhook_duplicate_rate: f64,
    /// Shuffle webhooks before sending.
    #[arg(long)]
    webhook_reorder: bool,
    /// Do not send delete webhooks.
    #[arg(long)]
    drop_delete_webhooks: bool,
    /// Retries per failed webhook.
    #[arg(long, default_value_t = 3)]
    webhook_retries: u32,
    /// First webhook retry delay in ms (doubles each retry).
    #[arg(long, default_value_t = 1000)]
    webhook_backoff_ms: u64,
    /// e-conomic's token bucket per agreement: tokens per window (0 = no bucket).
    #[arg(long, default_value_t = 10_000)]
    token_bucket_limit: u32,
    /// The token bucket's window in seconds.
    #[arg(long, default_value_t = 60)]
    token_bucket_window_secs: u64,
    /// Refuse `http://` webhook URLs in the Webhooks API even for loopback hosts.
    #[arg(long)]
    https_only: bool,
}

#[tokio::main]
async fn main() -> Result<(), economic_sim::SimError> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let knobs = Knobs {
        latency_ms: args.latency_ms,
        error_rate: args.error_rate,
        rate_limited_rate: args.rate_limited_rate,
        rate_limit_per_second: args.rate_limit_per_second,
        webhook_delay_ms: args.webhook_delay_ms,
        webhook_duplicate_rate: args.webhook_duplicate_rate,
        webhook_reorder: args.webhook_reorder,
        drop_delete_webhooks: args.drop_delete_webhooks,
        webhook_retries: args.webhook_retries,
        webhook_backoff_ms: args.webhook_backoff_ms,
        token_bucket_limit: (args.token_bucket_limit > 0).then_some(args.token_bucket_limit),
        token_bucket_window_secs: args.token_bucket_window_secs,
        allow_http_loopback: !args.https_only,
        ..Knobs::default()
    };
    let sim = Simulator::start(SimConfig {
        addr: args.addr,
        app_secret_token: args.app_secret_token,
        grant_token: args.grant_token,
        seed: args.seed,
        products: args.products,
        customers: args.customers,
        public_base_url: args.public_base_url,
        knobs,
        ..SimConfig::default()
    })
    .await?;
    let hooks = [
        (Entity::Customers, args.customer_webhook),
        (Entity::Products, args.product_webhook),
        (Entity::Invoices, args.invoice_webhook),
    ];
    for (kind, url) in hooks {
        if let Some(url) = url {
            sim.agreement()
                .add_webhook(WebhookConfig::rackbeat(kind, url));
        }
    }
    println!(
        "e-conomic simulator on {} (control page {}/_sim/)",
        sim.base_url(),
        sim.base_url()
    );
    let _ = tokio::signal::ctrl_c().await;
    sim.shutdown();
    Ok(())
}
