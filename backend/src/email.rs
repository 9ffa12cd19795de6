//! Email addresses, parsed at the boundary: trimmed, lowercased, plausibly deliverable.
//!
//! We do not implement RFC 5322 (quoted local parts and comments are refused): the goal is to
//! catch typos and store one canonical form, so that uniqueness is case-insensitive.

use std::fmt;

use serde::{Deserialize, Serialize};

use vocabulary::{Field, Problem};

use crate::error::FieldError;

/// The longest address SMTP can carry (RFC 5321 path limit minus the brackets).
pub const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;
const FIELD: Field = Field::Email;

/// A parsed, lowercased email address.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Trim, lowercase and check: length ≤ 254, exactly one `@`, a local part of at most 64
    /// characters without spaces or special characters, a domain with a dot and no empty labels.
    pub fn parse(input: &str) -> Result<Email, FieldError> {
        let email = input.trim().to_lowercase();
        if email.is_empty() {
            return Err(FieldError::new(FIELD, Problem::Required));
        }
        if email.len() > MAX_LEN {
            return Err(FieldError::new(FIELD, Problem::TooLong));
        }
        if !is_plausible(&email) {
            return Err(FieldError::new(FIELD, Problem::EmailInvalid));
        }
        Ok(Email(email))
    }

    /// An address read back from the database, where only parsed addresses are written.
    pub(crate) fn from_db(email: String) -> Email {
        Email(email)
    }

    /// The canonical (lowercased) address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_plausible(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let allowed = |c: char| !c.is_whitespace() && !c.is_control() && !"@<>()[]\\,;:\"".contains(c);
    let local_ok = !local.is_empty()
        && local.len() <= MAX_LOCAL_LEN
        && local.chars().all(allowed)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    let domain_ok = domain.contains('.')
        && domain
            .chars()
            .all(|c| allowed(c) && !"!#$%&'*+/=?^`{|}~".contains(c))
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
    local_ok && domain_ok
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = FieldError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Email::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(input: &str) -> Problem {
        Email::parse(input).expect_err(input).problem
    }

    #[test]
    fn trims_and_lowercases() {
        let email = Email::parse("  Anna.Hansen@Example.DK \n").expect("valid");
        assert_eq!(email.as_str(), "anna.hansen@example.dk");
    }

    #[test]
    fn accepts_common_forms() {
        for ok in [
            "a@b.dk",
            "first.last+tag@sub.example.co.uk",
            "x_y-z@dom-ain.io",
            "æøå@firma.dk",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_empty_and_too_long() {
        assert_eq!(key(""), Problem::Required);
        assert_eq!(key("   "), Problem::Required);
        let long = format!("{}@{}.dk", "a".repeat(60), "b".repeat(200));
        assert_eq!(key(&long), Problem::TooLong);
        assert_eq!(Email::parse("x").expect_err("x").field, Field::Email);
    }

    #[test]
    fn refuses_implausible_addresses() {
        for bad in [
            "plain",
            "@example.dk",
            "anna@",
            "anna@localhost",
            "a@@b.dk",
            "a@b@c.dk",
            "an na@b.dk",
            "anna@b..dk",
            "anna@.b.dk",
            "anna@b.dk.",
            ".anna@b.dk",
            "anna.@b.dk",
            "a..b@c.dk",
            "<anna@b.dk>",
            "anna@-b.dk",
            "anna@b_c!.dk",
            "anna\u{0}@b.dk",
        ] {
            assert_eq!(key(bad), Problem::EmailInvalid, "{bad:?}");
        }
        let long_local = format!("{}@b.dk", "a".repeat(65));
        assert_eq!(key(&long_local), Problem::EmailInvalid);
    }

    #[test]
    fn try_from_string_parses_as_serde_does() {
        let email = Email::try_from("Anna@B.dk".to_owned()).expect("valid");
        assert_eq!(String::from(email), "anna@b.dk");
    }

    proptest! {
        #[test]
        fn generated_addresses_parse_to_lowercase(
            local in "[A-Za-z0-9_+-]{1,20}(\\.[A-Za-z0-9_+-]{1,10}){0,2}",
            domain in "[A-Za-z0-9]{1,20}(\\.[A-Za-z0-9]{1,10}){1,3}",
        ) {
            let input = format!(" {local}@{domain} ");
            let email = Email::parse(&input).expect("generated address is valid");
            prop_assert_eq!(email.as_str(), input.trim().to_lowercase());
        }

        #[test]
        fn parse_never_panics_and_is_idempotent(input in "\\PC{0,300}") {
            if let Ok(email) = Email::parse(&input) {
                prop_assert!(email.as_str().len() <= MAX_LEN);
                prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
            }
        }
    }
}
