//! Passwords: the parsed input type, and argon2id hashing off the async threads.
//!
//! Parameters are OWASP's minimum for argon2id (m = 19 MiB, t = 2, p = 1). Verification reads
//! the parameters from the stored PHC string, so raising them later keeps old hashes working.
//!
//! Every hash and verification takes a permit of one process-wide semaphore ([`HASHING`]): 64
//! parallel sign-ups once took the server from 305 MB to 1.34 GB, 19 MiB per concurrent hash.
//! With a few permits per core, more requests only wait (up to [`HASH_WAIT`], then `Busy`, which
//! is answered 503 with `Retry-After`), and memory stays flat.

use std::fmt;
use std::sync::LazyLock;
use std::time::Duration;

use tokio::sync::Semaphore;
use unicode_normalization::UnicodeNormalization;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use vocabulary::{Field, Problem};

use crate::error::{Error, FieldError, Result};

/// Shortest accepted password, in characters.
pub const MIN_CHARS: usize = 10;
/// Longest accepted password, in characters (bounds the hashing work an attacker can ask for).
pub const MAX_CHARS: usize = 128;

/// argon2 memory cost in KiB (OWASP minimum for argon2id).
pub const ARGON2_M_COST: u32 = 19_456;
/// argon2 iterations.
pub const ARGON2_T_COST: u32 = 2;
/// argon2 parallelism.
pub const ARGON2_P_COST: u32 = 1;

/// A new password that passed the length rules. Deliberately neither `Serialize` nor `Display`,
/// and its `Debug` prints `Password(***)`.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Normalise to NFC (so that "æ" typed on two keyboards is one password) and check the
    /// rules: 10..=128 characters, not only spaces, no control or invisible characters, not one
    /// of the most common passwords. Not trimmed: spaces are part of a password.
    pub fn parse(input: &str) -> Result<Password, FieldError> {
        let refuse = |problem| Err(FieldError::new(Field::Password, problem));
        // A megabyte of input is refused before it is normalised.
        if input.len() > MAX_CHARS * 4 {
            return refuse(Problem::PasswordTooLong);
        }
        let password = normalise(input);
        let chars = password.chars().count();
        if chars < MIN_CHARS {
            return refuse(Problem::PasswordTooShort);
        }
        if chars > MAX_CHARS {
            return refuse(Problem::PasswordTooLong);
        }
        let invisible = |c: char| c.is_control() || crate::names::is_invisible(c);
        if password.chars().all(char::is_whitespace) || password.chars().any(invisible) {
            return refuse(Problem::BadCharacters);
        }
        if is_common(&password) {
            return refuse(Problem::PasswordCommon);
        }
        Ok(Password(password))
    }

    /// The password itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// Hashes running at once, per core: argon2 is CPU-bound, so more would only add memory.
pub const HASHES_PER_CORE: usize = 2;
/// How long a request waits for a hashing permit before it is refused as `Busy`.
pub const HASH_WAIT: Duration = Duration::from_secs(10);
/// What a `Busy` refusal asks the client to wait.
pub const BUSY_RETRY_SECS: u64 = 5;

/// The permits for argon2 work in this process (see the module documentation).
static HASHING: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(permits()));

fn permits() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    cores * HASHES_PER_CORE
}

/// Runs `work` on the blocking pool once a hashing permit is free.
async fn with_permit<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    let permit = tokio::time::timeout(HASH_WAIT, HASHING.acquire())
        .await
        .map_err(|_| Error::Busy {
            retry_after_secs: BUSY_RETRY_SECS,
        })?
        .map_err(Error::internal)?;
    let result = tokio::task::spawn_blocking(work)
        .await
        .map_err(Error::internal)?;
    drop(permit);
    result
}

/// The form passwords are hashed and checked in.
fn normalise(input: &str) -> String {
    input.nfc().collect()
}

/// The most common passwords of at least [`MIN_CHARS`] characters in public breach corpora
/// (compared case-insensitively). A short shipped list rather than a strength-estimation crate:
/// the rule is "not one everyone tries first", not a score.
const COMMON: [&str; 40] = [
    "1234567890",
    "0123456789",
    "0987654321",
    "9876543210",
    "1111111111",
    "0000000000",
    "1234512345",
    "1122334455",
    "1212121212",
    "1231231231",
    "12345678910",
    "123456789a",
    "qwertyuiop",
    "qwerty1234",
    "qwerty12345",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "zaq12wsx",
    "asdfghjkl1",
    "password12",
    "password123",
    "password1!",
    "passw0rd12",
    "iloveyou12",
    "abcdefghij",
    "abcd123456",
    "aaaaaaaaaa",
    "football12",
    "basketball",
    "superman12",
    "princess12",
    "sunshine12",
    "welcome123",
    "letmein123",
    "administrator",
    "changeme123",
    "adgangskode",
    "adgangskode1",
    "kodeord123",
    "sommer2024",
];

fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON.iter().any(|common| *common == lower)
}

fn argon2() -> Argon2<'static> {
    // The constants are valid argon2 parameters; `Params::new` only fails outside its ranges.
    // (argon2 0.5's defaults are the same OWASP values.)
    let params =
        Params::new(ARGON2_M_COST, ARGON2_T_COST, ARGON2_P_COST, None).unwrap_or(Params::DEFAULT);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let hash = argon2()
        .hash_password(password.as_bytes(), &salt)
        .map_err(Error::internal)?;
    Ok(hash.to_string())
}

/// A hash of a random, forgotten password with the current parameters. Verified against when
/// the account does not exist, so that an unknown email costs the same time as a wrong password.
/// A constant (not computed at first use) so that even the first such login takes no longer.
/// When the parameters change, regenerate it: a unit test checks that they match.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$Yi0cimdf77W/DiPAyqzTwg$QUPfodLAAOhN8Ki9BpPGdvJg0YjUCAjwpMjINkXs5W4";

/// Hash `password` with argon2id on the blocking pool; returns a PHC string.
pub(crate) async fn hash(password: &Password) -> Result<String> {
    let password = password.clone();
    with_permit(move || hash_blocking(password.expose())).await
}

/// Check `password` against a stored PHC string, or against a dummy hash when `stored` is
/// `None` (unknown account; always false, same cost). Runs on the blocking pool.
pub(crate) async fn verify(password: &str, stored: Option<String>) -> Result<bool> {
    // Hashed in NFC since passwords are normalised; a hash made before that from another form
    // is checked against the password as typed.
    let (normalised, typed) = (normalise(password), password.to_owned());
    with_permit(move || {
        let is_real = stored.is_some();
        let phc = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let parsed = match PasswordHash::new(&phc) {
            Ok(parsed) => parsed,
            Err(e) if is_real => {
                return Err(Error::internal(format!("stored hash unreadable: {e}")));
            }
            Err(_) => return Ok(false),
        };
        let check = |candidate: &str| {
            argon2()
                .verify_password(candidate.as_bytes(), &parsed)
                .is_ok()
        };
        let matches = check(&normalised) || (typed != normalised && check(&typed));
        Ok(matches && is_real)
    })
    .await
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_hashes_run_at_once_than_there_are_permits() {
        let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let tasks: Vec<_> = (0..permits() * 4)
            .map(|_| {
                let (running, most) = (running.clone(), most.clone());
                tokio::spawn(with_permit(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    running.fetch_sub(1, Ordering::SeqCst);
                    Ok(())
                }))
            })
            .collect();
        for task in tasks {
            task.await.expect("join").expect("hash slot");
        }
        assert_eq!(most.load(Ordering::SeqCst), permits());
    }

    #[test]
    fn blank_invisible_and_common_passwords_are_refused() {
        for blank in [
            " ".repeat(10),
            "\0".repeat(10),
            "pass\u{200B}word12".to_owned(),
        ] {
            let err = Password::parse(&blank).expect_err("refused");
            assert_eq!(err.problem, Problem::BadCharacters, "{blank:?}");
        }
        let err = Password::parse("Password123").expect_err("common");
        assert_eq!(err.problem, Problem::PasswordCommon);
        let err = Password::parse(&"x".repeat(1_000_000)).expect_err("huge");
        assert_eq!(err.problem, Problem::PasswordTooLong);
        assert!(Password::parse("correct horse battery staple").is_ok());
    }

    #[test]
    fn passwords_are_normalised_to_nfc() {
        // "å" as a + combining ring, and as one character.
        let parsed = Password::parse("bla\u{030A}bær 12345").expect("valid");
        assert_eq!(parsed.expose(), "bl\u{00E5}bær 12345");
    }

    #[tokio::test]
    async fn a_password_typed_in_another_normal_form_verifies() {
        let stored = hash(&Password::parse("blåbærgrød 1").expect("valid"))
            .await
            .expect("hash");
        let decomposed = "bla\u{030A}bærgrød 1";
        assert!(verify(decomposed, Some(stored)).await.expect("verify"));
    }

    #[test]
    fn length_rules_count_characters() {
        assert!(Password::parse("æøåæøåæøåæ").is_ok());
        assert_eq!(
            Password::parse("short").expect_err("short").problem,
            Problem::PasswordTooShort
        );
        assert!(Password::parse(&"x".repeat(128)).is_ok());
        assert_eq!(
            Password::parse(&"x".repeat(129)).expect_err("long").problem,
            Problem::PasswordTooLong
        );
    }

    #[test]
    fn debug_does_not_print_the_password() {
        let password = Password::parse("hunter2hunter2").expect("valid");
        assert!(!format!("{password:?}").contains("hunter2"));
    }

    #[test]
    fn dummy_hash_uses_the_current_parameters() {
        let dummy = PasswordHash::new(DUMMY_HASH).expect("PHC string");
        let params = Params::try_from(&dummy).expect("params");
        assert_eq!(dummy.algorithm, Algorithm::Argon2id.ident());
        assert_eq!(dummy.version, Some(Version::V0x13.into()));
        let costs = (params.m_cost(), params.t_cost(), params.p_cost());
        assert_eq!(costs, (ARGON2_M_COST, ARGON2_T_COST, ARGON2_P_COST));
    }

    #[tokio::test]
    async fn hash_verifies_and_dummy_never_matches() {
        let password = Password::parse("correct horse battery").expect("valid");
        let phc = hash(&password).await.expect("hash");
        assert!(
            verify("correct horse battery", Some(phc.clone()))
                .await
                .expect("verify")
        );
        assert!(
            !verify("wrong horse battery", Some(phc))
                .await
                .expect("verify")
        );
        assert!(!verify("correct horse battery", None).await.expect("verify"));
    }
}
