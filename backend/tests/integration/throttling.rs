//! Login throttling per account and per client IP, with a movable clock.

use backend::accounts;
use backend::{Error, db_test, throttle};
use time::Duration;

use crate::helpers::*;

db_test!(
    account_is_throttled_after_ten_failures_until_the_window_passes,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let client = ip("192.0.2.1");
        for i in 0..10 {
            let at = t0() + Duration::seconds(i);
            let result = accounts::log_in(&db, &acme.email, "wrong password", client, at).await;
            assert!(
                matches!(result, Err(Error::InvalidCredentials)),
                "attempt {i}: {result:?}"
            );
        }

        // Even the right password is refused now, before it is checked.
        let now = t0() + Duration::seconds(10);
        let result = accounts::log_in(&db, &acme.email, PASSWORD, client, now).await;
        match result {
            Err(Error::TooManyAttempts { retry_after_secs }) => {
                assert_eq!(retry_after_secs, 15 * 60 - 10)
            }
            other => panic!("expected TooManyAttempts, got {other:?}"),
        }
        assert_eq!(
            count(&db, "login_attempts").await,
            10,
            "refused attempts are not recorded"
        );

        // Once the first failure leaves the window, logging in works again and clears the failures.
        let later = t0() + throttle::WINDOW + Duration::milliseconds(1);
        let user_id = accounts::log_in(&db, &acme.email, PASSWORD, client, later)
            .await
            .expect("log in");
        assert_eq!(user_id, acme.user_id);
        assert_eq!(count(&db, "login_attempts").await, 0);
    }
);

db_test!(success_clears_the_accounts_failures, |db| async move {
    let acme = owner(&db, "acme").await;
    let client = ip("192.0.2.1");
    for i in 0..9 {
        let _ = accounts::log_in(
            &db,
            &acme.email,
            "wrong password",
            client,
            t0() + Duration::seconds(i),
        )
        .await;
    }
    accounts::log_in(
        &db,
        &acme.email,
        PASSWORD,
        client,
        t0() + Duration::seconds(9),
    )
    .await
    .expect("log in");

    for i in 10..19 {
        let _ = accounts::log_in(
            &db,
            &acme.email,
            "wrong password",
            client,
            t0() + Duration::seconds(i),
        )
        .await;
    }
    let result = accounts::log_in(
        &db,
        &acme.email,
        PASSWORD,
        client,
        t0() + Duration::seconds(20),
    )
    .await;
    assert_eq!(
        result.expect("9 failures since the success are below the limit"),
        acme.user_id
    );
});

db_test!(unknown_accounts_are_throttled_too, |db| async move {
    let ghost = email("ghost@acme.test");
    for i in 0..10 {
        let _ = accounts::log_in(
            &db,
            &ghost,
            "guess",
            ip("192.0.2.1"),
            t0() + Duration::seconds(i),
        )
        .await;
    }
    let result = accounts::log_in(
        &db,
        &ghost,
        "guess",
        ip("192.0.2.1"),
        t0() + Duration::seconds(10),
    )
    .await;
    assert!(
        matches!(result, Err(Error::TooManyAttempts { .. })),
        "{result:?}"
    );
});

db_test!(
    client_ip_is_throttled_after_fifty_failures_across_accounts,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let attacker = ip("2001:db8:1:2::1");
        for i in 0..50 {
            // 5 failures per guessed account: no account reaches its own limit.
            let guessed = email(&format!("user{}@acme.test", i / 5));
            let at = t0() + Duration::seconds(i);
            let result = accounts::log_in(&db, &guessed, "guess", attacker, at).await;
            assert!(
                matches!(result, Err(Error::InvalidCredentials)),
                "attempt {i}: {result:?}"
            );
        }
        let now = t0() + Duration::seconds(60);

        // Another address in the same IPv6 /64 is the same client.
        let neighbour = ip("2001:db8:1:2:ffff::9");
        let result = accounts::log_in(&db, &acme.email, PASSWORD, neighbour, now).await;
        assert!(
            matches!(result, Err(Error::TooManyAttempts { .. })),
            "{result:?}"
        );

        // The account itself is not locked for other clients.
        let user_id = accounts::log_in(&db, &acme.email, PASSWORD, ip("198.51.100.7"), now)
            .await
            .expect("log in");
        assert_eq!(user_id, acme.user_id);
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
