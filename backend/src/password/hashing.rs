//! argon2id hashing and verification in bounded memory.
//!
//! Parameters are OWASP's minimum for argon2id (m = 19 MiB, t = 2, p = 1). Verification reads
//! the parameters from the stored PHC string, so raising them later keeps old hashes working.
//!
//! Every hash and verification takes a permit of one process-wide semaphore ([`HASHING`]): 64
//! parallel sign-ups once took the server from 305 MB to 1.34 GB, 19 MiB per concurrent hash.
//! With a few permits per core, more requests only wait (up to [`HASH_WAIT`], then `Busy`, which
//! is answered 503 with `Retry-After`).
//!
//! The permits alone did not bound memory: argon2's own `hash_password_into` allocates its
//! 19 MiB per call, and glibc kept the freed blocks (64 parallel log-ins: 208 MB → 1,234 MB,
//! still there nine minutes later). So each permit owns one argon2 memory area ([`MEMORY`]),
//! allocated at its first use and reused by every later hash through
//! `hash_password_into_with_memory`; argon2 itself allocates nothing. Memory for hashing is at
//! most permits × 19 MiB, whatever the load.

use std::sync::{LazyLock, Mutex, PoisonError};
use std::time::Duration;

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

use super::{Password, normalise};
use crate::error::{Error, Result};

/// argon2 memory cost in KiB (OWASP minimum for argon2id).
pub const ARGON2_M_COST: u32 = 19_456;
/// argon2 iterations.
pub const ARGON2_T_COST: u32 = 2;
/// argon2 parallelism.
pub const ARGON2_P_COST: u32 = 1;

/// Hashes running at once, per core: argon2 is CPU-bound, so more would only add memory.
pub const HASHES_PER_CORE: usize = 2;
/// How long a request waits for a hashing permit before it is refused as `Busy`.
pub const HASH_WAIT: Duration = Duration::from_secs(10);
/// What a `Busy` refusal asks the client to wait.
pub const BUSY_RETRY_SECS: u64 = 5;

/// The permits for argon2 work in this process (see the module documentation).
static HASHING: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(permits()));

/// The argon2 memory areas, one per permit once used. A holder of a [`HASHING`] permit takes
/// one (or makes the first), and gives it back when done: there are never more than permits.
static MEMORY: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

pub(super) fn permits() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    cores * HASHES_PER_CORE
}

/// Runs `work` on the blocking pool once a hashing permit is free, with that permit's memory.
pub(super) async fn with_permit<T: Send + 'static>(
    work: impl FnOnce(&mut Vec<Block>) -> Result<T> + Send + 'static,
) -> Result<T> {
    let permit = tokio::time::timeout(HASH_WAIT, HASHING.acquire())
        .await
        .map_err(|_| Error::Busy {
            retry_after_secs: BUSY_RETRY_SECS,
        })?
        .map_err(Error::internal)?;
    let result = tokio::task::spawn_blocking(move || {
        // A poisoned lock only means a panic elsewhere while the list was held; the list of
        // areas itself stays valid.
        let taken = MEMORY.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let mut memory = taken.unwrap_or_default();
        let result = work(&mut memory);
        // Given back even when the work failed; a panic in argon2 loses this area and the next
        // holder makes a new one, so the count stays at most the permits.
        MEMORY
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(memory);
        result
    })
    .await
    .map_err(Error::internal)?;
    drop(permit);
    result
}

/// The current parameters (a constant: `Params::new` only fails outside argon2's ranges).
fn params() -> Params {
    Params::new(ARGON2_M_COST, ARGON2_T_COST, ARGON2_P_COST, None).unwrap_or(Params::DEFAULT)
}

/// One argon2 run into `out`, in `memory` (grown once to the parameters' size, then reused).
fn hash_into(
    argon2: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
    memory: &mut Vec<Block>,
) -> Result<()> {
    let blocks = params.block_count();
    if memory.len() < blocks {
        // Once per permit for the current parameters; again only for a stored hash made with
        // more memory than any before it in this process.
        memory.resize(blocks, Block::default());
    }
    argon2
        .hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
        .map_err(Error::internal)
}

/// A standard PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of `password`.
fn hash_blocking(password: &str, memory: &mut Vec<Block>) -> Result<String> {
    let params = params();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut salt_bytes)
        .map_err(Error::internal)?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    hash_into(
        &argon2,
        &params,
        password.as_bytes(),
        salt_bytes,
        &mut out,
        memory,
    )?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(Error::internal)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(Error::internal)?),
    };
    Ok(phc.to_string())
}

/// A stored hash, read once: how to recompute it and what it must equal.
struct Stored<'a> {
    argon2: Argon2<'static>,
    params: Params,
    salt: &'a [u8],
    expected: Vec<u8>,
}

impl<'a> Stored<'a> {
    /// Reads a PHC string of argon2 (any variant and version argon2 accepts).
    fn parse(phc: &str, salt_buffer: &'a mut [u8; 64]) -> Result<Stored<'a>> {
        let parsed = PasswordHash::new(phc).map_err(Error::internal)?;
        let algorithm = Algorithm::try_from(parsed.algorithm).map_err(Error::internal)?;
        let version = parsed
            .version
            .map(Version::try_from)
            .transpose()
            .map_err(Error::internal)?
            .unwrap_or_default();
        let params = Params::try_from(&parsed).map_err(Error::internal)?;
        let salt = parsed.salt.ok_or_else(|| Error::internal("no salt"))?;
        let expected = parsed.hash.ok_or_else(|| Error::internal("no hash"))?;
        let salt = salt.decode_b64(salt_buffer).map_err(Error::internal)?;
        Ok(Stored {
            argon2: Argon2::new(algorithm, version, params.clone()),
            params,
            salt,
            expected: expected.as_bytes().to_vec(),
        })
    }

    /// Whether `password` hashes to the stored value (compared in constant time).
    fn matches(&self, password: &str, memory: &mut Vec<Block>) -> Result<bool> {
        let mut out = vec![0u8; self.expected.len()];
        hash_into(
            &self.argon2,
            &self.params,
            password.as_bytes(),
            self.salt,
            &mut out,
            memory,
        )?;
        Ok(bool::from(out.ct_eq(&self.expected)))
    }
}

/// A hash of a random, forgotten password with the current parameters. Verified against when
/// the account does not exist, so that an unknown email costs the same time as a wrong password.
/// A constant (not computed at first use) so that even the first such login takes no longer.
/// When the parameters change, regenerate it: a unit test checks that they match.
pub(super) const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$Yi0cimdf77W/DiPAyqzTwg$QUPfodLAAOhN8Ki9BpPGdvJg0YjUCAjwpMjINkXs5W4";

/// Hash `password` with argon2id on the blocking pool; returns a PHC string.
pub(crate) async fn hash(password: &Password) -> Result<String> {
    let password = password.clone();
    with_permit(move |memory| hash_blocking(password.expose(), memory)).await
}

/// Check `password` against a stored PHC string, or against a dummy hash when `stored` is
/// `None` (unknown account; always false, same cost and same memory). Runs on the blocking pool.
pub(crate) async fn verify(password: &str, stored: Option<String>) -> Result<bool> {
    // Hashed in NFC since passwords are normalised; a hash made before that from another form
    // is checked against the password as typed.
    let (normalised, typed) = (normalise(password), password.to_owned());
    with_permit(move |memory| {
        let is_real = stored.is_some();
        let phc = stored.as_deref().unwrap_or(DUMMY_HASH);
        let mut salt_buffer = [0u8; 64];
        let stored = match Stored::parse(phc, &mut salt_buffer) {
            Ok(stored) => stored,
            Err(e) if is_real => {
                return Err(Error::internal(format!("stored hash unreadable: {e}")));
            }
            Err(_) => return Ok(false),
        };
        let matches = stored.matches(&normalised, memory)?
            || (typed != normalised && stored.matches(&typed, memory)?);
        Ok(matches && is_real)
    })
    .await
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    use super::*;

    /// The reference implementation's (phc-winner-argon2) vectors for "password" and salt
    /// "somesalt": one lane with 64 MiB, and two lanes with 256 KiB.
    const REFERENCE: [&str; 2] = [
        "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
    ];

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_hashes_run_at_once_than_there_are_permits_nor_memory_areas() {
        let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let tasks: Vec<_> = (0..permits() * 4)
            .map(|_| {
                let (running, most) = (running.clone(), most.clone());
                tokio::spawn(with_permit(move |_| {
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
        let areas = MEMORY.lock().unwrap_or_else(PoisonError::into_inner).len();
        assert!(areas <= permits(), "{areas} memory areas");
    }

    #[tokio::test]
    async fn the_reference_implementations_hashes_verify() {
        for phc in REFERENCE {
            let stored = Some(phc.to_owned());
            assert!(
                verify("password", stored.clone()).await.expect("verify"),
                "{phc}"
            );
            assert!(!verify("notword", stored).await.expect("verify"), "{phc}");
        }
    }

    #[tokio::test]
    async fn a_new_hash_is_a_standard_phc_string_with_the_current_parameters() {
        let password = Password::parse("correct horse battery").expect("valid");
        let phc = hash(&password).await.expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        // argon2's own (allocating) verifier agrees.
        let parsed = PasswordHash::new(&phc).expect("PHC string");
        let standard = Argon2::default();
        assert!(
            standard
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        assert!(
            standard
                .verify_password(b"wrong horse battery", &parsed)
                .is_err()
        );
        // And a hash made by argon2's own hasher verifies here.
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let theirs = standard
            .hash_password(b"correct horse battery", &salt)
            .expect("hash")
            .to_string();
        let stored = Some(theirs);
        assert!(
            verify("correct horse battery", stored.clone())
                .await
                .expect("verify")
        );
        assert!(!verify("wrong horse battery", stored).await.expect("verify"));
    }

    #[tokio::test]
    async fn hash_verifies_and_dummy_never_matches() {
        let password = Password::parse("correct horse battery").expect("valid");
        let phc = hash(&password).await.expect("hash");
        let stored = Some(phc);
        assert!(
            verify("correct horse battery", stored.clone())
                .await
                .expect("verify")
        );
        assert!(!verify("wrong horse battery", stored).await.expect("verify"));
        assert!(!verify("correct horse battery", None).await.expect("verify"));
    }

    #[tokio::test]
    async fn an_unreadable_stored_hash_is_an_error_not_a_refusal() {
        let stored = Some("$argon2id$v=19$garbage".to_owned());
        assert!(verify("correct horse battery", stored).await.is_err());
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
    fn dummy_hash_uses_the_current_parameters() {
        let dummy = PasswordHash::new(DUMMY_HASH).expect("PHC string");
        let params = Params::try_from(&dummy).expect("params");
        assert_eq!(dummy.algorithm, Algorithm::Argon2id.ident());
        assert_eq!(dummy.version, Some(Version::V0x13.into()));
        let costs = (params.m_cost(), params.t_cost(), params.p_cost());
        assert_eq!(costs, (ARGON2_M_COST, ARGON2_T_COST, ARGON2_P_COST));
    }
}
