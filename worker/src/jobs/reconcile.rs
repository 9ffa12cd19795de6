//! The reconciliation: read every record of the list, store what differs, and soft-delete
//! what we have and e-conomic no longer does — the deletions and renumberings that polling
//! cannot see, and that webhooks miss when e-conomic drops or disables them. For a tenant on
//! webhooks, the repairs that no webhook announced are counted (`unreported`), and the Settings
//! page warns when there are some.
//!
//! A reconciliation starts from the first page each time it is claimed: the numbers seen are
//! kept in memory, not in the database.

use std::collections::HashSet;

use backend::records::{self, RecordChange};
use backend::sync::{self, Page, Run};
use backend::{Timestamp, settings};

use super::Ctx;
use super::fetch::{self, Fetched, Found};
use super::pages::{self, List, ListPage, RunError, count, save, store_page};
use super::remote::Remote;

/// Missing records checked one by one before they are deleted, even when the list looked
/// stable: a few GETs are cheap insurance against a record we merely failed to see.
const VERIFY_UP_TO: usize = 50;

/// Reconcile the run's entity, `R`'s.
pub(super) async fn run<R: Remote>(
    ctx: &Ctx<'_>,
    run: &Run,
    allowance: u64,
) -> Result<(), RunError> {
    let (db, tenant, entity) = (&ctx.env.db, run.tenant_id, run.entity);
    let local: HashSet<R::Number> = records::live_numbers::<R>(db, tenant)
        .await?
        .into_iter()
        .collect();
    let list = List {
        entity,
        filter: None,
        sort: None,
        allowance,
    };
    let mut seen: HashSet<R::Number> = HashSet::with_capacity(local.len());
    let mut repaired: Vec<String> = Vec::new();
    let (mut first, mut shifted, mut records_done, mut pages_done) = (None, false, 0, 0);
    let (mut pages, reading) = pages::reader(ctx, &list, 0);
    let storing = async {
        while let Some(page) = pages.recv().await {
            let page: ListPage = page?;
            shifted |= *first.get_or_insert(page.results) != page.results;
            records_done += page.records.len() as u64;
            pages_done = page.skip + 1;
            let mut tx = ctx.fenced().await?;
            let (found, changes) = store_page::<R>(&mut tx, run, &page).await?;
            for ((record, _), change) in found.iter().zip(&changes) {
                let number = R::number(record);
                if matches!(change, RecordChange::Created | RecordChange::Updated { .. }) {
                    repaired.push(number.to_string());
                }
                seen.insert(number);
            }
            save(&mut tx, ctx, run, &page, records_done, count(&changes)).await?;
            tx.commit().await?;
        }
        Ok::<(), RunError>(())
    };
    let ((), stored) = tokio::join!(reading, storing);
    stored?;

    let mut missing: Vec<R::Number> = local.difference(&seen).cloned().collect();
    let mut found: Vec<Found<R>> = Vec::new();
    if shifted || missing.len() <= VERIFY_UP_TO {
        // The list changed while it was read, so a record may have slipped between two pages:
        // ask for each missing one before deleting it.
        let mut checked = fetch::fetch::<R>(ctx, &missing, Timestamp::now()).await?;
        missing.retain(|n| match checked.results.remove(n) {
            Some(Fetched::Missing) => true,
            Some(Fetched::Found(record)) => {
                found.push(*record);
                false
            }
            Some(Fetched::Failed(_)) | None => false, // not sure: keep it until next time
        });
    }

    let now = Timestamp::now();
    let mut tx = ctx.fenced().await?;
    let mut counts = count(&records::upsert_many::<R>(&mut tx, tenant, &found, now).await?);
    for number in &missing {
        let change = records::soft_delete::<R>(&mut tx, tenant, number, now).await?;
        if change == RecordChange::Deleted {
            counts.deleted += 1;
            repaired.push(number.to_string());
        }
    }
    if settings::get(db, tenant).await?.is_enabled(entity) {
        let since = run.started_at.unwrap_or(now);
        let unreported = sync::unreported_numbers(db, tenant, entity, &repaired, since).await?;
        counts.unreported = unreported.len() as u64;
        if !unreported.is_empty() {
            tracing::warn!(tenant = %tenant, %entity, count = unreported.len(),
                "reconciliation repaired changes that no webhook reported");
        }
    }
    let calls = ctx.take_unrecorded();
    sync::budget::record(&mut tx, tenant, now, calls).await?;
    let last = Page {
        pages_done,
        records_done,
        total: None,
        counts,
        api_calls: calls,
    };
    sync::save_page(&mut tx, run.id, &last, now).await?;
    sync::complete(&mut tx, run, None, now).await?;
    tx.commit().await?;
    Ok(())
}
