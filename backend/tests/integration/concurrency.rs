//! Races that the database, not a pre-check, must settle.

use backend::invites;
use backend::{Error, Password, PersonName, accounts, db_test};

use crate::helpers::*;

db_test!(
    concurrent_sign_ups_with_one_email_create_one_tenant,
    |db| async move {
        let tasks: Vec<_> = (0..4)
            .map(|i| {
                let db = db.clone();
                tokio::spawn(async move {
                    accounts::sign_up(
                        &db,
                        sign_up_form(&format!("Race {i} ApS"), "race@acme.test"),
                    )
                    .await
                })
            })
            .collect();
        let mut created = 0;
        for task in tasks {
            match task.await.expect("task") {
                Ok(_) => created += 1,
                Err(Error::EmailTaken) => {}
                Err(other) => panic!("unexpected {other:?}"),
            }
        }

        assert_eq!(created, 1);
        assert_eq!(count(&db, "tenants").await, 1);
        assert_eq!(count(&db, "memberships").await, 1);
    }
);

db_test!(
    concurrent_accepts_of_one_invite_admit_one_user,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let token = invites::create(
            &db,
            acme.tenant_id,
            acme.user_id,
            email("bo@acme.test"),
            t0(),
        )
        .await
        .expect("invite");
        let tasks: Vec<_> = (0..3)
            .map(|_| {
                let db = db.clone();
                let token = token.as_str().to_owned();
                tokio::spawn(async move {
                    let name = PersonName::parse("Bo").expect("name");
                    let password = Password::parse("bo's good password").expect("password");
                    invites::accept(&db, &token, name, password, t0()).await
                })
            })
            .collect();
        let mut joined = 0;
        for task in tasks {
            match task.await.expect("task") {
                Ok(_) => joined += 1,
                Err(Error::InviteInvalid) => {}
                Err(other) => panic!("unexpected {other:?}"),
            }
        }

        assert_eq!(joined, 1);
        assert_eq!(count(&db, "users").await, 2);
        assert_eq!(count(&db, "memberships").await, 2);
    }
);
