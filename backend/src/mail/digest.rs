//! The daily digest: notifications of users who chose it wait in `digest_items` ([`add`]); once a
//! day, after [`SEND_AT_UTC_HOUR`], each such user gets one mail with all of them, across their
//! companies ([`send_due`]), and the items go in the same transaction as the mail is enqueued.

use crate::db::{CrossTenant, Db, Tx};
use crate::email::Email;
use crate::error::Result;
use crate::ids::{TenantId, UserId};
use crate::mail::{Language, Mail, MailKind, NotificationKind, outbox, templates};
use crate::timestamp::Timestamp;

/// The hour (UTC) from which the day's digests go out: 06:00 UTC is 07:00 or 08:00 in Denmark.
pub const SEND_AT_UTC_HOUR: i64 = 6;
/// Most users' digests written per call.
const USERS_PER_CALL: i64 = 100;

/// Keep `line` for the user's next digest, inside the company's transaction `tx`.
pub async fn add(
    tx: &mut Tx,
    tenant_id: TenantId,
    user_id: UserId,
    kind: NotificationKind,
    line: &str,
    now: Timestamp,
) -> Result<()> {
    with_tx!(tx, conn => sqlx::query(
        "insert into digest_items (tenant_id, user_id, kind, line, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $5)",
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(kind.as_str())
    .bind(line)
    .bind(now)
    .execute(&mut **conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The latest digest time at or before `now`: today's [`SEND_AT_UTC_HOUR`], or yesterday's.
pub fn cutoff(now: Timestamp) -> Timestamp {
    const DAY: i64 = 86_400_000;
    let millis = now.as_millis();
    let today = millis - millis.rem_euclid(DAY) + SEND_AT_UTC_HOUR * 3_600_000;
    Timestamp::from_millis(if millis >= today { today } else { today - DAY })
}

/// Write the digest of every user with items from before [`cutoff`]`(now)` (up to 100 users per
/// call); `settings_url` is where they change their choices. Returns how many were written.
pub async fn send_due(db: &Db, settings_url: &str, now: Timestamp) -> Result<usize> {
    let before = cutoff(now);
    let users: Vec<UserId> = with_cross_tenant!(db, CrossTenant::Mail, pool => sqlx::query_scalar(
        "select distinct user_id from digest_items where created_at < $1 limit $2",
    )
    .bind(before)
    .bind(USERS_PER_CALL)
    .fetch_all(pool)
    .await)?;
    for &user in &users {
        // One transaction per user: the mail and the removal of its items go together.
        let mut tx = db.begin_cross_tenant(CrossTenant::Mail).await?;
        type Item = (i64, String, String);
        let items: Vec<Item> = with_tx!(tx, conn => sqlx::query_as(
            "select d.id, t.name, d.line from digest_items d join tenants t on t.id = d.tenant_id \
             where d.user_id = $1 and d.created_at < $2 order by d.created_at, d.id",
        )
        .bind(user)
        .bind(before)
        .fetch_all(&mut **conn)
        .await)?;
        let person: Option<(String, String, String)> = with_tx!(tx, conn => sqlx::query_as(
            "select email, name, language from users where id = $1",
        )
        .bind(user)
        .fetch_optional(&mut **conn)
        .await)?;
        let (Some((email, name, language)), Some(last)) = (person, items.last().map(|i| i.0))
        else {
            continue;
        };
        let lines: Vec<String> = items
            .iter()
            .map(|(_, company, line)| format!("{company}: {line}"))
            .collect();
        let message = templates::digest(Language::from_db(&language)?, &name, &lines, settings_url);
        let mail = Mail::new(Email::from_db(email), MailKind::Digest, None, message);
        outbox::enqueue(&mut tx, &mail, now).await?;
        with_tx!(tx, conn => sqlx::query(
            "delete from digest_items where user_id = $1 and created_at < $2 and id <= $3",
        )
        .bind(user)
        .bind(before)
        .bind(last)
        .execute(&mut **conn)
        .await
        .map(|_| ()))?;
        tx.commit().await?;
    }
    Ok(users.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cutoff_is_the_last_six_o_clock_utc() {
        // 2026-12-07T05:59:59Z → 2026-12-06T06:00Z; 06:00:00 and 23:00 → 2026-12-07T06:00Z.
        let day = 1_796_601_600_000; // 2026-12-07T00:00:00Z
        let six = day + 6 * 3_600_000;
        assert_eq!(
            cutoff(Timestamp::from_millis(six - 1000)).as_millis(),
            six - 86_400_000
        );
        assert_eq!(cutoff(Timestamp::from_millis(six)).as_millis(), six);
        assert_eq!(
            cutoff(Timestamp::from_millis(day + 23 * 3_600_000)).as_millis(),
            six
        );
    }
}
