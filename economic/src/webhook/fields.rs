//! Extracting `old`/`new`/`number` values from a query string, a form body, a JSON body or a raw
//! `OLD&NEW` body, as text. Values are percent-decoded; `+` is kept literally because e-conomic
//! substitutes merge fields as raw text and product numbers may contain `+`.

use percent_encoding::percent_decode_str;

/// Keys accepted for the old number (compared case-insensitively).
pub(super) const OLD_KEYS: [&str; 3] = ["old", "oldnumber", "old_number"];
/// Keys accepted for the new number.
pub(super) const NEW_KEYS: [&str; 3] = ["new", "newnumber", "new_number"];
/// Keys accepted for an invoice number.
pub(super) const INVOICE_KEYS: [&str; 5] = [
    "number",
    "invoiceno",
    "invoice",
    "invoicenumber",
    "bookedinvoicenumber",
];

/// Decoded `key=value` pairs of a query string or form body. `None` when the text has no `=`
/// at all (then it is not keyed).
pub(super) fn keyed_pairs(text: &str) -> Option<Vec<(String, String)>> {
    if !text.contains('=') {
        return None;
    }
    let pairs = text
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            (decode(key).to_ascii_lowercase(), decode(value))
        })
        .collect();
    Some(pairs)
}

/// The first value whose key is one of `keys`.
pub(super) fn find<'a>(pairs: &'a [(String, String)], keys: &[&str]) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| keys.contains(&key.as_str()))
        .map(|(_, value)| value.as_str())
}

/// `key: value` pairs of a JSON object body; numbers become their decimal text.
pub(super) fn json_pairs(body: &str) -> Option<Vec<(String, String)>> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let object = value.as_object()?;
    let pairs = object
        .iter()
        .filter_map(|(key, value)| {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Null => String::new(),
                _ => return None,
            };
            Some((key.to_ascii_lowercase(), text))
        })
        .collect();
    Some(pairs)
}

/// Percent-decodes, keeping invalid escapes and invalid UTF-8 (lossy) as text.
pub(super) fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// Whether a value is a literal merge field that was not substituted, e.g. `[NUMBER]`.
pub(super) fn placeholder(value: &str) -> Option<&str> {
    let inner = value.strip_prefix('[')?.strip_suffix(']')?;
    let looks_like_field =
        !inner.is_empty() && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    looks_like_field.then_some(value)
}
