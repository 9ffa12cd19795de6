//! The CSRF token checks of `backend::secrets::Keys` (the signed double-submit tokens of
//! anonymous visitors) and the master-key parsing they are derived from.
//!
//! - a token issued for a nonce is accepted for that nonce;
//! - any other text is refused: the check accepts exactly one token per nonce (so no second
//!   spelling, e.g. base64 with other trailing bits or padding, passes), and never panics;
//! - the token of one nonce is refused for any other nonce, and by keys from another master key;
//! - `Keys::from_base64` never panics on any text.
#![no_main]

use arbitrary::Arbitrary;
use backend::Keys;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    master: [u8; 32],
    nonce: String,
    other_nonce: String,
    sent: String,
    master_text: String,
}

fuzz_target!(|input: Input| {
    let keys = Keys::from_master(&input.master);
    let token = keys.anonymous_csrf_token(&input.nonce);
    assert!(keys.is_anonymous_csrf_token(&input.nonce, &token));
    assert_eq!(
        keys.is_anonymous_csrf_token(&input.nonce, &input.sent),
        input.sent == token,
        "token {:?} for nonce {:?}",
        input.sent,
        input.nonce
    );
    if input.other_nonce != input.nonce {
        assert!(!keys.is_anonymous_csrf_token(&input.other_nonce, &token));
    }
    let mut other_master = input.master;
    other_master[0] ^= 1;
    assert!(!Keys::from_master(&other_master).is_anonymous_csrf_token(&input.nonce, &token));

    let _ = Keys::from_base64(&input.master_text);
});
