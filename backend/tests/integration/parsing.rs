//! Form parsing errors carry the field and its problem, in the shared vocabulary's words (no
//! database).

use backend::{CompanyName, Email, Password, PersonName};
use vocabulary::{Field, Problem};

#[test]
fn empty_fields_are_required() {
    let e = Email::parse(" ").expect_err("empty email");
    assert_eq!((e.field, e.problem), (Field::Email, Problem::Required));
    let e = CompanyName::parse("").expect_err("empty company");
    assert_eq!(
        (e.field, e.problem),
        (Field::CompanyName, Problem::Required)
    );
    let e = PersonName::parse("\t").expect_err("empty name");
    assert_eq!((e.field, e.problem), (Field::Name, Problem::Required));
    let e = Password::parse("").expect_err("empty password");
    assert_eq!(
        (e.field, e.problem),
        (Field::Password, Problem::PasswordTooShort)
    );
}

#[test]
fn too_long_fields_are_refused() {
    let e = Email::parse(&format!("a@{}.dk", "b".repeat(260))).expect_err("long email");
    assert_eq!((e.field, e.problem), (Field::Email, Problem::TooLong));
    let e = CompanyName::parse(&"c".repeat(101)).expect_err("long company");
    assert_eq!((e.field, e.problem), (Field::CompanyName, Problem::TooLong));
    let e = PersonName::parse(&"n".repeat(101)).expect_err("long name");
    assert_eq!((e.field, e.problem), (Field::Name, Problem::TooLong));
    let e = Password::parse(&"p".repeat(129)).expect_err("long password");
    assert_eq!(
        (e.field, e.problem),
        (Field::Password, Problem::PasswordTooLong)
    );
}

#[test]
fn field_errors_keep_their_field_and_problem() {
    let err = backend::Error::from(Email::parse("nope").expect_err("invalid"));
    assert!(
        matches!(err, backend::Error::Invalid(e) if e.field == Field::Email && e.problem == Problem::EmailInvalid),
        "{err:?}"
    );
}
