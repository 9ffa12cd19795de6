//! Staff accounts (separate from tenant users) and the audit log.

use backend::audit::{self, Action, Actor};
use backend::{Error, Password, PersonName, db_test, staff};
use time::Duration;

use crate::helpers::*;

db_test!(staff_log_in_separately_from_users, |db| async move {
    let acme = owner(&db, "acme").await;
    let support = email("support@inventory.test");
    let name = PersonName::parse("Sam Support").expect("name");
    let password = Password::parse("staff password 1").expect("password");

    let staff_id = staff::create(&db, &support, &name, &password)
        .await
        .expect("create staff");
    let again = staff::create(&db, &support, &name, &password).await;

    assert!(matches!(again, Err(Error::EmailTaken)), "{again:?}");
    let logged_in = staff::log_in(&db, &support, "staff password 1", ip("192.0.2.1"), t0())
        .await
        .expect("log in");
    assert_eq!(logged_in, staff_id);
    assert_eq!(staff::get(&db, staff_id).await.expect("get").email, support);
    // A tenant user's credentials do not open the staff dashboard, and vice versa.
    let as_staff = staff::log_in(&db, &acme.email, PASSWORD, ip("192.0.2.1"), t0()).await;
    assert!(
        matches!(as_staff, Err(Error::InvalidCredentials)),
        "{as_staff:?}"
    );
    let as_user =
        backend::accounts::log_in(&db, &support, "staff password 1", ip("192.0.2.1"), t0()).await;
    assert!(
        matches!(as_user, Err(Error::InvalidCredentials)),
        "{as_user:?}"
    );
});

db_test!(
    audit_entries_are_listed_per_tenant_newest_first,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let globex = owner(&db, "globex").await;
        let sam = staff::create(
            &db,
            &email("sam@inventory.test"),
            &PersonName::parse("Sam").expect("name"),
            &Password::parse("staff password 1").expect("password"),
        )
        .await
        .expect("staff");
        let acting = Actor::Impersonating {
            staff: sam,
            user: acme.user_id,
        };
        audit::record(
            &db,
            Some(acme.tenant_id),
            Actor::Staff(sam),
            Action::ImpersonationStarted,
            "ticket 42",
            t0(),
        )
        .await
        .expect("record");
        audit::record(
            &db,
            Some(acme.tenant_id),
            acting,
            Action::SettingsSaved,
            "",
            t0() + Duration::seconds(1),
        )
        .await
        .expect("record");
        audit::record(
            &db,
            Some(globex.tenant_id),
            Actor::User(globex.user_id),
            Action::SettingsSaved,
            "",
            t0(),
        )
        .await
        .expect("record");
        audit::record(&db, None, Actor::System, Action::StaffCreated, "sam", t0())
            .await
            .expect("record");

        let entries = audit::for_tenant(&db, acme.tenant_id, 10)
            .await
            .expect("entries");

        let seen: Vec<_> = entries.iter().map(|e| (e.action, e.actor)).collect();
        assert_eq!(
            seen,
            vec![
                (Action::SettingsSaved, acting),
                (Action::ImpersonationStarted, Actor::Staff(sam))
            ]
        );
        assert_eq!(entries[1].detail, "ticket 42");
        assert_eq!(
            audit::for_tenant(&db, acme.tenant_id, 1)
                .await
                .expect("entries")
                .len(),
            1
        );
    }
);
