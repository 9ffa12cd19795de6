//! The secret in a mailed link (password reset, sign-up confirmation): 32 random bytes,
//! base64url in the link, and only its SHA-256 stored, so a leaked database holds no usable link.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

const TOKEN_BYTES: usize = 32;

/// A new token: the text for the link and the hash to store.
pub(crate) fn new() -> (String, Vec<u8>) {
    let mut raw = [0u8; TOKEN_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    (URL_SAFE_NO_PAD.encode(raw), Sha256::digest(raw).to_vec())
}

/// The stored hash of a token from a link; `None` when it cannot be one of ours.
pub(crate) fn hash(token: &str) -> Option<Vec<u8>> {
    let raw = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
    (raw.len() == TOKEN_BYTES).then(|| Sha256::digest(raw).to_vec())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_token_hashes_to_what_was_stored_and_junk_to_nothing() {
        let (text, stored) = super::new();
        assert_eq!(text.len(), 43);
        assert_eq!(super::hash(&text), Some(stored));
        assert_eq!(super::hash("not-a-token"), None);
        assert_eq!(super::hash(""), None);
    }
}
