//! Reading one of e-conomic's lists for a sync run: 1000 records a page, the next pages
//! requested while the one before is stored, pages handed over in order.

use backend::Timestamp;
use economic::{Entity, Filter};
use futures::StreamExt;
use serde_json::Value;
use tokio::sync::mpsc::Receiver;

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
