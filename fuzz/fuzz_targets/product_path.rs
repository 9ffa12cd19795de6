//! Product numbers in URL paths (`economic::product_path`): the client puts `encode(number)` in
//! `/products/{…}` and the simulator (like e-conomic) reads the segment back with `decode`.
//!
//! The input is used twice: as a product number (when it is UTF-8), and as an arbitrary path
//! segment, as anyone can send one.
//! - `decode(encode(n)) == n` exactly, for every string, valid product number or not;
//! - `encode` yields one path segment: only unreserved characters and percent-escapes;
//! - `decode` never panics on any segment, and what it yields encodes to a segment that decodes
//!   to the same text (so a number read from a URL can be linked to again).
#![no_main]

use economic::ProductNumber;
use economic::product_path::{decode, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    let encoded = encode(&text);
    assert!(
        is_one_segment(&encoded),
        "encode({text:?}) = {encoded:?} is not one URL path segment"
    );
    assert_eq!(
        decode(&encoded),
        text,
        "decode(encode(n)) != n for {text:?}"
    );
    if let Ok(number) = ProductNumber::parse(&text) {
        let back = ProductNumber::parse(&decode(&encode(number.as_str())));
        assert_eq!(back.as_ref(), Ok(&number));
    }

    // The same bytes as a segment received in a URL (percent-escapes of any bytes included).
    let segment = percent_encoding::percent_encode(data, SEGMENT_UNSAFE).to_string();
    for received in [segment.as_str(), text.as_ref()] {
        let decoded = decode(received);
        let again = encode(&decoded);
        assert!(is_one_segment(&again));
        assert_eq!(decode(&again), decoded, "segment {received:?}");
    }
});

/// Bytes that cannot stand literally in a path segment (what a client escapes before sending).
const SEGMENT_UNSAFE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'/')
    .add(b'?')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// Only RFC 3986 unreserved characters and well-formed `%XX` escapes.
fn is_one_segment(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_hexdigit);
                if !(hex(i + 1) && hex(i + 2)) {
                    return false;
                }
                i += 3;
            }
            b if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~') => i += 1,
            _ => return false,
        }
    }
    true
}
