//! How times are shown to people.

use time::macros::format_description;

/// `2026-11-29 17:35:19 UTC`: second precision, always UTC, the same in both languages.
pub fn timestamp(at: backend::Timestamp) -> String {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    at.to_offset_date_time()
        .format(&format)
        .unwrap_or_else(|_| at.to_string())
}
