//! The webhook payload parser (`economic::webhook::parse`), in two modes chosen by the first
//! input byte.
//!
//! **Request mode** (high bit clear): any query string, content type and body, as anyone holding
//! a webhook URL could send them. The parser must not panic, and what it accepts must be
//! consistent: the action survives the JSON the backend stores it as, and re-encoding it in every
//! accepted form (keyed body, keyed query, raw `OLD&NEW`, JSON) parses to the same action.
//!
//! **Substitution mode** (high bit set): two numbers substituted the way e-conomic does, as
//! literal text, into one of the four templates a user may configure. The parser must answer the
//! true numbers or refuse; it must never store a different number.
//! Two documented choices are outside this promise: values are percent-decoded (e-conomic's
//! encoding of merge values is unknown, so `%26` must work), and a raw body that splits into two
//! equal halves is read as an update of that number.
#![no_main]

use economic::webhook::parse;
use economic::{CONTENT_TYPE, CustomerNumber, Entity, ProductNumber, RecordNumber, WebhookAction};
use libfuzzer_sys::fuzz_target;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

const JSON: Option<&str> = Some("application/json");
const FORM: Option<&str> = Some(CONTENT_TYPE);

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut parts = rest.splitn(3, |&b| b == 0xFF);
    let mut next = || parts.next().unwrap_or_default();
    if mode & 0x80 == 0 {
        let kind = Entity::ALL[usize::from(mode % 3)];
        let query = String::from_utf8_lossy(next());
        let content_type = String::from_utf8_lossy(next());
        let body = next();
        let query = (mode & 0x04 != 0).then_some(query.as_ref());
        let content_type = (mode & 0x08 != 0).then_some(content_type.as_ref());
        request(kind, query, content_type, body);
    } else {
        let (Ok(old), Ok(new)) = (std::str::from_utf8(next()), std::str::from_utf8(next())) else {
            return;
        };
        substitution(mode, old, new);
    }
});

fn request(kind: Entity, query: Option<&str>, content_type: Option<&str>, body: &[u8]) {
    let Ok(action) = parse(kind, query, content_type, body) else {
        return;
    };
    let stored = serde_json::to_string(&action).expect("an action serialises");
    let loaded: WebhookAction = serde_json::from_str(&stored).expect("a stored action loads");
    assert_eq!(loaded, action, "JSON round trip of {stored}");

    for (query, content_type, body) in re_encoded(&action) {
        let again = parse(kind, query.as_deref(), content_type, body.as_bytes());
        assert_eq!(
            again.as_ref(),
            Ok(&action),
            "{action:?} re-encoded as query {query:?}, body {body:?}"
        );
    }
}

/// Every canonical request form of `action`: (query, content type, body).
fn re_encoded(action: &WebhookAction) -> Vec<(Option<String>, Option<&'static str>, String)> {
    let text = |n: &RecordNumber| n.to_string();
    let (old, new) = match action {
        WebhookAction::InvoiceBooked(number) => {
            let n = number.to_string();
            return vec![
                (None, FORM, n.clone()),
                (None, FORM, format!("number={n}")),
                (Some(format!("number={n}")), None, String::new()),
                (None, JSON, format!("{{\"number\":{n}}}")),
                (None, JSON, format!("{{\"invoiceNumber\":\"{n}\"}}")),
            ];
        }
        WebhookAction::Created(n) => (String::new(), text(n)),
        WebhookAction::Updated(n) => (text(n), text(n)),
        WebhookAction::Renumbered { old, new } => (text(old), text(new)),
        WebhookAction::Deleted(n) => (text(n), String::new()),
    };
    let enc = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
    let keyed = format!("old={}&new={}", enc(&old), enc(&new));
    let json = serde_json::json!({ "old": old, "new": new }).to_string();
    vec![
        (None, FORM, keyed.clone()),
        (Some(keyed), None, String::new()),
        (None, FORM, format!("{}&{}", enc(&old), enc(&new))),
        (None, JSON, json.clone()),
        (None, None, json),
    ]
}

/// The templates a user may configure; `[OLDNUMBER]` and `[NEWNUMBER]` replaced literally.
const TEMPLATES: [(&str, Option<&str>, bool); 4] = [
    ("[OLDNUMBER]&[NEWNUMBER]", FORM, false),
    ("old=[OLDNUMBER]&new=[NEWNUMBER]", FORM, false),
    ("old=[OLDNUMBER]&new=[NEWNUMBER]", None, true),
    (r#"{"old":"[OLDNUMBER]","new":"[NEWNUMBER]"}"#, JSON, false),
];

fn substitution(mode: u8, old: &str, new: &str) {
    let kind = if mode & 0x04 == 0 {
        Entity::Products
    } else {
        Entity::Customers
    };
    let number = |text: &str| -> Option<Option<RecordNumber>> {
        if text.is_empty() {
            return Some(None);
        }
        match kind {
            Entity::Customers => CustomerNumber::parse(text).ok().map(RecordNumber::Customer),
            _ => ProductNumber::parse(text).ok().map(RecordNumber::Product),
        }
        .map(Some)
    };
    let (Some(old_n), Some(new_n)) = (number(old), number(new)) else {
        return;
    };
    let truth = match (old_n, new_n) {
        (None, None) => return,
        (None, Some(n)) => WebhookAction::Created(n),
        (Some(o), None) => WebhookAction::Deleted(o),
        (Some(o), Some(n)) if o == n => WebhookAction::Updated(n),
        (Some(old), Some(new)) => WebhookAction::Renumbered { old, new },
    };
    let (template, content_type, in_query) = TEMPLATES[usize::from(mode & 0x03)];
    let json = content_type == JSON;
    // Escapes the parser honours by design: `%XX` in form data, `\` in JSON strings.
    let escaped = |s: &str| {
        if json {
            s.contains('\\')
        } else {
            s.contains('%')
        }
    };
    if escaped(old) || escaped(new) {
        return;
    }
    let filled = fill(template, old, new);
    let (query, body) = if in_query {
        (Some(filled.as_str()), "")
    } else {
        (None, filled.as_str())
    };
    let Ok(action) = parse(kind, query, content_type, body.as_bytes()) else {
        return;
    };
    if action == truth {
        return;
    }
    let symmetric = |body: &str| {
        body.match_indices('&')
            .any(|(at, _)| body[..at] == body[at + 1..])
    };
    let documented = template.starts_with("[OLDNUMBER]")
        && symmetric(body)
        && matches!(action, WebhookAction::Updated(_));
    assert!(
        documented,
        "old {old:?}, new {new:?} in {template:?} parsed as {action:?}, but it is {truth:?}"
    );
}

/// The template with each merge field replaced by its number, in one pass (a number that
/// contains `[NEWNUMBER]` stays as it is).
fn fill(template: &str, old: &str, new: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(at) = rest.find('[') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let (value, len) = if rest.starts_with("[OLDNUMBER]") {
            (old, "[OLDNUMBER]".len())
        } else if rest.starts_with("[NEWNUMBER]") {
            (new, "[NEWNUMBER]".len())
        } else {
            (&rest[..1], 1)
        };
        out.push_str(value);
        rest = &rest[len..];
    }
    out.push_str(rest);
    out
}
