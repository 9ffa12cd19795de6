//! Customer and product events: group the batch by record, skip what a later fetch already
//! covers, fetch the rest ([`super::fetch`]), and apply each record once — renumberings move the
//! local record (it keeps its id, stock and history), a record e-conomic no longer has is
//! soft-deleted — then finish the events, all in fenced transactions of [`GROUPS_PER_TX`]
//! records. One path for every kind of record ([`Remote`]).

use std::collections::HashMap;

use backend::events::Outcome;
use backend::queue::{self, Attempt, Done, Job};
use backend::records;
use backend::{Timestamp, Tx};
use economic::{RecordNumber, WebhookAction};

use super::fetch::{self, Fetched, Found};
use super::remote::Remote;
use super::{Ctx, Failure, JobError};

/// Records applied per transaction: big enough that a 100,000-record backlog is a hundred
/// commits, small enough that each holds the write lock only briefly.
const GROUPS_PER_TX: usize = 1000;

/// What one event asks of its record.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step<N> {
    /// Created or updated: re-fetch it.
    Refresh(N),
    /// Deleted: re-fetch it (it may be back), soft-delete it if not.
    Delete(N),
    /// Renumbered: move the local record, then re-fetch it at its new number.
    Renumber { old: N, new: N },
}

impl<N> Step<N> {
    /// The step of `action`, with numbers as `number` reads them; `None` when an action or a
    /// number is not of this queue's entity.
    fn of(action: &WebhookAction, number: impl Fn(&RecordNumber) -> Option<N>) -> Option<Self> {
        Some(match action {
            WebhookAction::Created(n) | WebhookAction::Updated(n) => Step::Refresh(number(n)?),
            WebhookAction::Deleted(n) => Step::Delete(number(n)?),
            WebhookAction::Renumbered { old, new } => Step::Renumber {
                old: number(old)?,
                new: number(new)?,
            },
            WebhookAction::InvoiceBooked(_) => return None,
        })
    }

    /// The record this step leaves to re-fetch: the events of one record group under it.
    fn key(&self) -> &N {
        match self {
            Step::Refresh(n) | Step::Delete(n) => n,
            Step::Renumber { new, .. } => new,
        }
    }
}

/// The events of one record in this batch, oldest first; the newest does the work, the others
/// are folded into it.
struct Group<'a, N> {
    key: N,
    jobs: Vec<&'a Job>,
    renumbers: Vec<(N, N)>,
    only_refreshes: bool,
    newest: Timestamp,
}

/// Apply a batch of events of `R`'s entity.
pub async fn run<R: Remote>(ctx: &Ctx<'_>, jobs: &[Job]) -> Result<(), JobError> {
    let entity = R::ENTITY;
    let mut unreadable = Vec::new();
    let mut groups: Vec<Group<'_, R::Number>> = Vec::new();
    let mut index: HashMap<R::Number, usize> = HashMap::new();
    for job in jobs {
        let step = job
            .action
            .as_ref()
            .and_then(|a| Step::of(a, R::number_in_webhook));
        let Some(step) = step else {
            let error = format!("the stored event is not a {entity} change this queue can apply");
            unreadable.push((job.id, Done::Dead { error }));
            continue;
        };
        let at = *index.entry(step.key().clone()).or_insert_with(|| {
            groups.push(Group {
                key: step.key().clone(),
                jobs: Vec::new(),
                renumbers: Vec::new(),
                only_refreshes: true,
                newest: job.received_at,
            });
            groups.len() - 1
        });
        let group = &mut groups[at];
        group.jobs.push(job);
        group.newest = group.newest.max(job.received_at);
        match step {
            Step::Refresh(_) => {}
            Step::Delete(_) => group.only_refreshes = false,
            Step::Renumber { old, new } => {
                group.only_refreshes = false;
                group.renumbers.push((old, new));
            }
        }
    }
    if !unreadable.is_empty() {
        ctx.finish(&unreadable).await?;
    }

    let fresh = up_to_date::<R>(ctx, &groups).await?;
    let needed: Vec<R::Number> = groups
        .iter()
        .filter(|g| !fresh.contains_key(&g.key))
        .map(|g| g.key.clone())
        .collect();
    let oldest = jobs
        .iter()
        .map(|j| j.received_at)
        .min()
        .unwrap_or_else(Timestamp::now);
    let newest = jobs.iter().map(|j| j.received_at).max().unwrap_or(oldest);
    if is_burst(jobs.len(), oldest, newest, Timestamp::now()) {
        settle(ctx).await?;
    }
    let synced_at = Timestamp::now();
    let fetched = if needed.is_empty() {
        fetch::Fetch::default()
    } else {
        fetch::fetch::<R>(ctx, &needed, oldest).await?
    };

    let tenant = ctx.lease.tenant_id;
    let mut extra = Some(fetched.extra.as_slice());
    for chunk in groups.chunks(GROUPS_PER_TX) {
        let mut tx = ctx.env.db.begin(tenant).await?;
        queue::fence(&mut tx, ctx.lease, Timestamp::now(), ctx.env.lease()).await?;
        if let Some(extra) = extra.take() {
            // No event to finish for these.
            records::upsert_many::<R>(&mut tx, tenant, extra, synced_at).await?;
        }
        let outcomes = apply::<R>(&mut tx, ctx, chunk, &fresh, &fetched.results, synced_at).await?;
        let mut done = Vec::new();
        for (group, outcome) in chunk.iter().zip(outcomes) {
            let Some((lead, folded)) = group.jobs.split_last() else {
                continue;
            };
            match outcome {
                Ok(outcome) => {
                    done.push((lead.id, Done::Processed(outcome)));
                    done.extend(
                        folded
                            .iter()
                            .map(|j| (j.id, Done::Coalesced { into: lead.id })),
                    );
                }
                Err(failure) => {
                    done.extend(
                        group
                            .jobs
                            .iter()
                            .map(|j| (j.id, ctx.retry_or_dead(j, &failure))),
                    );
                }
            }
        }
        let attempt = Attempt {
            worker: ctx.worker,
            started_at: ctx.started_at,
            finished_at: Timestamp::now(),
            api_calls: ctx.calls(),
        };
        queue::finish(&mut tx, ctx.lease, &attempt, &done).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// While a burst (a CSV import: one webhook per record, thousands a second) is still arriving,
/// wait until it stops: one sweep afterwards covers the whole import, and the events of later
/// batches are then up to date already and cost no call. A sweep started mid-burst would have
/// to be repeated for everything that arrived after it began, and its writes would slow the
/// acknowledgements of the rest.
async fn settle(ctx: &Ctx<'_>) -> backend::Result<()> {
    let (db, tenant) = (&ctx.env.db, ctx.lease.tenant_id);
    let deadline = std::time::Instant::now() + BURST_WAIT;
    let mut before = backend::events::waiting(db, tenant).await?;
    while std::time::Instant::now() < deadline {
        tokio::time::sleep(BURST_QUIET).await;
        let now = backend::events::waiting(db, tenant).await?;
        if now == before {
            break;
        }
        before = now;
    }
    Ok(())
}

/// Whether a batch of `events` received between `oldest` and `newest` is part of a burst that
/// is still arriving. The rate is judged over the batch's own time span, not over the last
/// second before the claim: a first claim of 150 events made 0.1 s into an import is a burst
/// too (counting only "the last second" let it start a full sweep mid-burst, and every later
/// batch swept again). A batch whose newest event is older than a second belongs to a burst
/// that is over, or to a backlog: waiting would only delay it.
fn is_burst(events: usize, oldest: Timestamp, newest: Timestamp, now: Timestamp) -> bool {
    if events < BURST_MIN_EVENTS || newest < now - time::Duration::SECOND {
        return false;
    }
    let span_ms = newest.duration_since(oldest).whole_milliseconds().max(1);
    i128::try_from(events).unwrap_or(i128::MAX) * 1000 / span_ms >= BURST_RATE
}

/// Events per second, over a batch's own span, from which on it is a burst: a steady stream
/// of single edits (tens a second) stays far below.
const BURST_RATE: i128 = 200;
/// Fewer events than this are never a burst, however close together (two edits in the same
/// millisecond are not an import).
const BURST_MIN_EVENTS: usize = 50;
/// No new event for this long: the burst is over.
const BURST_QUIET: std::time::Duration = std::time::Duration::from_millis(500);
/// The longest a batch waits for a burst to end (its lease is renewed meanwhile).
const BURST_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

/// Groups whose record was fetched after their newest event arrived: the change they announce
/// is in already. Only plain refreshes qualify; a delete or renumbering is always applied.
async fn up_to_date<R: Remote>(
    ctx: &Ctx<'_>,
    groups: &[Group<'_, R::Number>],
) -> backend::Result<HashMap<R::Number, Timestamp>> {
    let candidates: Vec<&Group<'_, R::Number>> =
        groups.iter().filter(|g| g.only_refreshes).collect();
    let numbers: Vec<R::Number> = candidates.iter().map(|g| g.key.clone()).collect();
    let synced = records::synced_at::<R>(&ctx.env.db, ctx.lease.tenant_id, &numbers).await?;
    Ok(candidates
        .iter()
        .filter_map(|g| {
            let at = synced.get(&g.key)?;
            (*at > g.newest).then(|| (g.key.clone(), *at))
        })
        .collect())
}

/// Apply each group in order; returns its outcome, or why it failed.
async fn apply<R: Remote>(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    groups: &[Group<'_, R::Number>],
    fresh: &HashMap<R::Number, Timestamp>,
    fetched: &HashMap<R::Number, Fetched<R>>,
    synced_at: Timestamp,
) -> backend::Result<Vec<Result<Outcome, Failure>>> {
    let tenant = ctx.lease.tenant_id;
    let mut outcomes: Vec<Option<Result<Outcome, Failure>>> = Vec::with_capacity(groups.len());
    let mut found: Vec<(usize, Option<String>, &Found<R>)> = Vec::new();
    for (i, group) in groups.iter().enumerate() {
        if fresh.contains_key(&group.key) {
            outcomes.push(Some(Ok(Outcome::UpToDate)));
            continue;
        }
        let mut renumbered_from = None;
        for (old, new) in &group.renumbers {
            if records::renumber::<R>(tx, tenant, old, new, synced_at).await? {
                renumbered_from = Some(old.to_string());
            }
        }
        outcomes.push(match fetched.get(&group.key) {
            Some(Fetched::Found(record)) => {
                found.push((i, renumbered_from, record));
                None
            }
            Some(Fetched::Missing) => {
                let change = records::soft_delete::<R>(tx, tenant, &group.key, synced_at).await?;
                Some(Ok(Outcome::Record {
                    renumbered_from,
                    change,
                }))
            }
            Some(Fetched::Failed(failure)) => Some(Err(failure.clone())),
            None => Some(Err(Failure::Retryable {
                error: "the record was not fetched".to_owned(),
                retry_after: None,
            })),
        });
    }
    let changes =
        records::upsert_many::<R>(tx, tenant, found.iter().map(|(_, _, r)| *r), synced_at).await?;
    for ((i, renumbered_from, _), change) in found.into_iter().zip(changes) {
        outcomes[i] = Some(Ok(Outcome::Record {
            renumbered_from,
            change,
        }));
    }
    Ok(outcomes
        .into_iter()
        .map(|o| o.unwrap_or(Err(Failure::Permanent("not applied".to_owned()))))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_millis(ms)
    }

    #[test]
    fn a_first_claim_early_in_an_import_is_a_burst() {
        // 150 events within 100 ms, claimed 50 ms after the last arrived.
        assert!(is_burst(150, at(10_000), at(10_100), at(10_150)));
    }

    #[test]
    fn a_steady_stream_of_edits_is_not_a_burst() {
        // 60 events over 3 s: 20 a second.
        assert!(!is_burst(60, at(10_000), at(13_000), at(13_010)));
    }

    #[test]
    fn a_few_simultaneous_edits_are_not_a_burst() {
        assert!(!is_burst(3, at(10_000), at(10_000), at(10_001)));
    }

    #[test]
    fn a_backlog_from_a_burst_that_is_over_is_not_waited_for() {
        // 500 events within 200 ms, but the newest arrived 5 s ago.
        assert!(!is_burst(500, at(10_000), at(10_200), at(15_200)));
    }
}
