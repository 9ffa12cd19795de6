//! One module per kind of job: [`records`] applies customer and product events, [`invoices`]
//! booked-invoice events, [`runs`] sync runs (import, hourly, reconciliation); [`fetch`] is how
//! records are read from e-conomic in bulk.
//!
//! Customers and products take one path, generic over their [`Record`](backend::records::Record)
//! and [`remote::Remote`] types; `by_entity!` is the one place that names the type of each
//! entity.

/// Evaluate `$records` with `$R` the record type of `$entity` (customers, products), or
/// `$invoices` for booked invoices: the one dispatch from an entity to its code.
macro_rules! by_entity {
    ($entity:expr, $R:ident => $records:expr, invoices => $invoices:expr $(,)?) => {
        match $entity {
            economic::Entity::Customers => {
                type $R = backend::records::CustomerRecord;
                $records
            }
            economic::Entity::Products => {
                type $R = backend::records::ProductRecord;
                $records
            }
            economic::Entity::Invoices => $invoices,
        }
    };
}

pub mod fetch;
pub mod invoices;
mod pages;
mod reconcile;
pub mod records;
pub mod remote;
pub mod runs;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use backend::queue::{self, Attempt, Claim, Done, Fenced, Lease};
use backend::sync::budget;
use backend::{Timestamp, connection};
use economic::ClientError;

use crate::environment::Environment;

/// Run one claimed batch to the end: every job finishes processed, failed or dead (or goes
/// back in the queue when the tenant's access is paused).
pub async fn run(env: &Environment, worker: &str, claim: &Claim) -> backend::Result<()> {
    let started_at = Timestamp::now();
    let lease = &claim.lease;
    let Some(grant_token) = connection::grant_token(&env.db, &env.keys, lease.tenant_id).await?
    else {
        // Disconnected since the claim: nothing can be fetched; wait for a new connection.
        let done = paused(claim, "not connected to e-conomic");
        return finish_unstarted(env, worker, lease, started_at, &done).await;
    };
    let ctx = Ctx::new(env, worker, lease, grant_token.expose(), started_at);
    // The API budget: at the limit the events wait (their attempt given back) instead of
    // calling.
    let limit = env.config.sync.daily_call_limit;
    let usage = budget::usage(&env.db, lease.tenant_id, started_at, limit).await?;
    if let Some((reason, until)) = usage.wait(budget::Priority::Live, started_at) {
        let done: Vec<_> = claim
            .jobs
            .iter()
            .map(|j| {
                let reason = reason.clone();
                (j.id, Done::Deferred { reason, until })
            })
            .collect();
        return ctx.finish(&done).await;
    }
    let outcome = run_jobs(&ctx, claim).await;
    let counted = budget::record_now(
        &env.db,
        lease.tenant_id,
        Timestamp::now(),
        ctx.take_unrecorded(),
    )
    .await;
    outcome?;
    counted
}

async fn run_jobs(ctx: &Ctx<'_>, claim: &Claim) -> backend::Result<()> {
    let (env, lease) = (ctx.env, ctx.lease);
    // An event claimed more often than the retry policy allows ended its attempts without an
    // answer each time (its worker died, or the database refused its batch): dead, so that it
    // cannot hold its queue up for ever.
    let max = env.config.retry.max_attempts;
    let (exhausted, jobs): (Vec<queue::Job>, Vec<queue::Job>) =
        claim.jobs.iter().cloned().partition(|j| j.attempts > max);
    if !exhausted.is_empty() {
        let done: Vec<_> = exhausted
            .iter()
            .map(|j| {
                let error = format!(
                    "gave up after {} attempts that did not finish",
                    j.attempts - 1
                );
                (j.id, Done::Dead { error })
            })
            .collect();
        ctx.finish(&done).await?;
    }
    let outcome = by_entity!(lease.entity,
        R => records::run::<R>(ctx, &jobs).await,
        invoices => invoices::run(ctx, &jobs).await,
    );
    match outcome {
        Err(JobError::Unauthorized(reason)) => {
            tracing::warn!(tenant = %lease.tenant_id, reason, "e-conomic refused the grant token; pausing the tenant");
            connection::pause(&env.db, lease.tenant_id, &reason, Timestamp::now()).await?;
            let done = paused(claim, &reason);
            ctx.finish(&done).await
        }
        Err(JobError::Backend(e)) => Err(e),
        Ok(()) => Ok(()),
    }
}

/// What a job run needs: the environment, the lease, the tenant's e-conomic agreement, and a
/// count of the calls made.
pub struct Ctx<'a> {
    env: &'a Environment,
    worker: &'a str,
    lease: &'a Lease,
    agreement: economic::Agreement<'a>,
    calls: AtomicU32,
    unrecorded: AtomicU32,
    started_at: Timestamp,
}

impl<'a> Ctx<'a> {
    fn new(
        env: &'a Environment,
        worker: &'a str,
        lease: &'a Lease,
        grant_token: &'a str,
        started_at: Timestamp,
    ) -> Ctx<'a> {
        Ctx {
            env,
            worker,
            lease,
            agreement: env.economic.agreement(grant_token),
            calls: AtomicU32::new(0),
            unrecorded: AtomicU32::new(0),
            started_at,
        }
    }
}

impl Ctx<'_> {
    /// Count one e-conomic call (every call the job makes goes through here first).
    fn call(&self) -> &economic::Agreement<'_> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.unrecorded.fetch_add(1, Ordering::Relaxed);
        &self.agreement
    }

    /// The calls not yet counted against the API budget; they count as counted from now.
    fn take_unrecorded(&self) -> u32 {
        self.unrecorded.swap(0, Ordering::Relaxed)
    }

    fn calls(&self) -> u32 {
        self.calls.load(Ordering::Relaxed)
    }

    /// How a failed job ends: retried later, or dead after its last attempt.
    fn retry_or_dead(&self, job: &queue::Job, failure: &Failure) -> Done {
        let policy = &self.env.config.retry;
        match (
            failure.retry_at(policy, job.attempts, Timestamp::now()),
            failure,
        ) {
            (Some(at), _) => Done::Retry {
                error: failure.message(),
                at,
            },
            (None, Failure::Permanent(_)) => Done::Dead {
                error: failure.message(),
            },
            (None, Failure::Retryable { .. }) => Done::Dead {
                error: format!("{} (after {} attempts)", failure.message(), job.attempts),
            },
        }
    }

    /// Begin a write transaction under this job's lease (checked and extended now): the only
    /// kind the queue's and the records' writes accept.
    async fn fenced(&self) -> backend::Result<Fenced> {
        fenced(self.env, self.lease).await
    }

    /// This batch's attempt, ending now, with the calls made so far.
    fn attempt(&self) -> Attempt<'_> {
        Attempt::ending_now(self.worker, self.started_at, self.calls())
    }

    /// Commit how these jobs ended (with no record writes), fenced by the lease.
    async fn finish(&self, done: &[(backend::events::EventId, Done)]) -> backend::Result<()> {
        let mut tx = self.fenced().await?;
        queue::finish(&mut tx, &self.attempt(), done).await?;
        tx.commit().await
    }
}

/// A write transaction under `lease`, checked and extended now.
async fn fenced(env: &Environment, lease: &Lease) -> backend::Result<Fenced> {
    Fenced::begin(&env.db, lease, Timestamp::now(), env.lease()).await
}

/// Commit how these jobs ended when no [`Ctx`] exists (the tenant disconnected before the
/// batch began): no calls were made.
async fn finish_unstarted(
    env: &Environment,
    worker: &str,
    lease: &Lease,
    started_at: Timestamp,
    done: &[(backend::events::EventId, Done)],
) -> backend::Result<()> {
    let mut tx = fenced(env, lease).await?;
    queue::finish(&mut tx, &Attempt::ending_now(worker, started_at, 0), done).await?;
    tx.commit().await
}

fn paused(claim: &Claim, reason: &str) -> Vec<(backend::events::EventId, Done)> {
    claim
        .jobs
        .iter()
        .map(|j| {
            let reason = reason.to_owned();
            (j.id, Done::Paused { reason })
        })
        .collect()
}

/// Why fetching a record failed, as the retry policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// It may work later (5xx, 429, a timeout, a broken connection).
    Retryable {
        /// What went wrong.
        error: String,
        /// What e-conomic asked us to wait (429).
        retry_after: Option<Duration>,
    },
    /// It will not work as it is (another 4xx, a response we cannot decode).
    Permanent(String),
}

impl Failure {
    /// When to try again after `attempts` (events and sync runs alike); `None`: give up, the
    /// failure is permanent or that was the last attempt.
    fn retry_at(
        &self,
        policy: &crate::RetryPolicy,
        attempts: u32,
        now: Timestamp,
    ) -> Option<Timestamp> {
        let Failure::Retryable { retry_after, .. } = self else {
            return None;
        };
        let delay = policy.delay(attempts, *retry_after)?;
        Some(now + time::Duration::try_from(delay).unwrap_or_default())
    }

    fn message(&self) -> String {
        match self {
            Failure::Retryable { error, .. } | Failure::Permanent(error) => error.clone(),
        }
    }
}

/// A job that cannot go on: the tenant's token was refused, or the database failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// 401/403 from e-conomic: the grant token was revoked; the tenant's work pauses.
    #[error("e-conomic refused the grant token: {0}")]
    Unauthorized(String),
    /// The database (or a lost lease).
    #[error(transparent)]
    Backend(#[from] backend::Error),
}

/// Sort a client error: `Ok(None)` for 404 (the record is gone), `Err` when the whole job must
/// stop (401/403), otherwise the failure of this record.
fn classify(error: ClientError) -> Result<Option<Failure>, JobError> {
    let message = error.to_string();
    Ok(Some(match error {
        ClientError::NotFound(_) => return Ok(None),
        ClientError::Unauthorized { .. } => return Err(JobError::Unauthorized(message)),
        ClientError::RateLimited { retry_after } => Failure::Retryable {
            error: message,
            retry_after,
        },
        ClientError::Server { .. } | ClientError::Timeout | ClientError::Connect(_) => {
            Failure::Retryable {
                error: message,
                retry_after: None,
            }
        }
        ClientError::Rejected { .. } | ClientError::Decode(_) | ClientError::InvalidRequest(_) => {
            Failure::Permanent(message)
        }
    }))
}
