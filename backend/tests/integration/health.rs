//! Sync health: problems as episodes that open once, are updated while they last and resolve
//! by themselves, with one notification per channel each time; the sweep and the live view of
//! one tenant agree; alert webhook notifications are retried, then given up.

use backend::events::EventStatus;
use backend::health::alert_webhook::{self, AlertUrl, UrlRules};
use backend::health::alerts::{self, Attempted, Channel, Notice, Status};
use backend::health::signals::{self, UrlBase};
use backend::health::sweep::{self, Context};
use backend::health::{Config, Reason, State, episodes};
use backend::settings::{self, SyncSettings};
use backend::{Db, Keys, TenantId, Timestamp, connection, db_test, queue};
use time::Duration;

use crate::helpers::*;

const PUBLIC_URL: &str = "http://127.0.0.1:3000";

fn ctx<'a>(db: &'a Db, keys: &'a Keys) -> Context<'a> {
    Context {
        db,
        urls: UrlBase {
            keys,
            public_url: PUBLIC_URL,
        },
        config: Config::default(),
        mail_text: alert_mail,
    }
}

/// A tenant on webhooks, connected (without asking e-conomic), with an alert webhook.
async fn live_tenant(db: &Db, keys: &Keys, label: &str) -> TenantId {
    let tenant = owner(db, label).await.tenant_id;
    let now = Timestamp::now();
    settings::save(db, tenant, &SyncSettings::ALL_WEBHOOKS, now)
        .await
        .expect("settings");
    connection::connect_offline(db, keys, tenant, "demo", now)
        .await
        .expect("connected");
    let rules = UrlRules {
        allow_http: false,
        public_url: PUBLIC_URL,
    };
    let url = AlertUrl::parse("https://alerts.example.com/in", rules).expect("url");
    alert_webhook::set(db, keys, tenant, &url, false, now)
        .await
        .expect("alert webhook");
    tenant
}

async fn notifications(db: &Db, tenant: TenantId) -> Vec<(Notice, Channel, Status)> {
    let mut all: Vec<_> = alerts::list(db, tenant, 100)
        .await
        .expect("notifications")
        .into_iter()
        .map(|n| (n.notice, n.channel, n.status))
        .collect();
    all.reverse();
    all
}

db_test!(
    a_problem_opens_once_is_updated_and_resolves_once,
    |db| async move {
        let keys = Keys::generate();
        let tenant = live_tenant(&db, &keys, "storm").await;
        let quiet = live_tenant(&db, &keys, "quiet").await;
        let now = Timestamp::now();
        backend::testing::store_events(&db, tenant, EventStatus::Dead, 3).await;

        let first = sweep::sweep(ctx(&db, &keys), now).await.expect("sweep");
        let again = sweep::sweep(ctx(&db, &keys), now + Duration::minutes(1))
            .await
            .expect("sweep again");

        assert_eq!((first.opened, again.opened, again.updated), (1, 0, 0));
        let open = episodes::open(&db, tenant).await.expect("open");
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].state, State::Broken);
        assert_eq!(open[0].reason, Reason::EventsFailing { failed: 0, dead: 3 });
        assert_eq!(episodes::open_count(&db, tenant).await.expect("n"), 1);
        assert_eq!(episodes::open_count(&db, quiet).await.expect("n"), 0);
        assert_eq!(
            notifications(&db, tenant).await,
            [
                (Notice::Opened, Channel::Webhook, Status::Pending),
                (Notice::Opened, Channel::Email, Status::Pending),
            ]
        );
        // One mail to the owner, in the outbox with the episode's opening.
        let mails = backend::mail::outbox::for_tenant(&db, tenant, 10)
            .await
            .expect("outbox");
        let subjects: Vec<_> = mails.iter().map(|m| m.subject.as_str()).collect();
        assert_eq!(subjects, ["storm ApS: opened events_failing"]);

        // A storm goes on: the same episode with new figures, no new notification.
        backend::testing::store_events(&db, tenant, EventStatus::Dead, 2).await;
        let grown = sweep::sweep(ctx(&db, &keys), now + Duration::minutes(2))
            .await
            .expect("sweep");
        assert_eq!((grown.opened, grown.updated), (0, 1));
        let open = episodes::open(&db, tenant).await.expect("open");
        assert_eq!(open[0].reason, Reason::EventsFailing { failed: 0, dead: 5 });
        assert_eq!(notifications(&db, tenant).await.len(), 2);

        // The fix: replayed (and applied, here by hand); the episode resolves by itself.
        queue::replay_failed(&db, tenant, now)
            .await
            .expect("replay");
        execute(
            &db,
            "update webhook_events set status = 'processed' where tenant_id = $1",
            &[tenant.get()],
        )
        .await;
        let fixed = sweep::sweep(ctx(&db, &keys), now + Duration::minutes(3))
            .await
            .expect("sweep");
        let after = sweep::sweep(ctx(&db, &keys), now + Duration::minutes(4))
            .await
            .expect("sweep");

        assert_eq!((fixed.resolved, after.resolved, after.opened), (1, 0, 0));
        assert!(episodes::open(&db, tenant).await.expect("open").is_empty());
        let history = episodes::history(&db, tenant, 10).await.expect("history");
        assert_eq!(history.len(), 1);
        assert!(history[0].resolved_at.is_some());
        assert_eq!(
            notifications(&db, tenant).await,
            [
                (Notice::Opened, Channel::Webhook, Status::Pending),
                (Notice::Opened, Channel::Email, Status::Pending),
                (Notice::Resolved, Channel::Webhook, Status::Pending),
                (Notice::Resolved, Channel::Email, Status::Pending),
            ]
        );
        let mails = backend::mail::outbox::for_tenant(&db, tenant, 10)
            .await
            .expect("outbox");
        assert_eq!(mails.len(), 2, "one mail per episode and event: {mails:?}");
        assert!(notifications(&db, quiet).await.is_empty());
        // The activity log has both ends.
        let log = backend::audit::for_tenant(&db, tenant, 50)
            .await
            .expect("log");
        let actions: Vec<_> = log.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"health.problem_opened"), "{actions:?}");
        assert!(actions.contains(&"health.problem_resolved"), "{actions:?}");
    }
);

db_test!(
    a_refused_token_is_one_problem_and_the_live_view_agrees_with_the_sweep,
    |db| async move {
        let keys = Keys::generate();
        let tenant = live_tenant(&db, &keys, "revoked").await;
        let other = live_tenant(&db, &keys, "fine").await;
        let now = Timestamp::now();
        backend::testing::store_events(&db, tenant, EventStatus::Queued, 4).await;
        connection::pause(&db, tenant, "401 from e-conomic", now)
            .await
            .expect("paused");

        let swept = sweep::sweep(ctx(&db, &keys), now + Duration::minutes(30))
            .await
            .expect("sweep");

        assert_eq!(
            swept.opened, 1,
            "the backlog it causes is no second problem"
        );
        let open = episodes::open(&db, tenant).await.expect("open");
        assert_eq!(open[0].reason, Reason::TokenRefused);
        let urls = UrlBase {
            keys: &keys,
            public_url: PUBLIC_URL,
        };
        let all = signals::load_all(&db, urls, 50_000, now)
            .await
            .expect("all");
        for t in [tenant, other] {
            let one = signals::load_one(&db, urls, t, 50_000, now)
                .await
                .expect("one");
            assert_eq!(Some(&one), all.get(&t), "tenant {t}");
        }

        // Connecting again lifts the pause: resolved.
        execute(
            &db,
            "update economic_connections set paused_at = null where tenant_id = $1",
            &[tenant.get()],
        )
        .await;
        let changes = sweep::refresh(ctx(&db, &keys), tenant, now + Duration::minutes(31))
            .await
            .expect("refresh");
        assert_eq!(changes.resolved.len(), 1);
    }
);

db_test!(
    alert_webhook_notifications_are_retried_then_given_up_or_sent,
    |db| async move {
        let keys = Keys::generate();
        let tenant = live_tenant(&db, &keys, "alerts").await;
        let now = Timestamp::now();
        backend::testing::store_events(&db, tenant, EventStatus::Dead, 1).await;
        sweep::sweep(ctx(&db, &keys), now).await.expect("sweep");

        let taken = alerts::claim_due(&db, &keys, now, 10).await.expect("claim");
        let again = alerts::claim_due(&db, &keys, now, 10).await.expect("claim");
        assert_eq!((taken.len(), again.len()), (1, 0), "held while being sent");
        let d = &taken[0];
        assert_eq!(d.url, "https://alerts.example.com/in");
        assert!(d.secret.starts_with("whsec_"));
        let body: serde_json::Value =
            serde_json::from_slice(&alerts::payload(d, "hej", PUBLIC_URL, now)).expect("json");
        assert_eq!(body["text"], "hej");
        assert_eq!(body["event"], "opened");
        assert_eq!(body["problem"]["reason"], "events_failing");
        assert_eq!(body["problem"]["state"], "broken");
        assert_eq!(body["problem"]["fix"], "replay_failed");
        assert_eq!(body["company"]["name"], "alerts ApS");

        // Every failure is retried later, until the last attempt.
        let mut at = now;
        for attempt in 1..=alerts::MAX_ATTEMPTS {
            let due = loop {
                let due = alerts::claim_due(&db, &keys, at, 10).await.expect("claim");
                if !due.is_empty() {
                    break due;
                }
                at = at + Duration::minutes(5);
            };
            let failed = Attempted::Failed {
                error: "503 Service Unavailable".to_owned(),
                status: Some(503),
            };
            alerts::finish(&db, &due[0], &failed, at)
                .await
                .expect("finish");
            let n = &alerts::list(&db, tenant, 10).await.expect("list")[1];
            assert_eq!(n.attempts, attempt);
            let expected = if attempt == alerts::MAX_ATTEMPTS {
                Status::Failed
            } else {
                Status::Pending
            };
            assert_eq!(n.status, expected);
        }
        let later = at + Duration::days(1);
        assert!(
            alerts::claim_due(&db, &keys, later, 10)
                .await
                .expect("claim")
                .is_empty()
        );
        let log = backend::audit::for_tenant(&db, tenant, 50)
            .await
            .expect("log");
        assert!(
            log.iter()
                .any(|e| e.action.as_str() == "health.notification_failed"
                    && e.detail.contains("alerts.example.com")),
            "{log:?}"
        );

        // The resolve is a new notification, delivered at the first attempt.
        execute(
            &db,
            "update webhook_events set status = 'processed' where tenant_id = $1",
            &[tenant.get()],
        )
        .await;
        sweep::sweep(ctx(&db, &keys), later).await.expect("sweep");
        let due = alerts::claim_due(&db, &keys, later, 10)
            .await
            .expect("claim");
        assert_eq!(due[0].notice, Notice::Resolved);
        alerts::finish(&db, &due[0], &Attempted::Delivered { status: 200 }, later)
            .await
            .expect("finish");
        let sent = &alerts::list(&db, tenant, 10).await.expect("list")[1];
        assert_eq!((sent.status, sent.sent_at), (Status::Sent, Some(later)));
    }
);

db_test!(
    notifications_of_a_company_without_alert_webhook_are_e_mail_only,
    |db| async move {
        let keys = Keys::generate();
        let tenant = live_tenant(&db, &keys, "nohook").await;
        alert_webhook::remove(&db, tenant).await.expect("removed");
        // The owner wants problems in the daily digest, not at once.
        let owner = backend::mail::recipients(&db, tenant).await.expect("owner")[0].user_id;
        backend::mail::notifications::set_preference(
            &db,
            tenant,
            owner,
            backend::mail::NotificationKind::ProblemOpened,
            backend::mail::Delivery::DailyDigest,
            Timestamp::now(),
        )
        .await
        .expect("preference");
        backend::testing::store_events(&db, tenant, EventStatus::Dead, 1).await;

        sweep::sweep(ctx(&db, &keys), Timestamp::now())
            .await
            .expect("sweep");

        assert_eq!(
            notifications(&db, tenant).await,
            [(Notice::Opened, Channel::Email, Status::Skipped)]
        );
        let why = alerts::list(&db, tenant, 10).await.expect("list")[0]
            .last_error
            .clone()
            .expect("why");
        assert!(why.contains("1 in the daily digest"), "{why}");
        let mails = backend::mail::outbox::for_tenant(&db, tenant, 10)
            .await
            .expect("outbox");
        assert!(mails.is_empty(), "no mail at once: {mails:?}");
        let due = alerts::claim_due(&db, &keys, Timestamp::now(), 10).await;
        assert!(due.expect("claim").is_empty());
    }
);
