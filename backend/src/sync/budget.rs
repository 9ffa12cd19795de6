//! The e-conomic API budget: e-conomic's fair use is 50,000 calls per agreement in 24
//! hours, and past it access may be cut without warning. Every call a tenant's work makes is
//! counted here (webhook re-fetches, sync runs, connecting), in ten-minute buckets, and work
//! asks [`Usage::allows`] before it calls: background work stops first, the hourly sync next,
//! live webhooks last, and at the limit everything waits instead of calling.
//!
//! Counted per agreement: calls are recorded per tenant, and a tenant's usage is the sum over
//! every tenant connected to the same e-conomic agreement, since e-conomic meters the agreement
//! (companies sharing one agreement share its 50,000 calls). Besides this daily budget,
//! e-conomic's per-agreement token bucket is paced by the client itself
//! ([`economic::Client::bucket`]).

use time::Duration;

use crate::db::{CrossTenant, Db, Tx};
use crate::error::Result;
use crate::ids::TenantId;
use crate::timestamp::Timestamp;

/// e-conomic's fair-use limit per agreement and 24 hours.
pub const DAILY_LIMIT: u32 = 50_000;
/// The budget's window.
pub const WINDOW: Duration = Duration::hours(24);
/// How a reason for waiting on the budget begins (runs' `waiting`, events' `last_error`): the
/// health model finds the work the budget holds back by it.
pub const WAITING_FOR_BUDGET: &str = "waiting for the e-conomic API budget";
/// The counting granularity: the rolling window moves in steps of this.
const BUCKET: Duration = Duration::minutes(10);

/// Who is asking to call, in the order they give way as the budget runs out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// The first import and the reconciliation: they can wait a day.
    Background,
    /// The hourly sync and "Sync now".
    Scheduled,
    /// Applying webhooks: the tenant is waiting to see the change.
    Live,
}

impl Priority {
    /// The share of the limit (in percent) below which this work may still call.
    const fn stops_at_percent(self) -> u64 {
        match self {
            Priority::Background => 80,
            Priority::Scheduled => 95,
            Priority::Live => 100,
        }
    }
}

/// A tenant's calls in the last 24 hours against its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Calls in the window.
    pub used: u64,
    /// The limit.
    pub limit: u32,
    /// When the oldest counted calls leave the window (the earliest the usage can fall).
    pub frees_at: Option<Timestamp>,
}

impl Usage {
    /// Whether work of `priority` may call now.
    pub fn allows(&self, priority: Priority) -> bool {
        self.used * 100 < u64::from(self.limit) * priority.stops_at_percent()
    }

    /// Calls work of `priority` may still make before it must stop.
    pub fn remaining(&self, priority: Priority) -> u64 {
        let stop = (u64::from(self.limit) * priority.stops_at_percent()).div_ceil(100);
        stop.saturating_sub(self.used)
    }

    /// Why work of `priority` waits, and until when it need not ask again; `None` if it may call.
    pub fn wait(&self, priority: Priority, now: Timestamp) -> Option<(String, Timestamp)> {
        if self.allows(priority) {
            return None;
        }
        let reason = format!(
            "{WAITING_FOR_BUDGET}: {} of {} calls used in the last 24 hours",
            self.used, self.limit
        );
        let until = self
            .frees_at
            .unwrap_or(now + BUCKET)
            .max(now + Duration::minutes(1));
        Some((reason, until))
    }
}

fn bucket_of(at: Timestamp) -> i64 {
    let size = BUCKET.whole_milliseconds() as i64;
    at.as_millis().div_euclid(size) * size
}

/// Count `calls` made by the tenant's work at `now`, in the transaction that commits the work.
pub async fn record(tx: &mut Tx, tenant_id: TenantId, now: Timestamp, calls: u32) -> Result<()> {
    if calls == 0 {
        return Ok(());
    }
    with_tx!(tx, conn => sqlx::query(
        "insert into api_usage (tenant_id, bucket, calls, created_at, updated_at) \
         values ($1, $2, $3, $4, $4) on conflict (tenant_id, bucket) \
         do update set calls = api_usage.calls + excluded.calls, updated_at = excluded.updated_at",
    )
    .bind(tenant_id)
    .bind(bucket_of(now))
    .bind(i64::from(calls))
    .bind(now)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// [`record`] in a transaction of its own (calls made outside a job: connecting).
pub async fn record_now(db: &Db, tenant_id: TenantId, now: Timestamp, calls: u32) -> Result<()> {
    // Most webhook batches of a burst find their records up to date and call nothing: no
    // transaction for them (on SQLite it would take the write lock from ingest).
    if calls == 0 {
        return Ok(());
    }
    let mut tx = db.begin(tenant_id).await?;
    record(&mut tx, tenant_id, now, calls).await?;
    tx.commit().await
}

/// The calls in the 24 hours before `now` of the tenant's agreement (every tenant connected to
/// it; the tenant alone when not connected), against `limit`.
pub async fn usage(db: &Db, tenant_id: TenantId, now: Timestamp, limit: u32) -> Result<Usage> {
    let since = bucket_of(now - WINDOW) + BUCKET.whole_milliseconds() as i64;
    // Across tenants, but only those on the tenant's own agreement, and only their counts.
    let (used, oldest): (Option<i64>, Option<i64>) = with_cross_tenant!(db, CrossTenant::SharedAgreement, pool => sqlx::query_as(
        "select cast(sum(calls) as bigint), min(bucket) from api_usage \
         where bucket >= $2 and (tenant_id = $1 or tenant_id in ( \
           select c.tenant_id from economic_connections c where c.agreement_number = \
             (select agreement_number from economic_connections where tenant_id = $1)))",
    )
    .bind(tenant_id)
    .bind(since)
    .fetch_one(pool)
    .await)?;
    Ok(Usage {
        used: u64::try_from(used.unwrap_or(0)).unwrap_or(0),
        limit,
        frees_at: oldest.map(|b| Timestamp::from_millis(b) + WINDOW + BUCKET),
    })
}

/// Forget buckets that have left every tenant's window.
pub async fn prune(db: &Db, now: Timestamp) -> Result<u64> {
    let before = bucket_of(now - WINDOW - BUCKET);
    let n = with_cross_tenant!(db, CrossTenant::Retention, conn => sqlx::query(
        "delete from api_usage where bucket < $1",
    )
        .bind(before)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_gives_way_in_order_as_the_budget_runs_out() {
        let at = |used| Usage {
            used,
            limit: 1000,
            frees_at: None,
        };
        assert!(at(799).allows(Priority::Background));
        assert!(!at(800).allows(Priority::Background));
        assert!(at(949).allows(Priority::Scheduled));
        assert!(!at(950).allows(Priority::Scheduled));
        assert!(at(999).allows(Priority::Live));
        assert!(!at(1000).allows(Priority::Live));
        assert_eq!(at(700).remaining(Priority::Background), 100);
        assert_eq!(at(900).remaining(Priority::Background), 0);
        let now = Timestamp::from_millis(0);
        let (reason, until) = at(950).wait(Priority::Background, now).expect("waits");
        assert!(reason.contains("950 of 1000"), "{reason}");
        assert!(until > now);
    }

    #[test]
    fn buckets_are_ten_minutes() {
        let ten = 600_000;
        assert_eq!(bucket_of(Timestamp::from_millis(ten + 5)), ten);
        assert_eq!(bucket_of(Timestamp::from_millis(ten - 1)), 0);
    }
}
