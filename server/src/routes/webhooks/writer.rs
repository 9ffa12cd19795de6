//! Group commit for webhook events: requests hand their event to the writer task and wait; the
//! writer stores everything queued in ONE transaction and acknowledges each request after the
//! commit. Many requests share one commit, and SQLite sees one writer instead of many competing
//! for its lock.
//!
//! After each commit that stored events to apply, the writer rings the workers of this process
//! and the announcer that tells other processes ([`Wake`]); ringing costs a request nothing.
//!
//! One writer on PostgreSQL too: while it commits, the next batch queues up, so batches grow
//! with the load and the per-commit cost is shared by more events. Measured against 2 and 4
//! writers on PostgreSQL (server/BENCHMARKS.md), one stored the most events per second.

use std::sync::Arc;
use std::time::Duration;

use std::future::Future;

use backend::events::{self, EventId, EventStatus, NewEvent};
use backend::queue::Signal;
use backend::{Conn, CrossTenant, Db, TenantId};
use tokio::sync::{mpsc, oneshot};

/// Most events in one transaction.
const MAX_BATCH: usize = 512;
/// Events queued before senders wait (back-pressure instead of unbounded memory).
const QUEUE: usize = 8192;
/// How long the writer keeps its connection with nothing to write.
const KEEP_IDLE_CONNECTION: Duration = Duration::from_secs(1);

/// What a request gets back: the event's id once committed, or why it is not stored.
pub type Outcome = Result<EventId, Failure>;

/// Why an event was not stored.
#[derive(Debug, Clone)]
pub enum Failure {
    /// The batch's transaction failed (shared by every event of the batch).
    Db(Arc<backend::Error>),
    /// The writer has stopped (server shutting down).
    Stopped,
}

struct Job {
    tenant_id: TenantId,
    event: NewEvent,
    done: oneshot::Sender<Outcome>,
}

/// Who to tell when events to apply were committed.
#[derive(Debug, Clone, Default)]
pub struct Wake {
    /// This process's workers.
    pub workers: Signal,
    /// The task that notifies other processes (PostgreSQL).
    pub others: Signal,
}

/// The handle requests use; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// The handle, and the writer task for start-up to run. The task ends once every handle
    /// is dropped (the server stopped) and what was queued is stored.
    pub fn new(db: Db, wake: Wake) -> (Writer, impl Future<Output = ()> + Send + 'static) {
        let (jobs, receiver) = mpsc::channel(QUEUE);
        (Writer { jobs }, run(db, receiver, wake))
    }

    /// Store `event`; returns once it is committed (or failed).
    pub async fn store(&self, tenant_id: TenantId, event: NewEvent) -> Outcome {
        let (done, outcome) = oneshot::channel();
        let job = Job {
            tenant_id,
            event,
            done,
        };
        if self.jobs.send(job).await.is_err() {
            return Err(Failure::Stopped);
        }
        outcome.await.unwrap_or(Err(Failure::Stopped))
    }
}

async fn run(db: Db, mut receiver: mpsc::Receiver<Job>, wake: Wake) {
    // Kept while batches keep coming (each then skips the pool's checkout and health check),
    // given back to the pool after [`KEEP_IDLE_CONNECTION`] without one, so that an idle server
    // holds no connection outside the pool's care (idle timeout, health check, replacement).
    let mut conn: Option<Conn> = None;
    loop {
        let mut batch = Vec::new();
        // `recv_many` is cancel safe: a wait that times out has taken no job.
        let next = receiver.recv_many(&mut batch, MAX_BATCH);
        let received = match tokio::time::timeout(KEEP_IDLE_CONNECTION, next).await {
            Ok(received) => received,
            Err(_idle) => {
                conn = None;
                receiver.recv_many(&mut batch, MAX_BATCH).await
            }
        };
        if received == 0 {
            return; // every sender is gone: the server stopped
        }
        let outcomes = match store(&db, &mut conn, &batch).await {
            Ok(ids) => ids.into_iter().map(Ok).collect(),
            Err(e) if e.is_refused_by_database() && batch.len() > 1 => {
                // One event the database refuses must not fail the others (of any tenant) that
                // shared its transaction: each alone, so only that one fails.
                tracing::warn!(error = ?e, events = batch.len(), "batch refused; storing one by one");
                let mut outcomes = Vec::with_capacity(batch.len());
                for job in &batch {
                    let stored = store(&db, &mut conn, std::slice::from_ref(job)).await;
                    outcomes.push(stored.map(|ids| ids[0]).map_err(failed));
                }
                outcomes
            }
            Err(e) => {
                let e = failed(e);
                vec![Err(e); batch.len()]
            }
        };
        let to_apply = batch
            .iter()
            .zip(&outcomes)
            .any(|(job, outcome)| outcome.is_ok() && job.event.status == EventStatus::Received);
        for (job, outcome) in batch.into_iter().zip(outcomes) {
            let _ = job.done.send(outcome);
        }
        if to_apply {
            wake.workers.notify();
            wake.others.notify();
        }
    }
}

/// A storage failure, logged once, shared by the requests it fails.
fn failed(e: backend::Error) -> Failure {
    tracing::error!(error = ?e, "storing webhook events failed");
    Failure::Db(Arc::new(e))
}

/// Store one batch on the kept connection, taking one from the pool if there is none.
async fn store(db: &Db, conn: &mut Option<Conn>, batch: &[Job]) -> backend::Result<Vec<EventId>> {
    let items: Vec<(TenantId, &NewEvent)> = batch.iter().map(|j| (j.tenant_id, &j.event)).collect();
    if db.is_closed() {
        // A kept connection outlives `Db::close`; closed must mean no more writes.
        *conn = None;
    }
    let kept = conn.is_some();
    let result = on_connection(db, conn, &items).await;
    match result {
        // A kept connection may have died since its last batch (a database restart, a
        // failover): once more on a fresh one before e-conomic gets a 503. Should the first
        // attempt have committed after all, the event is stored twice, as it would be after
        // e-conomic's own retry; processing is idempotent.
        Err(e) if kept && !e.is_refused_by_database() => {
            tracing::warn!(error = ?e, "kept database connection failed; retrying on a new one");
            on_connection(db, conn, &items).await
        }
        result => result,
    }
}

/// One attempt on `conn` (or a new connection); a failed connection is not kept.
async fn on_connection(
    db: &Db,
    conn: &mut Option<Conn>,
    items: &[(TenantId, &NewEvent)],
) -> backend::Result<Vec<EventId>> {
    let held = match conn {
        Some(held) => held,
        None => conn.insert(db.acquire_cross_tenant(CrossTenant::WebhookIngest).await?),
    };
    let result = events::ingest_batch(held, items).await;
    if result.is_err() {
        *conn = None;
    }
    result
}

#[cfg(test)]
mod tests {
    use backend::events::EventStatus;
    use backend::{Timestamp, db_test};
    use economic::{CustomerNumber, Entity, RecordNumber, WebhookAction};

    use super::*;

    fn event(n: i64) -> NewEvent {
        let number = RecordNumber::Customer(CustomerNumber::new(n).expect("number"));
        NewEvent {
            kind: Entity::Customers,
            status: EventStatus::Received,
            action: Some(WebhookAction::Updated(number)),
            content_type: None,
            raw_query: None,
            raw_body: format!("{n}&{n}").into_bytes(),
            reason: None,
            received_at: Timestamp::now(),
        }
    }

    db_test!(an_event_the_database_refuses_fails_alone, |db| async move {
        let tenant = backend::testing::owner(&db, "acme").await.tenant_id;
        // A tenant that does not exist (deleted meanwhile, say): its rows break the
        // foreign key, and so would every batch they are part of.
        let ghost = TenantId::new(tenant.get() + 1000);
        let (writer, task) = Writer::new(db.clone(), Wake::default());
        let task = tokio::spawn(task);

        // Sent all at once, so that batches mix both.
        let stores = (1..=100).map(|n| {
            let target = if n % 2 == 0 { ghost } else { tenant };
            writer.store(target, event(n))
        });
        let outcomes = futures::future::join_all(stores).await;

        for (n, outcome) in (1..=100).zip(&outcomes) {
            match (n % 2 == 0, outcome) {
                (true, Err(Failure::Db(e))) => assert!(e.is_refused_by_database()),
                (false, Ok(_)) => {}
                (ghost, other) => panic!("event {n} (ghost: {ghost}): {other:?}"),
            }
        }
        let stored = backend::events::count(&db, tenant).await.expect("count");
        assert_eq!(stored, 50);
        drop(writer);
        task.await
            .expect("the writer stops once its handles are gone");
    });
}
