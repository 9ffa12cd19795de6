//! No log line carries a webhook credential, at any level: the webhook flows of a tenant —
//! received, rejected, ignored, odd paths, other methods, applied by the workers against the
//! simulator — run with every target at TRACE, and the captured output is scanned for every
//! credential issued. Its own test binary: the capturing subscriber is process-wide.

#[path = "webhooks/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::io::Write;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use backend::db_test;
use economic::Entity;
use economic_sim::{SimConfig, Simulator, WebhookConfig};

use helpers::*;

/// Everything every test in this binary logged.
static LOGS: LazyLock<Arc<Mutex<Vec<u8>>>> = LazyLock::new(Arc::default);

struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_everything() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        tracing_subscriber::fmt()
            .with_env_filter("trace")
            .with_ansi(false)
            .with_writer(|| Capture(LOGS.clone()))
            .init();
    });
}

fn logged() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
}

db_test!(no_log_line_carries_a_credential, |db| async move {
    capture_everything();
    let sim = Simulator::start(SimConfig {
        customers: 3,
        products: 3,
        ..SimConfig::default()
    })
    .await
    .expect("simulator");
    let app = spawn_app_with(&db, &["--economic-base-url", &sim.base_url()]).await;
    let tenant = app.live_tenant("acme").await;
    app.connect(tenant, &sim.base_url()).await;
    let mut tokens = Vec::new();
    for kind in Entity::ALL {
        let url = app.url(tenant, kind).await;
        tokens.push(app.token(tenant, kind).await);
        sim.agreement()
            .add_webhook(WebhookConfig::rackbeat(kind, url.clone()));
        // Received, rejected, repeated, with odd paths and methods.
        for body in [
            "1&1",
            "[OLDNUMBER]&[NEWNUMBER]",
            "[OLDNUMBER]&[NEWNUMBER]",
            "a&b&c",
        ] {
            app.post(&url, body).await;
        }
        for odd in [
            format!("{url}/"),
            format!("{url}/extra"),
            url.replace("/economic/", "/economic//"),
            // Shapes that miss the webhook routes and reach the browser routes, whose CSRF
            // layer refuses them with a WARN line.
            url.replace("/webhooks/", "//webhooks/"),
            url.replace("/webhooks/", "/Webhooks/"),
            url.replace("/webhooks/", "/WEBHOOKS/"),
            url.replace("/webhooks/", "/%77ebhooks/"),
            url.replace("/webhooks/", "/webhooks%2F")
                .replace("/economic/", "/economic%2F"),
            url.replace("/webhooks/", "/api//webhooks/"),
        ] {
            app.post(&odd, "1&1").await;
            app.client
                .post(&odd)
                .header("accept", "text/html")
                .body("1&1")
                .send()
                .await
                .expect("POST an odd path as a browser");
            app.client.get(&odd).send().await.expect("GET an odd path");
        }
        app.client.get(&url).send().await.expect("GET");
        app.client
            .post(&url)
            .header("accept", "text/html")
            .body("1&1")
            .send()
            .await
            .expect("POST as a browser");
    }
    // Real deliveries, applied by the workers.
    sim.agreement().bulk_import_products(3).expect("import");
    assert!(sim.wait_webhooks_idle(Duration::from_secs(10)).await);
    tokio::time::sleep(Duration::from_secs(1)).await;

    let logs = logged();
    assert!(
        logs.contains("webhook"),
        "the capture works: {} bytes",
        logs.len()
    );
    assert!(logs.contains("TRACE"), "at trace level");
    assert!(
        logs.contains("CSRF token missing or wrong"),
        "the odd shapes reached the browser routes and were logged"
    );
    for token in &tokens {
        assert!(!logs.contains(token.as_str()), "a credential is in the log");
    }
});
