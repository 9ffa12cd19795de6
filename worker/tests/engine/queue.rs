//! Retries, dead events and replay; a revoked token pauses one tenant only; leases and fencing.

use std::time::Duration;

use backend::events::{self, EventStatus};
use backend::queue::{self, Attempt, Done};
use backend::{Error, Timestamp, connection, db_test};
use economic_sim::Knobs;

use crate::helpers::*;

db_test!(
    failures_are_retried_then_dead_and_replay_revives_them,
    |db| async move {
        let h = Harness::new(&db, 0, 1).await;
        h.expect_failures();
        let number = h.sim_products()[0].clone();
        h.sim.set_knobs(Knobs {
            error_rate: 1.0,
            ..Knobs::default()
        });
        let id = h.product_event(number.as_str()).await;

        h.run_until_settled(Duration::from_secs(10)).await;

        let event = events::get(&db, h.tenant, id).await.expect("event");
        assert_eq!(event.status, EventStatus::Dead);
        assert_eq!(event.attempts, 3);
        assert!(
            event.last_error.as_deref().unwrap_or("").contains("500"),
            "{event:?}"
        );
        let attempts = events::attempts(&db, h.tenant, id).await.expect("attempts");
        let outcomes: Vec<&str> = attempts.iter().map(|a| a.outcome.as_str()).collect();
        assert_eq!(outcomes, ["failed", "failed", "dead"]);

        h.sim.set_knobs(Knobs::default());
        let replayed = queue::replay_failed(&db, h.tenant, Timestamp::now())
            .await
            .expect("replay");
        assert_eq!(replayed, 1);
        h.run().await;
        let event = events::get(&db, h.tenant, id).await.expect("event");
        assert_eq!(event.status, EventStatus::Processed);
        assert_eq!(event.attempts, 1, "a replay starts afresh");
    }
);

db_test!(
    a_rate_limit_waits_as_long_as_e_conomic_asks,
    |db| async move {
        let mut h = Harness::new(&db, 0, 1).await;
        h.expect_failures();
        // A cap above Retry-After, so that the retry is not due again before `run` ends.
        h.env.config.retry.cap = Duration::from_secs(60);
        let number = h.sim_products()[0].clone();
        h.sim.set_knobs(Knobs {
            rate_limited_rate: 1.0,
            retry_after_secs: 30,
            ..Knobs::default()
        });
        let id = h.product_event(number.as_str()).await;

        h.run().await;

        let event = events::get(&db, h.tenant, id).await.expect("event");
        assert_eq!(event.status, EventStatus::Failed);
        let next = event.next_attempt_at.expect("a next attempt");
        assert!(
            next >= event.received_at + time::Duration::seconds(30),
            "{event:?}"
        );
    }
);

db_test!(a_revoked_token_pauses_that_tenant_only, |db| async move {
    let h = Harness::new(&db, 0, 1).await;
    let number = h.sim_products()[0].clone();
    // A second tenant on its own e-conomic agreement.
    let other = backend::testing::owner(&db, "other").await.tenant_id;
    let agreement = h.sim.add_agreement("other-token", 2, "Other ApS");
    agreement
        .create_product(economic::types::Product::new(product("O-1"), "Theirs"))
        .expect("product");
    connection::connect(
        &db,
        &h.env.keys,
        &h.env.economic,
        other,
        "other-token",
        Timestamp::now(),
    )
    .await
    .expect("connect");
    h.sim.revoke_grant("demo");
    let mine = h.product_event(number.as_str()).await;
    let theirs = events::ingest(
        &db,
        other,
        &received(
            economic::Entity::Products,
            economic::WebhookAction::Updated(economic::RecordNumber::Product(product("O-1"))),
        ),
    )
    .await
    .expect("ingest");

    h.run().await;

    let event = events::get(&db, h.tenant, mine).await.expect("event");
    assert_eq!(
        event.status,
        EventStatus::Queued,
        "waits instead of burning attempts"
    );
    assert_eq!(event.attempts, 0);
    let paused = connection::get(&db, h.tenant)
        .await
        .expect("get")
        .expect("connected");
    assert!(paused.paused.is_some());
    let event = events::get(&db, other, theirs).await.expect("event");
    assert_eq!(
        event.status,
        EventStatus::Processed,
        "the other tenant goes on"
    );

    // Connecting again (a new token) resumes the work.
    h.sim.add_agreement("demo-2", 1, "Acme ApS");
    connection::connect(
        &db,
        &h.env.keys,
        &h.env.economic,
        h.tenant,
        "demo-2",
        Timestamp::now(),
    )
    .await
    .expect("reconnect");
    h.run().await;
    let event = events::get(&db, h.tenant, mine).await.expect("event");
    assert_eq!(event.status, EventStatus::Processed);
});

db_test!(
    a_worker_that_lost_its_lease_cannot_finish,
    |db| async move {
        let h = Harness::new(&db, 0, 1).await;
        let number = h.sim_products()[0].clone();
        let id = h.product_event(number.as_str()).await;
        let short = time::Duration::milliseconds(50);
        let first = queue::claim(&db, "worker-a", Timestamp::now(), short, 100)
            .await
            .expect("claim")
            .expect("work");
        tokio::time::sleep(Duration::from_millis(100)).await;

        // Worker a stalled past its lease; worker b takes the queue over.
        let second = queue::claim(&db, "worker-b", Timestamp::now(), short * 100, 100)
            .await
            .expect("claim")
            .expect("the expired lease is taken over");
        assert!(second.lease.token > first.lease.token);
        assert_eq!(second.jobs.len(), 1);
        assert_eq!(second.jobs[0].attempts, 2, "the stalled attempt counts");

        let now = Timestamp::now();
        let mut tx = db.begin(first.lease.tenant_id).await.expect("begin");
        let fenced = queue::fence(&mut tx, &first.lease, now, short).await;
        assert!(matches!(fenced, Err(Error::LeaseLost)), "{fenced:?}");
        drop(tx);
        let attempt = Attempt {
            worker: "worker-b",
            started_at: now,
            finished_at: now,
            api_calls: 0,
        };
        let mut tx = db.begin(second.lease.tenant_id).await.expect("begin");
        queue::fence(&mut tx, &second.lease, now, short * 100)
            .await
            .expect("b holds it");
        let done = [(
            id,
            Done::Dead {
                error: "test".to_owned(),
            },
        )];
        // Worker a's token no longer matches the events: finishing under it changes nothing.
        queue::finish(&mut tx, &first.lease, &attempt, &done)
            .await
            .expect("finish");
        tx.commit().await.expect("commit");
        let event = events::get(&db, h.tenant, id).await.expect("event");
        assert_eq!(event.status, EventStatus::Processing, "still b's");
    }
);

db_test!(
    a_worker_that_dies_mid_batch_loses_nothing,
    |db| async move {
        let mut h = Harness::new(&db, 0, 1).await;
        h.env.config.lease = Duration::from_millis(50);
        let number = h.sim_products()[0].clone();
        let id = h.product_event(number.as_str()).await;
        // Claimed, then the worker "dies": no release, no heartbeat.
        let claim = queue::claim(
            &db,
            "doomed",
            Timestamp::now(),
            time::Duration::milliseconds(50),
            10,
        )
        .await
        .expect("claim");
        assert!(claim.is_some());
        assert_eq!(h.run().await, 0, "its lease still holds");
        tokio::time::sleep(Duration::from_millis(100)).await;

        h.env.config.lease = Duration::from_secs(60);
        h.run().await;

        let event = events::get(&db, h.tenant, id).await.expect("event");
        assert_eq!(event.status, EventStatus::Processed);
        assert_eq!(event.attempts, 2);
    }
);

db_test!(
    an_event_that_keeps_killing_its_worker_ends_dead,
    |db| async move {
        let h = Harness::new(&db, 0, 1).await;
        h.expect_failures();
        let number = h.sim_products()[0].clone();
        let id = h.product_event(number.as_str()).await;
        // Three workers in a row claim it and die (the harness allows three attempts).
        for _ in 0..3 {
            let short = time::Duration::milliseconds(20);
            let claim = queue::claim(&db, "doomed", Timestamp::now(), short, 10)
                .await
                .expect("claim");
            assert!(claim.is_some());
            tokio::time::sleep(Duration::from_millis(40)).await;
        }

        h.run().await;

        let event = events::get(&db, h.tenant, id).await.expect("event");
        assert_eq!(event.status, EventStatus::Dead);
        assert!(
            event
                .last_error
                .unwrap_or_default()
                .contains("did not finish")
        );
    }
);
