//! A form field that failed to parse: which field, and what is wrong with it. The server's
//! parsers say it in these words and the page translates them; no string key in between.

use serde::{Deserialize, Serialize};

/// A form field that can be wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    /// The company name at sign-up.
    CompanyName,
    /// A person's name.
    Name,
    /// An email address.
    Email,
    /// A password.
    Password,
    /// The alert webhook's URL.
    AlertUrl,
}

impl Field {
    /// The form's name of the field, for logs: `"company_name"`, `"email"`, …
    pub const fn as_str(self) -> &'static str {
        match self {
            Field::CompanyName => "company_name",
            Field::Name => "name",
            Field::Email => "email",
            Field::Password => "password",
            Field::AlertUrl => "alert_url",
        }
    }
}

/// What is wrong with a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Problem {
    /// Empty.
    Required,
    /// Longer than allowed.
    TooLong,
    /// Contains characters not allowed there (line breaks, control characters; a password of
    /// invisible characters or only spaces).
    BadCharacters,
    /// Not an email address.
    EmailInvalid,
    /// A password shorter than the minimum.
    PasswordTooShort,
    /// A password longer than the maximum.
    PasswordTooLong,
    /// One of the most common passwords.
    PasswordCommon,
    /// Not an absolute http(s) URL (or with a user name or password in it, or too long).
    UrlInvalid,
    /// Plain http where https is required.
    UrlNotHttps,
    /// A URL of this app itself.
    UrlThisApp,
}

impl Problem {
    /// A short name, for logs and error texts: `"required"`, `"too_long"`, …
    pub const fn as_str(self) -> &'static str {
        match self {
            Problem::Required => "required",
            Problem::TooLong => "too_long",
            Problem::BadCharacters => "bad_characters",
            Problem::EmailInvalid => "email_invalid",
            Problem::PasswordTooShort => "password_too_short",
            Problem::PasswordTooLong => "password_too_long",
            Problem::PasswordCommon => "password_common",
            Problem::UrlInvalid => "url_invalid",
            Problem::UrlNotHttps => "url_not_https",
            Problem::UrlThisApp => "url_this_app",
        }
    }
}
