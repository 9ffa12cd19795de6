//! Customer and product events: group the batch by record, skip what a later fetch already
//! covers, fetch the rest ([`super::fetch`]), and apply each record once — renumberings move the
//! local record (it keeps its id, stock and history), a record e-conomic no longer has is
//! soft-deleted — then finish the events, all in fenced transactions of [`GROUPS_PER_TX`]
//! records.

use std::collections::HashMap;

use backend::events::Outcome;
use backend::queue::{self, Attempt, Done, Job};
use backend::records::{RecordChange, customers, products};
use backend::{Timestamp, Tx};
use economic::{Entity, RecordNumber, WebhookAction};

use super::fetch::{self, Decoded, Fetched, Record};
use super::{Ctx, Failure, JobError};

/// Records applied per transaction: big enough that a 100,000-record backlog is a hundred
/// commits, small enough that each holds the write lock only briefly.
const GROUPS_PER_TX: usize = 1000;

/// What one event asks of its record.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// Created or updated: re-fetch it.
    Refresh(RecordNumber),
    /// Deleted: re-fetch it (it may be back), soft-delete it if not.
    Delete(RecordNumber),
    /// Renumbered: move the local record, then re-fetch it at its new number.
    Renumber {
        old: RecordNumber,
        new: RecordNumber,
    },
}

impl Step {
    fn of(entity: Entity, action: &WebhookAction) -> Option<Step> {
        let step = match action.clone() {
            WebhookAction::Created(n) | WebhookAction::Updated(n) => Step::Refresh(n),
            WebhookAction::Deleted(n) => Step::Delete(n),
            WebhookAction::Renumbered { old, new } => Step::Renumber { old, new },
            WebhookAction::InvoiceBooked(_) => return None,
        };
        let fits = |n: &RecordNumber| match (entity, n) {
            (Entity::Customers, RecordNumber::Customer(_)) => true,
            (Entity::Products, RecordNumber::Product(_)) => true,
            (Entity::Customers | Entity::Products | Entity::Invoices, _) => false,
        };
        let ok = match &step {
            Step::Refresh(n) | Step::Delete(n) => fits(n),
            Step::Renumber { old, new } => fits(old) && fits(new),
        };
        ok.then_some(step)
    }

    /// The record this step leaves to re-fetch: the events of one record group under it.
    fn key(&self) -> &RecordNumber {
        match self {
            Step::Refresh(n) | Step::Delete(n) => n,
            Step::Renumber { new, .. } => new,
        }
    }
}

/// The events of one record in this batch, oldest first; the newest does the work, the others
/// are folded into it.
struct Group<'a> {
    key: RecordNumber,
    jobs: Vec<&'a Job>,
    renumbers: Vec<(RecordNumber, RecordNumber)>,
    only_refreshes: bool,
    newest: Timestamp,
}

/// Apply a batch of customer or product events.
pub async fn run(ctx: &Ctx<'_>, jobs: &[Job]) -> Result<(), JobError> {
    let entity = ctx.lease.entity;
    let mut unreadable = Vec::new();
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut index: HashMap<RecordNumber, usize> = HashMap::new();
    for job in jobs {
        let Some(step) = job.action.as_ref().and_then(|a| Step::of(entity, a)) else {
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

    let fresh = up_to_date(ctx, entity, &groups).await?;
    let needed: Vec<RecordNumber> = groups
        .iter()
        .filter(|g| !fresh.contains_key(&g.key))
        .map(|g| g.key.clone())
        .collect();
    let oldest = jobs
        .iter()
        .map(|j| j.received_at)
        .min()
        .unwrap_or_else(Timestamp::now);
    let second_ago = Timestamp::now() - time::Duration::SECOND;
    let arriving = jobs.iter().filter(|j| j.received_at > second_ago).count();
    if arriving >= BURST_RATE {
        settle(ctx).await?;
    }
    let synced_at = Timestamp::now();
    let fetched = if needed.is_empty() {
        fetch::Fetch::default()
    } else {
        fetch::fetch(ctx, entity, &needed, oldest).await?
    };

    let mut extra = Some(fetched.extra.as_slice());
    for chunk in groups.chunks(GROUPS_PER_TX) {
        let mut tx = ctx.env.db.begin(ctx.lease.tenant_id).await?;
        queue::fence(&mut tx, ctx.lease, Timestamp::now(), ctx.env.lease()).await?;
        if let Some(extra) = extra.take() {
            upsert(&mut tx, ctx, extra, synced_at).await?; // no event to finish for these
        }
        let outcomes = apply(&mut tx, ctx, chunk, &fresh, &fetched.results, synced_at).await?;
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

/// Events of a batch that arrived within the last second, from which on it is a burst: a
/// steady stream of single edits (tens a second) stays far below.
const BURST_RATE: usize = 200;
/// No new event for this long: the burst is over.
const BURST_QUIET: std::time::Duration = std::time::Duration::from_millis(500);
/// The longest a batch waits for a burst to end (its lease is renewed meanwhile).
const BURST_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

/// Groups whose record was fetched after their newest event arrived: the change they announce
/// is in already. Only plain refreshes qualify; a delete or renumbering is always applied.
async fn up_to_date(
    ctx: &Ctx<'_>,
    entity: Entity,
    groups: &[Group<'_>],
) -> backend::Result<HashMap<RecordNumber, Timestamp>> {
    let candidates: Vec<&Group<'_>> = groups.iter().filter(|g| g.only_refreshes).collect();
    let (db, tenant) = (&ctx.env.db, ctx.lease.tenant_id);
    let synced: HashMap<RecordNumber, Timestamp> = match entity {
        Entity::Customers => {
            let numbers: Vec<_> = candidates
                .iter()
                .filter_map(|g| match &g.key {
                    RecordNumber::Customer(n) => Some(*n),
                    RecordNumber::Product(_) => None,
                })
                .collect();
            customers::synced_at(db, tenant, &numbers)
                .await?
                .into_iter()
                .map(|(n, at)| (RecordNumber::Customer(n), at))
                .collect()
        }
        Entity::Products | Entity::Invoices => {
            let numbers: Vec<_> = candidates
                .iter()
                .filter_map(|g| match &g.key {
                    RecordNumber::Product(n) => Some(n.clone()),
                    RecordNumber::Customer(_) => None,
                })
                .collect();
            products::synced_at(db, tenant, &numbers)
                .await?
                .into_iter()
                .map(|(n, at)| (RecordNumber::Product(n), at))
                .collect()
        }
    };
    Ok(candidates
        .iter()
        .filter_map(|g| {
            let at = synced.get(&g.key)?;
            (*at > g.newest).then(|| (g.key.clone(), *at))
        })
        .collect())
}

/// Apply each group in order; returns its outcome, or why it failed.
async fn apply(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    groups: &[Group<'_>],
    fresh: &HashMap<RecordNumber, Timestamp>,
    fetched: &HashMap<RecordNumber, Fetched>,
    synced_at: Timestamp,
) -> backend::Result<Vec<Result<Outcome, Failure>>> {
    let tenant = ctx.lease.tenant_id;
    let mut outcomes: Vec<Option<Result<Outcome, Failure>>> = Vec::with_capacity(groups.len());
    let mut found: Vec<(usize, Option<String>, &Record)> = Vec::new();
    for (i, group) in groups.iter().enumerate() {
        if fresh.contains_key(&group.key) {
            outcomes.push(Some(Ok(Outcome::UpToDate)));
            continue;
        }
        let mut renumbered_from = None;
        for (old, new) in &group.renumbers {
            let moved = match (old, new) {
                (RecordNumber::Customer(o), RecordNumber::Customer(n)) => {
                    customers::renumber(tx, tenant, *o, *n, synced_at).await?
                }
                (RecordNumber::Product(o), RecordNumber::Product(n)) => {
                    products::renumber(tx, tenant, o, n, synced_at).await?
                }
                _ => false,
            };
            if moved {
                renumbered_from = Some(old.to_string());
            }
        }
        outcomes.push(match fetched.get(&group.key) {
            Some(Fetched::Found(record)) => {
                found.push((i, renumbered_from, record));
                None
            }
            Some(Fetched::Missing) => {
                let change = match &group.key {
                    RecordNumber::Customer(n) => {
                        customers::soft_delete(tx, tenant, *n, synced_at).await?
                    }
                    RecordNumber::Product(n) => {
                        products::soft_delete(tx, tenant, n, synced_at).await?
                    }
                };
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
    let records: Vec<&Record> = found.iter().map(|(_, _, r)| *r).collect();
    let changes = upsert(tx, ctx, records, synced_at).await?;
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

/// Store fetched records of this queue's entity; returns what changed, in order.
pub(super) async fn upsert<'r>(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    records: impl IntoIterator<Item = &'r Record>,
    synced_at: Timestamp,
) -> backend::Result<Vec<RecordChange>> {
    let tenant = ctx.lease.tenant_id;
    let mut customer_rows = Vec::new();
    let mut product_rows = Vec::new();
    for record in records {
        match &record.decoded {
            Decoded::Customer(c) => customer_rows.push((c.clone(), record.raw.clone())),
            Decoded::Product(p) => product_rows.push((p.clone(), record.raw.clone())),
        }
    }
    // A queue holds one entity, so one of the two lists is empty and order is kept.
    let mut changes = customers::upsert_many(tx, tenant, &customer_rows, synced_at).await?;
    changes.extend(products::upsert_many(tx, tenant, &product_rows, synced_at).await?);
    Ok(changes)
}
