//! The model's rules, one at a time, without a database.

use economic::Entity;
use time::Duration;

use super::*;
use crate::health::facts::Probe;
use crate::health::signals::{ConnectionFacts, Count, EntitySignals, ManagedFacts};
use crate::ids::TenantId;
use crate::settings::SyncSettings;
use crate::sync::budget::Usage;

fn at(minutes: i64) -> Timestamp {
    Timestamp::from_millis(1_800_000_000_000) + Duration::minutes(minutes)
}

/// Connected since minute 0, every entity on webhooks, nothing wrong.
fn healthy() -> Signals {
    Signals {
        tenant_id: TenantId::new(1),
        connection: Some(ConnectionFacts {
            connected_at: at(0),
            refused_since: None,
        }),
        settings: SyncSettings::ALL_WEBHOOKS,
        settings_saved_at: Some(at(0)),
        entities: Entity::ALL
            .into_iter()
            .map(|entity| EntitySignals {
                entity,
                imported_at: Some(at(1)),
                active_run: None,
                webhook: None,
                waiting: Count::default(),
                failed: Count::default(),
                dead: Count::default(),
                facts: Default::default(),
            })
            .collect(),
        budget: None,
    }
}

fn entity(s: &mut Signals, entity: Entity) -> &mut EntitySignals {
    let i = Entity::ALL
        .iter()
        .position(|e| *e == entity)
        .expect("entity");
    &mut s.entities[i]
}

fn reasons(health: &Health) -> Vec<&'static str> {
    health.problems.iter().map(|p| p.reason.name()).collect()
}

#[test]
fn a_healthy_tenant_is_ok_and_one_not_connected_has_no_problems() {
    let health = assess(&healthy(), &Config::default(), at(60));
    assert_eq!(health.state, State::Ok);
    assert!(health.problems.is_empty());

    let mut new = healthy();
    new.connection = None;
    entity(&mut new, Entity::Products).dead = Count {
        n: 3,
        oldest: Some(at(0)),
    };
    let health = assess(&new, &Config::default(), at(60));
    assert!(!health.connected);
    assert!(health.problems.is_empty());
}

#[test]
fn a_refused_token_is_the_only_problem_while_it_lasts() {
    let mut s = healthy();
    s.connection = Some(ConnectionFacts {
        connected_at: at(0),
        refused_since: Some(at(30)),
    });
    entity(&mut s, Entity::Products).waiting = Count {
        n: 40,
        oldest: Some(at(31)),
    };
    let health = assess(&s, &Config::default(), at(120));
    assert_eq!(reasons(&health), ["token_refused"]);
    let p = &health.problems[0];
    assert_eq!(
        (p.state, p.since, p.fix),
        (State::Broken, at(30), Fix::Reconnect)
    );
    assert!(health.entities.iter().all(|e| e.state == State::Broken));
}

#[test]
fn a_managed_webhook_that_e_conomic_disabled_is_broken_with_its_fix() {
    let mut s = healthy();
    entity(&mut s, Entity::Products).webhook = Some(ManagedFacts {
        managed: true,
        automatic: true,
        health: WebhookHealth::Disabled(Some(at(5))),
        checked_at: Some(at(7)),
    });
    // Evidence of the same cause fills the same slot: still one problem.
    entity(&mut s, Entity::Products).facts.last_reconcile = Some((at(8), 4));
    let health = assess(&s, &Config::default(), at(10));
    assert_eq!(reasons(&health), ["webhook_disabled"]);
    let p = &health.problems[0];
    assert_eq!(p.slot, Slot::Webhook(Entity::Products));
    assert_eq!(p.fix, Fix::ReenableWebhook(Entity::Products));
    assert_eq!(p.since, at(5));

    // The company has the app make it, and e-conomic no longer has it at the company's URL:
    // the last look left the app owning nothing (`managed` off), which must not hide it.
    // Missing, or at an older URL of the company: the app makes it again with our URL; pointed
    // at another company or address: never taken over, the settings say what to do.
    for (health, reason, fix) in [
        (
            WebhookHealth::Missing,
            "webhook_missing",
            Fix::RecreateWebhook(Entity::Customers),
        ),
        (
            WebhookHealth::OtherUrl,
            "webhook_misdirected",
            Fix::RecreateWebhook(Entity::Customers),
        ),
        (
            WebhookHealth::OtherCompany(TenantId::new(9)),
            "webhook_misdirected",
            Fix::OpenWebhookSettings(Entity::Customers),
        ),
        (
            WebhookHealth::OtherAddress,
            "webhook_misdirected",
            Fix::OpenWebhookSettings(Entity::Customers),
        ),
    ] {
        let mut s = healthy();
        entity(&mut s, Entity::Customers).webhook = Some(ManagedFacts {
            managed: false,
            automatic: true,
            health,
            checked_at: Some(at(7)),
        });
        let h = assess(&s, &Config::default(), at(10));
        assert_eq!(reasons(&h), [reason], "{health:?}");
        assert_eq!(h.problems[0].fix, fix, "{health:?}");
        assert_eq!(h.problems[0].state, State::Broken);
    }

    // A webhook the company makes itself in e-conomic's screens is not the API's to see.
    let mut s = healthy();
    entity(&mut s, Entity::Customers).webhook = Some(ManagedFacts {
        managed: false,
        automatic: false,
        health: WebhookHealth::Missing,
        checked_at: Some(at(7)),
    });
    assert!(assess(&s, &Config::default(), at(10)).problems.is_empty());
}

#[test]
fn a_webhook_entity_switched_to_hourly_has_no_webhook_problem() {
    let mut s = healthy();
    s.settings.products = Mode::Hourly;
    entity(&mut s, Entity::Products).webhook = Some(ManagedFacts {
        managed: true,
        automatic: true,
        health: WebhookHealth::Missing,
        checked_at: Some(at(7)),
    });
    entity(&mut s, Entity::Products).facts.last_reconcile = Some((at(8), 4));
    assert!(assess(&s, &Config::default(), at(10)).problems.is_empty());
}

#[test]
fn repairs_no_webhook_reported_are_silent_loss_until_a_clean_check() {
    let mut s = healthy();
    entity(&mut s, Entity::Products).facts.last_reconcile = Some((at(8), 3));
    let health = assess(&s, &Config::default(), at(10));
    assert_eq!(reasons(&health), ["webhook_unreported"]);
    assert_eq!(
        health.problems[0].fix,
        Fix::CheckAllRecords(Entity::Products)
    );

    entity(&mut s, Entity::Products).facts.last_reconcile = Some((at(20), 0));
    assert!(assess(&s, &Config::default(), at(21)).problems.is_empty());
}

#[test]
fn a_change_the_probe_found_unreported_lasts_until_a_webhook_arrives() {
    let mut s = healthy();
    let e = entity(&mut s, Entity::Customers);
    e.facts.last_webhook_at = Some(at(0));
    e.facts.probe = Some(Probe {
        at: at(70),
        missed: Some(("42".to_owned(), at(30))),
    });
    let health = assess(&s, &Config::default(), at(71));
    assert_eq!(reasons(&health), ["webhook_quiet"]);
    let p = &health.problems[0];
    assert_eq!(p.since, at(30));
    assert_eq!(p.fix, Fix::OpenWebhookSettings(Entity::Customers));

    entity(&mut s, Entity::Customers).facts.last_webhook_at = Some(at(72));
    assert!(assess(&s, &Config::default(), at(73)).problems.is_empty());
}

#[test]
fn a_storm_of_failing_events_is_one_problem_and_broken_once_any_is_dead() {
    let mut s = healthy();
    entity(&mut s, Entity::Products).failed = Count {
        n: 9_000,
        oldest: Some(at(2)),
    };
    entity(&mut s, Entity::Customers).failed = Count {
        n: 1_000,
        oldest: Some(at(3)),
    };
    let config = Config::default();
    // Retries that succeed within minutes are no problem.
    assert!(assess(&s, &config, at(5)).problems.is_empty());
    let delayed = assess(&s, &config, at(13));
    assert_eq!(reasons(&delayed), ["events_failing"]);
    assert_eq!(delayed.problems[0].state, State::Delayed);
    assert_eq!(
        delayed.problems[0].entities,
        [Entity::Customers, Entity::Products]
    );

    entity(&mut s, Entity::Products).dead = Count {
        n: 1,
        oldest: Some(at(1)),
    };
    let broken = assess(&s, &config, at(14));
    assert_eq!(reasons(&broken), ["events_failing"]);
    let p = &broken.problems[0];
    assert_eq!(
        (p.state, p.fix, p.since),
        (State::Broken, Fix::ReplayFailed, at(1))
    );
    assert_eq!(
        p.reason,
        Reason::EventsFailing {
            failed: 10_000,
            dead: 1
        }
    );
}

#[test]
fn a_long_backlog_is_delayed_and_a_short_one_is_not() {
    let mut s = healthy();
    entity(&mut s, Entity::Products).waiting = Count {
        n: 50,
        oldest: Some(at(0)),
    };
    assert!(assess(&s, &Config::default(), at(5)).problems.is_empty());
    let health = assess(&s, &Config::default(), at(11));
    assert_eq!(reasons(&health), ["backlog"]);
    assert_eq!(health.problems[0].state, State::Delayed);
}

#[test]
fn work_waiting_for_an_exhausted_budget_is_delayed() {
    let mut s = healthy();
    let usage = |used| Usage {
        used,
        limit: 1000,
        frees_at: None,
    };
    // Background work waits at 80 %: not yet a problem.
    s.budget = Some((usage(850), at(3)));
    assert!(assess(&s, &Config::default(), at(5)).problems.is_empty());
    s.budget = Some((usage(990), at(3)));
    let health = assess(&s, &Config::default(), at(5));
    assert_eq!(reasons(&health), ["budget_exhausted"]);
    assert_eq!(health.problems[0].fix, Fix::WaitForBudget);
}

#[test]
fn a_failed_run_is_a_problem_until_one_succeeds() {
    let mut s = healthy();
    s.settings = SyncSettings::default();
    entity(&mut s, Entity::Customers).facts.last_run_failed = Some((at(10), RunKind::Hourly));
    entity(&mut s, Entity::Customers).facts.last_run_ok_at = Some(at(5));
    let health = assess(&s, &Config::default(), at(11));
    assert_eq!(reasons(&health), ["sync_failing"]);
    assert_eq!(health.problems[0].fix, Fix::SyncNow(Entity::Customers));

    entity(&mut s, Entity::Customers).facts.last_run_ok_at = Some(at(70));
    assert!(assess(&s, &Config::default(), at(71)).problems.is_empty());
}

#[test]
fn freshness_follows_the_runs_the_webhooks_and_the_oldest_waiting_event() {
    let mut s = healthy();
    s.settings.customers = Mode::Hourly;
    entity(&mut s, Entity::Customers).facts.fresh_until = Some(at(60));
    let p = entity(&mut s, Entity::Products);
    p.facts.fresh_until = Some(at(1));
    p.facts.last_webhook_at = Some(at(50));
    let health = assess(&s, &Config::default(), at(61));
    let fresh = |h: &Health, e: Entity| {
        h.entities
            .iter()
            .find(|x| x.entity == e)
            .and_then(|x| x.fresh_until)
    };
    assert_eq!(fresh(&health, Entity::Customers), Some(at(60)));
    assert_eq!(fresh(&health, Entity::Products), Some(at(50)));

    entity(&mut s, Entity::Products).waiting = Count {
        n: 2,
        oldest: Some(at(40)),
    };
    let health = assess(&s, &Config::default(), at(61));
    assert_eq!(fresh(&health, Entity::Products), Some(at(40)));

    s.settings.invoices_webhook = false;
    let health = assess(&s, &Config::default(), at(61));
    assert_eq!(fresh(&health, Entity::Invoices), None);
}
