//! The language a user's mails are written in.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A user's language: Danish (the users' language, and the default) or English.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Language {
    /// Danish.
    #[default]
    Da,
    /// English.
    En,
}

impl Language {
    /// The ISO 639-1 code, as stored in `users.language`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Da => "da",
            Language::En => "en",
        }
    }

    /// Parses an ISO 639-1 code: `da` or `en`; anything else is `None`.
    pub fn from_code(code: &str) -> Option<Language> {
        match code {
            "da" => Some(Language::Da),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    pub(crate) fn from_db(code: &str) -> Result<Language> {
        Language::from_code(code)
            .ok_or_else(|| Error::internal(format!("unknown language {code:?} in the database")))
    }
}
