//! A sync run's pages: reading one of e-conomic's lists (1000 records a page, the next pages
//! requested while the one before is stored, pages handed over in order), and storing a page
//! with its progress — what the import, the hourly sync, the reconciliation and the invoices'
//! import share.

use backend::Timestamp;
use backend::queue::Fenced;
use backend::records::{self, RecordChange};
use backend::sync::{self, Counts, Page, Run, budget};
use economic::{Entity, Filter};
use futures::StreamExt;
use serde_json::Value;
use tokio::sync::mpsc::Receiver;

use super::fetch::{self, Found};
use super::remote::Remote;
use super::{Ctx, Failure, JobError, classify};

/// Pages requested ahead of the one being stored.
const PREFETCH: usize = 3;

/// One page of a list, as read.
pub(super) struct ListPage {
    /// Its index (`skippages`).
    pub skip: u32,
    /// Its records, as sent.
    pub records: Vec<Value>,
    /// `pagination.results` when this page was read.
    pub results: u64,
    /// No page follows.
    pub last: bool,
    /// When its request was sent: what it holds was true at least then.
    pub fetched_at: Timestamp,
}

/// Which list to read.
pub(super) struct List<'f> {
    /// Whose list.
    pub entity: Entity,
    /// Its filter.
    pub filter: Option<&'f Filter>,
    /// Its order (`lastUpdated` for incremental runs).
    pub sort: Option<&'static str>,
    /// e-conomic calls this read may make before it must stop for the API budget.
    pub allowance: u64,
}

/// Why a run stopped before its end.
#[derive(Debug)]
pub(super) enum RunError {
    /// A call failed; the run may work later (or not).
    Failed(Failure),
    /// The tenant's token was refused.
    Unauthorized(String),
    /// The API budget is spent for this run's priority.
    Budget,
    /// The database, or the lease was lost.
    Backend(backend::Error),
}

impl From<backend::Error> for RunError {
    fn from(e: backend::Error) -> Self {
        RunError::Backend(e)
    }
}

impl From<JobError> for RunError {
    fn from(e: JobError) -> Self {
        match e {
            JobError::Unauthorized(reason) => RunError::Unauthorized(reason),
            JobError::Backend(e) => RunError::Backend(e),
        }
    }
}

/// Read `list` from page `from` to its end: drive the returned future and, beside it (with
/// `tokio::join!`), take the pages from the receiver in order and store them. Pages are read
/// ahead while the one before is stored. After an error the reading stops; a dropped receiver
/// stops it too.
pub(super) fn reader<'a>(
    ctx: &'a Ctx<'_>,
    list: &'a List<'_>,
    from: u32,
) -> (
    Receiver<Result<ListPage, RunError>>,
    impl Future<Output = ()> + 'a,
) {
    let (sender, receiver) = tokio::sync::mpsc::channel(PREFETCH);
    let producer = async move {
        let first = fetch(ctx, list, from).await;
        let (mut more, pages) = match &first {
            Ok(page) => (
                !page.last,
                u32::try_from(
                    page.results
                        .div_ceil(u64::from(economic::client::LIST_PAGE_SIZE)),
                )
                .unwrap_or(u32::MAX),
            ),
            Err(_) => (false, 0),
        };
        if sender.send(first).await.is_err() || !more {
            return;
        }
        let mut next = from + 1;
        let mut ahead = futures::stream::iter(next..pages.max(next))
            .map(|skip| fetch(ctx, list, skip))
            .buffered(PREFETCH);
        while let Some(page) = ahead.next().await {
            more = matches!(&page, Ok(p) if !p.last);
            next += 1;
            if sender.send(page).await.is_err() || !more {
                return;
            }
        }
        // More pages than the first page's count promised (records were added meanwhile).
        while more {
            let page = fetch(ctx, list, next).await;
            more = matches!(&page, Ok(p) if !p.last);
            next += 1;
            if sender.send(page).await.is_err() {
                return;
            }
        }
    };
    (receiver, producer)
}

async fn fetch(ctx: &Ctx<'_>, list: &List<'_>, skip: u32) -> Result<ListPage, RunError> {
    if u64::from(ctx.calls()) >= list.allowance {
        return Err(RunError::Budget);
    }
    let fetched_at = Timestamp::now();
    let size = economic::client::LIST_PAGE_SIZE;
    let page = ctx
        .call()
        .list_page_json(list.entity, skip, size, list.filter, list.sort)
        .await;
    match page {
        Ok(page) => Ok(ListPage {
            skip,
            last: page.pagination.next_page.is_none() || page.collection.is_empty(),
            results: page.pagination.results,
            records: page.collection,
            fetched_at,
        }),
        Err(e) => Err(match classify(e)? {
            Some(failure) => RunError::Failed(failure),
            None => RunError::Failed(Failure::Permanent(format!(
                "e-conomic answered 404 to the {} list",
                list.entity
            ))),
        }),
    }
}

/// Upsert a page's records under the lease; returns them with what each one changed.
pub(super) async fn store_page<R: Remote>(
    tx: &mut Fenced,
    run: &Run,
    page: &ListPage,
) -> backend::Result<(Vec<Found<R>>, Vec<RecordChange>)> {
    let found: Vec<Found<R>> = decode_all::<R>(&page.records);
    let changes = records::upsert_many::<R>(tx, run.tenant_id, &found, page.fetched_at).await?;
    Ok((found, changes))
}

/// Save a page's progress and the calls made for it, in the page's transaction.
pub(super) async fn save(
    tx: &mut Fenced,
    ctx: &Ctx<'_>,
    run: &Run,
    page: &ListPage,
    records_done: u64,
    counts: Counts,
) -> backend::Result<()> {
    let now = Timestamp::now();
    let calls = ctx.take_unrecorded();
    budget::record(tx, run.tenant_id, now, calls).await?;
    let progress = Page {
        pages_done: page.skip + 1,
        records_done,
        total: Some(page.results),
        counts,
        api_calls: calls,
    };
    sync::save_page(tx, run.id, &progress, now).await
}

/// Decode a page's records; one that cannot be read is skipped (and logged), the rest stored.
fn decode_all<R: Remote>(raw: &[Value]) -> Vec<Found<R>> {
    raw.iter()
        .filter_map(|r| match fetch::decode::<R>(r.clone()) {
            Ok((_, found)) => Some(found),
            Err((number, error)) => {
                tracing::warn!(
                    ?number,
                    error,
                    "skipping a record the sync run could not read"
                );
                None
            }
        })
        .collect()
}

/// What a list of record changes adds up to.
pub(super) fn count(changes: &[RecordChange]) -> Counts {
    let mut counts = Counts::default();
    for change in changes {
        match change {
            RecordChange::Created => counts.created += 1,
            RecordChange::Updated { .. } => counts.updated += 1,
            RecordChange::Deleted => counts.deleted += 1,
            RecordChange::Unchanged | RecordChange::Gone => {}
        }
    }
    counts
}
