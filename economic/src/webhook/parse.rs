//! Turns a webhook request as e-conomic sends it (query string, content type, body) into a
//! [`WebhookAction`]. Never panics; every rejection is a precise [`WebhookParseError`].

use super::action::WebhookAction;
use super::error::{MAX_BODY_BYTES, WebhookParseError};
use super::fields::{self, INVOICE_KEYS, NEW_KEYS, OLD_KEYS, Pairs};
use crate::entity::Entity;
use crate::numbers::{CustomerNumber, InvoiceNumber, NumberError, ProductNumber, RecordNumber};

/// Parses one webhook request of `kind`.
///
/// Accepted forms (values percent-decoded or raw; `+` kept literally):
/// - raw body `OLD&NEW` (Rackbeat), e.g. `1001&1002`, `&1001` (created), `1001&` (deleted);
/// - keyed `old=…&new=…` in the body or in the query string (merge fields in the URL);
/// - a JSON object body with `old`/`new` (or `oldNumber`/`newNumber`) keys;
/// - invoices: raw body `20147`, or keyed `number=20147` in body or query.
///
/// The query string takes precedence when it carries the keys. The method is not an input:
/// e-conomic always POSTs.
pub fn parse(
    kind: Entity,
    query: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<WebhookAction, WebhookParseError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(WebhookParseError::TooLarge(body.len()));
    }
    if let Some(essence) = content_type.map(essence)
        && essence.starts_with("multipart/")
    {
        return Err(WebhookParseError::UnsupportedContentType {
            content_type: essence,
        });
    }
    let body = std::str::from_utf8(body).map_err(|_| WebhookParseError::NotUtf8)?;
    let body = body.trim_matches(|c| c == '\r' || c == '\n');
    let query_pairs = query
        .and_then(Pairs::keyed)
        .transpose()?
        .unwrap_or_default();
    let body_pairs = if is_json(content_type) || body.starts_with('{') {
        let object = Pairs::json(body);
        // Broken JSON (a number with `"` in a JSON template) read as raw text gave made-up numbers.
        if object.is_none() && is_json(content_type) && body.trim_start().starts_with('{') {
            return Err(WebhookParseError::InvalidJson);
        }
        object.map(Ok).or_else(|| Pairs::keyed(body))
    } else {
        Pairs::keyed(body)
    }
    .transpose()?;
    match kind {
        Entity::Invoices => parse_invoice(&query_pairs, body_pairs.as_ref(), body),
        Entity::Customers | Entity::Products => {
            let (old, new) = old_new(kind, &query_pairs, body_pairs.as_ref(), body)?;
            classify(kind, &old, &new)
        }
    }
}

/// A content type without its parameters, lowercased (`multipart/form-data; boundary=x` →
/// `multipart/form-data`), cut to a length fit for a stored reason.
fn essence(content_type: &str) -> String {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence
        .chars()
        .take(100)
        .collect::<String>()
        .to_ascii_lowercase()
}

fn is_json(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| ct.to_ascii_lowercase().contains("json"))
}

fn parse_invoice(
    query_pairs: &Pairs,
    body_pairs: Option<&Pairs>,
    body: &str,
) -> Result<WebhookAction, WebhookParseError> {
    let value = match keyed(query_pairs, &[&INVOICE_KEYS])? {
        Some([value]) => value.to_owned(),
        None => match body_pairs {
            Some(pairs) => match keyed(pairs, &[&INVOICE_KEYS])? {
                Some([value]) => value.to_owned(),
                None => return Err(WebhookParseError::MissingField { field: "number" }),
            },
            None if body.is_empty() => {
                return Err(WebhookParseError::NoData {
                    expected: "INVOICENO or number=INVOICENO",
                });
            }
            None => fields::decode(body.trim())?,
        },
    };
    let field = "invoice number";
    reject_placeholder(field, &value)?;
    InvoiceNumber::parse(value.trim())
        .map(WebhookAction::InvoiceBooked)
        .map_err(|reason| invalid(field, &value, reason))
}

/// The values of `keys` (one per key set) when `pairs` carries any of them, and nothing else.
/// `None` when it carries none of them (then it is not keyed data for us); a missing, repeated
/// or unknown key is an error.
fn keyed<'a, const N: usize>(
    pairs: &'a Pairs,
    keys: &[&'static [&'static str]; N],
) -> Result<Option<[&'a str; N]>, WebhookParseError> {
    if !keys.iter().any(|set| pairs.has_any(set)) {
        return Ok(None);
    }
    pairs.only(&keys[..])?;
    let mut values = [""; N];
    for (value, set) in values.iter_mut().zip(keys) {
        *value = pairs
            .get(set)?
            .ok_or(WebhookParseError::MissingField { field: set[0] })?;
    }
    Ok(Some(values))
}

/// The old and new number as decoded text, from the query, keyed body or raw body.
fn old_new(
    kind: Entity,
    query_pairs: &Pairs,
    body_pairs: Option<&Pairs>,
    body: &str,
) -> Result<(String, String), WebhookParseError> {
    let old_new = |[old, new]: [&str; 2]| (old.to_owned(), new.to_owned());
    if let Some(values) = keyed(query_pairs, &[&OLD_KEYS, &NEW_KEYS])? {
        return Ok(old_new(values));
    }
    match body_pairs {
        Some(pairs) => match keyed(pairs, &[&OLD_KEYS, &NEW_KEYS])? {
            Some(values) => Ok(old_new(values)),
            // No old/new keys: a raw `OLD&NEW` body whose numbers contain `=` (product numbers
            // may), unless it is a JSON object, which has no raw form.
            None if !body.starts_with('{') && body.contains('&') => split_raw(kind, body),
            None => Err(WebhookParseError::MissingField { field: "old" }),
        },
        None if body.is_empty() => Err(WebhookParseError::NoData {
            expected: "OLD&NEW or old=…&new=…",
        }),
        None => split_raw(kind, body),
    }
}

/// Splits a raw `OLD&NEW` body. With one `&` that is the separator; with more (a product
/// number containing `&`) the unique split into two valid numbers wins, or the symmetric split
/// (an update of such a product); anything else is ambiguous.
fn split_raw(kind: Entity, body: &str) -> Result<(String, String), WebhookParseError> {
    let positions: Vec<usize> = body.match_indices('&').map(|(i, _)| i).collect();
    let halves = |at: usize| -> Result<(String, String), WebhookParseError> {
        Ok((
            fields::decode(&body[..at])?,
            fields::decode(&body[at + 1..])?,
        ))
    };
    match positions.as_slice() {
        [] => Err(WebhookParseError::MissingSeparator {
            body: body.to_owned(),
        }),
        [only] => halves(*only),
        // Customer numbers are whole numbers: no split of several `&` can be right.
        _ if kind == Entity::Customers => Err(WebhookParseError::ExtraSeparator {
            body: body.to_owned(),
        }),
        many => {
            let valid = |side: &str| side.is_empty() || number(kind, "old", side).is_ok();
            let mut candidates = Vec::new();
            for &at in many {
                let (old, new) = halves(at)?;
                if valid(&old) && valid(&new) && !(old.is_empty() && new.is_empty()) {
                    candidates.push((old, new));
                }
            }
            let symmetric = candidates.iter().find(|(old, new)| old == new);
            match (candidates.as_slice(), symmetric) {
                ([one], _) => Ok(one.clone()),
                (_, Some(pair)) => Ok(pair.clone()),
                _ => Err(WebhookParseError::Ambiguous {
                    body: body.to_owned(),
                }),
            }
        }
    }
}

fn classify(kind: Entity, old: &str, new: &str) -> Result<WebhookAction, WebhookParseError> {
    reject_placeholder("old", old)?;
    reject_placeholder("new", new)?;
    match (old.is_empty(), new.is_empty()) {
        (true, true) => Err(WebhookParseError::BothEmpty),
        (true, false) => Ok(WebhookAction::Created(number(kind, "new", new)?)),
        (false, true) => Ok(WebhookAction::Deleted(number(kind, "old", old)?)),
        (false, false) => {
            let old = number(kind, "old", old)?;
            let new = number(kind, "new", new)?;
            if old == new {
                Ok(WebhookAction::Updated(new))
            } else {
                Ok(WebhookAction::Renumbered { old, new })
            }
        }
    }
}

fn number(
    kind: Entity,
    field: &'static str,
    text: &str,
) -> Result<RecordNumber, WebhookParseError> {
    match kind {
        Entity::Products => ProductNumber::parse(text).map(RecordNumber::Product),
        _ => CustomerNumber::parse(text.trim()).map(RecordNumber::Customer),
    }
    .map_err(|reason| invalid(field, text, reason))
}

fn reject_placeholder(field: &'static str, value: &str) -> Result<(), WebhookParseError> {
    match fields::placeholder(value.trim()) {
        Some(placeholder) => Err(WebhookParseError::UnreplacedPlaceholder {
            field,
            placeholder: placeholder.to_owned(),
        }),
        None => Ok(()),
    }
}

fn invalid(field: &'static str, value: &str, reason: NumberError) -> WebhookParseError {
    WebhookParseError::InvalidNumber {
        field,
        value: value.to_owned(),
        reason,
    }
}
