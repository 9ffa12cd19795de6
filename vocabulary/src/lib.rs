//! The product's vocabulary: the words the server stores and decides by and the browser shows,
//! each defined once — event and run statuses, run kinds, attempt outcomes, the events'
//! retention, the audit log's actions, roles and support access, the sync mode of an entity, and which form field is wrong and how.
//!
//! It exists because the browser build of `app` cannot link `backend` (sqlx, tokio): each of
//! these had a browser-side copy and a conversion on the server, so a new variant meant three
//! edits and the copies could drift. Here they have serde and nothing else, so both sides use
//! the same type; the server's storage (`as_str`, `from_slug`) is plain text, also wasm-safe.

pub mod audit;
mod events;
mod roles;
mod sync;
mod validation;

pub use events::{AttemptOutcome, EventStatus, Retention};
pub use roles::{Role, SupportAccess};
pub use sync::{Mode, RunKind, RunStatus};
pub use validation::{Field, Problem};

/// A text that is none of a word's stored forms (see each word's `from_slug`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownWord;

impl std::fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a known word of the vocabulary")
    }
}

impl std::error::Error for UnknownWord {}

/// `text.parse()` for the words stored as text, the same as their `from_slug`.
macro_rules! from_str {
    ($($word:ty),* $(,)?) => {$(
        impl std::str::FromStr for $word {
            type Err = UnknownWord;

            fn from_str(text: &str) -> Result<Self, UnknownWord> {
                <$word>::from_slug(text).ok_or(UnknownWord)
            }
        }
    )*};
}

from_str!(
    EventStatus,
    AttemptOutcome,
    Role,
    SupportAccess,
    RunKind,
    RunStatus,
    audit::Action,
);
