//! Why a webhook request could not be understood: the one error type of the parser, below both
//! [`super::fields`] (which reads the keyed data) and [`mod@super::parse`] (which reads the numbers).

use crate::numbers::NumberError;

/// Largest body we look at (e-conomic's `postData` is at most 4000 characters before substitution).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Why a webhook request could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookParseError {
    /// The body is larger than [`MAX_BODY_BYTES`].
    #[error("webhook body is {0} bytes, more than the {MAX_BODY_BYTES} accepted")]
    TooLarge(usize),
    /// The body is not UTF-8 text.
    #[error("webhook body is not UTF-8 text")]
    NotUtf8,
    /// Neither the query string nor the body carried any number.
    #[error("webhook carries no data: expected {expected} in the query string or body")]
    NoData {
        /// What was expected, e.g. `OLD&NEW or old=…&new=…`.
        expected: &'static str,
    },
    /// Keyed data without one of the required keys.
    #[error("webhook data has no `{field}` value")]
    MissingField {
        /// The missing key.
        field: &'static str,
    },
    /// A raw body without the `&` separating old and new number.
    #[error("raw webhook body {body:?} has no `&` between the old and the new number")]
    MissingSeparator {
        /// The body received.
        body: String,
    },
    /// A raw `OLD&NEW` product body that splits into valid numbers in more than one way, or in
    /// none.
    #[error("raw webhook body {body:?} is ambiguous: a product number contains `&`")]
    Ambiguous {
        /// The body received.
        body: String,
    },
    /// A raw customer body with more than one `&`: customer numbers are whole numbers and never
    /// contain one, so it is not `OLD&NEW`.
    #[error(
        "raw webhook body {body:?} has more than one `&`, but customer numbers are whole numbers: expected OLD&NEW"
    )]
    ExtraSeparator {
        /// The body received.
        body: String,
    },
    /// A body type e-conomic never sends (`multipart/form-data`): its parts are not read as
    /// numbers.
    #[error(
        "webhook body is {content_type}, which e-conomic does not send: use application/x-www-form-urlencoded (or text/plain) with the data `[OLDNUMBER]&[NEWNUMBER]`"
    )]
    UnsupportedContentType {
        /// The content type received (its essence, without parameters).
        content_type: String,
    },
    /// Keyed data with a key twice (`new=1&new=2`): only a number containing `&` and `=`, or a
    /// forged request, gives that.
    #[error("webhook data has `{key}` more than once, so it is ambiguous")]
    RepeatedKey {
        /// The repeated key.
        key: String,
    },
    /// Keyed data with a key we do not know: e-conomic substituted a number containing `&`
    /// unencoded (`new=A&B=C`), or the template is wrong.
    #[error(
        "webhook data has the unknown key `{key}`, so it is ambiguous (a number containing `&`?)"
    )]
    UnknownKey {
        /// The unknown key.
        key: String,
    },
    /// A body sent as JSON that starts like an object but is not one: a number containing `"`
    /// broke the template, and its pieces must not be read as numbers.
    #[error("webhook body is sent as JSON but is not a JSON object (a number containing `\"`?)")]
    InvalidJson,
    /// A percent-escape that decodes to invalid UTF-8 (`%ff`).
    #[error("webhook data has a percent-escape that is not UTF-8 text")]
    InvalidEncoding,
    /// Both the old and the new number are empty.
    #[error("webhook has both the old and the new number empty")]
    BothEmpty,
    /// A merge field was left literally (unsupported for the type, or mistyped in the template).
    #[error(
        "webhook `{field}` is the unreplaced merge field {placeholder}; check the webhook's URL and data template"
    )]
    UnreplacedPlaceholder {
        /// Which value.
        field: &'static str,
        /// The literal text, e.g. `[NUMBER]`.
        placeholder: String,
    },
    /// A value that is not a valid number for the kind.
    #[error("webhook `{field}` value {value:?} is invalid: {reason}")]
    InvalidNumber {
        /// Which value.
        field: &'static str,
        /// The value received.
        value: String,
        /// Why it is invalid.
        reason: NumberError,
    },
}
