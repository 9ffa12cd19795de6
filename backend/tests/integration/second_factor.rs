//! The staff second factor: enrolment with a first code, codes never accepted twice, recovery
//! codes once, throttled attempts; disabled accounts; the dashboard's figures.

use backend::events::EventStatus;
use backend::{
    Error, Keys, Password, PersonName, StaffId, Timestamp, db_test, second_factor, staff,
};

use crate::helpers::*;

async fn sam(db: &backend::Db) -> StaffId {
    staff::create(
        db,
        &email("sam@inventory.test"),
        &PersonName::parse("Sam Support").expect("name"),
        &Password::parse("staff password 1").expect("password"),
    )
    .await
    .expect("staff")
}

/// The token of a new enrolment link for `sam`, opened at [`t0`].
async fn link(db: &backend::Db, sam: StaffId) -> String {
    second_factor::issue_enrolment_link(db, sam, t0())
        .await
        .expect("enrolment link")
}

/// The code an authenticator app with `secret` shows at `at`.
fn code_at(secret: &str, at: Timestamp) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).expect("base32 secret");
    let totp = totp_rs::Builder::new()
        .with_secret(secret)
        .build()
        .expect("totp");
    let secs = u64::try_from(at.as_millis() / 1000).expect("after 1970");
    totp.generate(secs).to_string()
}

fn later(at: Timestamp, secs: i64) -> Timestamp {
    Timestamp::from_millis(at.as_millis() + secs * 1000)
}

db_test!(
    enrolment_needs_a_right_first_code_and_gives_recovery_codes,
    |db| async move {
        let keys = Keys::generate();
        let sam = sam(&db).await;
        let link = link(&db, sam).await;
        let now = t0();

        let first = second_factor::enrolment(&db, &keys, sam, &link, t0())
            .await
            .expect("enrolment");
        let again = second_factor::enrolment(&db, &keys, sam, &link, t0())
            .await
            .expect("same enrolment");
        let wrong =
            second_factor::confirm(&db, &keys, sam, &link, "000000", ip("192.0.2.1"), now).await;
        let codes = second_factor::confirm(
            &db,
            &keys,
            sam,
            &link,
            &code_at(&first.secret_base32, now),
            ip("192.0.2.1"),
            now,
        )
        .await
        .expect("confirm");

        assert_eq!(
            first.secret_base32, again.secret_base32,
            "a reload shows the same secret"
        );
        assert!(
            first.otpauth_url.starts_with("otpauth://totp/"),
            "{}",
            first.otpauth_url
        );
        assert!(first.qr_svg.contains("<svg"));
        assert!(matches!(wrong, Err(Error::WrongCode)), "{wrong:?}");
        assert_eq!(codes.len(), second_factor::RECOVERY_CODES);
        assert!(
            second_factor::is_enrolled(&db, sam)
                .await
                .expect("enrolled")
        );
        let replace = second_factor::enrolment(&db, &keys, sam, &link, t0()).await;
        assert!(
            matches!(replace, Err(Error::Forbidden)),
            "no second enrolment: {replace:?}"
        );
        let secret: Vec<u8> = first.secret_base32.into_bytes();
        assert!(
            !count_rows_with(&db, &secret).await,
            "the secret is not stored in clear"
        );
    }
);

/// Whether any staff row holds `needle` in its TOTP column as is.
async fn count_rows_with(db: &backend::Db, needle: &[u8]) -> bool {
    let raw = totp_rs::Secret::try_from_base32(std::str::from_utf8(needle).expect("utf-8"))
        .expect("secret")
        .as_bytes()
        .to_vec();
    let stored = stored_totp(db).await;
    stored.windows(raw.len()).any(|w| w == raw.as_slice())
}

async fn stored_totp(db: &backend::Db) -> Vec<u8> {
    use sqlx::Row;
    let sql = "select totp_ciphertext from staff";
    if let Some(pool) = db.sqlite_pool() {
        sqlx::query(sql)
            .fetch_one(pool)
            .await
            .expect("row")
            .get::<Vec<u8>, _>(0)
    } else {
        let pool = db.pg_pool().expect("pg");
        sqlx::query(sql)
            .fetch_one(pool)
            .await
            .expect("row")
            .get::<Vec<u8>, _>(0)
    }
}

db_test!(
    a_code_is_accepted_once_and_a_recovery_code_once,
    |db| async move {
        let keys = Keys::generate();
        let sam = sam(&db).await;
        let link = link(&db, sam).await;
        let now = t0();
        let secret = second_factor::enrolment(&db, &keys, sam, &link, t0())
            .await
            .expect("enrol")
            .secret_base32;
        let recovery = second_factor::confirm(
            &db,
            &keys,
            sam,
            &link,
            &code_at(&secret, now),
            ip("192.0.2.1"),
            now,
        )
        .await
        .expect("confirm");
        let at = later(now, 60);
        let code = code_at(&secret, at);

        let first = second_factor::verify(&db, &keys, sam, &code, ip("192.0.2.1"), at).await;
        let replayed =
            second_factor::verify(&db, &keys, sam, &code, ip("192.0.2.1"), later(at, 5)).await;
        let next = second_factor::verify(
            &db,
            &keys,
            sam,
            &code_at(&secret, later(at, 30)),
            ip("192.0.2.1"),
            later(at, 30),
        )
        .await;
        let by_recovery = second_factor::verify(
            &db,
            &keys,
            sam,
            &recovery[0],
            ip("192.0.2.2"),
            later(at, 40),
        )
        .await;
        let recovery_again = second_factor::verify(
            &db,
            &keys,
            sam,
            &recovery[0],
            ip("192.0.2.3"),
            later(at, 50),
        )
        .await;

        assert!(first.is_ok(), "{first:?}");
        assert!(matches!(replayed, Err(Error::WrongCode)), "{replayed:?}");
        assert!(next.is_ok(), "the next step's code works: {next:?}");
        assert!(by_recovery.is_ok(), "{by_recovery:?}");
        assert!(
            matches!(recovery_again, Err(Error::WrongCode)),
            "{recovery_again:?}"
        );
        assert_eq!(
            second_factor::recovery_codes_left(&db, sam)
                .await
                .expect("left"),
            i64::try_from(second_factor::RECOVERY_CODES).expect("small") - 1
        );
    }
);

db_test!(wrong_codes_are_throttled, |db| async move {
    let keys = Keys::generate();
    let sam = sam(&db).await;
    let link = link(&db, sam).await;
    let now = t0();
    let secret = second_factor::enrolment(&db, &keys, sam, &link, t0())
        .await
        .expect("enrol")
        .secret_base32;
    second_factor::confirm(
        &db,
        &keys,
        sam,
        &link,
        &code_at(&secret, now),
        ip("192.0.2.1"),
        now,
    )
    .await
    .expect("confirm");
    let at = later(now, 60);
    for _ in 0..=backend::throttle::FREE_FAILURES {
        let wrong = second_factor::verify(&db, &keys, sam, "000000", ip("192.0.2.9"), at).await;
        assert!(matches!(wrong, Err(Error::WrongCode)), "{wrong:?}");
    }

    let right =
        second_factor::verify(&db, &keys, sam, &code_at(&secret, at), ip("192.0.2.9"), at).await;

    assert!(
        matches!(right, Err(Error::TooManyAttempts { .. })),
        "{right:?}"
    );
});

db_test!(a_disabled_staff_member_cannot_log_in, |db| async move {
    let sam = sam(&db).await;

    let disabled = staff::disable(&db, &email("sam@inventory.test"), t0())
        .await
        .expect("disable");
    let log_in = staff::log_in(
        &db,
        &email("sam@inventory.test"),
        "staff password 1",
        ip("192.0.2.1"),
        t0(),
    )
    .await;

    assert_eq!(disabled, sam);
    assert!(
        matches!(log_in, Err(Error::InvalidCredentials)),
        "{log_in:?}"
    );
    let listed = staff::list(&db).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert!(listed[0].disabled_at.is_some());
    let unknown = staff::disable(&db, &email("nobody@inventory.test"), t0()).await;
    assert!(matches!(unknown, Err(Error::NotFound)), "{unknown:?}");
});

db_test!(
    the_dashboard_counts_each_tenants_events_problems_first,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let globex = owner(&db, "globex").await;
        backend::testing::store_events(&db, globex.tenant_id, EventStatus::Dead, 2).await;
        backend::testing::store_events(&db, globex.tenant_id, EventStatus::Queued, 3).await;
        backend::testing::store_events(&db, acme.tenant_id, EventStatus::Failed, 1).await;
        let keys = Keys::generate();

        let all = backend::tenant_health::all(staff_view(&db, &keys), "", Timestamp::now())
            .await
            .expect("health");
        let searched =
            backend::tenant_health::all(staff_view(&db, &keys), "ACME", Timestamp::now())
                .await
                .expect("search");

        let names: Vec<&str> = all.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["globex ApS", "acme ApS"], "most dead first");
        assert_eq!((all[0].dead, all[0].backlog, all[0].failed), (2, 3, 0));
        assert_eq!((all[1].dead, all[1].backlog, all[1].failed), (0, 0, 1));
        assert!(all.iter().all(|h| h.needs_attention()));
        assert_eq!(searched.len(), 1);
        assert_eq!(searched[0].tenant_id, acme.tenant_id);
        assert!(all.iter().all(|h| !h.token_refused && !h.connected));
    }
);

db_test!(the_dashboard_shows_a_refused_grant_token, |db| async move {
    // Arrange: connected, then e-conomic refuses the token (what a worker's 401 does).
    let acme = owner(&db, "acme").await;
    let keys = backend::Keys::generate();
    let now = Timestamp::now();
    backend::connection::connect_offline(&db, &keys, acme.tenant_id, "grant", now)
        .await
        .expect("connected");
    let before = backend::tenant_health::one(staff_view(&db, &keys), acme.tenant_id, now)
        .await
        .expect("health");
    backend::connection::pause(&db, acme.tenant_id, "401 from e-conomic", now)
        .await
        .expect("paused");

    // Act
    let after = backend::tenant_health::one(staff_view(&db, &keys), acme.tenant_id, now)
        .await
        .expect("health");

    // Assert
    assert!(before.connected && !before.token_refused && !before.needs_attention());
    assert!(after.connected && after.token_refused && after.needs_attention());
});

db_test!(
    enrolment_needs_the_one_time_link_from_create_staff,
    |db| async move {
        let keys = Keys::generate();
        let sam = sam(&db).await;

        // Without the link (whoever knows the password first), or with a wrong or expired one.
        let none = second_factor::enrolment(&db, &keys, sam, "", t0()).await;
        let link = link(&db, sam).await;
        let wrong = second_factor::enrolment(&db, &keys, sam, "not-the-link", t0()).await;
        let expired = second_factor::enrolment(&db, &keys, sam, &link, later(t0(), 61 * 60)).await;
        let secret = second_factor::enrolment(&db, &keys, sam, &link, t0())
            .await
            .expect("with the link")
            .secret_base32;
        let confirmed = second_factor::confirm(
            &db,
            &keys,
            sam,
            &link,
            &code_at(&secret, t0()),
            ip("192.0.2.1"),
            t0(),
        )
        .await;
        let again = second_factor::issue_enrolment_link(&db, sam, t0()).await;

        for refused in [none, wrong, expired] {
            assert!(
                matches!(refused, Err(Error::EnrolmentLinkInvalid)),
                "{refused:?}"
            );
        }
        assert!(confirmed.is_ok(), "{confirmed:?}");
        assert!(
            matches!(again, Err(Error::Forbidden)),
            "no link once enrolled: {again:?}"
        );
    }
);

db_test!(
    the_second_factor_locks_hard_after_its_own_ceiling_until_unlocked,
    |db| async move {
        let keys = Keys::generate();
        let sam = sam(&db).await;
        let link = link(&db, sam).await;
        let secret = second_factor::enrolment(&db, &keys, sam, &link, t0())
            .await
            .expect("enrol")
            .secret_base32;
        second_factor::confirm(
            &db,
            &keys,
            sam,
            &link,
            &code_at(&secret, t0()),
            ip("192.0.2.1"),
            t0(),
        )
        .await
        .expect("confirm");

        // Wrong codes from as many addresses, so that no address waits: only the factor's own
        // ceiling holds them.
        let at = later(t0(), 60);
        for i in 0..second_factor::MAX_CODE_FAILURES {
            let wrong =
                second_factor::verify(&db, &keys, sam, "000000", ip(&format!("10.0.0.{i}")), at)
                    .await;
            assert!(matches!(wrong, Err(Error::WrongCode)), "{wrong:?}");
        }
        let right = second_factor::verify(
            &db,
            &keys,
            sam,
            &code_at(&secret, at),
            ip("198.51.100.7"),
            at,
        )
        .await;
        let listed = staff::list(&db).await.expect("list");

        assert!(
            matches!(right, Err(Error::SecondFactorLocked)),
            "even the right code: {right:?}"
        );
        assert!(listed[0].second_factor_locked, "list-staff shows the lock");

        // The operator unlocks (`server unlock-staff`).
        staff::unlock(&db, &email("sam@inventory.test"))
            .await
            .expect("unlock");
        let after = second_factor::verify(
            &db,
            &keys,
            sam,
            &code_at(&secret, at),
            ip("198.51.100.7"),
            at,
        )
        .await;
        assert!(after.is_ok(), "{after:?}");
    }
);

db_test!(
    parallel_codes_never_pass_the_second_factors_ceiling,
    |db| async move {
        let keys = Keys::generate();
        let sam = sam(&db).await;
        let link = link(&db, sam).await;
        let secret = second_factor::enrolment(&db, &keys, sam, &link, t0())
            .await
            .expect("enrol")
            .secret_base32;
        second_factor::confirm(
            &db,
            &keys,
            sam,
            &link,
            &code_at(&secret, t0()),
            ip("192.0.2.1"),
            t0(),
        )
        .await
        .expect("confirm");

        let at = later(t0(), 60);
        let tries: Vec<_> = (0..40)
            .map(|i| {
                let (db, keys) = (db.clone(), keys.clone());
                tokio::spawn(async move {
                    let client = ip(&format!("10.0.1.{i}"));
                    second_factor::verify(&db, &keys, sam, "000000", client, at).await
                })
            })
            .collect();
        let mut checked = 0;
        for attempt in tries {
            match attempt.await.expect("join") {
                Err(Error::WrongCode) => checked += 1,
                Err(Error::SecondFactorLocked) => {}
                other => panic!("unexpected: {other:?}"),
            }
        }

        assert_eq!(checked, second_factor::MAX_CODE_FAILURES);
    }
);
