//! Passwords: the parsed input type; argon2id hashing in bounded memory is in [`hashing`].

mod hashing;

use std::fmt;

use unicode_normalization::UnicodeNormalization;

pub use hashing::{ARGON2_M_COST, ARGON2_P_COST, ARGON2_T_COST};
pub(crate) use hashing::{hash, verify};

use vocabulary::{Field, Problem};

use crate::error::{FieldError, Result};

/// Shortest accepted password, in characters.
pub const MIN_CHARS: usize = 10;
/// Longest accepted password, in characters (bounds the hashing work an attacker can ask for).
pub const MAX_CHARS: usize = 128;

/// A new password that passed the length rules. Deliberately neither `Serialize` nor `Display`,
/// and its `Debug` prints `Password(***)`.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Normalise to NFC (so that "æ" typed on two keyboards is one password) and check the
    /// rules: 10..=128 characters, not only spaces, no control or invisible characters, not one
    /// of the most common passwords. Not trimmed: spaces are part of a password.
    pub fn parse(input: &str) -> Result<Password, FieldError> {
        let refuse = |problem| Err(FieldError::new(Field::Password, problem));
        // A megabyte of input is refused before it is normalised.
        if input.len() > MAX_CHARS * 4 {
            return refuse(Problem::PasswordTooLong);
        }
        let password = normalise(input);
        let chars = password.chars().count();
        if chars < MIN_CHARS {
            return refuse(Problem::PasswordTooShort);
        }
        if chars > MAX_CHARS {
            return refuse(Problem::PasswordTooLong);
        }
        let invisible = |c: char| c.is_control() || crate::names::is_invisible(c);
        if password.chars().all(char::is_whitespace) || password.chars().any(invisible) {
            return refuse(Problem::BadCharacters);
        }
        if is_common(&password) {
            return refuse(Problem::PasswordCommon);
        }
        Ok(Password(password))
    }

    /// The password itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// The form passwords are hashed and checked in.
fn normalise(input: &str) -> String {
    input.nfc().collect()
}

/// The most common passwords of at least [`MIN_CHARS`] characters in public breach corpora
/// (compared case-insensitively). A short shipped list rather than a strength-estimation crate:
/// the rule is "not one everyone tries first", not a score.
const COMMON: [&str; 40] = [
    "1234567890",
    "0123456789",
    "0987654321",
    "9876543210",
    "1111111111",
    "0000000000",
    "1234512345",
    "1122334455",
    "1212121212",
    "1231231231",
    "12345678910",
    "123456789a",
    "qwertyuiop",
    "qwerty1234",
    "qwerty12345",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "zaq12wsx",
    "asdfghjkl1",
    "password12",
    "password123",
    "password1!",
    "passw0rd12",
    "iloveyou12",
    "abcdefghij",
    "abcd123456",
    "aaaaaaaaaa",
    "football12",
    "basketball",
    "superman12",
    "princess12",
    "sunshine12",
    "welcome123",
    "letmein123",
    "administrator",
    "changeme123",
    "adgangskode",
    "adgangskode1",
    "kodeord123",
    "sommer2024",
];

fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON.iter().any(|common| *common == lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_invisible_and_common_passwords_are_refused() {
        for blank in [
            " ".repeat(10),
            "\0".repeat(10),
            "pass\u{200B}word12".to_owned(),
        ] {
            let err = Password::parse(&blank).expect_err("refused");
            assert_eq!(err.problem, Problem::BadCharacters, "{blank:?}");
        }
        let err = Password::parse("Password123").expect_err("common");
        assert_eq!(err.problem, Problem::PasswordCommon);
        let err = Password::parse(&"x".repeat(1_000_000)).expect_err("huge");
        assert_eq!(err.problem, Problem::PasswordTooLong);
        assert!(Password::parse("correct horse battery staple").is_ok());
    }

    #[test]
    fn passwords_are_normalised_to_nfc() {
        // "å" as a + combining ring, and as one character.
        let parsed = Password::parse("bla\u{030A}bær 12345").expect("valid");
        assert_eq!(parsed.expose(), "bl\u{00E5}bær 12345");
    }

    #[test]
    fn length_rules_count_characters() {
        assert!(Password::parse("æøåæøåæøåæ").is_ok());
        assert_eq!(
            Password::parse("short").expect_err("short").problem,
            Problem::PasswordTooShort
        );
        assert!(Password::parse(&"x".repeat(128)).is_ok());
        assert_eq!(
            Password::parse(&"x".repeat(129)).expect_err("long").problem,
            Problem::PasswordTooLong
        );
    }

    #[test]
    fn debug_does_not_print_the_password() {
        let password = Password::parse("hunter2hunter2").expect("valid");
        assert!(!format!("{password:?}").contains("hunter2"));
    }
}
