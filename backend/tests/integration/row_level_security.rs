//! Tenant isolation enforced by PostgreSQL itself: row-level security on every tenant table, the
//! app's tenant work running as a role that cannot bypass it, and what a query that forgot its
//! `tenant_id` filter sees. PostgreSQL only: SQLite has no row-level security (there the filters
//! in the queries, tested on both databases elsewhere, are the guard).

use backend::audit::{self, Action, Actor};
use backend::events::EventStatus;
use backend::settings::{self, SyncSettings};
use backend::testing::isolation::{
    after_reset_role, app_role, row_security, rows_as, tenant_tables, unfiltered_tenant_ids,
};
use backend::testing::{Backend, TestDb, store_events};
use backend::{
    Db, Keys, LoginPrivileges, TenantId, connection, economic, invites, sync, webhook_credentials,
};

use crate::helpers::*;

/// Two tenants with rows in as many tenant tables as the backend's own functions fill.
async fn two_tenants_with_data(db: &Db) -> (TenantId, TenantId) {
    let keys = Keys::generate();
    let mut tenants = Vec::new();
    for label in ["acme", "globex"] {
        let who = owner(db, label).await;
        let tenant = who.tenant_id;
        connection::connect_offline(db, &keys, tenant, "grant-token", t0())
            .await
            .expect("connect");
        settings::save(db, tenant, &SyncSettings::default(), t0())
            .await
            .expect("settings");
        for kind in economic::Entity::ALL {
            webhook_credentials::url_token(db, &keys, tenant, kind)
                .await
                .expect("webhook credential");
        }
        store_events(db, tenant, EventStatus::Dead, 2).await;
        invites::create(
            db,
            tenant,
            who.user_id,
            email(&format!("new@{label}.test")),
            t0(),
        )
        .await
        .expect("invite");
        audit::record(
            db,
            Some(tenant),
            Actor::User(who.user_id),
            Action::SettingsSaved,
            "",
            t0(),
        )
        .await
        .expect("audit");
        sync::budget::record_now(db, tenant, t0(), 3)
            .await
            .expect("api usage");
        tenants.push(tenant);
    }
    (tenants[0], tenants[1])
}

#[tokio::test]
async fn a_query_that_forgot_its_tenant_filter_sees_only_its_own_tenant_or_nothing() {
    let test_db = TestDb::new(Backend::Postgres).await;
    let db = test_db.db();
    let (acme, globex) = two_tenants_with_data(db).await;
    let tables = tenant_tables(db).await;
    assert!(tables.len() >= 20, "tenant tables: {tables:?}");

    let mut with_both = Vec::new();
    for table in &tables {
        let everyone = count(db, table).await;
        let as_acme = unfiltered_tenant_ids(db, Some(acme), table).await;
        let as_globex = unfiltered_tenant_ids(db, Some(globex), table).await;
        let as_nobody = unfiltered_tenant_ids(db, None, table).await;

        assert!(
            as_acme.iter().all(|t| *t == acme.get()),
            "{table}: acme's transaction saw {as_acme:?}"
        );
        assert!(
            as_globex.iter().all(|t| *t == globex.get()),
            "{table}: globex's transaction saw {as_globex:?}"
        );
        assert!(
            as_nobody.is_empty(),
            "{table}: outside any tenant, saw {as_nobody:?}"
        );
        if !as_acme.is_empty() && !as_globex.is_empty() {
            assert_eq!(
                (as_acme.len() + as_globex.len()) as i64,
                everyone,
                "{table}: the two tenants' rows add up to all rows"
            );
            with_both.push(table.clone());
        }
    }
    // The sweep means something only where both tenants have rows.
    for table in [
        "tenants",
        "memberships",
        "economic_connections",
        "sync_settings",
        "webhook_credentials",
        "webhook_events",
        "invites",
        "audit_log",
        "api_usage",
    ] {
        assert!(
            with_both.iter().any(|t| t == table),
            "{table} has rows of both tenants; with both: {with_both:?}"
        );
    }
    test_db.cleanup().await;
}

#[tokio::test]
async fn every_tenant_table_has_forced_row_level_security_and_both_policies() {
    let test_db = TestDb::new(Backend::Postgres).await;
    let db = test_db.db();

    for table in tenant_tables(db).await {
        let (enabled, forced, policies) = row_security(db, &table).await.expect("PostgreSQL");

        assert!(enabled, "{table}: row level security enabled");
        assert!(
            forced,
            "{table}: row level security forced (also for the owner)"
        );
        assert_eq!(
            policies,
            ["cross_tenant", "tenant_isolation"],
            "{table}: policies"
        );
    }
    test_db.cleanup().await;
}

#[tokio::test]
async fn tenant_work_runs_as_a_role_that_owns_nothing_and_cannot_bypass_the_policies() {
    let test_db = TestDb::new(Backend::Postgres).await;
    let db = test_db.db();
    let acme = owner(db, "acme").await;

    let (role, superuser, bypass, owns) = app_role(db, acme.tenant_id).await.expect("PostgreSQL");

    assert_eq!(role, "inventory_sync_app");
    assert!(!superuser, "not a superuser");
    assert!(!bypass, "no BYPASSRLS");
    assert!(!owns, "owns no table");
    test_db.cleanup().await;
}

#[tokio::test]
async fn a_tenant_transaction_cannot_write_a_row_of_another_tenant() {
    let test_db = TestDb::new(Backend::Postgres).await;
    let db = test_db.db();
    let acme = owner(db, "acme").await;
    let globex = owner(db, "globex").await;

    // Writing globex's retention inside acme's transaction: the policy's check refuses it, even
    // though the statement itself names globex.
    let written =
        backend::testing::isolation::write_retention_as(db, acme.tenant_id, globex.tenant_id).await;

    let error = written.expect_err("refused by row-level security");
    assert!(
        error.contains("row-level security"),
        "the database's refusal: {error}"
    );
    test_db.cleanup().await;
}

/// Defence in depth: the tests' app logs in as a role that is no superuser and has
/// no `BYPASSRLS`, as the README asks of production. A statement injected into a tenant's
/// transaction that drops the app role (`reset role`) is then still bound by row-level
/// security and can change no schema; as a superuser it could do anything.
#[tokio::test]
async fn a_tenant_transaction_that_drops_its_role_is_still_no_superuser() {
    let test_db = TestDb::new(Backend::Postgres).await;
    let db = test_db.db();
    let acme = owner(db, "acme").await;

    let (name, superuser, bypass) = after_reset_role(db, acme.tenant_id)
        .await
        .expect("PostgreSQL");
    let login = db.login_privileges().await.expect("ask the database");

    assert_eq!(name, backend::testing::LOGIN, "back to the login");
    assert!(!superuser, "the login is no superuser");
    assert!(!bypass, "the login has no BYPASSRLS");
    let expected = LoginPrivileges {
        superuser: false,
        bypass_rls: false,
    };
    assert_eq!(login, Some(expected));
    test_db.cleanup().await;
}

/// `users`, `staff` and `login_attempts` are no tenant's data, so no tenant policy. But a
/// tenant's transaction cannot read a password hash (log-in reads one through a
/// security-definer function, by e-mail), and sees no log-in attempts (they are made before any
/// tenant is known).
#[tokio::test]
async fn a_tenant_transaction_reads_no_password_hash_and_no_login_attempt() {
    let test_db = TestDb::new(Backend::Postgres).await;
    let db = test_db.db();
    let acme = owner(db, "acme").await;
    let globex = owner(db, "globex").await;
    let failed =
        backend::accounts::log_in(db, &globex.email, "wrong password", ip("192.0.2.1"), t0()).await;
    assert!(failed.is_err(), "a wrong password fails");

    let hashes = rows_as(db, acme.tenant_id, "select password_hash from users").await;
    let staff_hashes = rows_as(db, acme.tenant_id, "select password_hash from staff").await;
    let names = rows_as(db, acme.tenant_id, "select id, email, name from users").await;
    let attempts = rows_as(db, acme.tenant_id, "select * from login_attempts").await;
    let recorded = count(db, "login_attempts").await;

    let refusal = hashes.expect_err("refused");
    assert!(refusal.contains("permission denied"), "{refusal}");
    assert_eq!(names, Ok(2), "the other columns stay readable");
    let refusal = staff_hashes.expect_err("refused");
    assert!(refusal.contains("permission denied"), "{refusal}");
    assert_eq!(recorded, 1, "the failure is recorded");
    assert_eq!(
        attempts,
        Ok(0),
        "no log-in attempt inside a tenant's transaction"
    );
    test_db.cleanup().await;
}

/// In production the login is usually the database's owner, not a superuser: forced row-level
/// security then applies to it too, and only the cross-tenant policy lets the workers, sign-up
/// and the staff pages work. Here the whole path runs as such a login.
#[tokio::test]
async fn a_login_that_owns_the_database_but_is_no_superuser_migrates_and_works_across_tenants() {
    use sqlx::Connection;
    use std::str::FromStr;

    let admin_url = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| backend::testing::DEFAULT_POSTGRES_URL.into());
    let admin = sqlx::postgres::PgConnectOptions::from_str(&admin_url).expect("admin URL");
    let suffix = format!("{:016x}", rand_suffix());
    let (login, database) = (format!("owner_{suffix}"), format!("t_{suffix}"));
    let mut conn = sqlx::PgConnection::connect_with(&admin)
        .await
        .expect("admin");
    for sql in [
        format!(r#"create role "{login}" login createrole"#),
        format!(r#"create database "{database}" owner "{login}""#),
    ] {
        sqlx::raw_sql(&sql)
            .execute(&mut conn)
            .await
            .expect("create the login and its database");
    }

    let db = Db::connect_postgres(admin.clone().username(&login).database(&database))
        .await
        .expect("connect as the owner");
    db.migrate()
        .await
        .expect("migrate as a non-superuser owner");
    let acme = owner(&db, "acme").await;
    let globex = owner(&db, "globex").await;
    let keys = Keys::generate();
    for tenant in [acme.tenant_id, globex.tenant_id] {
        connection::connect_offline(&db, &keys, tenant, "grant-token", t0())
            .await
            .expect("connect");
        store_events(&db, tenant, EventStatus::Received, 1).await;
    }
    let health = backend::tenant_health::all(staff_view(&db, &keys), "", t0())
        .await
        .expect("staff view");
    let (_, _, _, owns) = app_role(&db, acme.tenant_id).await.expect("PostgreSQL");
    let seen = unfiltered_tenant_ids(&db, Some(acme.tenant_id), "webhook_events").await;

    assert_eq!(health.len(), 2, "the staff view sees both tenants");
    assert!(!owns, "the app role owns nothing even here");
    assert_eq!(
        seen,
        [acme.tenant_id.get()],
        "acme's transaction sees acme only"
    );
    db.close().await;
    for sql in [
        format!(r#"drop database if exists "{database}" with (force)"#),
        format!(r#"drop role if exists "{login}""#),
    ] {
        let _ = sqlx::raw_sql(&sql).execute(&mut conn).await;
    }
}

fn rand_suffix() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    (nanos as u64) ^ u64::from(std::process::id()).rotate_left(32)
}
