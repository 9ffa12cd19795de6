//! Never silently stale, against the simulator: each fault injected through its knobs
//! and control API — a webhook disabled, deleted or pointed elsewhere in e-conomic, the grant
//! token revoked, a 5xx storm that ends events dead, the API budget used up, deletes that send
//! no webhook — gives exactly one alert within the detection interval and exactly one
//! "resolved" after the fix; a healthy company gets none over a simulated day.
//!
//! The app's own workers apply the webhooks and its mail sender delivers the alert e-mails over
//! real SMTP to a mail catcher the test starts; the health tasks are driven here with the
//! test's clock (`sweep_now`, `check_due`, `deliver_due`), the way the server's loops call them.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use backend::health::alert_webhook::{self, AlertUrl, UrlRules};
use backend::health::alerts::{self, Channel, Notice, Status};
use backend::mail::outbox;
use backend::managed_webhooks::{self, Target};
use backend::sync::{self as runs, RunKind, RunStatus};
use backend::{Db, TenantId, Timestamp, db_test};
use economic::Entity;
use economic_sim::{Knobs, SimConfig, SimHandle, Simulator};
use time::Duration as Span;
use tokio::net::TcpListener;

use crate::helpers::{TestApp, spawn_app_with};
use crate::sync::settled;

/// One POST the receiver got: its headers, its JSON and its raw body.
type Delivery = (HeaderMap, serde_json::Value, Vec<u8>);

/// An alert webhook receiver on port 0 that keeps what it was sent.
#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<Delivery>>>,
}

impl Receiver {
    async fn start() -> (Receiver, String) {
        let receiver = Receiver::default();
        let kept = receiver.clone();
        let app = axum::Router::new().route(
            "/alerts",
            post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let kept = kept.clone();
                async move {
                    let json = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
                    if let Ok(mut all) = kept.received.lock() {
                        all.push((headers, json, body.to_vec()));
                    }
                    StatusCode::OK
                }
            }),
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/alerts", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    /// `(event, reason)` of each POST, in order.
    fn events(&self) -> Vec<(String, String)> {
        self.received
            .lock()
            .map(|all| {
                all.iter()
                    .map(|(_, json, _)| {
                        (
                            json["event"].as_str().unwrap_or_default().to_owned(),
                            json["problem"]["reason"]
                                .as_str()
                                .unwrap_or_default()
                                .to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The simulator, the app with its workers, a connected company on webhooks (created in
/// e-conomic by the app) with an alert webhook, and the health tasks to drive.
struct World {
    sim: SimHandle,
    app: TestApp,
    tenant: TenantId,
    watch: worker::Watch,
    receiver: Receiver,
    client: economic::Client,
    /// The mail sender, driven with the test's clock like the health tasks.
    mailer: server::mail::Mailer,
    sender: server::mail::sender::SenderConfig,
    /// The test's clock.
    now: Timestamp,
}

async fn world(db: &Db, extra: &[&str]) -> World {
    world_with(db, extra, true).await
}

/// [`world`], with the webhooks created by the app (`managed`) or copied into e-conomic by hand.
async fn world_with(db: &Db, extra: &[&str], managed: bool) -> World {
    let sim = Simulator::start(SimConfig {
        products: 5,
        customers: 3,
        ..SimConfig::default()
    })
    .await
    .expect("simulator");
    let base_url = sim.base_url();
    let mut flags = vec![
        "--economic-base-url",
        base_url.as_str(),
        "--worker-poll-ms",
        "50",
        "--retry-base-ms",
        "20",
        "--retry-cap-secs",
        "1",
        "--retry-max-attempts",
        "2",
        "--economic-timeout-secs",
        "2",
        // The test drives the health tasks with its own clock.
        "--health-sweep-secs",
        "86400",
        "--webhook-check-secs",
        "86400",
    ];
    flags.extend_from_slice(extra);
    let app = spawn_app_with(db, &flags).await;
    let tenant = app.live_tenant("watched").await;
    app.connect(tenant, &base_url).await;
    let client =
        economic::Client::new(economic::ClientConfig::new(&base_url, "demo")).expect("client");
    let target = Target {
        db,
        keys: &app.keys,
        client: &client,
        public_url: &app.address,
    };
    for kind in Entity::ALL {
        if managed {
            let outcome = managed_webhooks::ensure(target, tenant, kind, Timestamp::now())
                .await
                .expect("ensure");
            assert!(outcome.succeeded(), "{kind:?}: {outcome:?}");
        } else {
            let url = app.url(tenant, kind).await;
            sim.agreement()
                .add_webhook(economic_sim::WebhookConfig::rackbeat(kind, url));
        }
    }
    imported(db, tenant).await;
    let (receiver, url) = Receiver::start().await;
    let rules = UrlRules {
        allow_http: true,
        public_url: &app.address,
    };
    let url = AlertUrl::parse(&url, rules).expect("receiver URL");
    alert_webhook::set(db, &app.keys, tenant, &url, false, Timestamp::now())
        .await
        .expect("alert webhook");
    let limit: u32 = extra
        .iter()
        .position(|f| *f == "--daily-call-limit")
        .and_then(|i| extra.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(50_000);
    let mut config = worker::WorkerConfig::default();
    config.sync.daily_call_limit = limit;
    config.health.model.daily_call_limit = limit;
    let env = worker::Environment {
        db: db.clone(),
        keys: app.keys.clone(),
        economic: client.clone(),
        signal: backend::queue::Signal::default(),
        config,
    };
    let render: worker::health::Render =
        Arc::new(|d| app::api::health::alert_text(d, app::i18n::Lang::Da, "http://sync.example"));
    let mailer =
        server::mail::Mailer::new(&app.mail.smtp_url(), "Inventory Sync <noreply@sync.test>")
            .expect("mailer");
    let give_up_hours: u64 = extra
        .iter()
        .position(|f| *f == "--mail-give-up-hours")
        .and_then(|i| extra.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let sender = server::mail::sender::SenderConfig {
        poll: Duration::from_millis(20),
        retry: worker::RetryPolicy {
            base: Duration::from_millis(20),
            cap: Duration::from_secs(1),
            max_attempts: u32::MAX,
        },
        give_up_after: Duration::from_secs(give_up_hours * 3600),
        public_url: app.address.clone(),
    };
    let mail_text = app::api::health::alert_mail;
    let watch = worker::Watch::new(env, app.address.clone(), render, mail_text).expect("watch");
    World {
        sim,
        app,
        tenant,
        watch,
        receiver,
        client,
        mailer,
        sender,
        now: Timestamp::now(),
    }
}

/// Wait until the first import of every entity is done.
async fn imported(db: &Db, tenant: TenantId) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let state = runs::state(db, tenant).await.expect("state");
        if state.iter().filter(|s| s.imported_at.is_some()).count() == Entity::ALL.len() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the first import did not finish: {state:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl World {
    /// One round of the health tasks at the test's clock, `minutes` later: the webhook check
    /// (when `check`), the sweep with its probes, the alert webhook's deliveries and the mails.
    async fn round(&mut self, minutes: i64, check: bool) {
        self.now = self.now + Span::minutes(minutes);
        if check {
            let env = &self.watch.env;
            worker::managed_webhooks::check_due(env, self.now)
                .await
                .expect("check");
            self.watch
                .refresh(self.tenant, self.now)
                .await
                .expect("refresh");
        }
        worker::health::sweep_now(&self.watch, self.now)
            .await
            .expect("sweep");
        worker::alerts::deliver_due(&self.watch, self.now)
            .await
            .expect("deliver");
        let stop = tokio_util::sync::CancellationToken::new();
        server::mail::sender::deliver_due(
            &self.app.db,
            &self.mailer,
            &self.sender,
            &stop,
            self.now,
        )
        .await
        .expect("mails");
    }

    /// Rounds until `want` alert POSTs arrived, within `rounds` five-minute rounds.
    async fn until_alerts(&mut self, want: usize, rounds: usize) {
        for _ in 0..rounds {
            if self.receiver.events().len() >= want {
                break;
            }
            self.round(5, true).await;
        }
    }

    /// The e-mail notifications recorded, oldest first, once the outbox holds none waiting:
    /// each with its status (`sent` once the SMTP server took its mail).
    async fn emails(&self) -> Vec<(Notice, Status)> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let mails = outbox::for_tenant(&self.app.db, self.tenant, 100)
                .await
                .expect("outbox");
            if mails.iter().all(|m| m.status != "pending") {
                break;
            }
            assert!(Instant::now() < deadline, "mails still waiting: {mails:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        alerts::list(&self.app.db, self.tenant, 100)
            .await
            .expect("notifications")
            .into_iter()
            .filter(|n| n.channel == Channel::Email)
            .map(|n| (n.notice, n.status))
            .rev()
            .collect()
    }

    /// The subjects of the mails the SMTP server got, oldest first (all to the owner).
    fn mails(&self) -> Vec<String> {
        self.app
            .mail
            .mails()
            .into_iter()
            .map(|m| {
                assert_eq!(m.to, ["owner@watched.test"]);
                m.subject
            })
            .collect()
    }

    fn target(&self) -> Target<'_> {
        Target {
            db: &self.app.db,
            keys: &self.app.keys,
            client: &self.client,
            public_url: &self.app.address,
        }
    }

    /// Exactly one "opened" for `reason`, then (after the fix) exactly one "resolved".
    async fn expect_one_episode(&mut self, reason: &str, fix: impl AsyncFnOnce(&mut World)) {
        self.until_alerts(1, 3).await;
        // More rounds change nothing: one message per episode.
        self.round(5, true).await;
        self.round(5, true).await;
        assert_eq!(
            self.receiver.events(),
            [("opened".to_owned(), reason.to_owned())],
            "one alert within the detection interval"
        );
        assert_eq!(self.emails().await, [(Notice::Opened, Status::Sent)]);
        let mails = self.mails();
        assert_eq!(mails.len(), 1, "one alert e-mail: {mails:?}");
        assert!(
            mails[0].starts_with("watched ApS: Synkroniseringsproblem"),
            "in Danish, the owner's language: {mails:?}"
        );
        let mail = &self.app.mail.mails()[0];
        assert!(
            mail.text.starts_with("Hej Owner of watched,"),
            "{}",
            mail.text
        );
        assert!(
            mail.links().contains(&format!("{}/", self.app.address)),
            "a link to the home page: {:?}",
            mail.links()
        );
        assert!(mail.html.as_deref().is_some_and(|h| h.contains("<p>")));
        let (headers, json, body) = self.receiver.received.lock().expect("lock")[0].clone();
        let signature = headers
            .get(alerts::SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .expect("signed")
            .to_owned();
        let t: i64 = signature
            .trim_start_matches("t=")
            .split(',')
            .next()
            .and_then(|t| t.parse().ok())
            .expect("t=");
        let secret = alert_webhook::get(&self.app.db, &self.app.keys, self.tenant)
            .await
            .expect("get")
            .expect("set")
            .secret;
        assert_eq!(
            alerts::signature(&secret, &body, Timestamp::from_millis(t * 1000)),
            signature
        );
        assert!(
            json["text"]
                .as_str()
                .is_some_and(|t| t.contains("watched ApS")),
            "{json}"
        );

        fix(self).await;
        self.until_alerts(2, 3).await;
        self.round(5, true).await;
        self.round(60, true).await;
        assert_eq!(
            self.receiver.events(),
            [
                ("opened".to_owned(), reason.to_owned()),
                ("resolved".to_owned(), reason.to_owned())
            ],
            "one resolved after the fix"
        );
        assert_eq!(
            self.emails().await,
            [
                (Notice::Opened, Status::Sent),
                (Notice::Resolved, Status::Sent)
            ]
        );
        let mails = self.mails();
        assert_eq!(mails.len(), 2, "one resolved e-mail: {mails:?}");
        assert!(mails[1].starts_with("watched ApS: Løst"), "{mails:?}");
        let logged = backend::audit::for_tenant(&self.app.db, self.tenant, 100)
            .await
            .expect("activity");
        let sent = logged
            .iter()
            .filter(|e| e.action == backend::audit::Action::NotificationSent)
            .count();
        assert_eq!(
            sent, 4,
            "two e-mails and two alert webhook POSTs: {logged:?}"
        );
        self.sim.shutdown();
    }
}

db_test!(
    a_webhook_e_conomic_disabled_is_one_alert_and_one_resolved,
    |db| async move {
        let mut w = world(&db, &[]).await;
        assert_eq!(w.sim.agreement().disable_webhooks(Entity::Products), 1);

        w.expect_one_episode("webhook_disabled", async |w: &mut World| {
            let outcome = managed_webhooks::ensure(w.target(), w.tenant, Entity::Products, w.now)
                .await
                .expect("re-enable");
            assert_eq!(outcome, managed_webhooks::Outcome::Reenabled);
        })
        .await;
    }
);

db_test!(
    async fn a_webhook_deleted_in_e_conomic_is_one_alert_and_one_resolved(db) {
        let mut w = world(&db, &[]).await;
        let grant = "demo";
        w.client
            .webhooks_api(grant)
            .delete(
                Entity::Customers.event_type(),
                &economic::IdempotencyKey::from_random([7; 16]),
            )
            .await
            .expect("deleted in e-conomic");

        w.expect_one_episode("webhook_missing", async |w: &mut World| {
            let outcome = managed_webhooks::ensure(w.target(), w.tenant, Entity::Customers, w.now)
                .await
                .expect("recreate");
            assert_eq!(outcome, managed_webhooks::Outcome::Created);
        })
        .await;
    }
);

db_test!(
    async fn a_webhook_pointed_elsewhere_is_one_alert_and_one_resolved(db) {
        let mut w = world(&db, &[]).await;
        let api = w.client.webhooks_api("demo");
        let mut hook = api
            .get_webhook(Entity::Invoices.event_type())
            .await
            .expect("hook");
        hook.url = "https://another-company.example/webhooks/economic/9/invoices/x".to_owned();
        api.update(&hook, &economic::IdempotencyKey::from_random([8; 16]))
            .await
            .expect("pointed elsewhere");

        w.expect_one_episode("webhook_misdirected", async |w: &mut World| {
            // The app never takes a webhook that points elsewhere: the fix is the
            // settings, which say so; the user deletes it in e-conomic and the app makes it
            // again with the company's URL.
            let api = w.client.webhooks_api("demo");
            let key = economic::IdempotencyKey::from_random([9; 16]);
            api.delete(Entity::Invoices.event_type(), &key)
                .await
                .expect("deleted in e-conomic");
            let outcome = managed_webhooks::ensure(w.target(), w.tenant, Entity::Invoices, w.now)
                .await
                .expect("made again");
            assert_eq!(outcome, managed_webhooks::Outcome::Created);
        })
        .await;
    }
);

db_test!(
    a_revoked_grant_token_is_one_alert_and_one_resolved,
    |db| async move {
        let mut w = world(&db, &[]).await;
        w.sim.revoke_grant("demo");

        w.expect_one_episode("token_refused", async |w: &mut World| {
            w.sim.add_agreement("granted-again", 2, "Watched igen");
            let client = w.client.clone();
            backend::connection::connect(
                &w.app.db,
                &w.app.keys,
                &client,
                w.tenant,
                "granted-again",
                w.now,
            )
            .await
            .expect("connect again");
            // The new agreement has no webhooks yet: the app creates them there.
            for kind in Entity::ALL {
                managed_webhooks::ensure(w.target(), w.tenant, kind, w.now)
                    .await
                    .expect("ensure");
            }
        })
        .await;
    }
);

db_test!(
    a_storm_of_5xx_that_ends_events_dead_is_one_alert_and_one_resolved,
    |db| async move {
        let mut w = world(&db, &[]).await;
        w.sim.set_knobs(Knobs {
            error_rate: 1.0,
            ..Knobs::default()
        });
        let agreement = w.sim.agreement();
        let numbers: Vec<_> = agreement
            .read(|d| d.products.keys().cloned().collect())
            .unwrap_or_default();
        for number in &numbers {
            let mut p = agreement.product(number).expect("product");
            p.name = format!("{} (storm)", p.name);
            agreement.update_product(p).expect("edit");
        }
        assert!(w.sim.wait_webhooks_idle(Duration::from_secs(10)).await);
        assert!(
            settled(&db, w.tenant, Duration::from_secs(30)).await,
            "dead"
        );

        w.expect_one_episode("events_failing", async |w: &mut World| {
            w.sim.set_knobs(Knobs::default());
            backend::queue::replay_failed(&w.app.db, w.tenant, w.now)
                .await
                .expect("replay");
            w.watch.env.signal.notify();
            assert!(settled(&w.app.db, w.tenant, Duration::from_secs(30)).await);
        })
        .await;
    }
);

db_test!(
    an_exhausted_api_budget_is_one_alert_and_one_resolved,
    |db| async move {
        let mut w = world(&db, &["--daily-call-limit", "200"]).await;
        let used = backend::sync::budget::usage(&db, w.tenant, Timestamp::now(), 200)
            .await
            .expect("usage")
            .used;
        let spend = u32::try_from(200 - used).expect("under the limit");
        backend::sync::budget::record_now(&db, w.tenant, Timestamp::now(), spend)
            .await
            .expect("spent");
        let agreement = w.sim.agreement();
        let number = agreement
            .read(|d| d.products.keys().next().cloned())
            .flatten()
            .expect("a product");
        let mut p = agreement.product(&number).expect("product");
        p.name = "Changed with no budget left".to_owned();
        agreement.update_product(p).expect("edit");
        assert!(w.sim.wait_webhooks_idle(Duration::from_secs(10)).await);
        waiting_for_budget(&db, w.tenant).await;

        w.expect_one_episode("budget_exhausted", async |w: &mut World| {
            // The fix is time: a day later the calls have left the window.
            w.now = w.now + Span::hours(25);
        })
        .await;
    }
);

/// Wait until the tenant's event waits for the budget (the worker deferred it).
async fn waiting_for_budget(db: &Db, tenant: TenantId) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let events = backend::events::list(db, tenant, 10, None)
            .await
            .expect("events");
        if events.iter().any(|e| {
            e.last_error
                .as_deref()
                .is_some_and(|r| r.starts_with(backend::sync::budget::WAITING_FOR_BUDGET))
        }) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no event waits for the budget: {events:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

db_test!(
    deletes_that_send_no_webhook_are_one_alert_and_one_resolved,
    |db| async move {
        let mut w = world(&db, &[]).await;
        w.sim.set_knobs(Knobs {
            drop_delete_webhooks: true,
            ..Knobs::default()
        });
        let agreement = w.sim.agreement();
        let numbers: Vec<_> = agreement
            .read(|d| d.products.keys().cloned().collect())
            .unwrap_or_default();
        // Products on booked invoices cannot be deleted in e-conomic.
        let deleted = numbers.iter().find(|n| agreement.delete_product(n).is_ok());
        assert!(deleted.is_some(), "a product could be deleted");
        assert!(w.sim.wait_webhooks_idle(Duration::from_secs(10)).await);
        reconcile(&w).await;

        w.expect_one_episode("webhook_unreported", async |w: &mut World| {
            w.sim.set_knobs(Knobs::default());
            reconcile(w).await;
        })
        .await;
    }
);

/// Check all products now and wait for the check to finish.
async fn reconcile(w: &World) {
    let db = &w.app.db;
    runs::request(
        db,
        w.tenant,
        Entity::Products,
        RunKind::Reconcile,
        Timestamp::now(),
    )
    .await
    .expect("requested");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let run = runs::list(db, w.tenant, None, 1)
            .await
            .expect("runs")
            .remove(0);
        if run.kind == RunKind::Reconcile && run.status == RunStatus::Done {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the check did not finish: {run:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

db_test!(
    a_copied_webhook_deleted_in_e_conomic_is_found_by_the_probe,
    |db| async move {
        // The Webhooks API lists only what the app created: a webhook copied in by hand that
        // e-conomic no longer has is seen by e-conomic's changes arriving nowhere.
        let mut w = world_with(&db, &[], false).await;
        let agreement = w.sim.agreement();
        let kept: Vec<_> = agreement
            .webhooks()
            .into_iter()
            .filter(|h| h.kind != Entity::Products)
            .collect();
        agreement.clear_webhooks();
        for hook in kept {
            agreement.add_webhook(hook);
        }
        let number = agreement
            .read(|d| d.products.keys().next().cloned())
            .flatten()
            .expect("a product");
        let mut p = agreement.product(&number).expect("product");
        p.name = "Changed, and no webhook came".to_owned();
        agreement.update_product(p.clone()).expect("edit");
        assert!(w.sim.wait_webhooks_idle(Duration::from_secs(10)).await);
        // Quiet for the configured hour: then the probe looks.
        w.now = w.now + Span::minutes(55);

        w.expect_one_episode("webhook_quiet", async |w: &mut World| {
            let url = w.app.url(w.tenant, Entity::Products).await;
            let agreement = w.sim.agreement();
            agreement.add_webhook(economic_sim::WebhookConfig::rackbeat(Entity::Products, url));
            p.name = "Changed again, the webhook is back".to_owned();
            agreement.update_product(p).expect("edit");
            assert!(w.sim.wait_webhooks_idle(Duration::from_secs(10)).await);
            assert!(settled(&w.app.db, w.tenant, Duration::from_secs(20)).await);
        })
        .await;
    }
);

db_test!(
    a_healthy_company_gets_no_alert_over_a_simulated_day,
    |db| async move {
        let mut w = world(&db, &[]).await;
        let agreement = w.sim.agreement();
        let numbers: Vec<_> = agreement
            .read(|d| d.products.keys().cloned().collect())
            .unwrap_or_default();
        // A day in ten-minute rounds; e-conomic's clock moves with ours, and every few hours a
        // product changes (its webhook arrives and is applied).
        for round in 0..144 {
            w.sim
                .set_clock(Some(time::OffsetDateTime::from(w.now + Span::minutes(10))));
            if round % 20 == 5 {
                let number = &numbers[round % numbers.len()];
                let mut p = agreement.product(number).expect("product");
                p.name = format!("Edited in round {round}");
                agreement.update_product(p).expect("edit");
                assert!(w.sim.wait_webhooks_idle(Duration::from_secs(10)).await);
                assert!(settled(&db, w.tenant, Duration::from_secs(20)).await);
            }
            w.round(10, round % 3 == 0).await;
        }

        assert_eq!(w.receiver.events(), Vec::<(String, String)>::new());
        assert!(w.emails().await.is_empty());
        assert!(w.mails().is_empty());
        let history = backend::health::episodes::history(&db, w.tenant, 10)
            .await
            .expect("history");
        assert!(history.is_empty(), "{history:?}");
        w.sim.shutdown();
    }
);

db_test!(
    an_alert_e_mail_that_cannot_be_delivered_is_recorded_as_failed,
    |db| async move {
        // The SMTP server refuses every mail, and the sender gives up at the first refusal.
        let mut w = world(&db, &["--mail-give-up-hours", "0"]).await;
        w.app.mail.set_refusing(true);
        assert_eq!(w.sim.agreement().disable_webhooks(Entity::Products), 1);

        w.until_alerts(1, 3).await;

        assert_eq!(w.emails().await, [(Notice::Opened, Status::Failed)]);
        assert!(w.mails().is_empty());
        let failed = alerts::list(&db, w.tenant, 10)
            .await
            .expect("notifications")
            .into_iter()
            .find(|n| n.channel == Channel::Email)
            .and_then(|n| n.last_error)
            .expect("why it failed");
        assert!(failed.starts_with("owner@watched.test: "), "{failed}");
        let logged = backend::audit::for_tenant(&db, w.tenant, 100)
            .await
            .expect("activity");
        assert!(
            logged
                .iter()
                .any(|e| e.action == backend::audit::Action::NotificationFailed
                    && e.detail.contains("owner@watched.test")),
            "{logged:?}"
        );
        w.sim.shutdown();
    }
);
