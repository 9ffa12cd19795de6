//! Sync runs: the first import, the hourly sync and "Sync now" read a list a page at a time
//! ([`super::pages`]) and store each page, its progress and its API calls in one fenced
//! transaction, so a run that stops resumes at the page after the last one stored. The
//! reconciliation is [`super::reconcile`].
//!
//! An incremental run reads the fixed window `lastUpdated` in `[watermark − overlap, start)`,
//! sorted by `lastUpdated`, and saves its end as the new watermark in the transaction of its
//! last page. A record changed while the pages are read leaves the window (the next run reads
//! it), which moves the records after it one place up: one of them may be skipped. The run
//! sees that as a changed `pagination.results` and then keeps the old watermark, so that the
//! next run reads the window again.

use backend::sync::{self, Run, RunClaim, RunKind, budget};
use backend::{Timestamp, connection};
use economic::Filter;

use super::pages::{self, List, RunError, count, save, store_page};
use super::remote::Remote;
use super::{Ctx, invoices, reconcile};
use crate::environment::Environment;

/// Run a claimed sync run until it ends, waits (budget, retry) or fails.
pub async fn run(env: &Environment, worker: &str, claim: &RunClaim) -> backend::Result<()> {
    let (lease, run) = (&claim.lease, &claim.run);
    let started_at = Timestamp::now();
    let Some(grant_token) = connection::grant_token(&env.db, &env.keys, lease.tenant_id).await?
    else {
        let until = started_at + time::Duration::minutes(1);
        return sync::defer(
            &env.db,
            lease,
            run.id,
            "not connected to e-conomic",
            until,
            started_at,
        )
        .await;
    };
    if run.attempts > env.config.retry.max_attempts {
        let error = format!(
            "gave up after {} attempts that did not finish",
            run.attempts - 1
        );
        return sync::fail(&env.db, lease, run.id, &error, started_at).await;
    }
    let ctx = Ctx::new(env, worker, lease, grant_token.expose(), started_at);
    let limit = env.config.sync.daily_call_limit;
    let usage = budget::usage(&env.db, lease.tenant_id, started_at, limit).await?;
    let priority = sync::priority(run.kind);
    if let Some((reason, until)) = usage.wait(priority, started_at) {
        return sync::defer(&env.db, lease, run.id, &reason, until, started_at).await;
    }
    let allowance = usage.remaining(priority);
    let outcome = by_entity!(run.entity,
        R => match run.kind {
            RunKind::Reconcile => reconcile::run::<R>(&ctx, run, allowance).await,
            RunKind::Import | RunKind::Hourly | RunKind::Manual => {
                read_changes::<R>(&ctx, run, allowance).await
            }
        },
        invoices => invoices::import(&ctx, run, allowance).await,
    );
    let now = Timestamp::now();
    let counted = budget::record_now(&env.db, lease.tenant_id, now, ctx.take_unrecorded()).await;
    let ended = match outcome {
        Ok(()) => Ok(()),
        Err(RunError::Budget) => {
            let usage = budget::usage(&env.db, lease.tenant_id, now, limit).await?;
            let (reason, until) = usage.wait(priority, now).unwrap_or_else(|| {
                (
                    "waiting for the e-conomic API budget".to_owned(),
                    now + time::Duration::minutes(1),
                )
            });
            sync::defer(&env.db, lease, run.id, &reason, until, now).await
        }
        Err(RunError::Unauthorized(reason)) => {
            tracing::warn!(tenant = %lease.tenant_id, reason, "e-conomic refused the grant token; pausing the tenant");
            connection::pause(&env.db, lease.tenant_id, &reason, now).await?;
            sync::defer(&env.db, lease, run.id, &reason, now, now).await
        }
        Err(RunError::Failed(failure)) => {
            match failure.retry_at(&env.config.retry, run.attempts, now) {
                Some(at) => sync::retry(&env.db, lease, run.id, &failure.message(), at, now).await,
                None => sync::fail(&env.db, lease, run.id, &failure.message(), now).await,
            }
        }
        Err(RunError::Backend(e)) => Err(e),
    };
    counted?;
    ended
}

/// The import, the hourly sync and "Sync now" of customers or products.
async fn read_changes<R: Remote>(ctx: &Ctx<'_>, run: &Run, allowance: u64) -> Result<(), RunError> {
    let window_to = run.window_to.unwrap_or(ctx.started_at);
    // e-conomic's filter takes whole seconds: the window's end is rounded up, so a record
    // stamped in the run's first second is not left for the next run alone.
    let end = (window_to + time::Duration::milliseconds(999)).to_offset_date_time();
    let filter = run
        .window_from
        .map(|from| Filter::last_updated_between(from.to_offset_date_time(), end));
    let list = List {
        entity: run.entity,
        filter: filter.as_ref(),
        sort: filter.is_some().then_some("lastUpdated"),
        allowance,
    };
    let mut records_done = run.records_done;
    let mut expected = run.records_total;
    let (mut pages, reading) = pages::reader(ctx, &list, run.pages_done);
    let storing = async {
        while let Some(page) = pages.recv().await {
            let page = page?;
            let results = page.results;
            let shifted = *expected.get_or_insert(results) != results;
            records_done += page.records.len() as u64;
            let watermark = if shifted && run.window_from.is_some() {
                tracing::info!(tenant = %run.tenant_id, entity = %run.entity,
                    "the list changed while it was read; the next run reads this window again");
                None
            } else {
                Some(window_to)
            };
            let mut tx = ctx.fenced().await?;
            // A page lost in a crash is read again: its progress commits with it.
            tx.commit_without_waiting_for_disk().await?;
            let (_, changes) = store_page::<R>(&mut tx, run, &page).await?;
            save(&mut tx, ctx, run, &page, records_done, count(&changes)).await?;
            if page.last {
                sync::complete(&mut tx, run, watermark, Timestamp::now()).await?;
            }
            tx.commit().await?;
        }
        Ok(())
    };
    let ((), stored) = tokio::join!(reading, storing);
    stored
}
