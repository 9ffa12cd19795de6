//! Sync runs against the simulator: the first import, the hourly sync, "Sync now", the
//! reconciliation and the API budget.

use std::time::Duration;

use backend::records::{self, CustomerRecord, ProductRecord};
use backend::sync::{self, Requested, RunKind, RunStatus, budget};
use backend::{Timestamp, db_test, settings};
use economic::Entity;

use crate::helpers::*;

/// The tenant's newest run of `entity`.
async fn last_run(h: &Harness, entity: Entity) -> sync::Run {
    sync::list(&h.db, h.tenant, None, 100)
        .await
        .expect("runs")
        .into_iter()
        .find(|r| r.entity == entity)
        .expect("a run")
}

/// Another worker's claim of the tenant's queue: a new token, held for `held`.
async fn take_lease(
    db: &backend::Db,
    tenant: backend::TenantId,
    entity: Entity,
    held: time::Duration,
) {
    let until = (Timestamp::now() + held).as_millis();
    let sql = "update sync_leases set token = token + 1000, expires_at = $3 \
               where tenant_id = $1 and entity = $2";
    let tenant = tenant.get();
    let taken = match (db.sqlite_pool(), db.pg_pool()) {
        (Some(pool), _) => sqlx::query(sql)
            .bind(tenant)
            .bind(entity.as_str())
            .bind(until)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
        (_, Some(pool)) => sqlx::query(sql)
            .bind(tenant)
            .bind(entity.as_str())
            .bind(until)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
        _ => unreachable!("a database is SQLite or PostgreSQL"),
    };
    assert_eq!(taken.expect("lease taken"), 1);
}

async fn request(h: &Harness, entity: Entity, kind: RunKind) {
    let asked = sync::request(&h.db, h.tenant, entity, kind, Timestamp::now())
        .await
        .expect("requested");
    assert!(matches!(asked, Requested::Queued(_)), "{asked:?}");
}

async fn local_products(h: &Harness) -> Vec<String> {
    let mut live: Vec<String> = records::live_numbers::<ProductRecord>(&h.db, h.tenant)
        .await
        .expect("numbers")
        .into_iter()
        .map(|n| n.as_str().to_owned())
        .collect();
    live.sort();
    live
}

fn sim_product_names(h: &Harness) -> Vec<String> {
    let mut numbers: Vec<String> = h
        .sim_products()
        .into_iter()
        .map(|n| n.as_str().to_owned())
        .collect();
    numbers.sort();
    numbers
}

db_test!(
    the_first_import_reads_every_record_a_thousand_at_a_time,
    |db| async move {
        let h = Harness::importing(&db, 30, 2500).await;
        let before = h.calls();

        h.run().await;

        assert_eq!(local_products(&h).await, sim_product_names(&h));
        let customers = records::live_numbers::<CustomerRecord>(&db, h.tenant)
            .await
            .expect("customers");
        assert_eq!(customers.len(), 30);
        let products = last_run(&h, Entity::Products).await;
        assert_eq!(products.status, RunStatus::Done);
        assert_eq!((products.kind, products.pages_done), (RunKind::Import, 3));
        assert_eq!(
            (products.records_done, products.records_total),
            (2500, Some(2500))
        );
        assert_eq!(products.counts.created, 2500);
        // Three product pages, one customer page, one page of booked invoices and each of them
        // with its lines.
        let calls = 3 + 1 + 1 + h.sim_invoices();
        assert_eq!(h.calls() - before, calls);
        assert_eq!(products.api_calls, 3);
        let used = budget::usage(&db, h.tenant, Timestamp::now(), 50_000)
            .await
            .expect("usage");
        assert_eq!(
            used.used,
            2 + calls,
            "connecting (GET /self and the Webhooks API's list) and the import are counted"
        );
    }
);

db_test!(
    an_import_cut_short_resumes_after_its_last_stored_page,
    |db| async move {
        let mut h = Harness::importing(&db, 0, 9000).await;
        h.env.config.lease = Duration::from_secs(1);
        let mut knobs = h.sim.knobs();
        // Slow pages, so that the worker mostly waits for e-conomic and the lease can be taken
        // between two of its page writes (SQLite's busy wait would otherwise lose that race).
        knobs.latency_ms = 1000;
        h.sim.set_knobs(knobs.clone());
        // A worker that stops mid-import: its lease is taken from it between two pages (as when
        // it stalls past the lease and another claims the queue), so its next page's write is
        // refused. (Killing the process is `server/tests/webhooks/runs.rs`; aborting the task
        // here could cut a SQLite transaction's `begin` in half.)
        let env = h.env.clone();
        let stopping = tokio::spawn(async move { worker::run_pending_jobs(&env).await });
        loop {
            let run = last_run(&h, Entity::Products).await;
            if run.pages_done >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        take_lease(&db, h.tenant, Entity::Products, time::Duration::minutes(1)).await;
        stopping
            .await
            .expect("the worker stops")
            .expect("a lost lease is no error");
        let cut = last_run(&h, Entity::Products).await;
        assert!(
            cut.status == RunStatus::Running && cut.pages_done < 9,
            "{cut:?}"
        );
        knobs.latency_ms = 0;
        h.sim.set_knobs(knobs);
        // The other worker's lease ends.
        take_lease(&db, h.tenant, Entity::Products, time::Duration::ZERO).await;
        let before = h.calls();

        h.run().await;

        let run = last_run(&h, Entity::Products).await;
        assert_eq!(
            (run.status, run.pages_done, run.records_done),
            (RunStatus::Done, 9, 9000),
            "{:?}",
            run.error
        );
        assert_eq!(local_products(&h).await, sim_product_names(&h));
        // Only the pages not stored before were read again.
        assert!(h.calls() - before <= u64::from(9 - cut.pages_done) + 1);
    }
);

db_test!(
    an_hourly_sync_without_changes_costs_one_call_per_entity,
    |db| async move {
        let mut h = Harness::importing(&db, 20, 1500).await;
        h.age_records(20, 1500);
        settings::save(
            &db,
            h.tenant,
            &settings::SyncSettings::default(),
            Timestamp::now(),
        )
        .await
        .expect("hourly boxes");
        h.run().await;
        h.env.config.sync.hourly = Duration::from_secs(1);
        tokio::time::sleep(Duration::from_millis(1100)).await; // the next slot begins
        let before = h.calls();

        let created = worker::scheduler::schedule_due(&h.env, Timestamp::now())
            .await
            .expect("scheduled");
        assert_eq!(created, 2, "customers and products");
        let again = worker::scheduler::schedule_due(&h.env, Timestamp::now())
            .await
            .expect("scheduled");
        assert_eq!(again, 0, "a slot's run is created once");
        h.run().await;

        assert_eq!(h.calls() - before, 2);
        let run = last_run(&h, Entity::Products).await;
        assert_eq!(
            (run.kind, run.status, run.counts.changed()),
            (RunKind::Hourly, RunStatus::Done, 0)
        );
    }
);

db_test!(
    sync_now_reads_what_changed_and_a_second_click_waits,
    |db| async move {
        let h = Harness::importing(&db, 0, 3000).await;
        h.age_records(0, 3000);
        h.run().await;
        let agreement = h.sim.agreement();
        let numbers = h.sim_products();
        for number in numbers.iter().take(1000) {
            let mut p = agreement.product(number).expect("product");
            p.sales_price = Some(p.sales_price.unwrap_or(0.0) + 1.0);
            agreement.update_product(p).expect("update");
        }
        let before = h.calls();

        request(&h, Entity::Products, RunKind::Manual).await;
        let second = sync::request(
            &db,
            h.tenant,
            Entity::Products,
            RunKind::Manual,
            Timestamp::now(),
        )
        .await
        .expect("asked");
        assert_eq!(second, Requested::AlreadyActive);
        h.run().await;

        let run = last_run(&h, Entity::Products).await;
        assert_eq!((run.kind, run.status), (RunKind::Manual, RunStatus::Done));
        assert!(run.counts.updated >= 1000, "{run:?} {}", h.calls() - before);
        assert!(h.calls() - before <= 3, "{} calls", h.calls() - before);
        for number in numbers.iter().take(1000) {
            let local = records::get::<ProductRecord>(&db, h.tenant, number)
                .await
                .expect("stored");
            let remote = agreement.product(number).expect("product");
            assert_eq!(local.sales_price, remote.sales_price);
        }
    }
);

db_test!(
    a_reconciliation_repairs_what_no_webhook_reported,
    |db| async move {
        let h = Harness::importing(&db, 10, 40).await;
        h.run().await;
        // Webhooks did arrive for every product earlier on: they do not account for changes
        // made after them.
        for n in h.sim_products() {
            h.product_event(n.as_str()).await;
        }
        h.run().await;
        let agreement = h.sim.agreement();
        // e-conomic drops these webhooks: nothing arrives for them. (Products on an invoice
        // cannot be deleted.)
        let gone = h
            .sim_products()
            .into_iter()
            .find(|n| agreement.delete_product(n).is_ok())
            .expect("a product that is on no invoice");
        let old = h.sim_products()[1].clone();
        let new = product("RENUMBERED-1");
        agreement
            .renumber_product(&old, new.clone())
            .expect("renumber");
        let customer = h
            .sim_customers()
            .into_iter()
            .find(|n| agreement.delete_customer(*n).is_ok())
            .expect("a customer without invoices");

        request(&h, Entity::Products, RunKind::Reconcile).await;
        request(&h, Entity::Customers, RunKind::Reconcile).await;
        h.run().await;

        assert_eq!(local_products(&h).await, sim_product_names(&h));
        let local = records::get::<ProductRecord>(&db, h.tenant, &gone)
            .await
            .expect("kept");
        assert!(local.deleted_at.is_some());
        let run = last_run(&h, Entity::Products).await;
        assert_eq!(
            (run.kind, run.status),
            (RunKind::Reconcile, RunStatus::Done)
        );
        assert_eq!((run.counts.created, run.counts.deleted), (1, 2));
        assert_eq!(run.counts.unreported, 3, "webhooks are on and none came");
        let customers = records::live_numbers::<CustomerRecord>(&db, h.tenant)
            .await
            .expect("customers");
        assert!(!customers.contains(&customer));
    }
);

db_test!(
    background_work_waits_near_the_budget_and_says_so,
    |db| async move {
        let mut h = Harness::importing(&db, 5, 5).await;
        h.env.config.sync.daily_call_limit = 100;
        let mut tx = db.begin(h.tenant).await.expect("tx");
        // Connecting spent 2 (GET /self and the Webhooks API's list): 96 of 100, past 80 %.
        budget::record(&mut tx, h.tenant, Timestamp::now(), 94)
            .await
            .expect("spent");
        tx.commit().await.expect("commit");
        let before = h.calls();

        h.run().await;

        assert_eq!(h.calls(), before, "no call past 80% for background work");
        let run = last_run(&h, Entity::Products).await;
        assert_eq!(run.status, RunStatus::Queued);
        let waiting = run.waiting.expect("says why");
        assert!(waiting.contains("96 of 100"), "{waiting}");
        assert!(run.next_attempt_at > Timestamp::now());
        // Webhooks still go through below the limit.
        h.product_event(h.sim_products()[0].as_str()).await;
        h.run().await;
        assert_eq!(h.calls(), before + 1);
    }
);

db_test!(
    imported_invoices_move_stock_only_from_the_connection_day_on,
    |db| async move {
        let h = Harness::importing(&db, 3, 10).await;
        // The seeded invoices were booked three days ago; one more is booked today.
        let agreement = h.sim.agreement();
        h.sim.set_clock(Some(
            time::OffsetDateTime::now_utc() - time::Duration::days(3),
        ));
        agreement.reseed(42, 3, 10);
        h.sim.set_clock(None);
        let old = h.sim_invoices();
        assert!(old > 0, "the simulator seeds invoices");
        let product = h.sim_products()[0].clone();
        agreement
            .book_invoice(h.sim_customers()[0], &[(product, 2.0)])
            .expect("booked today");

        h.run().await;

        let stored = backend::records::invoices::count(&db, h.tenant)
            .await
            .expect("invoices");
        assert_eq!(stored, i64::try_from(old + 1).expect("small"));
        let movements = backend::records::stock::count(&db, h.tenant)
            .await
            .expect("movements");
        assert_eq!(movements, 1, "only today's invoice moved stock");
        let run = last_run(&h, Entity::Invoices).await;
        assert_eq!((run.status, run.counts.created), (RunStatus::Done, old + 1));
    }
);

db_test!(
    a_reconciliation_brings_booked_invoices_no_webhook_brought,
    |db| async move {
        let h = Harness::importing(&db, 3, 10).await;
        h.run().await;
        let movements = backend::records::stock::count(&db, h.tenant)
            .await
            .expect("movements");
        // Booked after the connection; its webhook never came.
        let product = h.sim_products()[0].clone();
        h.sim
            .agreement()
            .book_invoice(h.sim_customers()[0], &[(product, 3.0)])
            .expect("booked");

        request(&h, Entity::Invoices, RunKind::Reconcile).await;
        h.run().await;

        let run = last_run(&h, Entity::Invoices).await;
        assert_eq!(
            (run.kind, run.status),
            (RunKind::Reconcile, RunStatus::Done)
        );
        assert_eq!((run.counts.created, run.counts.unreported), (1, 1));
        let after = backend::records::stock::count(&db, h.tenant)
            .await
            .expect("movements");
        assert_eq!(after, movements + 1, "its stock moved once");
    }
);
