//! Login throttling with a movable clock: per (account, IP) delays that grow with each failure,
//! looser ceilings per account and per IP, and per-IP limits on sign-ups and invite acceptance.

use backend::accounts;
use backend::throttle::{self, Action};
use backend::{Db, Error, Timestamp, db_test};
use time::Duration;

use crate::helpers::*;

/// Record `n` failures of `account` from `ip` at `at` directly (thousands of argon2 runs would
/// be slow).
async fn failures(db: &Db, account: &str, ip: &str, n: usize, at: Timestamp) {
    let sql = "insert into login_attempts (account, ip, attempted_at, created_at, updated_at) \
               values ($1, $2, $3, $3, $3)";
    for _ in 0..n {
        let inserted = if let Some(pool) = db.sqlite_pool() {
            sqlx::query(sql)
                .bind(account)
                .bind(ip)
                .bind(at)
                .execute(pool)
                .await
                .map(|_| ())
        } else {
            let pool = db.pg_pool().expect("a PostgreSQL pool");
            sqlx::query(sql)
                .bind(account)
                .bind(ip)
                .bind(at)
                .execute(pool)
                .await
                .map(|_| ())
        };
        inserted.expect("insert a login attempt");
    }
}

fn retry_after(result: Result<backend::UserId, Error>) -> u64 {
    match result {
        Err(Error::TooManyAttempts { retry_after_secs }) => retry_after_secs,
        other => panic!("expected TooManyAttempts, got {other:?}"),
    }
}

db_test!(
    each_failure_from_one_address_waits_longer,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let attacker = ip("192.0.2.1");
        let mut at = t0();
        // The free failures, then one after each delay has passed.
        for failures in 0..6 {
            at = at + throttle::delay(failures);
            let result = accounts::log_in(&db, &acme.email, "wrong password", attacker, at).await;
            assert!(
                matches!(result, Err(Error::InvalidCredentials)),
                "failure {failures}: {result:?}"
            );
        }

        // Within the delay even the right password waits, and is told how long.
        let early = accounts::log_in(&db, &acme.email, PASSWORD, attacker, at).await;
        assert_eq!(retry_after(early), 8, "the sixth failure waits 8 s");
        assert_eq!(
            count(&db, "login_attempts").await,
            6,
            "waits are not recorded"
        );

        // After it, the right password works and forgives the failures.
        let later = at + throttle::delay(6);
        let user_id = accounts::log_in(&db, &acme.email, PASSWORD, attacker, later)
            .await
            .expect("log in after the delay");
        assert_eq!(user_id, acme.user_id);
        assert_eq!(count(&db, "login_attempts").await, 0);
    }
);

db_test!(
    an_attackers_failures_do_not_lock_the_owner_out,
    |db| async move {
        let acme = owner(&db, "acme").await;
        // Ten wrong passwords used to lock the account for everyone for 15 minutes.
        failures(&db, acme.email.as_str(), "192.0.2.1", 10, t0()).await;
        let attacker = accounts::log_in(&db, &acme.email, PASSWORD, ip("192.0.2.1"), t0()).await;
        assert!(retry_after(attacker) > 0);

        let owner_elsewhere =
            accounts::log_in(&db, &acme.email, PASSWORD, ip("198.51.100.7"), t0()).await;

        assert_eq!(owner_elsewhere.expect("log in"), acme.user_id);
    }
);

db_test!(
    the_account_ceiling_holds_against_many_addresses,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let limit = usize::try_from(throttle::MAX_ACCOUNT_FAILURES).expect("small");
        for i in 0..limit {
            failures(
                &db,
                acme.email.as_str(),
                &format!("10.0.{}.{}", i / 250, i % 250),
                1,
                t0(),
            )
            .await;
        }

        let result = accounts::log_in(&db, &acme.email, PASSWORD, ip("198.51.100.7"), t0()).await;

        assert_eq!(retry_after(result), 15 * 60);
    }
);

db_test!(
    the_address_ceiling_holds_against_many_accounts,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let limit = usize::try_from(throttle::MAX_IP_FAILURES).expect("small");
        // One failure per guessed account: no account, no pair is over its own limit.
        for i in 0..limit {
            failures(
                &db,
                &format!("user{i}@acme.test"),
                "2001:db8:1:2::/64",
                1,
                t0(),
            )
            .await;
        }

        // Another address in the same IPv6 /64 is the same client.
        let neighbour = ip("2001:db8:1:2:ffff::9");
        let result = accounts::log_in(&db, &acme.email, PASSWORD, neighbour, t0()).await;
        assert!(retry_after(result) > 0);

        let user_id = accounts::log_in(&db, &acme.email, PASSWORD, ip("198.51.100.7"), t0())
            .await
            .expect("another client logs in");
        assert_eq!(user_id, acme.user_id);
    }
);

db_test!(unknown_accounts_are_slowed_down_too, |db| async move {
    let ghost = email("ghost@acme.test");
    let mut at = t0();
    for failures in 0..4 {
        at = at + throttle::delay(failures);
        let _ = accounts::log_in(&db, &ghost, "guess", ip("192.0.2.1"), at).await;
    }
    let result = accounts::log_in(&db, &ghost, "guess", ip("192.0.2.1"), at).await;
    assert_eq!(retry_after(result), 2, "the fourth failure waits 2 s");
});

db_test!(
    sign_ups_and_invite_acceptance_are_limited_per_address,
    |db| async move {
        let client = ip("192.0.2.1");
        for i in 0..3 {
            throttle::attempt(&db, Action::SignUp, client, 3, t0() + Duration::seconds(i))
                .await
                .expect("within the limit");
        }

        let refused =
            throttle::attempt(&db, Action::SignUp, client, 3, t0() + Duration::seconds(3)).await;
        let other_action = throttle::attempt(&db, Action::AcceptInvite, client, 3, t0()).await;
        let other_client = throttle::attempt(&db, Action::SignUp, ip("192.0.2.2"), 3, t0()).await;
        let after_window = throttle::attempt(
            &db,
            Action::SignUp,
            client,
            3,
            t0() + throttle::WINDOW + Duration::seconds(1),
        )
        .await;

        match refused {
            Err(Error::TooManyAttempts { retry_after_secs }) => {
                assert_eq!(retry_after_secs, 15 * 60 - 3)
            }
            other => panic!("expected TooManyAttempts, got {other:?}"),
        }
        other_action.expect("another action has its own count");
        other_client.expect("another client has its own count");
        after_window.expect("the window moved on");
    }
);

db_test!(prune_deletes_attempts_outside_the_window, |db| async move {
    let ghost = email("ghost@acme.test");
    let _ = accounts::log_in(&db, &ghost, "guess", ip("192.0.2.1"), t0()).await;
    let _ = accounts::log_in(
        &db,
        &ghost,
        "guess",
        ip("192.0.2.1"),
        t0() + Duration::minutes(10),
    )
    .await;

    let pruned = throttle::prune(&db, t0() + Duration::minutes(20))
        .await
        .expect("prune");

    assert_eq!(pruned, 1);
    assert_eq!(count(&db, "login_attempts").await, 1);

    // A later failure prunes on its own.
    let at = t0() + Duration::hours(1);
    let _ = accounts::log_in(&db, &ghost, "guess", ip("192.0.2.1"), at).await;
    assert_eq!(count(&db, "login_attempts").await, 1);
});

db_test!(
    a_burst_of_parallel_sign_ups_never_overshoots_the_limit,
    |db| async move {
        // 64 at once from one address, against a limit of 10: the count and the record are one
        // step, so exactly 10 pass (a separate count and insert once let 15 through).
        let client = ip("192.0.2.1");
        let attempts: Vec<_> = (0..64)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move {
                    throttle::attempt(&db, Action::SignUp, client, 10, t0()).await
                })
            })
            .collect();
        let mut passed = 0;
        for attempt in attempts {
            match attempt.await.expect("join") {
                Ok(()) => passed += 1,
                Err(Error::TooManyAttempts { .. }) => {}
                Err(e) => panic!("unexpected error: {e:?}"),
            }
        }

        assert_eq!(passed, 10);
        assert_eq!(count(&db, "login_attempts").await, 10);
    }
);

db_test!(
    a_browser_that_logged_in_before_passes_the_account_ceiling,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let home = ip("198.51.100.7");
        let (user_id, device) =
            accounts::log_in_on_device(&db, &acme.email, PASSWORD, home, None, t0())
                .await
                .expect("first log-in");
        assert_eq!(user_id, acme.user_id);
        // Strangers fill the account's ceiling from a dozen addresses.
        let limit = usize::try_from(throttle::MAX_ACCOUNT_FAILURES).expect("small");
        for i in 0..limit {
            failures(
                &db,
                acme.email.as_str(),
                &format!("10.0.0.{}", i % 12),
                1,
                t0(),
            )
            .await;
        }
        let globex = owner(&db, "globex").await;
        let (_, globex_device) =
            accounts::log_in_on_device(&db, &globex.email, PASSWORD, home, None, t0())
                .await
                .expect("globex logs in");
        let cafe = ip("203.0.113.5");

        let with_device = accounts::log_in_on_device(
            &db,
            &acme.email,
            PASSWORD,
            cafe,
            Some(device.clone()),
            t0(),
        )
        .await;
        let new_browser = accounts::log_in_on_device(&db, &acme.email, PASSWORD, cafe, None, t0())
            .await
            .map(|(id, _)| id);
        let another_accounts_device =
            accounts::log_in_on_device(&db, &acme.email, PASSWORD, cafe, Some(globex_device), t0())
                .await
                .map(|(id, _)| id);

        let (id, kept) = with_device.expect("the owner's browser logs in");
        assert_eq!(id, acme.user_id);
        assert_eq!(kept, device, "the browser keeps its token");
        assert!(retry_after(new_browser) > 0, "a new browser still waits");
        assert!(
            retry_after(another_accounts_device) > 0,
            "a device of another account does not count"
        );
    }
);

db_test!(
    a_success_forgives_only_its_own_addresses_failures,
    |db| async move {
        let acme = owner(&db, "acme").await;
        failures(&db, acme.email.as_str(), "192.0.2.1", 3, t0()).await;
        failures(&db, acme.email.as_str(), "192.0.2.2", 3, t0()).await;
        let later = t0() + throttle::delay(3);

        accounts::log_in(&db, &acme.email, PASSWORD, ip("192.0.2.1"), later)
            .await
            .expect("the owner logs in after the delay");
        let attacker = accounts::log_in(&db, &acme.email, PASSWORD, ip("192.0.2.2"), t0()).await;

        assert_eq!(
            count(&db, "login_attempts").await,
            3,
            "the other address's stay"
        );
        assert!(retry_after(attacker) > 0, "and it still waits");
    }
);
