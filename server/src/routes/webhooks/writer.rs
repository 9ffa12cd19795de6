//! Group commit for webhook events: requests hand their event to a writer task and wait; the
//! writer stores everything queued in ONE transaction and acknowledges each request after the
//! commit. Many requests share one commit, and SQLite sees one writer instead of many competing
//! for its lock.

use std::sync::Arc;

use backend::events::{self, EventId, NewEvent};
use backend::{Db, TenantId};
use tokio::sync::{Mutex, mpsc, oneshot};

/// Most events in one transaction.
const MAX_BATCH: usize = 512;
/// Events queued before senders wait (back-pressure instead of unbounded memory).
const QUEUE: usize = 8192;

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

/// The handle requests use; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Start the writer tasks on the current runtime: one on SQLite (it has one writer anyway),
    /// a few on PostgreSQL (commits there run in parallel).
    pub fn start(db: Db) -> Writer {
        let (jobs, receiver) = mpsc::channel(QUEUE);
        let receiver = Arc::new(Mutex::new(receiver));
        let tasks = if db.backend_name() == "sqlite" { 1 } else { 4 };
        for _ in 0..tasks {
            tokio::spawn(run(db.clone(), receiver.clone()));
        }
        Writer { jobs }
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

async fn run(db: Db, receiver: Arc<Mutex<mpsc::Receiver<Job>>>) {
    loop {
        let mut batch = Vec::new();
        {
            // Held while draining only, never while writing: the other writers take the next
            // batch meanwhile.
            let mut receiver = receiver.lock().await;
            if receiver.recv_many(&mut batch, MAX_BATCH).await == 0 {
                return; // every sender is gone: the server stopped
            }
        }
        let items: Vec<(TenantId, &NewEvent)> =
            batch.iter().map(|j| (j.tenant_id, &j.event)).collect();
        let result = events::ingest_many(&db, &items).await;
        drop(items);
        match result {
            Ok(ids) => {
                for (job, id) in batch.into_iter().zip(ids) {
                    let _ = job.done.send(Ok(id));
                }
            }
            Err(e) => {
                tracing::error!(error = ?e, events = batch.len(), "storing webhook events failed");
                let e = Failure::Db(Arc::new(e));
                for job in batch {
                    let _ = job.done.send(Err(e.clone()));
                }
            }
        }
    }
}
