//! Invites: owners invite, invitees accept once, before the link expires.

use backend::accounts::{self, Role};
use backend::invites::{self, VALID_FOR};
use backend::{Error, Password, PersonName, Timestamp, db_test, tenants};
use time::Duration;

use crate::helpers::*;

fn name() -> PersonName {
    PersonName::parse("Bo Jensen").expect("name")
}

fn password() -> Password {
    Password::parse("another good password").expect("password")
}

db_test!(
    owner_invites_and_the_invitee_joins_as_member,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let bo = email("Bo@Acme.test");
        // The real clock: sign-up stamps the owner's membership with it, and members are listed in
        // the order they joined.
        let now = Timestamp::now();

        let token = invites::create(&db, acme.tenant_id, acme.user_id, bo.clone(), now)
            .await
            .expect("invite");
        let pending = invites::pending(&db, acme.tenant_id, now)
            .await
            .expect("pending");
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].email, bo);
        assert_eq!(pending[0].expires_at, now + VALID_FOR);
        assert_eq!(
            token.as_str().len(),
            43,
            "32 bytes, base64url without padding"
        );
        assert!(!format!("{token:?}").contains(token.as_str()));

        let joined = invites::accept(
            &db,
            token.as_str(),
            name(),
            password(),
            now + Duration::hours(1),
        )
        .await
        .expect("accept");

        assert_eq!(joined.tenant_id, acme.tenant_id);
        let membership = accounts::membership(&db, acme.tenant_id, joined.user_id)
            .await
            .expect("member");
        assert_eq!(membership.role, Role::Member);
        let members = tenants::members(&db, acme.tenant_id)
            .await
            .expect("members");
        let roles: Vec<_> = members.iter().map(|m| (m.email.as_str(), m.role)).collect();
        assert_eq!(
            roles,
            vec![
                ("owner@acme.test", Role::Owner),
                ("bo@acme.test", Role::Member)
            ]
        );
        assert!(
            invites::pending(&db, acme.tenant_id, now)
                .await
                .expect("pending")
                .is_empty()
        );
        let user_id = accounts::log_in(&db, &bo, "another good password", ip("192.0.2.1"), now)
            .await
            .expect("the new member logs in");
        assert_eq!(user_id, joined.user_id);
    }
);

db_test!(only_an_owner_may_invite, |db| async move {
    let acme = owner(&db, "acme").await;
    let globex = owner(&db, "globex").await;
    let token = invites::create(
        &db,
        acme.tenant_id,
        acme.user_id,
        email("bo@acme.test"),
        t0(),
    )
    .await
    .expect("invite");
    let member = invites::accept(&db, token.as_str(), name(), password(), t0())
        .await
        .expect("accept");

    let by_member = invites::create(
        &db,
        acme.tenant_id,
        member.user_id,
        email("cy@acme.test"),
        t0(),
    )
    .await;
    let by_outsider = invites::create(
        &db,
        acme.tenant_id,
        globex.user_id,
        email("cy@acme.test"),
        t0(),
    )
    .await;

    assert!(matches!(by_member, Err(Error::Forbidden)), "{by_member:?}");
    assert!(
        matches!(by_outsider, Err(Error::Forbidden)),
        "{by_outsider:?}"
    );
    assert!(
        invites::pending(&db, acme.tenant_id, t0())
            .await
            .expect("pending")
            .is_empty()
    );
});

db_test!(an_invite_is_used_once, |db| async move {
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
    invites::accept(&db, token.as_str(), name(), password(), t0())
        .await
        .expect("first accept");

    let again = invites::accept(&db, token.as_str(), name(), password(), t0()).await;

    assert!(matches!(again, Err(Error::InviteInvalid)), "{again:?}");
    assert_eq!(count(&db, "users").await, 2);
});

db_test!(
    an_expired_invite_is_refused_and_saves_nothing,
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

        let late = t0() + VALID_FOR;
        let result = invites::accept(&db, token.as_str(), name(), password(), late).await;

        assert!(matches!(result, Err(Error::InviteExpired)), "{result:?}");
        assert_eq!(count(&db, "users").await, 1);
        assert!(
            invites::pending(&db, acme.tenant_id, late)
                .await
                .expect("pending")
                .is_empty()
        );
    }
);

db_test!(unknown_or_malformed_tokens_are_invalid, |db| async move {
    let acme = owner(&db, "acme").await;
    invites::create(
        &db,
        acme.tenant_id,
        acme.user_id,
        email("bo@acme.test"),
        t0(),
    )
    .await
    .expect("invite");
    let unknown = "A".repeat(43);
    for token in ["", "not base64 !", "AAAA", unknown.as_str()] {
        let result = invites::accept(&db, token, name(), password(), t0()).await;
        assert!(
            matches!(result, Err(Error::InviteInvalid)),
            "{token:?}: {result:?}"
        );
    }
});

db_test!(
    a_user_of_another_company_is_invited_and_joins_with_their_account,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let globex = owner(&db, "globex").await;

        // Creating the invite says nothing about the address having an account elsewhere.
        let token = invites::create(
            &db,
            acme.tenant_id,
            acme.user_id,
            globex.email.clone(),
            t0(),
        )
        .await
        .expect("invite for a user of another company");
        assert_eq!(
            invites::invited_email(&db, token.as_str(), t0())
                .await
                .expect("usable"),
            globex.email
        );
        let joined = invites::join(&db, token.as_str(), globex.user_id, t0())
            .await
            .expect("join");

        assert_eq!(joined, acme.tenant_id);
        let mut tenants: Vec<_> = accounts::memberships(&db, globex.user_id)
            .await
            .expect("memberships")
            .into_iter()
            .map(|m| (m.tenant_id.get(), m.role))
            .collect();
        tenants.sort_by_key(|(id, _)| *id);
        let mut expected = vec![
            (globex.tenant_id.get(), Role::Owner),
            (acme.tenant_id.get(), Role::Member),
        ];
        expected.sort_by_key(|(id, _)| *id);
        assert_eq!(tenants, expected);
        let again = invites::join(&db, token.as_str(), globex.user_id, t0()).await;
        assert!(matches!(again, Err(Error::InviteInvalid)), "{again:?}");
    }
);

db_test!(
    only_the_invited_address_can_join_with_an_account,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let globex = owner(&db, "globex").await;
        let initech = owner(&db, "initech").await;
        let token = invites::create(
            &db,
            acme.tenant_id,
            acme.user_id,
            globex.email.clone(),
            t0(),
        )
        .await
        .expect("invite");

        let result = invites::join(&db, token.as_str(), initech.user_id, t0()).await;

        assert!(matches!(result, Err(Error::Forbidden)), "{result:?}");
        assert!(
            accounts::membership(&db, acme.tenant_id, initech.user_id)
                .await
                .is_err()
        );
        assert_eq!(
            invites::pending(&db, acme.tenant_id, t0())
                .await
                .expect("pending")
                .len(),
            1
        );
    }
);

db_test!(
    inviting_a_member_of_the_company_is_refused,
    |db| async move {
        let acme = owner(&db, "acme").await;
        let result =
            invites::create(&db, acme.tenant_id, acme.user_id, acme.email.clone(), t0()).await;
        assert!(matches!(result, Err(Error::AlreadyMember)), "{result:?}");
    }
);

db_test!(
    accepting_when_the_email_became_a_user_keeps_the_invite,
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
        accounts::sign_up(&db, sign_up_form("Bo ApS", "bo@acme.test"))
            .await
            .expect("bo signs up elsewhere");

        let result = invites::accept(&db, token.as_str(), name(), password(), t0()).await;

        assert!(matches!(result, Err(Error::EmailTaken)), "{result:?}");
        assert_eq!(
            invites::pending(&db, acme.tenant_id, t0())
                .await
                .expect("pending")
                .len(),
            1
        );
        assert_eq!(count(&db, "memberships").await, 2);
    }
);

db_test!(a_new_invite_replaces_the_previous_link, |db| async move {
    let acme = owner(&db, "acme").await;
    let bo = email("bo@acme.test");
    let first = invites::create(&db, acme.tenant_id, acme.user_id, bo.clone(), t0())
        .await
        .expect("invite");
    let second = invites::create(
        &db,
        acme.tenant_id,
        acme.user_id,
        bo,
        t0() + Duration::minutes(1),
    )
    .await
    .expect("resend");

    assert_eq!(
        invites::pending(&db, acme.tenant_id, t0())
            .await
            .expect("pending")
            .len(),
        1
    );
    let old = invites::accept(&db, first.as_str(), name(), password(), t0()).await;
    assert!(matches!(old, Err(Error::InviteInvalid)), "{old:?}");
    invites::accept(&db, second.as_str(), name(), password(), t0())
        .await
        .expect("new link works");
});
