//! e-conomic's "custom resource self-link encoding" for product numbers in URL paths:
//! `_` → `_8_`, space → `_9_`, `&` → `_5_`, `/` → `_6_` … then standard percent-encoding of
//! whatever else is not URL-safe (the real API's self link `/products/%22334420410410%22`).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// The substitution table from e-conomic's docs, `_` first so that later codes are not re-encoded.
const TABLE: [(char, &str); 14] = [
    ('_', "_8_"),
    ('<', "_0_"),
    ('>', "_1_"),
    ('*', "_2_"),
    ('%', "_3_"),
    (':', "_4_"),
    ('&', "_5_"),
    ('/', "_6_"),
    ('\\', "_7_"),
    (' ', "_9_"),
    ('?', "_10_"),
    ('.', "_11_"),
    ('#', "_12_"),
    ('+', "_13_"),
];

/// Characters left as-is by the percent-encoding step (unreserved characters; `_` is
/// already replaced by then and `-`, `~` are safe).
const PATH_SAFE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');

/// Encodes a product number for use as one path segment: `/products/{encode(n)}`.
pub fn encode(number: &str) -> String {
    let mut substituted = String::with_capacity(number.len() + 8);
    for c in number.chars() {
        match TABLE.iter().find(|(from, _)| *from == c) {
            Some((_, to)) => substituted.push_str(to),
            None => substituted.push(c),
        }
    }
    utf8_percent_encode(&substituted, PATH_SAFE).to_string()
}

/// Decodes a path segment produced by [`encode`] (or by e-conomic) back to the product number.
/// Unknown `_N_` codes and stray underscores are kept literally; invalid UTF-8 is replaced.
pub fn decode(segment: &str) -> String {
    let percent_decoded = percent_decode_str(segment).decode_utf8_lossy();
    let text = percent_decoded.as_ref();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('_') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let code = after
            .find('_')
            .map(|end| &after[..end])
            .filter(|code| !code.is_empty() && code.len() <= 2)
            .and_then(|code| code.parse::<u8>().ok().map(|n| (code.len(), n)))
            .and_then(|(len, n)| decoded_char(n).map(|c| (len, c)));
        match code {
            Some((len, c)) => {
                out.push(c);
                rest = &after[len + 1..];
            }
            None => {
                out.push('_');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn decoded_char(code: u8) -> Option<char> {
    Some(match code {
        0 => '<',
        1 => '>',
        2 => '*',
        3 => '%',
        4 => ':',
        5 => '&',
        6 => '/',
        7 => '\\',
        8 => '_',
        9 => ' ',
        10 => '?',
        11 => '.',
        12 => '#',
        13 => '+',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_example() {
        assert_eq!(
            encode("My Awesome Product_Discount5%"),
            "My_9_Awesome_9_Product_8_Discount5_3_"
        );
        assert_eq!(
            decode("My_9_Awesome_9_Product_8_Discount5_3_"),
            "My Awesome Product_Discount5%"
        );
    }

    #[test]
    fn every_table_entry_round_trips() {
        let all = "<>*%:&/\\_ ?.#+";
        let encoded = encode(all);
        assert_eq!(encoded, "_0__1__2__3__4__5__6__7__8__9__10__11__12__13_");
        assert_eq!(decode(&encoded), all);
    }

    #[test]
    fn other_characters_are_percent_encoded() {
        assert_eq!(encode("\"334420410410\""), "%22334420410410%22");
        assert_eq!(decode("%22334420410410%22"), "\"334420410410\"");
        assert_eq!(encode("æble-1"), "%C3%A6ble-1");
        assert_eq!(decode(&encode("æble-1")), "æble-1");
    }

    #[test]
    fn codes_already_in_the_number_survive() {
        for n in ["_8_", "a_9_b", "x_", "_", "__", "_99_", "01CF8D2E-A6A6-4"] {
            assert_eq!(decode(&encode(n)), n, "{n}");
        }
    }
}
