//! Display names typed by people: company names and person names.

use std::fmt;

use serde::{Deserialize, Serialize};

use vocabulary::{Field, Problem};

use crate::error::FieldError;

/// The longest name we keep, in characters (not bytes: "Ærø Øl ApS" counts 10).
pub const MAX_CHARS: usize = 100;

/// The form field of one kind of name (every kind has the same rules).
struct Rules {
    field: Field,
}

/// Characters that change how text around them is shown without being seen themselves: bidi
/// controls (a name that reads "Acme" but is stored reversed), zero-width spaces and joiners,
/// the byte-order mark. `char::is_control` does not cover them (they are format characters).
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Trim and check a name against `rules`: 1..=100 characters, no control or invisible
/// characters.
fn parse_name(input: &str, rules: &Rules) -> Result<String, FieldError> {
    let name = input.trim();
    if name.is_empty() {
        return Err(FieldError::new(rules.field, Problem::Required));
    }
    if name.chars().count() > MAX_CHARS {
        return Err(FieldError::new(rules.field, Problem::TooLong));
    }
    if name.chars().any(|c| c.is_control() || is_invisible(c)) {
        return Err(FieldError::new(rules.field, Problem::BadCharacters));
    }
    Ok(name.to_owned())
}

macro_rules! name_type {
    ($(#[$meta:meta])* $name:ident, $rules:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Trim and check: 1..=100 characters, no control characters.
            pub fn parse(input: &str) -> Result<$name, FieldError> {
                parse_name(input, &$rules).map($name)
            }

            /// The trimmed name.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = FieldError;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(n: $name) -> String {
                n.0
            }
        }
    };
}

name_type!(
    /// A company (tenant) name; form field `company_name`.
    CompanyName,
    Rules {
        field: Field::CompanyName,
    }
);

name_type!(
    /// A person's name; form field `name`.
    PersonName,
    Rules { field: Field::Name }
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn trims() {
        assert_eq!(
            CompanyName::parse("  Ærø Øl ApS ").expect("valid").as_str(),
            "Ærø Øl ApS"
        );
        assert_eq!(
            PersonName::parse("\tAnna Hansen\n")
                .expect("valid")
                .as_str(),
            "Anna Hansen"
        );
    }

    #[test]
    fn refuses_bidi_controls_and_invisible_characters() {
        for name in [
            "Acme\u{202E}SpA",
            "Ac\u{200B}me",
            "\u{2066}Acme\u{2069}",
            "Acme\u{FEFF}",
        ] {
            let err = CompanyName::parse(name).expect_err(name);
            assert_eq!(err.problem, Problem::BadCharacters, "{name:?}");
        }
        assert!(CompanyName::parse("Ærø Øl ApS").is_ok());
    }

    #[test]
    fn refuses_empty() {
        let err = CompanyName::parse("   ").expect_err("empty");
        assert_eq!(
            (err.field, err.problem),
            (Field::CompanyName, Problem::Required)
        );
        let err = PersonName::parse("").expect_err("empty");
        assert_eq!((err.field, err.problem), (Field::Name, Problem::Required));
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert!(PersonName::parse(&"ø".repeat(100)).is_ok());
        let err = PersonName::parse(&"ø".repeat(101)).expect_err("too long");
        assert_eq!((err.field, err.problem), (Field::Name, Problem::TooLong));
        let err = CompanyName::parse(&"a".repeat(101)).expect_err("too long");
        assert_eq!(
            (err.field, err.problem),
            (Field::CompanyName, Problem::TooLong)
        );
    }

    #[test]
    fn refuses_control_characters() {
        let err = CompanyName::parse("Acme\nEvil").expect_err("newline");
        assert_eq!(err.problem, Problem::BadCharacters);
    }

    proptest! {
        #[test]
        fn valid_names_round_trip(name in r"[\p{L}\p{N}][\p{L}\p{N} .,&'-]{0,98}[\p{L}\p{N}]") {
            let parsed = PersonName::parse(&format!("  {name} ")).expect("valid");
            prop_assert_eq!(parsed.as_str(), name.as_str());
        }

        #[test]
        fn parse_never_panics_and_bounds_hold(input in "\\PC{0,150}") {
            if let Ok(name) = CompanyName::parse(&input) {
                let n = name.as_str().chars().count();
                prop_assert!((1..=MAX_CHARS).contains(&n));
                prop_assert_eq!(name.as_str(), input.trim());
            }
        }
    }
}
