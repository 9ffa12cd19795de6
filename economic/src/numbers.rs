//! Record numbers as e-conomic uses them: customer and invoice numbers are positive integers,
//! product numbers are non-empty strings of at most 25 characters. Parsed once at the boundary.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a text is not a valid record number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// The text was empty.
    #[error("the number is empty")]
    Empty,
    /// The text is not a whole number in 1..=999 999 999 999.
    #[error("{0:?} is not a positive whole number")]
    NotPositiveInteger(String),
    /// A product number longer than 25 characters.
    #[error("product number {0:?} is longer than 25 characters")]
    TooLong(String),
    /// A product number with a control character (NUL, newline, …): e-conomic's product numbers
    /// are printable text, and PostgreSQL cannot even store a NUL in `text`.
    #[error("product number {0:?} contains a control character")]
    ControlCharacter(String),
}

macro_rules! integer_number {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "i64", into = "i64")]
        pub struct $name(i64);

        impl $name {
            /// The smallest valid number, 1.
            pub const MIN: Self = Self(1);

            /// Accepts a positive number.
            pub fn new(value: i64) -> Result<Self, NumberError> {
                if value > 0 {
                    Ok(Self(value))
                } else {
                    Err(NumberError::NotPositiveInteger(value.to_string()))
                }
            }

            /// Parses decimal text (surrounding whitespace is not accepted).
            pub fn parse(text: &str) -> Result<Self, NumberError> {
                if text.is_empty() {
                    return Err(NumberError::Empty);
                }
                let digits_only = text.bytes().all(|b| b.is_ascii_digit());
                match text.parse::<i64>() {
                    Ok(value) if digits_only && value > 0 => Ok(Self(value)),
                    _ => Err(NumberError::NotPositiveInteger(text.to_owned())),
                }
            }

            /// The number as an integer.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl TryFrom<i64> for $name {
            type Error = NumberError;
            fn try_from(value: i64) -> Result<Self, NumberError> {
                Self::new(value)
            }
        }

        impl From<$name> for i64 {
            fn from(value: $name) -> i64 {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

integer_number!(
    /// A customer number (e-conomic allows 1..=999 999 999).
    CustomerNumber
);
integer_number!(
    /// A booked invoice number (≥ 1).
    InvoiceNumber
);

/// Maximum length of a product number, in characters.
pub const PRODUCT_NUMBER_MAX_CHARS: usize = 25;

/// A product number: a non-empty string of at most 25 characters (any printable characters,
/// including `&`, `/`, space; see [`crate::product_path`] for how it goes into a URL).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProductNumber(String);

impl ProductNumber {
    /// Accepts a non-empty string of at most 25 characters, none of them a control character.
    pub fn parse(text: &str) -> Result<Self, NumberError> {
        if text.is_empty() {
            Err(NumberError::Empty)
        } else if text.chars().count() > PRODUCT_NUMBER_MAX_CHARS {
            Err(NumberError::TooLong(text.to_owned()))
        } else if text.chars().any(char::is_control) {
            Err(NumberError::ControlCharacter(text.to_owned()))
        } else {
            Ok(Self(text.to_owned()))
        }
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProductNumber {
    type Error = NumberError;
    fn try_from(value: String) -> Result<Self, NumberError> {
        Self::parse(&value)
    }
}

impl From<ProductNumber> for String {
    fn from(value: ProductNumber) -> String {
        value.0
    }
}

impl fmt::Display for ProductNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The number of a customer or a product: what "Customer updated" and "Product updated"
/// webhooks carry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "number", rename_all = "snake_case")]
pub enum RecordNumber {
    /// A customer number.
    Customer(CustomerNumber),
    /// A product number.
    Product(ProductNumber),
}

impl fmt::Display for RecordNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Customer(n) => n.fmt(f),
            Self::Product(n) => n.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_numbers_are_positive_integers() {
        assert_eq!(
            CustomerNumber::parse("1001").map(CustomerNumber::get),
            Ok(1001)
        );
        assert_eq!(CustomerNumber::parse(""), Err(NumberError::Empty));
        for bad in ["0", "-1", "+1", " 1", "1.0", "abc", "99999999999999999999"] {
            assert!(CustomerNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn product_numbers_are_short_strings() {
        assert!(ProductNumber::parse("My Awesome Product_Discount5%").is_err());
        assert_eq!(
            ProductNumber::parse("a&b/c").map(|n| n.as_str().to_owned()),
            Ok("a&b/c".to_owned())
        );
        assert!(ProductNumber::parse(&"x".repeat(25)).is_ok());
        assert!(ProductNumber::parse(&"x".repeat(26)).is_err());
        assert_eq!(ProductNumber::parse(""), Err(NumberError::Empty));
    }

    #[test]
    fn product_numbers_are_printable() {
        for bad in ["A\0B", "A\nB", "\t", "A\u{7f}"] {
            assert_eq!(
                ProductNumber::parse(bad),
                Err(NumberError::ControlCharacter(bad.to_owned())),
                "{bad:?}"
            );
        }
        assert!(ProductNumber::parse("Æble ø å – 5%").is_ok());
    }
}
