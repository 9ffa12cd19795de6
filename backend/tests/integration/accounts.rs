//! Sign-up and log-in of tenant users.

use argon2::PasswordHash;
use backend::accounts::{self, Membership, Role};
use backend::{Error, Timestamp, db_test, tenants};

use crate::helpers::*;

db_test!(
    sign_up_creates_tenant_owner_and_membership,
    |db| async move {
        let signed_up = accounts::sign_up(&db, sign_up_form(" Ærø Øl ApS ", "Anna@Example.DK"))
            .await
            .expect("sign up");

        let tenant = tenants::get(&db, signed_up.tenant_id)
            .await
            .expect("tenant");
        assert_eq!(tenant.name, "Ærø Øl ApS");
        let user = accounts::user(&db, signed_up.user_id).await.expect("user");
        assert_eq!(
            (user.email.as_str(), user.name.as_str()),
            ("anna@example.dk", "Anna Hansen")
        );
        let memberships = accounts::memberships(&db, signed_up.user_id)
            .await
            .expect("memberships");
        assert_eq!(
            memberships,
            vec![Membership {
                tenant_id: signed_up.tenant_id,
                company_name: "Ærø Øl ApS".into(),
                role: Role::Owner
            }]
        );
        assert_eq!(count(&db, "tenants").await, 1);
        assert_eq!(count(&db, "users").await, 1);
        assert_eq!(count(&db, "memberships").await, 1);
    }
);

db_test!(
    duplicate_email_is_refused_and_nothing_half_saved,
    |db| async move {
        owner(&db, "acme").await;

        let err = accounts::sign_up(&db, sign_up_form("Other ApS", "OWNER@Acme.test"))
            .await
            .expect_err("email taken");

        assert!(matches!(err, Error::EmailTaken), "{err:?}");
        assert_eq!(count(&db, "tenants").await, 1);
        assert_eq!(count(&db, "users").await, 1);
        assert_eq!(count(&db, "memberships").await, 1);
    }
);

db_test!(log_in_with_the_right_password, |db| async move {
    let acme = owner(&db, "acme").await;
    let user_id = accounts::log_in(
        &db,
        &acme.email,
        PASSWORD,
        ip("192.0.2.1"),
        Timestamp::now(),
    )
    .await
    .expect("log in");
    assert_eq!(user_id, acme.user_id);
});

db_test!(
    wrong_password_and_unknown_email_look_the_same,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let now = Timestamp::now();

        let wrong =
            accounts::log_in(&db, &acme.email, "not the password", ip("192.0.2.1"), now).await;
        let unknown = accounts::log_in(
            &db,
            &email("nobody@acme.test"),
            PASSWORD,
            ip("192.0.2.1"),
            now,
        )
        .await;

        assert!(matches!(wrong, Err(Error::InvalidCredentials)), "{wrong:?}");
        assert!(
            matches!(unknown, Err(Error::InvalidCredentials)),
            "{unknown:?}"
        );
        assert_eq!(count(&db, "login_attempts").await, 2);
    }
);

db_test!(
    password_hash_is_argon2id_with_owasp_params,
    |db| async move {
        let acme = owner(&db, "acme").await;

        let phc = password_hash(&db, acme.email.as_str()).await;

        let hash = PasswordHash::new(&phc).expect("PHC string");
        assert_eq!(hash.algorithm.as_str(), "argon2id");
        assert_eq!(hash.version, Some(19));
        assert_eq!(hash.params.get_decimal("m"), Some(19_456));
        assert_eq!(hash.params.get_decimal("t"), Some(2));
        assert_eq!(hash.params.get_decimal("p"), Some(1));
        assert!(hash.salt.is_some());
        assert!(!phc.contains(PASSWORD));
    }
);

db_test!(
    user_and_membership_of_unknown_ids_are_not_found,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let other_user: backend::UserId = "999999".parse().expect("id");
        assert!(matches!(
            accounts::user(&db, other_user).await,
            Err(Error::NotFound)
        ));
        let result = accounts::membership(&db, acme.tenant_id, other_user).await;
        assert!(matches!(result, Err(Error::NotFound)), "{result:?}");
    }
);
