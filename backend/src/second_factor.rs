//! The staff second factor: Totp codes (RFC 6238, by the `totp-rs` crate) and one-time recovery
//! codes.
//!
//! The Totp secret is encrypted at rest with the server's AEAD key, bound to the staff id, like
//! the grant tokens. A code is accepted for the current 30-second step or one step either side
//! (clock drift), and never twice: the last accepted step is stored and a code must be for a
//! later one — checked and moved in one conditional update, so two requests with the same code
//! cannot both pass. Recovery codes (ten, shown once at enrolment) are stored as SHA-256 and each
//! works once. Every code attempt is throttled like a password (delays per address), and the
//! factor has its own, much tighter ceiling: [`MAX_CODE_FAILURES`] wrong codes in a row, from
//! any address, lock it hard until an operator runs `server unlock-staff` (someone who knows a
//! staff password once had 96 codes checked in 40 s from 12 addresses).
//!
//! Enrolment is not trust-on-first-use: the factor is set up only with a one-time link that
//! `server create-staff` prints ([`issue_enrolment_link`]), valid for
//! [`ENROLMENT_LINK_MINUTES`], so that knowing the password alone never enrols an attacker's
//! authenticator.

use std::net::IpAddr;

use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Builder, Totp};

use crate::db::Db;
use crate::error::{Error, Result};
use crate::ids::StaffId;
use crate::secrets::Keys;
use crate::throttle;
use crate::timestamp::Timestamp;

/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "Inventory Sync";
/// Seconds per code.
pub const STEP_SECS: u64 = 30;
/// Digits per code.
pub const DIGITS: u8 = 6;
/// How many recovery codes enrolment gives.
pub const RECOVERY_CODES: usize = 10;
/// Code attempts (wrong or right) allowed since the last right one; the next is refused with
/// `SecondFactorLocked` until `server unlock-staff`.
pub const MAX_CODE_FAILURES: i32 = 10;
/// How long an enrolment link is valid.
pub const ENROLMENT_LINK_MINUTES: i64 = 60;
const SECRET_BYTES: usize = 20;

/// What the enrolment page shows: the secret for the authenticator app, as a QR code and as
/// text for typing in.
#[derive(Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// The secret in base32, for typing into the app.
    pub secret_base32: String,
    /// The `otpauth://` URL the QR code holds.
    pub otpauth_url: String,
    /// The QR code as an SVG document.
    pub qr_svg: String,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Enrolment(***)")
    }
}

fn context(staff_id: StaffId) -> Vec<u8> {
    format!("staff-totp:{}", staff_id.get()).into_bytes()
}

fn totp(secret: Vec<u8>, account: &str) -> Result<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_skew(1)
        .with_step_duration(STEP_SECS)
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        .with_account_name(account)
        .build()
        .map_err(|e| Error::internal(format!("TOTP setup failed: {e}")))
}

/// What the staff row holds about the second factor.
struct Stored {
    staff_id: StaffId,
    email: String,
    /// Ciphertext and nonce of the secret, once enrolment began.
    sealed: Option<(Vec<u8>, Vec<u8>)>,
    enrolled: bool,
    last_step: Option<i64>,
    /// The enrolment link's token hash and expiry, while one is open.
    link: Option<(Vec<u8>, Timestamp)>,
}

impl Stored {
    /// `Ok` if `token` is the open enrolment link's and it has not expired; otherwise
    /// `EnrolmentLinkInvalid`.
    fn check_link(&self, token: &str, now: Timestamp) -> Result<()> {
        let sent = Sha256::digest(token.trim().as_bytes());
        match &self.link {
            Some((hash, expires_at))
                if *expires_at > now && bool::from(hash.as_slice().ct_eq(sent.as_slice())) =>
            {
                Ok(())
            }
            _ => Err(Error::EnrolmentLinkInvalid),
        }
    }

    /// The decrypted secret, if enrolment began.
    fn secret(&self, keys: &Keys) -> Result<Option<Vec<u8>>> {
        self.sealed
            .as_ref()
            .map(|(ciphertext, nonce)| keys.open(&context(self.staff_id), ciphertext, nonce))
            .transpose()
    }

    /// The code generator, when the staff member is `enrolled` (confirmed) as asked; otherwise
    /// `Forbidden`.
    fn totp(&self, keys: &Keys, enrolled: bool) -> Result<Totp> {
        match self.secret(keys)? {
            Some(secret) if self.enrolled == enrolled => totp(secret, &self.email),
            _ => Err(Error::Forbidden),
        }
    }
}

type StoredRow = (
    String,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Timestamp>,
    Option<i64>,
    Option<Vec<u8>>,
    Option<Timestamp>,
);

async fn load(db: &Db, staff_id: StaffId) -> Result<Stored> {
    let row: Option<StoredRow> = with_db!(db, pool => sqlx::query_as(
        "select email, totp_ciphertext, totp_nonce, totp_enabled_at, totp_last_step, \
                enrolment_token_hash, enrolment_expires_at \
         from staff where id = $1 and disabled_at is null",
    )
    .bind(staff_id)
    .fetch_optional(pool)
    .await)?;
    let (email, ciphertext, nonce, enabled_at, last_step, link_hash, link_expires) =
        row.ok_or(Error::NotFound)?;
    Ok(Stored {
        staff_id,
        email,
        sealed: ciphertext.zip(nonce),
        enrolled: enabled_at.is_some(),
        last_step,
        link: link_hash.zip(link_expires),
    })
}

/// Opens a one-time enrolment link for a staff member who has no second factor yet (a new one
/// replaces an earlier one); returns its token, for `/staff/login?enrol=<token>`. Valid for
/// [`ENROLMENT_LINK_MINUTES`]. Errors: `Forbidden` once enrolled, `NotFound`.
pub async fn issue_enrolment_link(db: &Db, staff_id: StaffId, now: Timestamp) -> Result<String> {
    use base64::Engine as _;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = Sha256::digest(token.as_bytes()).to_vec();
    let expires_at = now + time::Duration::minutes(ENROLMENT_LINK_MINUTES);
    let opened = with_db!(db, pool => sqlx::query(
        "update staff set enrolment_token_hash = $1, enrolment_expires_at = $2, updated_at = $3 \
         where id = $4 and totp_enabled_at is null and disabled_at is null",
    )
    .bind(&hash)
    .bind(expires_at)
    .bind(now)
    .bind(staff_id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    if opened == 1 {
        return Ok(token);
    }
    match load(db, staff_id).await?.enrolled {
        true => Err(Error::Forbidden),
        false => Err(Error::NotFound),
    }
}

/// Whether the staff member has a confirmed second factor.
pub async fn is_enrolled(db: &Db, staff_id: StaffId) -> Result<bool> {
    Ok(load(db, staff_id).await?.enrolled)
}

/// The secret to enrol, for the holder of the open enrolment link `link`: created on first call
/// and the same on every later one until confirmed (a reload shows the same QR code). Errors:
/// `Forbidden` once enrolled (a second enrolment would let whoever has the password replace the
/// factor), `EnrolmentLinkInvalid` without the link's token or after it expired.
pub async fn enrolment(
    db: &Db,
    keys: &Keys,
    staff_id: StaffId,
    link: &str,
    now: Timestamp,
) -> Result<Enrolment> {
    let stored = load(db, staff_id).await?;
    if stored.enrolled {
        return Err(Error::Forbidden);
    }
    stored.check_link(link, now)?;
    let secret = match stored.secret(keys)? {
        Some(secret) => secret,
        None => {
            let mut secret = vec![0u8; SECRET_BYTES];
            rand::rngs::OsRng.fill_bytes(&mut secret);
            let (ciphertext, nonce) = keys.seal(&context(staff_id), &secret)?;
            with_db!(db, pool => sqlx::query(
                "update staff set totp_ciphertext = $1, totp_nonce = $2, totp_last_step = null \
                 where id = $3 and totp_enabled_at is null",
            )
            .bind(&ciphertext)
            .bind(&nonce)
            .bind(staff_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
            secret
        }
    };
    let totp = totp(secret, &stored.email)?;
    let otpauth_url = totp
        .to_url()
        .map_err(|e| Error::internal(format!("otpauth URL failed: {e}")))?;
    let qr = qrcode::QrCode::new(otpauth_url.as_bytes())
        .map_err(|e| Error::internal(format!("QR code failed: {e}")))?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    Ok(Enrolment {
        secret_base32: totp.secret().to_base32(),
        otpauth_url,
        qr_svg,
    })
}

/// Confirm enrolment with a first code from the app, for the holder of the open enrolment link
/// `link` (used up by it); returns the recovery codes, to be shown once. Errors:
/// `WrongCode`, `TooManyAttempts`, `SecondFactorLocked`,
/// `EnrolmentLinkInvalid`, `Forbidden` (enrolled already, or enrolment never started).
pub async fn confirm(
    db: &Db,
    keys: &Keys,
    staff_id: StaffId,
    link: &str,
    code: &str,
    client_ip: IpAddr,
    now: Timestamp,
) -> Result<Vec<String>> {
    let stored = load(db, staff_id).await?;
    let totp = stored.totp(keys, false)?;
    stored.check_link(link, now)?;
    let key = throttle_key(staff_id);
    throttle::guarded_check(db, &key, client_ip, now, async {
        count_attempt(db, staff_id, now).await?;
        let Some(step) = matching_step(&totp, code, None, now) else {
            return Ok(false);
        };
        let marked = with_db!(db, pool => sqlx::query(
            "update staff set totp_enabled_at = $1, totp_last_step = $2, updated_at = $1, \
                    enrolment_token_hash = null, enrolment_expires_at = null, \
                    code_attempts = 0, code_locked_at = null \
             where id = $3 and totp_enabled_at is null",
        )
        .bind(now)
        .bind(step)
        .bind(staff_id)
        .execute(pool)
        .await
            .map(|r| r.rows_affected()))?;
        Ok(marked == 1)
    })
    .await
    .map_err(wrong_code)?;
    new_recovery_codes(db, staff_id, now).await
}

/// Check a code at login: a TOTP code for a step after the last accepted one, or an unused
/// recovery code (then used up). Errors: `WrongCode`, `TooManyAttempts`,
/// `SecondFactorLocked` (after [`MAX_CODE_FAILURES`] attempts without a right one), `Forbidden`
/// (not enrolled).
pub async fn verify(
    db: &Db,
    keys: &Keys,
    staff_id: StaffId,
    code: &str,
    client_ip: IpAddr,
    now: Timestamp,
) -> Result<()> {
    let stored = load(db, staff_id).await?;
    let totp = stored.totp(keys, true)?;
    let key = throttle_key(staff_id);
    let checked = throttle::guarded_check(db, &key, client_ip, now, async {
        count_attempt(db, staff_id, now).await?;
        if let Some(hash) = recovery_code_hash(code) {
            let used = with_db!(db, pool => sqlx::query(
                "update staff_recovery_codes set used_at = $1, updated_at = $1 \
                 where staff_id = $2 and code_hash = $3 and used_at is null",
            )
            .bind(now)
            .bind(staff_id)
            .bind(&hash)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
            return Ok(used == 1);
        }
        let Some(step) = matching_step(&totp, code, stored.last_step, now) else {
            return Ok(false);
        };
        // Conditional: of two requests with the same code only one moves the step.
        let moved = with_db!(db, pool => sqlx::query(
            "update staff set totp_last_step = $1 \
             where id = $2 and (totp_last_step is null or totp_last_step < $1)",
        )
        .bind(step)
        .bind(staff_id)
        .execute(pool)
        .await
            .map(|r| r.rows_affected()))?;
        Ok(moved == 1)
    })
    .await
    .map_err(wrong_code);
    if checked.is_ok() {
        forgive_attempts(db, staff_id).await?;
    }
    checked
}

/// The throttle says `InvalidCredentials` for any refused secret; for a code the person knows
/// the password already, so the answer says that the code was wrong.
fn wrong_code(error: Error) -> Error {
    match error {
        Error::InvalidCredentials => Error::WrongCode,
        other => other,
    }
}

/// Counts one code attempt before the code is looked at, in one conditional update: once
/// [`MAX_CODE_FAILURES`] attempts were made without a right one, none is counted or checked
/// (`SecondFactorLocked`), however many run at once. The last one allowed marks the lock.
async fn count_attempt(db: &Db, staff_id: StaffId, now: Timestamp) -> Result<()> {
    let counted = with_db!(db, pool => sqlx::query(
        "update staff set code_attempts = code_attempts + 1, updated_at = $2, \
                code_locked_at = case when code_attempts + 1 >= $3 then $2 else null end \
         where id = $1 and code_attempts < $3",
    )
    .bind(staff_id)
    .bind(now)
    .bind(MAX_CODE_FAILURES)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    if counted == 0 {
        return Err(Error::SecondFactorLocked);
    }
    Ok(())
}

/// A right code: the attempts start from zero again.
async fn forgive_attempts(db: &Db, staff_id: StaffId) -> Result<()> {
    with_db!(db, pool => sqlx::query(
        "update staff set code_attempts = 0, code_locked_at = null where id = $1",
    )
    .bind(staff_id)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Lifts the hard lock of the staff member's second factor, and forgets the failures of their
/// password and codes (an operator's `server unlock-staff`, after checking who asks).
pub(crate) async fn unlock(db: &Db, staff_id: StaffId) -> Result<()> {
    forgive_attempts(db, staff_id).await?;
    throttle::forgive(db, &throttle_key(staff_id)).await
}

/// How many unused recovery codes the staff member has left.
pub async fn recovery_codes_left(db: &Db, staff_id: StaffId) -> Result<i64> {
    let left: i64 = with_db!(db, pool => sqlx::query_scalar(
        "select count(*) from staff_recovery_codes where staff_id = $1 and used_at is null",
    )
    .bind(staff_id)
    .fetch_one(pool)
    .await)?;
    Ok(left)
}

fn throttle_key(staff_id: StaffId) -> String {
    format!("staff-code:{}", staff_id.get())
}

/// The time step `code` is valid for — the current one or one either side, after `last` —
/// compared in constant time.
fn matching_step(totp: &Totp, code: &str, last: Option<i64>, now: Timestamp) -> Option<i64> {
    let code = code.trim();
    if code.len() != usize::from(DIGITS) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let step_millis = i64::try_from(STEP_SECS * 1000).ok()?;
    let current = now.as_millis().div_euclid(step_millis);
    (current - 1..=current + 1)
        .filter(|step| last.is_none_or(|last| *step > last))
        .find(|step| {
            let at = u64::try_from(*step).unwrap_or(0) * STEP_SECS;
            bool::from(
                totp.generate(at)
                    .to_string()
                    .as_bytes()
                    .ct_eq(code.as_bytes()),
            )
        })
}

/// Letters only (no `i`, `l`, `o`): never mistaken for a TOTP code, no dash inside a group.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz";

/// A new recovery code: twelve letters in groups of four (about 54 bits; one use, throttled).
fn recovery_code() -> String {
    use rand::Rng;
    let letters: String = (0..12)
        .map(|_| {
            char::from(RECOVERY_ALPHABET[rand::rngs::OsRng.gen_range(0..RECOVERY_ALPHABET.len())])
        })
        .collect();
    format!("{}-{}-{}", &letters[0..4], &letters[4..8], &letters[8..12])
}

/// A recovery code is written `xxxx-xxxx-xxxx-x`-style base64url groups; Totp codes are digits.
fn recovery_code_hash(code: &str) -> Option<Vec<u8>> {
    let normalised: String = code
        .trim()
        .chars()
        .filter(|c| *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if normalised.len() < 10 || normalised.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(Sha256::digest(normalised.as_bytes()).to_vec())
}

async fn new_recovery_codes(db: &Db, staff_id: StaffId, now: Timestamp) -> Result<Vec<String>> {
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    with_db!(db, pool => {
        let mut tx = sqlx::Connection::begin(pool).await?;
        sqlx::query("delete from staff_recovery_codes where staff_id = $1")
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        for code in &codes {
            let hash = recovery_code_hash(code).ok_or_else(|| Error::internal("recovery code"))?;
            sqlx::query(
                "insert into staff_recovery_codes (staff_id, code_hash, created_at, updated_at) \
                 values ($1, $2, $3, $3)",
            )
            .bind(staff_id)
            .bind(&hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok::<_, Error>(())
    })?;
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generated_recovery_code_is_one() {
        for _ in 0..2000 {
            let code = recovery_code();
            assert!(recovery_code_hash(&code).is_some(), "{code}");
            assert_eq!(
                recovery_code_hash(&code),
                recovery_code_hash(&code.to_uppercase())
            );
        }
    }

    #[test]
    fn recovery_codes_and_totp_codes_are_told_apart() {
        assert!(recovery_code_hash("123456").is_none());
        assert!(
            recovery_code_hash("1234-5678-90").is_none(),
            "digits only: never a recovery code"
        );
        assert!(recovery_code_hash("abcd-EFGH-ij").is_some());
        assert_eq!(
            recovery_code_hash("abcd-EFGH-ij"),
            recovery_code_hash("abcdEFGHij"),
            "dashes are optional"
        );
    }

    #[test]
    fn a_code_matches_its_step_and_its_neighbours_only_once_after_last() {
        let totp = totp(vec![7; SECRET_BYTES], "sam@example.test").expect("totp");
        let now = Timestamp::from_millis(1_700_000_000_000);
        let step = now.as_millis() / 30_000;
        let code = totp
            .generate(u64::try_from(step).expect("positive") * STEP_SECS)
            .to_string();
        assert_eq!(matching_step(&totp, &code, None, now), Some(step));
        assert_eq!(
            matching_step(&totp, &code, Some(step), now),
            None,
            "never twice"
        );
        let later = Timestamp::from_millis(now.as_millis() + 30_000);
        assert_eq!(
            matching_step(&totp, &code, None, later),
            Some(step),
            "one step late"
        );
        let much_later = Timestamp::from_millis(now.as_millis() + 90_000);
        assert_eq!(matching_step(&totp, &code, None, much_later), None);
        assert_eq!(matching_step(&totp, "12345", None, now), None);
        assert_eq!(matching_step(&totp, "abcdef", None, now), None);
    }
}
