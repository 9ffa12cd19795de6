//! Parser tests: every documented template form, the error cases, and a property test that
//! the parser never panics.

use super::*;
use crate::entity::{CONTENT_TYPE, Entity};
use crate::numbers::{CustomerNumber, InvoiceNumber, ProductNumber, RecordNumber};
use proptest::prelude::*;

const FORM: Option<&str> = Some(CONTENT_TYPE);

fn customer(n: i64) -> RecordNumber {
    RecordNumber::Customer(CustomerNumber::new(n).expect("positive"))
}

fn product(n: &str) -> RecordNumber {
    RecordNumber::Product(ProductNumber::parse(n).expect("valid product number"))
}

fn customer_body(body: &str) -> Result<WebhookAction, WebhookParseError> {
    parse(Entity::Customers, None, FORM, body.as_bytes())
}

#[test]
fn rackbeat_raw_bodies() {
    assert_eq!(
        customer_body("&1001"),
        Ok(WebhookAction::Created(customer(1001)))
    );
    assert_eq!(
        customer_body("1001&1001"),
        Ok(WebhookAction::Updated(customer(1001)))
    );
    assert_eq!(
        customer_body("1001&1002"),
        Ok(WebhookAction::Renumbered {
            old: customer(1001),
            new: customer(1002)
        })
    );
    assert_eq!(
        customer_body("1001&"),
        Ok(WebhookAction::Deleted(customer(1001)))
    );
    assert_eq!(customer_body("&"), Err(WebhookParseError::BothEmpty));
    assert_eq!(
        customer_body("1001&1001\r\n"),
        Ok(WebhookAction::Updated(customer(1001)))
    );
}

#[test]
fn keyed_bodies_and_query_strings() {
    assert_eq!(
        customer_body("old=1&new=2"),
        Ok(WebhookAction::Renumbered {
            old: customer(1),
            new: customer(2)
        })
    );
    assert_eq!(
        customer_body("old=&new=5"),
        Ok(WebhookAction::Created(customer(5)))
    );
    assert_eq!(
        parse(Entity::Products, Some("old=7&new=7"), None, b""),
        Ok(WebhookAction::Updated(product("7")))
    );
    assert_eq!(
        parse(Entity::Customers, Some("old=3&new="), FORM, b"ignored"),
        Ok(WebhookAction::Deleted(customer(3)))
    );
    assert_eq!(
        customer_body("old=1"),
        Err(WebhookParseError::MissingField { field: "new" })
    );
}

/// e-conomic substitutes merge fields unencoded: keyed data that a number containing `&` or `=`
/// could have produced, or that repeats a key, is refused instead of guessed at.
#[test]
fn keyed_data_that_is_not_unique_is_ambiguous() {
    let p = |body: &str| parse(Entity::Products, None, FORM, body.as_bytes());
    let unknown = |key: &str| Err(WebhookParseError::UnknownKey { key: key.into() });
    let repeated = |key: &str| Err(WebhookParseError::RepeatedKey { key: key.into() });
    // `old=[OLDNUMBER]&new=[NEWNUMBER]` with the new number `A&B=C`.
    assert_eq!(p("old=PX-1&new=A&B=C"), unknown("b"));
    assert_eq!(p("old=P1&new=EVIL&new=P2"), repeated("new"));
    assert_eq!(p("old=P1&oldnumber=P2&new=P3"), repeated("oldnumber"));
    assert_eq!(
        parse(Entity::Products, Some("old=P1&new=P2&x=1"), None, b""),
        unknown("x")
    );
    assert_eq!(
        parse(Entity::Invoices, None, FORM, b"number=1&number=2"),
        repeated("number")
    );
    assert_eq!(
        parse(Entity::Invoices, Some("number=1&x=2"), FORM, b""),
        unknown("x")
    );
    // An unknown key whose value is an unreplaced merge field is a template's, not a number's.
    assert_eq!(
        parse(
            Entity::Products,
            Some("old=7&new=7&number=[NUMBER]"),
            None,
            b""
        ),
        Ok(WebhookAction::Updated(product("7")))
    );
}

/// Found by fuzzing: a product number starting or ending with `&` makes an empty part in keyed
/// data (`old=[OLDNUMBER]&new=[NEWNUMBER]` with `&` and `R&` gives `old=&&new=R&`); skipping the
/// empty parts stored it as `Created(R)`. An empty part is a key we do not know, like `B` in `A&B`.
#[test]
fn empty_parts_in_keyed_data_are_ambiguous() {
    let unknown = Err(WebhookParseError::UnknownKey { key: String::new() });
    let p = |body: &str| parse(Entity::Products, None, FORM, body.as_bytes());
    assert_eq!(p("old=&&new=R&"), unknown);
    assert_eq!(p("old=R&&new=R"), unknown);
    assert_eq!(p("&old=1&new=2"), unknown);
    assert_eq!(
        parse(Entity::Products, Some("old=1&new=2&"), None, b""),
        unknown
    );
    assert_eq!(parse(Entity::Invoices, None, FORM, b"number=1&"), unknown);
}

/// Percent-escapes that are not UTF-8 are refused, never stored as `�`.
#[test]
fn invalid_utf8_escapes_are_refused() {
    for body in ["%ff&%ff", "old=%ff&new=1", "%C3%28&1"] {
        assert_eq!(
            parse(Entity::Products, None, FORM, body.as_bytes()),
            Err(WebhookParseError::InvalidEncoding),
            "{body}"
        );
    }
    assert_eq!(
        parse(Entity::Invoices, None, FORM, b"%ff"),
        Err(WebhookParseError::InvalidEncoding)
    );
    assert_eq!(
        parse(Entity::Customers, Some("old=%fe&new=1"), FORM, b""),
        Err(WebhookParseError::InvalidEncoding)
    );
    // An escape that is not one at all stays text, as before.
    assert_eq!(
        parse(Entity::Products, None, FORM, b"50%&50%"),
        Ok(WebhookAction::Updated(product("50%")))
    );
}

#[test]
fn json_bodies() {
    let json = Some("application/json");
    assert_eq!(
        parse(
            Entity::Customers,
            None,
            json,
            br#"{"oldNumber":"4","newNumber":4}"#
        ),
        Ok(WebhookAction::Updated(customer(4)))
    );
}

/// Found by fuzzing: a product number with `"` breaks a JSON template
/// (`{"old":"[OLDNUMBER]","new":"[NEWNUMBER]"}` with `a"b&` and `c`); the broken JSON was then
/// split at its `&` as a raw body and stored as two made-up numbers.
#[test]
fn broken_json_is_refused_not_split() {
    let json = Some("application/json");
    let body = br#"{"old":"a"b&","new":"c"}"#;
    assert_eq!(
        parse(Entity::Products, None, json, body),
        Err(WebhookParseError::InvalidJson)
    );
    // Without a JSON content type a body may be a raw `OLD&NEW` of numbers starting with `{`.
    assert_eq!(
        parse(Entity::Products, None, FORM, b"{A}&{A}"),
        Ok(WebhookAction::Updated(product("{A}")))
    );
}

/// A number with `"` can also add a member to a JSON template: `a","new":"b` as the old number
/// gives `{"old":"a","new":"b","new":"X"}`, which was read as `a → X` (the last `new` won).
#[test]
fn repeated_json_members_are_ambiguous() {
    let json = Some("application/json");
    assert_eq!(
        parse(
            Entity::Products,
            None,
            json,
            br#"{"old":"a","new":"b","new":"X"}"#
        ),
        Err(WebhookParseError::RepeatedKey { key: "new".into() })
    );
    assert_eq!(
        parse(Entity::Invoices, None, json, br#"{"number":1,"Number":2}"#),
        Err(WebhookParseError::RepeatedKey {
            key: "number".into()
        })
    );
}

#[test]
fn product_numbers_with_special_characters() {
    let p = |body: &str| parse(Entity::Products, None, FORM, body.as_bytes());
    assert_eq!(p("a%20b&a%20b"), Ok(WebhookAction::Updated(product("a b"))));
    assert_eq!(p("a+b&a+b"), Ok(WebhookAction::Updated(product("a+b"))));
    assert_eq!(p("x=1&x=1"), Ok(WebhookAction::Updated(product("x=1"))));
    assert_eq!(p("x&y&x&y"), Ok(WebhookAction::Updated(product("x&y"))));
    assert_eq!(
        p("a&b&c"),
        Err(WebhookParseError::Ambiguous {
            body: "a&b&c".into()
        })
    );
    assert_eq!(
        p("old=a%26b&new=c"),
        Ok(WebhookAction::Renumbered {
            old: product("a&b"),
            new: product("c")
        })
    );
    assert!(matches!(
        p(&format!("&{}", "x".repeat(26))),
        Err(WebhookParseError::InvalidNumber { field: "new", .. })
    ));
}

#[test]
fn unreplaced_placeholders_are_rejected_precisely() {
    assert_eq!(
        customer_body("[OLDNUMBER]&[NEWNUMBER]"),
        Err(WebhookParseError::UnreplacedPlaceholder {
            field: "old",
            placeholder: "[OLDNUMBER]".into()
        })
    );
    assert_eq!(
        parse(Entity::Customers, Some("old=5&new=[NEWNUMBER]"), None, b""),
        Err(WebhookParseError::UnreplacedPlaceholder {
            field: "new",
            placeholder: "[NEWNUMBER]".into()
        })
    );
    assert_eq!(
        parse(Entity::Invoices, None, FORM, b"[INVOICENO]"),
        Err(WebhookParseError::UnreplacedPlaceholder {
            field: "invoice number",
            placeholder: "[INVOICENO]".into()
        })
    );
}

#[test]
fn invoices() {
    let booked = Ok(WebhookAction::InvoiceBooked(
        InvoiceNumber::new(20147).expect("positive"),
    ));
    assert_eq!(parse(Entity::Invoices, None, FORM, b"20147"), booked);
    assert_eq!(parse(Entity::Invoices, None, FORM, b"number=20147"), booked);
    assert_eq!(
        parse(Entity::Invoices, Some("number=20147"), FORM, b""),
        booked
    );
    assert_eq!(
        parse(Entity::Invoices, None, FORM, b""),
        Err(WebhookParseError::NoData {
            expected: "INVOICENO or number=INVOICENO"
        })
    );
    assert!(matches!(
        parse(Entity::Invoices, None, FORM, b"-3"),
        Err(WebhookParseError::InvalidNumber { .. })
    ));
}

#[test]
fn several_ampersands_in_a_customer_body_and_multipart_bodies_are_named_as_such() {
    let refused = customer_body("1001&1002&1003");
    assert_eq!(
        refused,
        Err(WebhookParseError::ExtraSeparator {
            body: "1001&1002&1003".into()
        })
    );
    let text = refused.expect_err("refused").to_string();
    assert!(!text.contains("product"), "{text}");
    let multipart = parse(
        Entity::Customers,
        None,
        Some("multipart/form-data; boundary=XyZ"),
        b"--XyZ\r\nContent-Disposition: form-data; name=\"old\"\r\n\r\n1001\r\n--XyZ--",
    );
    assert_eq!(
        multipart,
        Err(WebhookParseError::UnsupportedContentType {
            content_type: "multipart/form-data".into()
        })
    );
}

#[test]
fn other_errors() {
    assert_eq!(
        customer_body(""),
        Err(WebhookParseError::NoData {
            expected: "OLD&NEW or old=…&new=…"
        })
    );
    assert_eq!(
        customer_body("1001"),
        Err(WebhookParseError::MissingSeparator {
            body: "1001".into()
        })
    );
    assert_eq!(
        parse(Entity::Customers, None, FORM, &[0xff, b'&', b'1']),
        Err(WebhookParseError::NotUtf8)
    );
    let message = customer_body("abc&1").map_err(|e| e.to_string());
    assert_eq!(
        message,
        Err(
            "webhook `old` value \"abc\" is invalid: \"abc\" is not a positive whole number".into()
        )
    );
}

#[test]
fn actions_serialise_as_json() {
    let action = WebhookAction::Renumbered {
        old: customer(1),
        new: customer(2),
    };
    let json = serde_json::to_string(&action).expect("serialise");
    assert_eq!(
        json,
        r#"{"action":"renumbered","data":{"old":{"kind":"customer","number":1},"new":{"kind":"customer","number":2}}}"#
    );
    let back: WebhookAction = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(back, action);
}

proptest! {
    #[test]
    fn never_panics(
        kind in prop::sample::select(Entity::ALL.to_vec()),
        query in prop::option::of(".{0,40}"),
        content_type in prop::option::of("[a-z/+;=-]{0,30}"),
        body in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let _ = parse(kind, query.as_deref(), content_type.as_deref(), &body);
    }

    #[test]
    fn never_panics_on_template_like_text(
        kind in prop::sample::select(Entity::ALL.to_vec()),
        body in "[0-9a-z&=%\\[\\]{}\":,+ _]{0,40}",
    ) {
        let _ = parse(kind, Some(&body), None, body.as_bytes());
        let _ = parse(kind, None, Some("application/json"), body.as_bytes());
    }

    #[test]
    fn customer_round_trip(old in prop::option::of(1i64..1_000_000_000), new in prop::option::of(1i64..1_000_000_000)) {
        let text = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        let parsed = customer_body(&format!("{}&{}", text(old), text(new)));
        let expected = match (old, new) {
            (None, None) => Err(WebhookParseError::BothEmpty),
            (None, Some(n)) => Ok(WebhookAction::Created(customer(n))),
            (Some(o), None) => Ok(WebhookAction::Deleted(customer(o))),
            (Some(o), Some(n)) if o == n => Ok(WebhookAction::Updated(customer(n))),
            (Some(o), Some(n)) => Ok(WebhookAction::Renumbered { old: customer(o), new: customer(n) }),
        };
        prop_assert_eq!(parsed, expected);
    }
}
