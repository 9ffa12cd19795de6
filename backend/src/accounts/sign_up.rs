//! Sign up a company: a tenant, its first user (the owner) and the membership, all or nothing.
//!
//! From the web, a sign-up first proves its address ([`request_sign_up`] mails a link, valid for
//! [`SIGN_UP_VALID_FOR`]; [`confirm_sign_up`] creates the company from it). The answer to the
//! form is the same whether or not the address has an account — its owner gets a mail saying
//! so instead — so the form cannot tell anyone which addresses are registered.

use serde::Serialize;
use time::Duration;

use crate::accounts::Role;
use crate::accounts::link_token;
use crate::db::{CrossTenant, Db, Tx};
use crate::email::Email;
use crate::error::{Error, Result, ResultExt, USERS_EMAIL};
use crate::ids::{TenantId, UserId};
use crate::mail::{self, Language, Mail, MailKind, templates};
use crate::names::{CompanyName, PersonName};
use crate::password::{self, Password};
use crate::timestamp::Timestamp;

/// How long a sign-up's confirmation link works.
pub const SIGN_UP_VALID_FOR: Duration = Duration::hours(24);
/// Most sign-up mails one address gets per hour (further sign-ups are answered the same and
/// send nothing, so the form cannot flood someone's inbox).
const MAILS_PER_HOUR: i64 = 3;

/// The parsed sign-up form.
#[derive(Debug, Clone)]
pub struct SignUp {
    /// The new tenant's name.
    pub company_name: CompanyName,
    /// The owner's name.
    pub name: PersonName,
    /// The owner's login email.
    pub email: Email,
    /// The owner's password.
    pub password: Password,
}

/// What a sign-up (or an accepted invite) created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SignedUp {
    /// The tenant the user now belongs to.
    pub tenant_id: TenantId,
    /// The new user.
    pub user_id: UserId,
}

/// Create the tenant, its owner and the owner's membership in one transaction.
///
/// Errors: `EmailTaken` if a user has that email (nothing is saved).
pub async fn sign_up(db: &Db, form: SignUp) -> Result<SignedUp> {
    // The cheap check first: a taken email costs no argon2 work (the insert below still decides,
    // for a race between two sign-ups with one email).
    let taken: Option<UserId> = with_db!(db, pool => sqlx::query_scalar(
        "select id from users where email = $1",
    )
    .bind(form.email.as_str())
    .fetch_optional(pool)
    .await)?;
    if taken.is_some() {
        return Err(Error::EmailTaken);
    }
    // Hash before the transaction: 50 ms of argon2 must not hold SQLite's write lock.
    let password_hash = password::hash(&form.password).await?;
    let now = Timestamp::now();
    // One transaction so that a taken email (or a crash) leaves no tenant without an owner.
    // Every statement writes, so SQLite takes the write lock at the first one and never has to
    // upgrade a read snapshot (which would fail with SQLITE_BUSY instead of waiting).
    // Across tenants: the tenant is created here, so no transaction can name it yet.
    let mut tx = db.begin_cross_tenant(CrossTenant::SignUp).await?;
    let user = NewUser {
        email: form.email.as_str(),
        name: form.name.as_str(),
        password_hash: &password_hash,
        language: Language::default(),
    };
    let company = Joining::NewCompany(form.company_name.as_str());
    let signed_up = insert_account(&mut tx, company, &user, now).await?;
    tx.commit().await?;
    Ok(signed_up)
}

/// Sign up from the web: mail a confirmation link to `form.email` (in `language`, the page's),
/// or, when the address already has an account, a mail telling its owner so. Both end in the
/// same `Ok(())` after the same password hashing, and nothing is created until the link is
/// used ([`confirm_sign_up`]).
pub async fn request_sign_up(
    db: &Db,
    form: SignUp,
    language: Language,
    public_url: &str,
    now: Timestamp,
) -> Result<()> {
    // Hashed whatever the address: the same work, and time, whether or not it is taken.
    let password_hash = password::hash(&form.password).await?;
    // One transaction: the pending sign-up exists exactly when its mail does. Across tenants:
    // no company exists yet, and the mails belong to none.
    let mut tx = db.begin_cross_tenant(CrossTenant::SignUp).await?;
    let recent: i64 = with_tx!(tx, conn => sqlx::query_scalar(
        "select count(*) from outbox where recipient = $1 and kind in ($2, $3) and created_at > $4",
    )
    .bind(form.email.as_str())
    .bind(MailKind::SignUpConfirm.as_str())
    .bind(MailKind::SignUpExisting.as_str())
    .bind(now - Duration::hours(1))
    .fetch_one(&mut *conn)
    .await)?;
    if recent >= MAILS_PER_HOUR {
        tracing::info!("sign-up mail limit of an address reached; none sent");
        return Ok(());
    }
    let existing: Option<(String, String)> = with_tx!(tx, conn => sqlx::query_as(
        "select name, language from users where email = $1",
    )
    .bind(form.email.as_str())
    .fetch_optional(&mut *conn)
    .await)?;
    let mail = match existing {
        Some((name, their_language)) => {
            let message = templates::sign_up_existing(
                Language::from_db(&their_language)?,
                &name,
                &format!("{public_url}/login"),
                &format!("{public_url}/forgot-password"),
            );
            Mail::new(form.email.clone(), MailKind::SignUpExisting, None, message)
        }
        None => {
            let (token, hash) = link_token::new();
            with_tx!(tx, conn => sqlx::query(
                "insert into sign_up_requests (email, company_name, name, password_hash, \
                 language, token_hash, expires_at, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(form.email.as_str())
            .bind(form.company_name.as_str())
            .bind(form.name.as_str())
            .bind(&password_hash)
            .bind(language.code())
            .bind(&hash)
            .bind(now + SIGN_UP_VALID_FOR)
            .bind(now)
            .execute(&mut *conn)
            .await
            .map(|_| ()))?;
            let message = templates::sign_up_confirm(
                language,
                form.name.as_str(),
                form.company_name.as_str(),
                &format!("{public_url}/signup/confirm/{token}"),
            );
            Mail::new(form.email.clone(), MailKind::SignUpConfirm, None, message)
        }
    };
    mail::enqueue(&mut tx, &mail, now).await?;
    tx.commit().await?;
    Ok(())
}

type RequestRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Timestamp,
    Option<Timestamp>,
);

/// The usable pending sign-up of a link. Errors: `SignUpLinkInvalid`.
async fn pending(db: &Db, token: &str, now: Timestamp) -> Result<RequestRow> {
    let hash = link_token::hash(token).ok_or(Error::SignUpLinkInvalid)?;
    let row: Option<RequestRow> = with_cross_tenant!(db, CrossTenant::SignUp, pool => sqlx::query_as(
        "select id, email, company_name, name, password_hash, language, expires_at, used_at \
         from sign_up_requests where token_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(pool)
    .await)?;
    match row {
        Some(row) if row.7.is_none() && row.6 > now => Ok(row),
        _ => Err(Error::SignUpLinkInvalid),
    }
}

/// The company name a usable confirmation link will create (its page names it).
/// Errors: `SignUpLinkInvalid`.
pub async fn sign_up_request_company(db: &Db, token: &str, now: Timestamp) -> Result<String> {
    pending(db, token, now).await.map(|row| row.2)
}

/// Create the company, its owner and the membership from a confirmation link; the link is used
/// up. Errors: `SignUpLinkInvalid` (expired, used, unknown); `EmailTaken` if the address got an
/// account meanwhile (another sign-up or an invite was confirmed first).
pub async fn confirm_sign_up(db: &Db, token: &str, now: Timestamp) -> Result<SignedUp> {
    let (request_id, email, company_name, name, password_hash, language, _, _) =
        pending(db, token, now).await?;
    // Across tenants: the tenant is created here. Every statement writes, so SQLite takes the
    // write lock at the first one.
    let mut tx = db.begin_cross_tenant(CrossTenant::SignUp).await?;
    let marked = with_tx!(tx, conn => sqlx::query(
        "update sign_up_requests set used_at = $1, updated_at = $1 \
         where id = $2 and used_at is null and expires_at > $1",
    )
    .bind(now)
    .bind(request_id)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    if marked != 1 {
        // Dropping `tx` rolls back.
        return Err(Error::SignUpLinkInvalid);
    }
    let user = NewUser {
        email: &email,
        name: &name,
        password_hash: &password_hash,
        language: Language::from_db(&language)?,
    };
    let company = Joining::NewCompany(&company_name);
    let signed_up = insert_account(&mut tx, company, &user, now).await?;
    tx.commit().await?;
    Ok(signed_up)
}

/// Whom a new user belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Joining<'a> {
    /// A new company of this name, which they own (a sign-up).
    NewCompany(&'a str),
    /// An existing company, as a member (an accepted invitation).
    Company(TenantId),
}

/// A new user's row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewUser<'a> {
    /// Their login email.
    pub email: &'a str,
    /// Their name.
    pub name: &'a str,
    /// The argon2 hash of their password (hashed before `tx` began: argon2 must not hold
    /// SQLite's write lock).
    pub password_hash: &'a str,
    /// The language of their mails.
    pub language: Language,
}

/// The one place a user comes into being: the company (when new), the user and the membership,
/// inside the caller's `tx`, so that nothing is left half made. Errors: `EmailTaken` if a user
/// has that email (a race the caller's cheap check did not see).
pub(crate) async fn insert_account(
    tx: &mut Tx,
    joining: Joining<'_>,
    user: &NewUser<'_>,
    now: Timestamp,
) -> Result<SignedUp> {
    let (tenant_id, role) = match joining {
        Joining::NewCompany(name) => {
            let tenant_id: TenantId = with_tx!(tx, conn => sqlx::query_scalar(
                "insert into tenants (name, created_at, updated_at) values ($1, $2, $2) \
                 returning id",
            )
            .bind(name)
            .bind(now)
            .fetch_one(&mut *conn)
            .await)?;
            (tenant_id, Role::Owner)
        }
        Joining::Company(tenant_id) => (tenant_id, Role::Member),
    };
    let user_id: UserId = with_tx!(tx, conn => sqlx::query_scalar(
        "insert into users (email, name, password_hash, language, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $5) returning id",
    )
    .bind(user.email)
    .bind(user.name)
    .bind(user.password_hash)
    .bind(user.language.code())
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .on_unique(USERS_EMAIL, || Error::EmailTaken))?;
    with_tx!(tx, conn => sqlx::query(
        "insert into memberships (tenant_id, user_id, role, created_at, updated_at) \
         values ($1, $2, $3, $4, $4)",
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(role.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(SignedUp { tenant_id, user_id })
}
