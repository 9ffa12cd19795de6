//! Invites: an owner invites a member by email; the invite link carries a token that the
//! invitee uses to create their user — or, if they already have one (a user may belong to several
//! companies), to join with it ([`join`]). [`send`] mails the link (in the inviter's language,
//! naming the company and the inviter) in the same transaction that creates the invite; the
//! team page shows it too, to copy. The invitation page names both ([`describe`]).
//! Creating an invite never says whether the address has an account elsewhere.
//!
//! The token is 32 random bytes (base64url in the link); only its SHA-256 is stored, so a leaked
//! database does not leak usable links. An invite is used at most once and expires after 7 days.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::Duration;

use crate::accounts::{self, Joining, NewUser, SignedUp, insert_account};
use crate::db::{CrossTenant, Db};
use crate::email::Email;
use crate::error::{Error, Result};
use crate::ids::{TenantId, UserId};
use crate::mail::{self, Language, Mail, MailKind, templates};
use crate::names::PersonName;
use crate::password::{self, Password};
use crate::timestamp::Timestamp;

/// How long an invite link works.
pub const VALID_FOR: Duration = Duration::days(7);
const TOKEN_BYTES: usize = 32;

/// The secret of an invite link, returned once at creation. `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct InviteToken(String);

impl InviteToken {
    /// The token as it goes into the link (base64url, no padding, 43 characters).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for InviteToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InviteToken(***)")
    }
}

/// A pending (unused, unexpired) invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invite {
    /// Who was invited.
    pub email: Email,
    /// When.
    pub created_at: Timestamp,
    /// When the link stops working.
    pub expires_at: Timestamp,
}

fn token_hash(raw: &[u8]) -> Vec<u8> {
    Sha256::digest(raw).to_vec()
}

/// Invite `email` to the tenant; returns the token for the link (valid for [`VALID_FOR`]).
/// A new invite replaces earlier unused invites of the same email to this tenant. No mail is
/// sent (see [`send`]).
///
/// Errors: `Forbidden` unless `invited_by` is the tenant's owner or an admin; `AlreadyMember` if
/// the email belongs to a member of this tenant (the team page lists them anyway). Whether it
/// has an account in another company is not revealed.
pub async fn create(
    db: &Db,
    tenant_id: TenantId,
    invited_by: UserId,
    email: Email,
    now: Timestamp,
) -> Result<InviteToken> {
    create_invite(db, tenant_id, invited_by, email, None, now).await
}

/// [`create`], and mail the link (`{public_url}/invite/{token}`) to `email` in the same
/// transaction: the invitation names the company and the inviter, in the inviter's language.
pub async fn send(
    db: &Db,
    tenant_id: TenantId,
    invited_by: UserId,
    email: Email,
    public_url: &str,
    now: Timestamp,
) -> Result<InviteToken> {
    create_invite(db, tenant_id, invited_by, email, Some(public_url), now).await
}

async fn create_invite(
    db: &Db,
    tenant_id: TenantId,
    invited_by: UserId,
    email: Email,
    mail_with_links_to: Option<&str>,
    now: Timestamp,
) -> Result<InviteToken> {
    match accounts::membership(db, tenant_id, invited_by).await {
        Ok(m) if m.role.manages() => {}
        Ok(_) | Err(Error::NotFound) => return Err(Error::Forbidden),
        Err(e) => return Err(e),
    }
    let member: Option<UserId> = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "select u.id from users u join memberships m on m.user_id = u.id \
         where m.tenant_id = $1 and u.email = $2",
    )
    .bind(tenant_id)
    .bind(email.as_str())
    .fetch_optional(conn)
    .await)?;
    if member.is_some() {
        return Err(Error::AlreadyMember);
    }

    let mut raw = [0u8; TOKEN_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let hash = token_hash(&raw);
    // One transaction so that a resend replaces the old link atomically: never two live links,
    // never none.
    let mut tx = db.begin(tenant_id).await?;
    with_tx!(tx, tx => {
        sqlx::query("delete from invites where tenant_id = $1 and email = $2 and used_at is null")
            .bind(tenant_id)
            .bind(email.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "insert into invites \
             (tenant_id, email, token_hash, invited_by, expires_at, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(tenant_id)
        .bind(email.as_str())
        .bind(&hash)
        .bind(invited_by)
        .bind(now + VALID_FOR)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    });
    let token = InviteToken(URL_SAFE_NO_PAD.encode(raw));
    if let Some(public_url) = mail_with_links_to {
        type Names = (String, String, String);
        let (company, inviter, language): Names = with_tx!(tx, tx => sqlx::query_as(
            "select t.name, u.name, u.language from tenants t, users u where t.id = $1 and u.id = $2",
        )
        .bind(tenant_id)
        .bind(invited_by)
        .fetch_one(&mut *tx)
        .await)?;
        let message = templates::invitation(
            Language::from_db(&language)?,
            &inviter,
            &company,
            &format!("{public_url}/invite/{}", token.as_str()),
            VALID_FOR.whole_days(),
        );
        let mail = Mail::new(email, MailKind::Invitation, Some(tenant_id), message);
        mail::enqueue(&mut tx, &mail, now).await?;
    }
    tx.commit().await?;
    Ok(token)
}

/// What the invitation page shows about a usable invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InviteInfo {
    /// The company that invites.
    pub company: String,
    /// Who invited (their name).
    pub invited_by: String,
    /// The invited address.
    pub email: Email,
    /// When the link stops working.
    pub expires_at: Timestamp,
}

/// The company and inviter of a usable invite. Errors as [`accept`].
pub async fn describe(db: &Db, token: &str, now: Timestamp) -> Result<InviteInfo> {
    let (invite_id, tenant_id, email) = usable(db, token, now).await?;
    let row: Option<(String, String, Timestamp)> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select t.name, u.name, i.expires_at from invites i join tenants t on t.id = i.tenant_id \
         join users u on u.id = i.invited_by where i.id = $1 and i.tenant_id = $2",
    )
    .bind(invite_id)
    .bind(tenant_id)
    .fetch_optional(conn)
    .await)?;
    let (company, invited_by, expires_at) = row.ok_or(Error::InviteInvalid)?;
    Ok(InviteInfo {
        company,
        invited_by,
        email: Email::from_db(email),
        expires_at,
    })
}

/// A usable invite's id, tenant and email. Errors: `InviteInvalid` (unknown, malformed or
/// used), `InviteExpired`.
async fn usable(db: &Db, token: &str, now: Timestamp) -> Result<(i64, TenantId, String)> {
    let raw = URL_SAFE_NO_PAD
        .decode(token.trim())
        .map_err(|_| Error::InviteInvalid)?;
    if raw.len() != TOKEN_BYTES {
        return Err(Error::InviteInvalid);
    }
    let hash = token_hash(&raw);
    type Row = (i64, TenantId, String, Timestamp, Option<Timestamp>);
    // Across tenants: the token names the tenant, so none can be named before it is found.
    let row: Option<Row> = with_cross_tenant!(db, CrossTenant::Memberships, conn => sqlx::query_as(
        "select id, tenant_id, email, expires_at, used_at from invites where token_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(conn)
    .await)?;
    let (invite_id, tenant_id, email, expires_at, used_at) = row.ok_or(Error::InviteInvalid)?;
    if used_at.is_some() {
        return Err(Error::InviteInvalid);
    }
    if expires_at <= now {
        return Err(Error::InviteExpired);
    }
    Ok((invite_id, tenant_id, email))
}

/// The address a usable invite was sent to: whoever joins with an existing account must log in
/// as that address. Errors as [`accept`].
pub async fn invited_email(db: &Db, token: &str, now: Timestamp) -> Result<Email> {
    let (_, _, email) = usable(db, token, now).await?;
    Ok(Email::from_db(email))
}

/// Join with an existing account: `user_id` (who proved to be the invited address, see
/// [`invited_email`]) becomes a member of the invite's tenant and the invite is used. Returns
/// the tenant. Joining a company one is already in just uses the invite.
///
/// Errors: `InviteInvalid`, `InviteExpired`; `Forbidden` if `user_id` is not the invited address.
pub async fn join(db: &Db, token: &str, user_id: UserId, now: Timestamp) -> Result<TenantId> {
    let (invite_id, tenant_id, email) = usable(db, token, now).await?;
    let mut tx = db.begin(tenant_id).await?;
    with_tx!(tx, tx => {
        let user_email: Option<String> = sqlx::query_scalar("select email from users where id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        if user_email.as_deref() != Some(email.as_str()) {
            return Err(Error::Forbidden);
        }
        // Conditional, as in `accept`: of two concurrent joins only one marks the invite.
        let marked = sqlx::query(
            "update invites set used_at = $1, used_by = $2, updated_at = $1 \
             where id = $3 and used_at is null and expires_at > $1",
        )
        .bind(now)
        .bind(user_id)
        .bind(invite_id)
        .execute(&mut *tx)
        .await?;
        if marked.rows_affected() != 1 {
            return Err(Error::InviteInvalid);
        }
        sqlx::query(
            "insert into memberships (tenant_id, user_id, role, created_at, updated_at) \
             values ($1, $2, 'member', $3, $3) on conflict (tenant_id, user_id) do nothing",
        )
        .bind(tenant_id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    });
    tx.commit().await?;
    Ok(tenant_id)
}

/// The tenant's pending invites (unused and unexpired at `now`), newest first.
pub async fn pending(db: &Db, tenant_id: TenantId, now: Timestamp) -> Result<Vec<Invite>> {
    let rows: Vec<(String, Timestamp, Timestamp)> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select email, created_at, expires_at from invites \
         where tenant_id = $1 and used_at is null and expires_at > $2 \
         order by created_at desc, id desc",
    )
    .bind(tenant_id)
    .bind(now)
    .fetch_all(conn)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(email, created_at, expires_at)| Invite {
            email: Email::from_db(email),
            created_at,
            expires_at,
        })
        .collect())
}

/// Accept an invite: create the user with the invited email, `name` and `password`, make them a
/// member of the tenant and mark the invite used — all in one transaction.
///
/// Errors: `InviteInvalid` (unknown, malformed or already used token), `InviteExpired`,
/// `EmailTaken` (the email has an account: [`join`] with it instead; the invite stays unused).
pub async fn accept(
    db: &Db,
    token: &str,
    name: PersonName,
    password: Password,
    now: Timestamp,
) -> Result<SignedUp> {
    let (invite_id, tenant_id, email) = usable(db, token, now).await?;

    // Hash before the transaction: argon2 must not hold SQLite's write lock.
    let password_hash = password::hash(&password).await?;
    // One transaction: the user, the membership and the used mark exist together or not at all,
    // so a failure leaves the invite usable and no member-less user behind. The invite is marked
    // first, with a conditional update: a concurrent second accept of the same link waits for
    // our row lock (PostgreSQL) or the write lock (SQLite), then finds nothing to mark.
    let mut tx = db.begin(tenant_id).await?;
    let marked = with_tx!(tx, conn => sqlx::query(
        "update invites set used_at = $1, updated_at = $1 \
         where id = $2 and used_at is null and expires_at > $1",
    )
    .bind(now)
    .bind(invite_id)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    if marked != 1 {
        // Dropping `tx` rolls back.
        return Err(Error::InviteInvalid);
    }
    let user = NewUser {
        email: &email,
        name: name.as_str(),
        password_hash: &password_hash,
        language: Language::default(),
    };
    let signed_up = insert_account(&mut tx, Joining::Company(tenant_id), &user, now).await?;
    with_tx!(tx, conn => sqlx::query("update invites set used_by = $1 where id = $2")
        .bind(signed_up.user_id)
        .bind(invite_id)
        .execute(&mut *conn)
        .await
        .map(|_| ()))?;
    tx.commit().await?;
    Ok(signed_up)
}
