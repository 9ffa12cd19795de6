//! Staff impersonation: a staff member looks at one tenant's app as its users see it, for
//! a reason, for a limited time, read-only unless elevated — and the tenant can see every such
//! session and forbid them.
//!
//! An impersonation acts as the tenant's owner user (so the audit log names both: the staff
//! member responsible and the user acted as) with an admin's view; the server refuses its
//! changes until it is elevated. Every request made in it is recorded here by the server's layer; the
//! tenant's support-access page reads them back.

use serde::Serialize;

use crate::db::Db;
use crate::error::{Error, FromDb, Result};
use crate::ids::{StaffId, TenantId, UserId};
use crate::timestamp::Timestamp;

pub use vocabulary::SupportAccess;

/// Why an impersonation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EndReason {
    /// The staff member pressed Stop.
    Stopped,
    /// Its time ran out.
    Expired,
    /// The tenant forbade support access, or the staff account was disabled, meanwhile.
    Revoked,
}

impl EndReason {
    /// As stored in `impersonations.end_reason` (and the audit log's detail).
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Stopped => "stopped",
            EndReason::Expired => "expired",
            EndReason::Revoked => "revoked",
        }
    }

    pub(crate) fn from_db(s: &str) -> Result<EndReason> {
        [EndReason::Stopped, EndReason::Expired, EndReason::Revoked]
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| Error::internal(format!("unknown end reason {s:?} in database")))
    }
}

/// A reason given for impersonating or elevating: a real sentence (at least
/// [`Reason::MIN_CHARS`] characters, three words of letters and [`Reason::MIN_LETTERS`]
/// letters in all) or one that names a ticket (`SUP-42`, `#1234`); at most 500 characters, on
/// one line. "ab cd ef" is neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(String);

impl Reason {
    /// Fewest characters of a reason without a ticket reference.
    pub const MIN_CHARS: usize = 15;
    /// Fewest letters of a reason without a ticket reference.
    pub const MIN_LETTERS: usize = 10;

    /// Parses a reason; `None` if it is too short, too long, no sentence without a ticket
    /// reference, or holds control characters.
    pub fn parse(raw: &str) -> Option<Reason> {
        let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let clean = text.chars().count() <= 500
            && !text
                .chars()
                .any(|c| c.is_control() || crate::names::is_invisible(c));
        let words = text
            .split(' ')
            .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
            .count();
        let letters = text.chars().filter(|c| c.is_alphabetic()).count();
        let sentence =
            text.chars().count() >= Self::MIN_CHARS && words >= 3 && letters >= Self::MIN_LETTERS;
        let ticket = words >= 1 && text.split(' ').any(is_ticket_reference);
        (clean && (sentence || ticket)).then_some(Reason(text))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A ticket reference: letters, a dash and digits (`SUP-42`), or `#` and digits (`#1234`).
fn is_ticket_reference(word: &str) -> bool {
    let word = word.trim_matches(|c: char| matches!(c, '(' | ')' | ',' | '.' | ':' | ';'));
    let digits = |s: &str| (1..=12).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(number) = word.strip_prefix('#') {
        return number.len() >= 2 && digits(number);
    }
    match word.split_once('-') {
        Some((project, number)) => {
            (2..=12).contains(&project.len())
                && project.bytes().all(|b| b.is_ascii_alphabetic())
                && digits(number)
        }
        None => false,
    }
}

/// An impersonation id.
pub type ImpersonationId = i64;

/// A running impersonation, as the session and the banner need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Active {
    /// Its id.
    pub id: ImpersonationId,
    /// The tenant looked at.
    pub tenant_id: TenantId,
    /// The company's name.
    pub company: String,
    /// The staff member.
    pub staff_id: StaffId,
    /// Their name.
    pub staff_name: String,
    /// The tenant's owner, whom the session acts as.
    pub acting_as: UserId,
    /// When it ends by itself.
    pub expires_at: Timestamp,
    /// Whether write access was granted.
    pub elevated: bool,
}

/// The tenant's current choice.
pub async fn support_access(db: &Db, tenant_id: TenantId) -> Result<SupportAccess> {
    let raw: Option<String> = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "select support_access from tenants where id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(conn)
    .await)?;
    SupportAccess::from_db(&raw.ok_or(Error::NotFound)?)
}

/// Saves the tenant's choice; forbidding ends every running impersonation of the tenant. "Only
/// look" takes write access from a running one at its next request ([`active`] reads the choice
/// each time; the elevation stays recorded for the support-access log).
pub async fn set_support_access(
    db: &Db,
    tenant_id: TenantId,
    access: SupportAccess,
    now: Timestamp,
) -> Result<()> {
    with_tenant!(db, tenant_id, conn => sqlx::query(
        "update tenants set support_access = $2, updated_at = $3 where id = $1",
    )
    .bind(tenant_id)
    .bind(access.as_str())
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))?;
    if access == SupportAccess::Forbidden {
        with_tenant!(db, tenant_id, conn => sqlx::query(
            "update impersonations set ended_at = $2, end_reason = 'revoked', updated_at = $2 \
             where tenant_id = $1 and ended_at is null",
        )
        .bind(tenant_id)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

/// Starts an impersonation of `tenant_id` by `staff_id` for `minutes`. Errors: `NotFound` for
/// an unknown tenant or one without an owner, `Forbidden` if the tenant forbids support access,
/// `StaffTenant` if a staff member belongs to the company.
pub async fn start(
    db: &Db,
    staff_id: StaffId,
    tenant_id: TenantId,
    reason: &Reason,
    ticket: Option<&str>,
    minutes: u32,
    now: Timestamp,
) -> Result<Active> {
    if support_access(db, tenant_id).await? == SupportAccess::Forbidden {
        return Err(Error::Forbidden);
    }
    // Staff never act as a staff member: not in a company one of them belongs to with the same
    // email (their own, or a colleague's).
    let staff_member: i64 = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "select count(*) from memberships m join users u on u.id = m.user_id \
         join staff s on s.email = u.email where m.tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_one(conn)
    .await)?;
    if staff_member > 0 {
        return Err(Error::StaffTenant);
    }
    let expires_at = Timestamp::from_millis(now.as_millis() + i64::from(minutes) * 60_000);
    let ticket = ticket.map(str::trim).filter(|t| !t.is_empty());
    let id: ImpersonationId = with_tenant!(db, tenant_id, conn => sqlx::query_scalar(
        "insert into impersonations \
         (tenant_id, staff_id, reason, ticket, started_at, expires_at, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $5, $5) returning id",
    )
    .bind(tenant_id)
    .bind(staff_id)
    .bind(reason.as_str())
    .bind(ticket)
    .bind(now)
    .bind(expires_at)
    .fetch_one(conn)
    .await)?;
    active(db, tenant_id, id).await
}

/// The impersonation `id` of `tenant_id` if it is still running: not ended, not past its time,
/// its tenant still allowing it and its staff account not disabled. Errors: `NotFound`.
///
/// Read on every request, so the owner's choice takes effect at once: `elevated` holds only
/// while the tenant allows write access ("only look" takes it back from a support person who
/// elevated before).
pub async fn active(db: &Db, tenant_id: TenantId, id: ImpersonationId) -> Result<Active> {
    type Row = (
        StaffId,
        String,
        String,
        Timestamp,
        Option<Timestamp>,
        Option<UserId>,
        String,
    );
    let row: Option<Row> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select i.staff_id, s.name, t.name, i.expires_at, i.elevated_at, \
                (select m.user_id from memberships m where m.tenant_id = t.id and m.role = 'owner' \
                 order by m.created_at, m.user_id limit 1), \
                t.support_access \
         from impersonations i \
         join tenants t on t.id = i.tenant_id \
         join staff s on s.id = i.staff_id \
         where i.tenant_id = $1 and i.id = $2 and i.ended_at is null \
           and t.support_access <> 'forbidden' and s.disabled_at is null",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await)?;
    let (staff_id, staff_name, company, expires_at, elevated_at, owner, access) =
        row.ok_or(Error::NotFound)?;
    let writes_allowed = SupportAccess::from_db(&access)? == SupportAccess::Allowed;
    Ok(Active {
        id,
        tenant_id,
        company,
        staff_id,
        staff_name,
        acting_as: owner.ok_or(Error::NotFound)?,
        expires_at,
        elevated: elevated_at.is_some() && writes_allowed,
    })
}

/// Grants write access for the rest of the impersonation. Errors: `Forbidden` when the tenant
/// allows read-only support only; `NotFound` when it is not running.
pub async fn elevate(
    db: &Db,
    tenant_id: TenantId,
    id: ImpersonationId,
    reason: &Reason,
    now: Timestamp,
) -> Result<()> {
    if support_access(db, tenant_id).await? != SupportAccess::Allowed {
        return Err(Error::Forbidden);
    }
    let updated = with_tenant!(db, tenant_id, conn => sqlx::query(
        "update impersonations set elevated_at = $3, elevation_reason = $4, updated_at = $3 \
         where tenant_id = $1 and id = $2 and ended_at is null",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(now)
    .bind(reason.as_str())
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    if updated == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// Ends the impersonation (if it is still running).
pub async fn end(
    db: &Db,
    tenant_id: TenantId,
    id: ImpersonationId,
    why: EndReason,
    now: Timestamp,
) -> Result<()> {
    with_tenant!(db, tenant_id, conn => sqlx::query(
        "update impersonations set ended_at = $3, end_reason = $4, updated_at = $3 \
         where tenant_id = $1 and id = $2 and ended_at is null",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(now)
    .bind(why.as_str())
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Records one request made in the impersonation (the path with credentials already removed).
pub async fn record_request(
    db: &Db,
    tenant_id: TenantId,
    id: ImpersonationId,
    method: &str,
    path: &str,
    status: u16,
    now: Timestamp,
) -> Result<()> {
    with_tenant!(db, tenant_id, conn => sqlx::query(
        "insert into impersonation_requests \
         (impersonation_id, tenant_id, method, path, status, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(method)
    .bind(path)
    .bind(i32::from(status))
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub use history::{Record, Request, for_tenant};

mod history;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_a_sentence_or_names_a_ticket() {
        for accepted in [
            "customer reports stuck product sync",
            "must fix the retention setting",
            "see SUP-42",
            "ticket #1234",
            "Kunden melder at varer ikke synkroniseres",
        ] {
            assert!(Reason::parse(accepted).is_some(), "{accepted:?}");
        }
        for refused in [
            "",
            "now",
            "because",
            "ab cd ef",
            "a b c d e f g h i j k",
            "xx yy zz 1234567",
            "ticket SUP-",
            "#1",
            "fix \u{0007}it now please ok",
        ] {
            assert!(Reason::parse(refused).is_none(), "{refused:?}");
        }
    }
}
