//! Form parsing errors carry the field name and a translation key (no database).

use backend::{CompanyName, Email, Password, PersonName, keys};

#[test]
fn empty_fields_are_required() {
    let e = Email::parse(" ").expect_err("empty email");
    assert_eq!((e.field, e.key), ("email", keys::EMAIL_REQUIRED));
    let e = CompanyName::parse("").expect_err("empty company");
    assert_eq!(
        (e.field, e.key),
        ("company_name", keys::COMPANY_NAME_REQUIRED)
    );
    let e = PersonName::parse("\t").expect_err("empty name");
    assert_eq!((e.field, e.key), ("name", keys::NAME_REQUIRED));
    let e = Password::parse("").expect_err("empty password");
    assert_eq!((e.field, e.key), ("password", keys::PASSWORD_TOO_SHORT));
}

#[test]
fn too_long_fields_are_refused() {
    let e = Email::parse(&format!("a@{}.dk", "b".repeat(260))).expect_err("long email");
    assert_eq!(e.key, keys::EMAIL_TOO_LONG);
    let e = CompanyName::parse(&"c".repeat(101)).expect_err("long company");
    assert_eq!(e.key, keys::COMPANY_NAME_TOO_LONG);
    let e = PersonName::parse(&"n".repeat(101)).expect_err("long name");
    assert_eq!(e.key, keys::NAME_TOO_LONG);
    let e = Password::parse(&"p".repeat(129)).expect_err("long password");
    assert_eq!(e.key, keys::PASSWORD_TOO_LONG);
}

#[test]
fn field_errors_keep_their_field_and_key() {
    let err = backend::Error::from(Email::parse("nope").expect_err("invalid"));
    assert!(
        matches!(err, backend::Error::Invalid(e) if e.field == "email" && e.key == keys::EMAIL_INVALID),
        "{err:?}"
    );
}
