//! From the backend's runs, sync state, settings and budget to the page's views.

use backend::Timestamp;
use backend::settings::SyncSettings;
use backend::sync::budget::{Priority, Usage};
use backend::sync::{self, EntityState, POLLED, Run};
use economic::Entity;

use super::*;
use crate::ssr::format::timestamp;

/// The Sync tab's view. `runs` is [`backend::sync::latest`]: per entity and kind the newest
/// active and the newest ended run, newest first.
pub fn overview(
    runs: &[Run],
    state: &[EntityState],
    settings: &SyncSettings,
    usage: &Usage,
    connected: bool,
    now: Timestamp,
) -> SyncView {
    let entities: Vec<EntityView> = Entity::ALL
        .into_iter()
        .map(|entity| {
            let imported_at = state
                .iter()
                .find(|s| s.entity == entity)
                .and_then(|s| s.imported_at);
            entity_view(entity, runs, imported_at, settings, usage, now)
        })
        .collect();
    let active = runs.iter().any(is_active);
    SyncView {
        connected,
        active,
        budget: budget(usage),
        entities,
    }
}

fn entity_view(
    entity: Entity,
    runs: &[Run],
    imported_at: Option<Timestamp>,
    settings: &SyncSettings,
    usage: &Usage,
    now: Timestamp,
) -> EntityView {
    let mine = || runs.iter().filter(move |r| r.entity == entity);
    // At most one run of an entity is active at a time (a unique index sees to it).
    let active = mine().find(|r| is_active(r));
    let ended = || mine().filter(|r| !is_active(r));
    let is_import = |r: &&Run| r.kind == RunKind::Import;
    let view = |r: &Run| run(r, usage, now);

    let import = if let Some(r) = active.filter(is_import) {
        if r.status == RunStatus::Running {
            Import::Running(view(r))
        } else {
            Import::Queued(view(r))
        }
    } else if let Some(at) = imported_at {
        Import::Imported(timestamp(at))
    } else if let Some(r) = ended()
        .find(is_import)
        .filter(|r| r.status == RunStatus::Failed)
    {
        Import::Failed(view(r))
    } else {
        Import::NotStarted
    };
    let last_check = ended().find(|r| r.kind == RunKind::Reconcile);
    let mode = settings.mode(entity);
    let unreported = last_check
        .filter(|r| r.status == RunStatus::Done && mode == Mode::Webhook)
        .map(|r| r.counts.unreported);
    EntityView {
        entity,
        polled: POLLED.contains(&entity),
        mode,
        import,
        active: active.filter(|r| !is_import(r)).map(view),
        last: ended().max_by_key(|r| r.id).map(view),
        last_check: last_check.map(view),
        unreported,
    }
}

fn is_active(r: &Run) -> bool {
    r.status.is_active()
}

fn budget(usage: &Usage) -> BudgetView {
    let level = if !usage.allows(Priority::Live) {
        BudgetLevel::AllHeld
    } else if !usage.allows(Priority::Scheduled) {
        BudgetLevel::ScheduledHeld
    } else if !usage.allows(Priority::Background) {
        BudgetLevel::BackgroundHeld
    } else {
        BudgetLevel::Open
    };
    BudgetView {
        used: usage.used,
        limit: usage.limit,
        level,
        frees_at: usage.frees_at.map(timestamp),
    }
}

/// One run as shown; `usage` tells a budget wait from others.
pub fn run(r: &Run, usage: &Usage, now: Timestamp) -> RunView {
    let status = r.status;
    let (waiting, duration_secs, eta_secs) = match status {
        RunStatus::Queued => (Some(waiting(r, usage, now)), None, None),
        RunStatus::Running => {
            let elapsed = r.started_at.map(|s| s.secs_until(now));
            (None, elapsed, eta(r, now))
        }
        RunStatus::Done | RunStatus::Failed => (None, took(r), None),
    };
    let error = (status == RunStatus::Failed)
        .then(|| r.error.clone())
        .flatten();
    RunView {
        id: r.id.get(),
        entity: r.entity,
        kind: r.kind,
        status,
        waiting,
        records_done: r.records_done,
        records_total: r.records_total,
        counts: Counts {
            created: r.counts.created,
            updated: r.counts.updated,
            deleted: r.counts.deleted,
            unreported: r.counts.unreported,
        },
        api_calls: r.api_calls,
        error,
        created_at: timestamp(r.created_at),
        started_at: r.started_at.map(timestamp),
        finished_at: r.finished_at.map(timestamp),
        duration_secs,
        eta_secs,
    }
}

fn took(r: &Run) -> Option<u64> {
    r.started_at
        .zip(r.finished_at)
        .map(|(start, end)| start.secs_until(end))
}

fn waiting(r: &Run, usage: &Usage, now: Timestamp) -> Waiting {
    let until = timestamp(r.next_attempt_at);
    match (&r.waiting, &r.error) {
        // The engine's text is English; the budget itself says whether it is the reason.
        (Some(_), _) if !usage.allows(sync::priority(r.kind)) => Waiting::Budget { until },
        (Some(reason), _) => Waiting::Other(reason.clone()),
        (None, Some(error)) if r.next_attempt_at > now => Waiting::Retry {
            at: until,
            error: error.clone(),
        },
        (None, _) => Waiting::Due,
    }
}

/// Elapsed ÷ records read × records left, once a page has been read.
fn eta(r: &Run, now: Timestamp) -> Option<u64> {
    let started = r.started_at?;
    let total = r.records_total?;
    if r.records_done == 0 {
        return None;
    }
    let left = total.saturating_sub(r.records_done);
    let elapsed_ms = u64::try_from(now.as_millis() - started.as_millis()).unwrap_or(0);
    let ms = u128::from(elapsed_ms) * u128::from(left) / u128::from(r.records_done);
    Some(u64::try_from(ms.div_ceil(1000)).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(done: u64, total: u64, started_ms: i64) -> Run {
        Run {
            id: sync::RunId::new(1),
            tenant_id: backend::TenantId::new(1),
            entity: Entity::Products,
            kind: RunKind::Import,
            status: RunStatus::Running,
            attempts: 1,
            waiting: None,
            next_attempt_at: Timestamp::from_millis(0),
            window_from: None,
            window_to: None,
            pages_done: 1,
            records_done: done,
            records_total: Some(total),
            counts: sync::Counts::default(),
            api_calls: 1,
            error: None,
            started_at: Some(Timestamp::from_millis(started_ms)),
            finished_at: None,
            created_at: Timestamp::from_millis(0),
        }
    }

    #[test]
    fn time_left_is_elapsed_per_record_times_records_left() {
        let now = Timestamp::from_millis(10_000);
        assert_eq!(eta(&running(1000, 4000, 0), now), Some(30));
        assert_eq!(eta(&running(0, 4000, 0), now), None, "nothing read yet");
        assert_eq!(eta(&running(4000, 4000, 0), now), Some(0));
    }

    #[test]
    fn the_budget_names_what_it_holds_back() {
        let at = |used| {
            budget(&Usage {
                used,
                limit: 100,
                frees_at: None,
            })
            .level
        };
        assert_eq!(at(79), BudgetLevel::Open);
        assert_eq!(at(80), BudgetLevel::BackgroundHeld);
        assert_eq!(at(95), BudgetLevel::ScheduledHeld);
        assert_eq!(at(100), BudgetLevel::AllHeld);
    }
}
