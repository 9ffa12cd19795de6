//! The worker loop: claim a queue, run its batch while a heartbeat keeps the lease, give the
//! lease back; when there is nothing to do, sleep until ingest rings or the poll interval ends.

use std::sync::atomic::{AtomicU64, Ordering};

use backend::queue::{self, Lease};
use backend::sync;
use backend::{Error, Timestamp};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::environment::Environment;
use crate::jobs;

/// One worker: claims one queue at a time.
#[derive(Debug, Clone)]
pub struct Worker {
    env: Environment,
    id: String,
}

/// The shortest time between two looks for work of an idle worker.
const IDLE_LOOK_GAP: std::time::Duration = std::time::Duration::from_millis(25);

/// Makes worker ids unique within the process; the process id and a random suffix make them
/// unique across processes (a reused id could steal a live twin's claims).
static NEXT: AtomicU64 = AtomicU64::new(1);

impl Worker {
    /// A worker with a fresh, unique id.
    pub fn new(env: Environment) -> Worker {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let id = format!(
            "{}-{n}-{:04x}@{}",
            std::process::id(),
            rand::random::<u16>(),
            hostname()
        );
        Worker { env, id }
    }

    /// This worker's id, as recorded in attempts.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Work until `stop` is cancelled. A batch in progress then gets
    /// [`crate::WorkerConfig::shutdown_grace`] to finish; what it has not finished goes back in
    /// the queue for another worker.
    pub async fn run(self, stop: CancellationToken) {
        // Every line this worker logs, its batches' included, says which worker it was.
        let span = tracing::info_span!("worker", worker = %self.id);
        self.work(stop).instrument(span).await;
    }

    async fn work(self, stop: CancellationToken) {
        tracing::info!(worker = %self.id, "worker started");
        while !stop.is_cancelled() {
            let looked = std::time::Instant::now();
            match self.run_once(&stop).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::error!(worker = %self.id, error = ?e, "worker failed"),
            }
            tokio::select! {
                () = stop.cancelled() => break,
                () = self.env.signal.notified() => {}
                () = tokio::time::sleep(self.env.config.poll) => {}
            }
            // Ingest rings after every commit, up to thousands of times a second in a burst of
            // another tenant's (or an unconnected tenant's) events: as many empty claims would
            // take the database from ingest (PostgreSQL ingest under wrk fell from 24-28% of the
            // bare handler to 8-14%). Look again at most every IDLE_LOOK_GAP.
            let since = looked.elapsed();
            if since < IDLE_LOOK_GAP {
                tokio::time::sleep(IDLE_LOOK_GAP - since).await;
            }
        }
        tracing::info!(worker = %self.id, "worker stopped");
    }

    /// Claim one queue and run its work: a due sync run first (runs are few, and a queue's
    /// events wait only while its run reads), else a batch of events. Returns whether there
    /// was work.
    pub async fn run_once(&self, stop: &CancellationToken) -> backend::Result<bool> {
        let env = &self.env;
        if let Some(claim) = sync::claim(&env.db, &self.id, Timestamp::now(), env.lease()).await? {
            let outcome = self
                .with_heartbeat(&claim.lease, stop, jobs::runs::run(env, &self.id, &claim))
                .await;
            // A run cut short (shutdown, a database error, a lost lease) stays `running` and is
            // resumed by the next claim, from the page after the last one stored.
            let released = queue::release(&env.db, &claim.lease, Timestamp::now(), false).await;
            self.report(outcome, &claim.lease)?;
            released?;
            return Ok(true);
        }
        let claimed = queue::claim(
            &env.db,
            &self.id,
            Timestamp::now(),
            env.lease(),
            env.config.batch,
        )
        .await?;
        let Some(claim) = claimed else {
            return Ok(false);
        };
        let outcome = self
            .with_heartbeat(&claim.lease, stop, jobs::run(env, &self.id, &claim))
            .await;
        // Always given back: what the batch finished is committed, the rest is requeued — with
        // its attempt given back only when the batch was cut short by shutdown; after a failure
        // the attempt stays used, so a batch that always fails ends dead instead of looping.
        let refund = outcome.is_ok();
        let released = queue::release(&env.db, &claim.lease, Timestamp::now(), refund).await;
        self.report(outcome, &claim.lease)?;
        released?;
        Ok(true)
    }

    /// A lost lease is no error of this worker's: another has taken over.
    fn report(&self, outcome: backend::Result<()>, lease: &Lease) -> backend::Result<()> {
        match outcome {
            Err(Error::LeaseLost) => {
                tracing::warn!(worker = %self.id, tenant = %lease.tenant_id,
                    entity = %lease.entity, "lease lost; another worker takes over");
                Ok(())
            }
            other => other,
        }
    }

    /// The work, beside a heartbeat that renews the lease every third of its length; whichever
    /// ends first ends both (a lost lease cancels the work at its next await).
    async fn with_heartbeat(
        &self,
        lease: &Lease,
        stop: &CancellationToken,
        work: impl Future<Output = backend::Result<()>>,
    ) -> backend::Result<()> {
        let env = &self.env;
        let heartbeat = async {
            loop {
                tokio::time::sleep(env.config.lease / 3).await;
                queue::renew(&env.db, lease, Timestamp::now(), env.lease()).await?;
            }
        };
        let deadline = async {
            stop.cancelled().await;
            tokio::time::sleep(env.config.shutdown_grace).await;
        };
        tokio::select! {
            done = work => done,
            lost = heartbeat => lost,
            () = deadline => {
                tracing::warn!(worker = %self.id, "stopping mid-batch; the rest goes back in the queue");
                Ok(())
            }
        }
    }
}

/// Run every job that is due now, one batch at a time, until none is left (tests, and the
/// benchmark's single-shot mode). Returns how many batches ran.
pub async fn run_pending_jobs(env: &Environment) -> backend::Result<usize> {
    let worker = Worker::new(env.clone());
    let never = CancellationToken::new();
    let mut batches = 0;
    while worker.run_once(&never).await? {
        batches += 1;
    }
    Ok(batches)
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "worker".to_owned())
}
