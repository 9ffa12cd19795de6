//! Password reset: a single-use link, valid for [`VALID_FOR`], mailed to the address;
//! only the link's hash is stored. Asking gives the same answer whether or not the address has
//! an account. Choosing the new password ends every session of the user
//! (`users.sessions_valid_from`, checked on each request by [`super::session_membership`]).
//! An expired, used or forged link is [`Error::ResetLinkInvalid`], and nothing changes.

use time::Duration;

use crate::accounts::link_token;
use crate::audit::{self, Action, Actor};
use crate::db::{CrossTenant, Db};
use crate::email::Email;
use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::mail::{self, Language, Mail, MailKind, templates};
use crate::password::{self, Password};
use crate::timestamp::Timestamp;

/// How long a reset link works.
pub const VALID_FOR: Duration = Duration::hours(1);
/// Most reset mails one address gets per hour (more requests are answered the same and send
/// nothing, so the form cannot flood someone's inbox).
pub const MAILS_PER_HOUR: i64 = 3;

/// Mail a reset link to `email` if it has an account; the same `Ok(())` if not.
pub async fn request_password_reset(
    db: &Db,
    email: &Email,
    public_url: &str,
    now: Timestamp,
) -> Result<()> {
    // One transaction: the token exists exactly when its mail does. Across tenants: the mail
    // belongs to no company (its row is invisible to every company's transactions).
    let mut tx = db.begin_cross_tenant(CrossTenant::Mail).await?;
    let user: Option<(UserId, String, String)> = with_tx!(tx, conn => sqlx::query_as(
        "select id, name, language from users where email = $1",
    )
    .bind(email.as_str())
    .fetch_optional(&mut *conn)
    .await)?;
    let Some((user_id, name, language)) = user else {
        return Ok(());
    };
    let recent: i64 = with_tx!(tx, conn => sqlx::query_scalar(
        "select count(*) from password_resets where user_id = $1 and created_at > $2",
    )
    .bind(user_id)
    .bind(now - Duration::hours(1))
    .fetch_one(&mut *conn)
    .await)?;
    if recent >= MAILS_PER_HOUR {
        tracing::info!(user = %user_id, "password reset mail limit reached; none sent");
        return Ok(());
    }
    let (token, hash) = link_token::new();
    with_tx!(tx, conn => sqlx::query(
        "insert into password_resets (user_id, token_hash, expires_at, created_at, updated_at) \
         values ($1, $2, $3, $4, $4)",
    )
    .bind(user_id)
    .bind(&hash)
    .bind(now + VALID_FOR)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    let link = format!("{public_url}/reset-password/{token}");
    let message = templates::password_reset(
        Language::from_db(&language)?,
        &name,
        &link,
        VALID_FOR.whole_minutes(),
    );
    let mail = Mail::new(email.clone(), MailKind::PasswordReset, None, message);
    mail::enqueue(&mut tx, &mail, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The reset with this link's token, if it can still be used: `(reset id, user)`.
async fn usable(db: &Db, token: &str, now: Timestamp) -> Result<(i64, UserId)> {
    let hash = link_token::hash(token).ok_or(Error::ResetLinkInvalid)?;
    let row: Option<(i64, UserId, Timestamp, Option<Timestamp>)> = with_db!(db, pool => sqlx::query_as(
        "select id, user_id, expires_at, used_at from password_resets where token_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(pool)
    .await)?;
    match row {
        Some((id, user, expires_at, None)) if expires_at > now => Ok((id, user)),
        _ => Err(Error::ResetLinkInvalid),
    }
}

/// Whether the link can still be used (the page shows the form, or the one message).
pub async fn check_reset_link(db: &Db, token: &str, now: Timestamp) -> Result<()> {
    usable(db, token, now).await.map(|_| ())
}

/// Set the new password with the link's token: the link and every other open reset link of the
/// user are used up, and all the user's sessions end. Errors: `ResetLinkInvalid` (expired, used,
/// forged; nothing changed).
pub async fn reset_password(
    db: &Db,
    token: &str,
    new_password: Password,
    now: Timestamp,
) -> Result<UserId> {
    let (reset_id, user_id) = usable(db, token, now).await?;
    // Hash before the transaction: argon2 must not hold SQLite's write lock.
    let password_hash = password::hash(&new_password).await?;
    with_db!(db, pool => {
        // The conditional update decides between two concurrent uses of one link: the second
        // finds it used and changes nothing.
        let mut tx = sqlx::Connection::begin(pool).await?;
        let marked = sqlx::query(
            "update password_resets set used_at = $1, updated_at = $1 \
             where id = $2 and used_at is null and expires_at > $1",
        )
        .bind(now)
        .bind(reset_id)
        .execute(&mut *tx)
        .await?;
        if marked.rows_affected() != 1 {
            return Err(Error::ResetLinkInvalid);
        }
        sqlx::query(
            "update users set password_hash = $1, sessions_valid_from = $2, updated_at = $2 \
             where id = $3",
        )
        .bind(&password_hash)
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "update password_resets set used_at = $1, updated_at = $1 \
             where user_id = $2 and used_at is null",
        )
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok::<_, Error>(())
    })?;
    // In the activity log of each of the user's companies: a reset ends every session, and a
    // reset nobody asked for must be visible to the company.
    for membership in crate::accounts::memberships(db, user_id).await? {
        let (actor, action) = (Actor::User(user_id), Action::PasswordReset);
        audit::record(db, Some(membership.tenant_id), actor, action, "", now).await?;
    }
    Ok(user_id)
}
