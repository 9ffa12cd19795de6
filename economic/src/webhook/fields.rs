//! Extracting `old`/`new`/`number` values from a query string, a form body, a JSON body or a raw
//! `OLD&NEW` body, as text. Values are percent-decoded strictly (the result must be UTF-8); `+`
//! is kept literally because e-conomic substitutes merge fields as raw text and product numbers
//! may contain `+`.
//!
//! Keyed data is only trusted when it is unambiguous: e-conomic substitutes `[NEWNUMBER]`
//! unencoded, so a product number `A&B=C` in `old=X&new=[NEWNUMBER]` arrives as
//! `old=X&new=A&B=C`. A repeated key or a key we do not know can only come from such a number
//! (or from a forged request), so either makes the whole request ambiguous.

use std::fmt;

use percent_encoding::percent_decode_str;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

use super::error::WebhookParseError;

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

/// Decoded `key=value` pairs of a query string, form body or JSON object, keys lowercased.
#[derive(Debug, Default)]
pub(super) struct Pairs(Vec<(String, String)>);

impl Pairs {
    /// The pairs of a query string or form body; `None` when the text has no `=` at all (then
    /// it is not keyed). An empty part (`&&`, or `&` at either end) is kept as the key `""`:
    /// only a number starting or ending with `&` gives one, so it must make the data ambiguous.
    pub(super) fn keyed(text: &str) -> Option<Result<Pairs, WebhookParseError>> {
        if !text.contains('=') {
            return None;
        }
        let pairs = text
            .split('&')
            .map(|part| {
                let (key, value) = part.split_once('=').unwrap_or((part, ""));
                Ok((decode(key)?.to_ascii_lowercase(), decode(value)?))
            })
            .collect::<Result<Vec<_>, _>>();
        Some(pairs.map(Pairs))
    }

    /// The `key: value` pairs of a JSON object body; numbers become their decimal text. `None`
    /// when the body is not a JSON object. A repeated member is kept, so that [`Pairs::get`]
    /// refuses it as it does `new=1&new=2`.
    pub(super) fn json(body: &str) -> Option<Pairs> {
        let Members(members) = serde_json::from_str(body).ok()?;
        let pairs = members
            .into_iter()
            .filter_map(|(key, value)| {
                let text = match value {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Number(n) => n.to_string(),
                    serde_json::Value::Null => String::new(),
                    _ => return None,
                };
                Some((key.to_ascii_lowercase(), text))
            })
            .collect();
        Some(Pairs(pairs))
    }

    /// Whether any key is one of `keys`.
    pub(super) fn has_any(&self, keys: &[&str]) -> bool {
        self.0.iter().any(|(key, _)| keys.contains(&key.as_str()))
    }

    /// The one value whose key is one of `keys`; two such keys (`new=1&new=2`, or `new` and
    /// `newnumber`) are ambiguous.
    pub(super) fn get(&self, keys: &[&str]) -> Result<Option<&str>, WebhookParseError> {
        let mut found = self
            .0
            .iter()
            .filter(|(key, _)| keys.contains(&key.as_str()));
        let Some((_, value)) = found.next() else {
            return Ok(None);
        };
        match found.next() {
            Some((key, _)) => Err(WebhookParseError::RepeatedKey { key: key.clone() }),
            None => Ok(Some(value.as_str())),
        }
    }

    /// Refuses any key outside `known`, except one whose value is a literal merge field that
    /// was not substituted: integrators' templates carry those on purpose (Magento sends
    /// `number=[NUMBER]` with a product webhook to check that it stays literal), and no number
    /// fragment looks like that.
    pub(super) fn only(&self, known: &[&[&str]]) -> Result<(), WebhookParseError> {
        let is_known = |key: &str| known.iter().any(|keys| keys.contains(&key));
        let unknown = |(key, value): &&(String, String)| {
            !is_known(key) && placeholder(value.trim()).is_none()
        };
        match self.0.iter().find(unknown) {
            Some((key, _)) => Err(WebhookParseError::UnknownKey { key: key.clone() }),
            None => Ok(()),
        }
    }
}

/// A JSON object's members in order, repeats included: `serde_json::Value` keeps only the last
/// of a repeated member, which a number containing `"` can add to a JSON template.
struct Members(Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// Percent-decodes; invalid escapes (`%zz`, a lone `%`) stay as text, but escapes that decode to
/// invalid UTF-8 (`%ff`) are refused rather than turned into `�`.
pub(super) fn decode(text: &str) -> Result<String, WebhookParseError> {
    percent_decode_str(text)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| WebhookParseError::InvalidEncoding)
}

/// Whether a value is a literal merge field that was not substituted, e.g. `[NUMBER]`.
pub(super) fn placeholder(value: &str) -> Option<&str> {
    let inner = value.strip_prefix('[')?.strip_suffix(']')?;
    let looks_like_field =
        !inner.is_empty() && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    looks_like_field.then_some(value)
}
