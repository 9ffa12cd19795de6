//! The PostgreSQL login the app runs with needs no more than its work: the owner role runs the
//! migrations (`server migrate`), and the login, a member of `inventory_sync_app` and
//! `inventory_sync_cross_tenant` only, merely checks at start-up that they ran. A login that is
//! a superuser or has `BYPASSRLS` would turn row-level security into a convention: a `reset
//! role` inside a tenant's transaction would see every row again, and more.

use sqlx::migrate::Migrator;
use sqlx::postgres::PgPool;

use super::Db;
use crate::error::Result;

/// What the database login may do beyond its grants (PostgreSQL only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginPrivileges {
    /// The login is a superuser: row-level security does not apply to it at all.
    pub superuser: bool,
    /// The login has `BYPASSRLS`.
    pub bypass_rls: bool,
}

impl Db {
    /// The login's own attributes on PostgreSQL (the session user, whatever role is set);
    /// `None` on SQLite, which has no logins.
    pub async fn login_privileges(&self) -> Result<Option<LoginPrivileges>> {
        let Some(pool) = self.pg_pool() else {
            return Ok(None);
        };
        let (superuser, bypass_rls): (bool, bool) = sqlx::query_as(
            "select rolsuper, rolbypassrls from pg_roles where rolname = session_user",
        )
        .fetch_one(pool)
        .await?;
        Ok(Some(LoginPrivileges {
            superuser,
            bypass_rls,
        }))
    }
}

/// Whether every migration of `migrator` has been applied, unchanged, to the database behind
/// `pool`. Asked before migrating, so that a login without the right to create tables (the
/// least-privilege setup) starts when the owner has already migrated. Any doubt (no migrations
/// table yet, a failed or edited migration) answers false, and sqlx's migrator then decides.
pub(super) async fn is_current(pool: &PgPool, migrator: &Migrator) -> bool {
    let applied: Vec<(i64, Vec<u8>)> =
        match sqlx::query_as("select version, checksum from _sqlx_migrations where success")
            .fetch_all(pool)
            .await
        {
            Ok(applied) => applied,
            Err(_) => return false,
        };
    migrator
        .iter()
        .filter(|migration| !migration.migration_type.is_down_migration())
        .all(|migration| {
            applied.iter().any(|(version, checksum)| {
                *version == migration.version && checksum[..] == migration.checksum[..]
            })
        })
}
