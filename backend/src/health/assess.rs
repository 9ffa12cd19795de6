//! The health model itself: signals in, health out. Pure, so that the home page, the staff
//! dashboard and the sweep cannot disagree, and so that each rule is tested without a database.
//!
//! One cause is one problem: a refused grant token stops everything, so it is the only problem
//! while it lasts (the backlog it causes is not a second one); an entity's webhook has one slot,
//! filled by the most specific evidence (disabled, missing, misdirected, changes a check found
//! unreported, a change the probe found unreported).

use economic::Entity;

use super::signals::{EntitySignals, Signals};
use super::{Config, EntityHealth, Fix, Health, Mode, Problem, Reason, Slot, State};
use crate::managed_webhooks::Health as WebhookHealth;
use crate::sync::RunKind;
use crate::sync::budget::Priority;
use crate::timestamp::Timestamp;

/// The tenant's health at `now`.
pub fn assess(signals: &Signals, config: &Config, now: Timestamp) -> Health {
    let modes: Vec<(Entity, Mode)> = Entity::ALL
        .into_iter()
        .map(|e| (e, mode(signals, e)))
        .collect();
    let synced: Vec<Entity> = modes
        .iter()
        .filter(|(_, m)| *m != Mode::Off)
        .map(|(e, _)| *e)
        .collect();
    let mut problems = Vec::new();
    let refused = signals.connection.and_then(|c| c.refused_since);
    match (signals.connection, refused) {
        // Not connected: nothing to be out of sync with yet (the home page shows onboarding).
        (None, _) => {}
        (Some(_), Some(since)) => problems.push(Problem {
            slot: Slot::Connection,
            reason: Reason::TokenRefused,
            state: State::Broken,
            since,
            fix: Fix::Reconnect,
            entities: synced.clone(),
        }),
        (Some(_), None) => {
            for (entity, mode) in &modes {
                let e = signals.entity(*entity);
                if *mode == Mode::Webhook
                    && let Some(p) = webhook_problem(e)
                {
                    problems.push(p);
                }
                if *mode != Mode::Off
                    && let Some(p) = sync_problem(e)
                {
                    problems.push(p);
                }
            }
            problems.extend(events_problem(signals, config, now));
            problems.extend(backlog_problem(signals, config, now));
            if let Some((usage, since)) = signals.budget
                && !usage.allows(Priority::Scheduled)
            {
                problems.push(Problem {
                    slot: Slot::Budget,
                    reason: Reason::BudgetExhausted {
                        used: usage.used,
                        limit: usage.limit,
                    },
                    state: State::Delayed,
                    since,
                    fix: Fix::WaitForBudget,
                    entities: synced.clone(),
                });
            }
        }
    }
    problems.sort_by(|a, b| b.state.cmp(&a.state).then(a.since.cmp(&b.since)));

    let entities = modes
        .iter()
        .map(|(entity, mode)| EntityHealth {
            entity: *entity,
            mode: *mode,
            state: problems
                .iter()
                .filter(|p| p.entities.contains(entity))
                .map(|p| p.state)
                .max()
                .unwrap_or(State::Ok),
            fresh_until: fresh_until(signals.entity(*entity), *mode, refused),
        })
        .collect();
    Health {
        connected: signals.connection.is_some(),
        state: problems.iter().map(|p| p.state).max().unwrap_or(State::Ok),
        entities,
        problems,
    }
}

fn mode(signals: &Signals, entity: Entity) -> Mode {
    signals.settings.mode(entity)
}

/// The entity's webhook slot: the most specific evidence that e-conomic does not deliver.
fn webhook_problem(e: &EntitySignals) -> Option<Problem> {
    let entity = e.entity;
    // The company's choice counts, not whether the app still owns e-conomic's webhook: one
    // deleted or re-pointed in e-conomic is no longer the app's, and is exactly the problem.
    let managed = e.webhook.filter(|w| w.automatic);
    let problem = |reason, since: Option<Timestamp>, fix| {
        since.map(|since| Problem {
            slot: Slot::Webhook(entity),
            reason,
            state: State::Broken,
            since,
            fix,
            entities: vec![entity],
        })
    };
    if let Some(w) = managed {
        match w.health {
            WebhookHealth::Disabled(since) => {
                return problem(
                    Reason::WebhookDisabled { entity },
                    since.or(w.checked_at),
                    Fix::ReenableWebhook(entity),
                );
            }
            WebhookHealth::Missing => {
                return problem(
                    Reason::WebhookMissing { entity },
                    w.checked_at,
                    Fix::RecreateWebhook(entity),
                );
            }
            // An older URL of this company: the app points it here again.
            WebhookHealth::OtherUrl => {
                return problem(
                    Reason::WebhookMisdirected { entity },
                    w.checked_at,
                    Fix::RecreateWebhook(entity),
                );
            }
            // Pointed at another company on the same agreement, or at an address that is not
            // this server's: this company receives nothing through it, and the app never takes
            // a webhook that is not the company's. The settings say whose it is and
            // what to do in e-conomic.
            WebhookHealth::OtherCompany(_) | WebhookHealth::OtherAddress => {
                return problem(
                    Reason::WebhookMisdirected { entity },
                    w.checked_at,
                    Fix::OpenWebhookSettings(entity),
                );
            }
            WebhookHealth::Healthy | WebhookHealth::Unchecked => {}
        }
    }
    let look = match managed {
        Some(_) => Fix::CheckWebhooks,
        None => Fix::OpenWebhookSettings(entity),
    };
    if let Some((at, changes)) = e.facts.last_reconcile
        && changes > 0
    {
        return problem(
            Reason::WebhookUnreported { entity, changes },
            Some(at),
            Fix::CheckAllRecords(entity),
        );
    }
    let probe = e.facts.probe.as_ref()?;
    let (record, changed_at) = probe.missed.as_ref()?;
    // A webhook since the probe shows e-conomic delivers again.
    if e.facts.last_webhook_at.is_some_and(|w| w > probe.at) {
        return None;
    }
    problem(
        Reason::WebhookQuiet {
            entity,
            record: record.clone(),
        },
        Some((*changed_at).min(probe.at)),
        look,
    )
}

/// The entity's runs: the newest one gave up, and nothing succeeded since.
fn sync_problem(e: &EntitySignals) -> Option<Problem> {
    let (failed_at, kind) = e.facts.last_run_failed?;
    if e.facts.last_run_ok_at.is_some_and(|ok| ok >= failed_at) {
        return None;
    }
    let entity = e.entity;
    let fix = match (kind, entity) {
        (RunKind::Reconcile, _) | (_, Entity::Invoices) => Fix::CheckAllRecords(entity),
        (RunKind::Import | RunKind::Hourly | RunKind::Manual, _) => Fix::SyncNow(entity),
    };
    Some(Problem {
        slot: Slot::Sync(entity),
        reason: Reason::SyncFailing { entity },
        state: State::Broken,
        since: failed_at,
        fix,
        entities: vec![entity],
    })
}

/// Failing events, all entities together: a storm is one problem. Dead ones make it broken;
/// failed ones that still retry only count once they have failed for a while.
fn events_problem(signals: &Signals, config: &Config, now: Timestamp) -> Option<Problem> {
    let (mut failed, mut dead, mut since, mut entities) = (0, 0, None::<Timestamp>, Vec::new());
    for e in &signals.entities {
        if e.failed.n == 0 && e.dead.n == 0 {
            continue;
        }
        failed += e.failed.n;
        dead += e.dead.n;
        entities.push(e.entity);
        for oldest in [e.failed.oldest, e.dead.oldest].into_iter().flatten() {
            since = Some(since.map_or(oldest, |s| s.min(oldest)));
        }
    }
    let since = since?;
    let (state, fix) = if dead > 0 {
        (State::Broken, Fix::ReplayFailed)
    } else if now.duration_since(since) >= config.failing_after {
        (State::Delayed, Fix::WatchQueue)
    } else {
        return None;
    };
    Some(Problem {
        slot: Slot::Events,
        reason: Reason::EventsFailing { failed, dead },
        state,
        since,
        fix,
        entities,
    })
}

/// Events waiting longer than they should to be applied.
fn backlog_problem(signals: &Signals, config: &Config, now: Timestamp) -> Option<Problem> {
    let late: Vec<&EntitySignals> = signals
        .entities
        .iter()
        .filter(|e| {
            e.waiting
                .oldest
                .is_some_and(|oldest| now.duration_since(oldest) >= config.backlog_after)
        })
        .collect();
    let since = late.iter().filter_map(|e| e.waiting.oldest).min()?;
    Some(Problem {
        slot: Slot::Backlog,
        reason: Reason::Backlog {
            waiting: late.iter().map(|e| e.waiting.n).sum(),
        },
        state: State::Delayed,
        since,
        fix: Fix::WatchQueue,
        entities: late.iter().map(|e| e.entity).collect(),
    })
}

/// Up to when the entity's data is known to match e-conomic.
fn fresh_until(e: &EntitySignals, mode: Mode, refused: Option<Timestamp>) -> Option<Timestamp> {
    let facts = &e.facts;
    let known = match mode {
        Mode::Off => return None,
        Mode::Hourly => facts.fresh_until,
        Mode::Webhook => {
            let unsettled = [e.waiting.oldest, e.failed.oldest, e.dead.oldest]
                .into_iter()
                .flatten()
                .min();
            // Events are applied in order: up to the oldest one still waiting, everything
            // e-conomic told us is in.
            let by_webhooks = match unsettled {
                Some(oldest) => Some(oldest),
                None => {
                    let clean_probe = facts
                        .probe
                        .as_ref()
                        .filter(|p| p.missed.is_none())
                        .map(|p| p.at);
                    facts.last_webhook_at.max(clean_probe)
                }
            };
            facts.fresh_until.max(by_webhooks)
        }
    };
    match refused {
        Some(since) => known.map(|k| k.min(since)),
        None => known,
    }
}

#[cfg(test)]
#[path = "assess_tests.rs"]
mod tests;
