//! Whose rows a statement may touch, enforced by PostgreSQL's row-level security.
//!
//! Every tenant-scoped table has `ENABLE` and `FORCE ROW LEVEL SECURITY` and a policy that the
//! role `inventory_sync_app` sees and writes only rows whose `tenant_id` equals the
//! transaction's `app.tenant_id` (migration `20261206001501_row_level_security`). The app pool
//! connects with the configured login and `set role inventory_sync_app` at once, so its
//! connections do not own the tables and lack `BYPASSRLS`; tenant work runs in a transaction that
//! begins with `set local app.tenant_id`. A query that forgot its `tenant_id` filter thus returns
//! the right tenant's rows or none, never another tenant's.
//!
//! Work that spans tenants by nature (claiming the next event of any tenant, the schedule,
//! retention, the staff dashboard, a user's companies) uses the owner pool instead, and says why
//! with a [`CrossTenant`] reason, counted on `/metrics` as
//! `inventory_sync_cross_tenant_queries_total`. Grep for `with_cross_tenant!` and
//! `CrossTenant::` to review all of it.
//!
//! SQLite has no row-level security: there the filters in the queries are the only guard (and
//! the cross-tenant tests run on both databases).

use sqlx::postgres::PgPool;
use sqlx::{Executor, PgConnection, Postgres};

use crate::TenantId;

/// Why a statement looks across tenants. Every variant is a path a reviewer can find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrossTenant {
    /// The webhook writer stores webhooks of many tenants in one batch (each one's tenant was
    /// checked against its URL credential first, in that tenant's transaction).
    WebhookIngest,
    /// A worker claims the next event of any tenant (and finds expired claims).
    QueueClaim,
    /// The scheduler finds tenants whose hourly sync, reconciliation or health check is due.
    Schedule,
    /// The retention job deletes old events and attempts of every tenant.
    Retention,
    /// Staff pages and commands: the dashboard, a tenant's page, staff audit entries.
    Staff,
    /// `/metrics`: queue depth by status at scrape time.
    Metrics,
    /// A signed-in user's own companies, and an invite found by its token.
    Memberships,
    /// Signing up: the new tenant's first rows, before a session names it.
    SignUp,
    /// The mail outbox: mails of no company (password reset, sign-up) and the sender that
    /// delivers every company's mails.
    Mail,
    /// Companies connected to the same e-conomic agreement: their names, whose URL the
    /// agreement's webhooks point at, and their calls against the agreement's shared budget.
    SharedAgreement,
    /// The health sweep: every tenant's signals at once, the facts it keeps, the alert
    /// webhooks due (each tenant's episodes are written in that tenant's transaction).
    HealthSweep,
}

impl CrossTenant {
    /// The label on `inventory_sync_cross_tenant_queries_total`.
    pub fn name(self) -> &'static str {
        match self {
            CrossTenant::WebhookIngest => "webhook_ingest",
            CrossTenant::QueueClaim => "queue_claim",
            CrossTenant::Schedule => "schedule",
            CrossTenant::Retention => "retention",
            CrossTenant::Staff => "staff",
            CrossTenant::Metrics => "metrics",
            CrossTenant::Memberships => "memberships",
            CrossTenant::SignUp => "sign_up",
            CrossTenant::Mail => "mail",
            CrossTenant::SharedAgreement => "shared_agreement",
            CrossTenant::HealthSweep => "health_sweep",
        }
    }

    /// Count one use (the audit trail of this path: how often, and why).
    pub(crate) fn record(self) {
        metrics::counter!("inventory_sync_cross_tenant_queries_total", "reason" => self.name())
            .increment(1);
    }
}

/// The role the app's tenant work runs as (created by the migration).
const APP_ROLE: &str = "inventory_sync_app";

/// Run on every new connection of the app pool.
pub(super) async fn become_app_role(conn: &mut PgConnection) -> sqlx::Result<()> {
    conn.execute(format!("set role {APP_ROLE}").as_str())
        .await?;
    Ok(())
}

/// Begin a transaction on the app pool for `tenant` (one round trip), for [`with_tenant!`]'s
/// single statements: they keep PostgreSQL's usual choice of plan, as they had on the pool.
pub(crate) async fn begin_tenant(
    pool: &PgPool,
    tenant: TenantId,
) -> sqlx::Result<sqlx::Transaction<'static, Postgres>> {
    pool.begin_with(format!("begin; {}", set_tenant(tenant)))
        .await
}

/// Begin a transaction on the app pool for `tenant` whose statements are planned with their
/// values, in one round trip ([`super::Db::begin`], the engine's transactions). sqlx prepares
/// each statement once per connection and PostgreSQL then settles on a generic plan; one made
/// while a tenant's table was still empty (or not yet analysed) stayed a sequential scan after a
/// 100,000-product import, and each `product_number in (…)` lookup of the sync engine took a
/// second instead of a millisecond.
pub(super) async fn begin_tenant_planned(
    pool: &PgPool,
    tenant: TenantId,
) -> sqlx::Result<sqlx::Transaction<'static, Postgres>> {
    pool.begin_with(format!(
        "begin; {}; set local plan_cache_mode = force_custom_plan",
        set_tenant(tenant)
    ))
    .await
}

/// The statement that names the transaction's tenant for the policies.
fn set_tenant(tenant: TenantId) -> String {
    // The id is an integer, formatted by us: nothing from outside reaches this SQL.
    format!("set local app.tenant_id = '{}'", tenant.get())
}

/// Begin a transaction on the owner pool (across tenants), planned with its values as
/// [`begin_tenant_planned`].
pub(super) async fn begin_owner(
    pool: &PgPool,
) -> sqlx::Result<sqlx::Transaction<'static, Postgres>> {
    pool.begin_with("begin; set local plan_cache_mode = force_custom_plan")
        .await
}
