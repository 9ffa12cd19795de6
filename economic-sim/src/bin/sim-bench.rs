//! Simulator benchmark: single-record GETs per second with many concurrent connections, and
//! the time to deliver a burst of webhooks (bulk import) to a local receiver.
//!
//! `cargo run --release -p economic-sim --bin sim-bench -- --seconds 5 --connections 128 --webhooks 100000`

use clap::Parser;
use economic::Entity;
use economic_sim::{Knobs, SimConfig, Simulator, WebhookConfig};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Benchmark settings.
#[derive(Debug, Parser)]
struct Args {
    /// How long to run the GET load.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Concurrent connections for the GET load.
    #[arg(long, default_value_t = 128)]
    connections: usize,
    /// Customers to seed (GETs spread over them).
    #[arg(long, default_value_t = 1000)]
    customers: usize,
    /// Webhooks in the burst.
    #[arg(long, default_value_t = 100_000)]
    webhooks: usize,
    /// Webhook requests in flight.
    #[arg(long, default_value_t = 64)]
    webhook_concurrency: usize,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let sim = Simulator::start(SimConfig {
        customers: args.customers,
        knobs: Knobs {
            webhook_concurrency: args.webhook_concurrency,
            // The benchmark measures the simulator itself, far beyond e-conomic's bucket.
            token_bucket_limit: None,
            ..Knobs::default()
        },
        ..SimConfig::default()
    })
    .await?;
    gets(sim.addr(), &args).await?;
    burst(&sim, &args).await?;
    sim.shutdown();
    Ok(())
}

async fn gets(addr: std::net::SocketAddr, args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    // A minimal keep-alive HTTP/1.1 load generator (like wrk): it costs far less CPU than a full
    // client, so on this 2-core machine the measurement is dominated by the server.
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..args.connections {
        let (done, failed, stop) = (done.clone(), failed.clone(), stop.clone());
        let customers = args.customers.max(1);
        workers.push(tokio::spawn(async move {
            let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else {
                failed.fetch_add(1, Ordering::Relaxed);
                return;
            };
            let mut buffer = Vec::with_capacity(8192);
            let mut n = worker;
            while !stop.load(Ordering::Relaxed) {
                n = (n + 7) % customers;
                let request = format!(
                    "GET /customers/{} HTTP/1.1\r\nHost: bench\r\nX-AppSecretToken: demo\r\nX-AgreementGrantToken: demo\r\n\r\n",
                    n + 1
                );
                match exchange(&mut stream, request.as_bytes(), &mut buffer).await {
                    Some(200) => done.fetch_add(1, Ordering::Relaxed),
                    _ => {
                        failed.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                };
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let ok = done.load(Ordering::Relaxed);
    println!(
        "GET /customers/{{n}}: {ok} ok, {} failed in {elapsed:.2} s with {} connections = {:.0} requests/s",
        failed.load(Ordering::Relaxed),
        args.connections,
        ok as f64 / elapsed
    );
    Ok(())
}

/// Sends one request and reads one response (headers + `Content-Length` body); returns the status.
async fn exchange(
    stream: &mut tokio::net::TcpStream,
    request: &[u8],
    buffer: &mut Vec<u8>,
) -> Option<u16> {
    stream.write_all(request).await.ok()?;
    buffer.clear();
    loop {
        if let Some(end) = find(buffer, b"\r\n\r\n") {
            let head = std::str::from_utf8(&buffer[..end]).ok()?;
            let status = head.get(9..12)?.parse::<u16>().ok()?;
            let length = content_length(head)?;
            while buffer.len() < end + 4 + length {
                read_more(stream, buffer).await?;
            }
            return Some(status);
        }
        read_more(stream, buffer).await?;
    }
}

async fn read_more(stream: &mut tokio::net::TcpStream, buffer: &mut Vec<u8>) -> Option<()> {
    let mut chunk = [0_u8; 8192];
    let n = stream.read(&mut chunk).await.ok()?;
    (n > 0).then(|| buffer.extend_from_slice(&chunk[..n]))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn content_length(head: &str) -> Option<usize> {
    head.lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .or(Some(0))
}

/// A minimal keep-alive receiver that answers 200 to every request and counts them.
async fn receiver(listener: tokio::net::TcpListener, received: Arc<AtomicU64>) {
    while let Ok((mut stream, _)) = listener.accept().await {
        let received = received.clone();
        tokio::spawn(async move {
            let mut buffer = Vec::with_capacity(4096);
            loop {
                let Some(end) = find(&buffer, b"\r\n\r\n") else {
                    if read_more(&mut stream, &mut buffer).await.is_none() {
                        return;
                    }
                    continue;
                };
                let length = std::str::from_utf8(&buffer[..end])
                    .ok()
                    .and_then(content_length)
                    .unwrap_or(0);
                while buffer.len() < end + 4 + length {
                    if read_more(&mut stream, &mut buffer).await.is_none() {
                        return;
                    }
                }
                buffer.drain(..end + 4 + length);
                received.fetch_add(1, Ordering::Relaxed);
                if stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
            }
        });
    }
}

async fn burst(
    sim: &economic_sim::SimHandle,
    args: &Args,
) -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let received = Arc::new(AtomicU64::new(0));
    tokio::spawn(receiver(listener, received.clone()));
    sim.agreement().add_webhook(WebhookConfig::rackbeat(
        Entity::Products,
        format!("http://{addr}/hooks/products"),
    ));
    let started = Instant::now();
    sim.agreement().bulk_import_products(args.webhooks)?;
    let imported = started.elapsed();
    let idle = sim.wait_webhooks_idle(Duration::from_secs(120)).await;
    let elapsed = started.elapsed();
    let stats = sim.webhook_stats();
    println!(
        "Webhook burst: {} products imported in {:.2} s; {} delivered, {} failed, {} received in {:.2} s total = {:.0} webhooks/s{}",
        args.webhooks,
        imported.as_secs_f64(),
        stats.delivered,
        stats.failed,
        received.load(Ordering::Relaxed),
        elapsed.as_secs_f64(),
        stats.delivered as f64 / elapsed.as_secs_f64(),
        if idle { "" } else { " (timed out)" }
    );
    Ok(())
}
