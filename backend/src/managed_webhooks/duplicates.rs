//! Every change twice: the sign of two webhooks of one type in e-conomic for the same company
//! (one made by hand after the article, one made by the app — e.g. "created for me" while also
//! following the manual steps). e-conomic sends one request per change and webhook, so the same
//! change (same numbers) arrives twice within seconds. Nothing breaks (the second copy finds the
//! record up to date), but it costs API calls and hides the mistake; the page warns, with the fix.
//!
//! An occasional repeat is normal (e-conomic retries a delivery it thinks failed); only a
//! pattern counts: at least [`MIN_TWICE`] changes of the recent ones, and half of them or more.

use economic::Entity;

use crate::db::Db;
use crate::error::Result;
use crate::ids::TenantId;
use crate::timestamp::Timestamp;

/// Two copies of one change closer than this came from two webhooks, not a retry.
pub const WITHIN: time::Duration = time::Duration::seconds(10);
/// How far back the look goes.
pub const LOOK_BACK: time::Duration = time::Duration::hours(24);
/// Fewest changes that arrived twice before the page warns.
pub const MIN_TWICE: usize = 3;
/// Most recent events looked at (the newest tell; the query stays cheap).
const LIMIT: i64 = 2000;

/// A webhook type whose changes arrive twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duplicated {
    /// The webhook type.
    pub kind: Entity,
    /// Changes seen recently.
    pub changes: usize,
    /// Of those, how many arrived twice (or more) within [`WITHIN`].
    pub twice: usize,
}

/// The tenant's webhook types whose recent changes mostly arrived twice.
pub async fn find(db: &Db, tenant_id: TenantId, now: Timestamp) -> Result<Vec<Duplicated>> {
    type Row = (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Timestamp,
    );
    let rows: Vec<Row> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select kind, old_number, new_number, invoice_number, received_at from webhook_events \
         where tenant_id = $1 and received_at >= $2 and status <> 'rejected' \
         order by id desc limit $3",
    )
    .bind(tenant_id)
    .bind(now - LOOK_BACK)
    .bind(LIMIT)
    .fetch_all(conn)
    .await)?;
    let mut found = Vec::new();
    for kind in Entity::ALL {
        let mut arrivals: Vec<(String, Timestamp)> = rows
            .iter()
            .filter(|(k, ..)| k == kind.as_str())
            .map(|(_, old, new, invoice, at)| {
                let key = format!(
                    "{}&{}&{}",
                    old.as_deref().unwrap_or(""),
                    new.as_deref().unwrap_or(""),
                    invoice.as_deref().unwrap_or("")
                );
                (key, *at)
            })
            .collect();
        let (changes, twice) = count(&mut arrivals);
        if twice >= MIN_TWICE && twice * 2 >= changes {
            found.push(Duplicated {
                kind,
                changes,
                twice,
            });
        }
    }
    Ok(found)
}

/// Changes (arrivals of one key closer than [`WITHIN`] are one change) and how many of them
/// arrived more than once.
fn count(arrivals: &mut [(String, Timestamp)]) -> (usize, usize) {
    arrivals.sort();
    let (mut changes, mut twice) = (0, 0);
    let mut i = 0;
    while i < arrivals.len() {
        let mut j = i + 1;
        while j < arrivals.len()
            && arrivals[j].0 == arrivals[i].0
            && arrivals[j].1.as_millis() - arrivals[j - 1].1.as_millis()
                < WITHIN.whole_milliseconds() as i64
        {
            j += 1;
        }
        changes += 1;
        if j - i > 1 {
            twice += 1;
        }
        i = j;
    }
    (changes, twice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_seconds_apart_are_one_change_that_arrived_twice() {
        let at = |ms| Timestamp::from_millis(ms);
        let mut arrivals = vec![
            ("1&1&".to_owned(), at(0)),
            ("1&1&".to_owned(), at(300)),
            ("2&2&".to_owned(), at(1_000)),
            ("2&2&".to_owned(), at(1_200)),
            // The same record changed again a minute later: a new change, arriving once.
            ("1&1&".to_owned(), at(60_000)),
            ("3&3&".to_owned(), at(2_000)),
        ];
        assert_eq!(count(&mut arrivals), (4, 2));
        assert_eq!(count(&mut []), (0, 0));
    }
}
