//! The server's secret keys ([`Keys`]), derived from ONE configured master key (32 bytes).
//!
//! From the master key we derive, with HMAC-SHA256 over fixed labels, one key per purpose:
//! - an AEAD key (ChaCha20-Poly1305) for secrets at rest (the e-conomic grant tokens);
//! - an HMAC key for webhook URL credentials ([`crate::webhook_credentials`]);
//! - an HMAC key for the CSRF tokens of anonymous visitors (login and sign-up forms), which are
//!   bound to a random cookie instead of a stored session so that a page view stores nothing.
//!
//! Separate keys mean a weakness in one use cannot be turned against the other. Changing the
//! master key invalidates every webhook URL and makes stored grant tokens unreadable, so it is
//! configured once and kept (demo mode persists a generated one).

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::error::{Error, Result};

type HmacSha256 = Hmac<Sha256>;

/// Length of the master key in bytes.
pub const MASTER_KEY_LEN: usize = 32;
/// Length of an AEAD nonce in bytes.
pub const NONCE_LEN: usize = 12;

const AEAD_LABEL: &[u8] = b"inventory-sync/v1/aead-secrets-at-rest";
const WEBHOOK_LABEL: &[u8] = b"inventory-sync/v1/hmac-webhook-credentials";
const ANONYMOUS_CSRF_LABEL: &[u8] = b"inventory-sync/v1/hmac-anonymous-csrf";

/// Derived secret keys. Cheap to clone; `Debug` never prints key material.
#[derive(Clone)]
pub struct Keys {
    aead: [u8; 32],
    webhook_hmac: [u8; 32],
    anonymous_csrf_hmac: [u8; 32],
}

/// The master key text is not base64 of exactly [`MASTER_KEY_LEN`] bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the master key must be base64 of exactly {MASTER_KEY_LEN} bytes")]
pub struct InvalidMasterKey;

impl Keys {
    /// Derive the keys from a master key.
    pub fn from_master(master: &[u8; MASTER_KEY_LEN]) -> Keys {
        Keys {
            aead: derive(master, AEAD_LABEL),
            webhook_hmac: derive(master, WEBHOOK_LABEL),
            anonymous_csrf_hmac: derive(master, ANONYMOUS_CSRF_LABEL),
        }
    }

    /// Parse a master key given as base64 (standard or URL-safe, padding optional), e.g. from
    /// `APP_SECRET_KEY`. Surrounding whitespace is ignored.
    pub fn from_base64(text: &str) -> Result<Keys, InvalidMasterKey> {
        Ok(Keys::from_master(&decode_master(text)?))
    }

    /// Whether a well-formed master key looks typed or patterned rather than random: fewer
    /// than 16 distinct byte values (32 random bytes have about 30; a repeated or counting
    /// pattern has few), or every byte printable ASCII (a password run through base64, which
    /// random bytes are with a chance of about 1 in 10^13). Production refuses such a key.
    pub fn master_is_weak(text: &str) -> Result<bool, InvalidMasterKey> {
        let master = decode_master(text)?;
        let mut seen = [false; 256];
        for byte in master {
            seen[usize::from(byte)] = true;
        }
        let distinct = seen.iter().filter(|s| **s).count();
        let printable = master.iter().all(|b| (0x20..0x7f).contains(b));
        Ok(distinct < 16 || printable)
    }

    /// A fresh random master key, base64 (standard) encoded: store it, then [`Keys::from_base64`].
    pub fn generate_master_base64() -> String {
        let mut master = [0u8; MASTER_KEY_LEN];
        rand::rngs::OsRng.fill_bytes(&mut master);
        STANDARD.encode(master)
    }

    /// Keys from a fresh random master key (tests; values encrypted with them die with them).
    pub fn generate() -> Keys {
        let mut master = [0u8; MASTER_KEY_LEN];
        rand::rngs::OsRng.fill_bytes(&mut master);
        Keys::from_master(&master)
    }

    /// Encrypt `plaintext` bound to `context` (associated data, e.g. the row's owner), with a
    /// fresh random nonce. Returns `(ciphertext, nonce)`.
    pub(crate) fn seal(&self, context: &[u8], plaintext: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.aead));
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let payload = Payload {
            msg: plaintext,
            aad: context,
        };
        let ciphertext = cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .map_err(|_| Error::internal("encryption failed"))?;
        Ok((ciphertext, nonce.to_vec()))
    }

    /// Decrypt what [`Keys::seal`] produced for the same `context`. A wrong key, nonce, context
    /// or a tampered ciphertext is an internal error (the master key changed, or the row was
    /// tampered with).
    pub(crate) fn open(&self, context: &[u8], ciphertext: &[u8], nonce: &[u8]) -> Result<Vec<u8>> {
        if nonce.len() != NONCE_LEN {
            return Err(Error::internal("stored nonce has the wrong length"));
        }
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.aead));
        let payload = Payload {
            msg: ciphertext,
            aad: context,
        };
        cipher
            .decrypt(Nonce::from_slice(nonce), payload)
            .map_err(|_| {
                Error::internal("cannot decrypt a stored secret (was APP_SECRET_KEY changed?)")
            })
    }

    /// HMAC-SHA256 of `message` with the webhook credential key.
    pub(crate) fn webhook_mac(&self, message: &[u8]) -> [u8; 32] {
        mac(&self.webhook_hmac, message)
    }

    /// The CSRF token of an anonymous visitor whose CSRF cookie holds `nonce`.
    pub fn anonymous_csrf_token(&self, nonce: &str) -> String {
        URL_SAFE_NO_PAD.encode(mac(&self.anonymous_csrf_hmac, nonce.as_bytes()))
    }

    /// Whether `token` is the anonymous CSRF token for `nonce` (compared in constant time).
    pub fn is_anonymous_csrf_token(&self, nonce: &str, token: &str) -> bool {
        let Ok(sent) = URL_SAFE_NO_PAD.decode(token) else {
            return false;
        };
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.anonymous_csrf_hmac)
            .unwrap_or_else(|_| unreachable!());
        mac.update(nonce.as_bytes());
        mac.verify_slice(&sent).is_ok()
    }
}

/// The 32 bytes of a master key given as base64 (standard or URL-safe, padding optional).
fn decode_master(text: &str) -> Result<[u8; MASTER_KEY_LEN], InvalidMasterKey> {
    let text = text.trim();
    let bytes = STANDARD
        .decode(text)
        .or_else(|_| URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')))
        .map_err(|_| InvalidMasterKey)?;
    bytes.try_into().map_err(|_| InvalidMasterKey)
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Keys(***)")
    }
}

fn derive(master: &[u8; MASTER_KEY_LEN], label: &[u8]) -> [u8; 32] {
    mac(master, label)
}

fn mac(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(message);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_base64_and_never_prints() {
        let text = Keys::generate_master_base64();
        let keys = Keys::from_base64(&text).expect("valid key");
        assert_eq!(format!("{keys:?}"), "Keys(***)");
        assert!(Keys::from_base64("c2hvcnQ=").is_err());
        assert!(Keys::from_base64("not base64!").is_err());
    }

    #[test]
    fn patterned_or_typed_master_keys_are_weak() {
        for _ in 0..100 {
            let random = Keys::generate_master_base64();
            assert_eq!(Keys::master_is_weak(&random), Ok(false), "{random}");
        }
        let zeros = STANDARD.encode([0u8; 32]);
        let counting = STANDARD.encode([0u8, 1, 2, 3, 4, 5, 6, 7].repeat(4));
        let password = STANDARD.encode(b"correct horse battery staple!!!!");
        for weak in [zeros, counting, password] {
            assert_eq!(Keys::master_is_weak(&weak), Ok(true), "{weak}");
        }
        assert_eq!(Keys::master_is_weak("c2hvcnQ="), Err(InvalidMasterKey));
    }

    #[test]
    fn seal_open_round_trip_is_bound_to_context() {
        let keys = Keys::generate();
        let (ct, nonce) = keys.seal(b"tenant:1", b"grant").expect("seal");
        assert_eq!(keys.open(b"tenant:1", &ct, &nonce).expect("open"), b"grant");
        assert!(keys.open(b"tenant:2", &ct, &nonce).is_err());
        assert!(Keys::generate().open(b"tenant:1", &ct, &nonce).is_err());
    }

    #[test]
    fn derived_keys_differ_per_purpose() {
        let keys = Keys::from_master(&[7; 32]);
        assert_ne!(keys.aead, keys.webhook_hmac);
        assert_ne!(keys.webhook_hmac, keys.anonymous_csrf_hmac);
    }

    #[test]
    fn anonymous_csrf_tokens_are_bound_to_their_nonce_and_key() {
        let keys = Keys::generate();
        let token = keys.anonymous_csrf_token("nonce-a");
        assert!(keys.is_anonymous_csrf_token("nonce-a", &token));
        assert!(!keys.is_anonymous_csrf_token("nonce-b", &token));
        assert!(!Keys::generate().is_anonymous_csrf_token("nonce-a", &token));
        assert!(!keys.is_anonymous_csrf_token("nonce-a", ""));
        assert!(!keys.is_anonymous_csrf_token("nonce-a", "not base64!"));
        assert!(!keys.is_anonymous_csrf_token("nonce-a", &token[..token.len() - 2]));
    }
}
