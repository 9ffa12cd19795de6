//! Tenant isolation: another tenant's rows are simply not found.

use backend::accounts;
use backend::invites;
use backend::{Error, TenantId, db_test, tenants};

use crate::helpers::*;

db_test!(a_user_is_not_a_member_of_another_tenant, |db| async move {
    let acme = owner(&db, "acme").await;
    let globex = owner(&db, "globex").await;

    let result = accounts::membership(&db, globex.tenant_id, acme.user_id).await;

    assert!(matches!(result, Err(Error::NotFound)), "{result:?}");
    let own = accounts::membership(&db, acme.tenant_id, acme.user_id)
        .await
        .expect("own tenant");
    assert_eq!(own.company_name, "acme ApS");
    let memberships = accounts::memberships(&db, acme.user_id)
        .await
        .expect("memberships");
    assert_eq!(memberships.len(), 1);
});

db_test!(members_lists_only_the_tenants_own_users, |db| async move {
    let acme = owner(&db, "acme").await;
    let globex = owner(&db, "globex").await;
    let token = invites::create(
        &db,
        globex.tenant_id,
        globex.user_id,
        email("hank@globex.test"),
        t0(),
    )
    .await
    .expect("invite");
    let name = backend::PersonName::parse("Hank").expect("name");
    let password = backend::Password::parse("hank's password").expect("password");
    invites::accept(&db, token.as_str(), name, password, t0())
        .await
        .expect("accept");

    let acme_members = tenants::members(&db, acme.tenant_id)
        .await
        .expect("members");
    let globex_members = tenants::members(&db, globex.tenant_id)
        .await
        .expect("members");

    let ids: Vec<_> = acme_members.iter().map(|m| m.user_id).collect();
    assert_eq!(ids, vec![acme.user_id]);
    assert_eq!(globex_members.len(), 2);
    assert!(globex_members.iter().all(|m| m.user_id != acme.user_id));
});

db_test!(pending_invites_are_per_tenant, |db| async move {
    let acme = owner(&db, "acme").await;
    let globex = owner(&db, "globex").await;
    invites::create(
        &db,
        acme.tenant_id,
        acme.user_id,
        email("bo@acme.test"),
        t0(),
    )
    .await
    .expect("invite");

    assert!(
        invites::pending(&db, globex.tenant_id, t0())
            .await
            .expect("pending")
            .is_empty()
    );
    let forged = invites::create(
        &db,
        acme.tenant_id,
        globex.user_id,
        email("x@globex.test"),
        t0(),
    )
    .await;
    assert!(matches!(forged, Err(Error::Forbidden)), "{forged:?}");
});

db_test!(an_unknown_tenant_is_not_found, |db| async move {
    owner(&db, "acme").await;
    let unknown: TenantId = "424242".parse().expect("id");
    assert!(matches!(
        tenants::get(&db, unknown).await,
        Err(Error::NotFound)
    ));
    assert!(
        tenants::members(&db, unknown)
            .await
            .expect("members")
            .is_empty()
    );
});
