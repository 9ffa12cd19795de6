//! The history's filter as it travels in URLs: `?kind=products&status=dead&from=…&until=…&number=…`.
//! Parsed once at the boundary (the page's query map, the export's and the replay form's
//! query string) into typed values; an unknown kind or status is no filter, not an error, so an
//! old bookmark still opens.

use economic::Entity;
use serde::{Deserialize, Serialize};

use super::EventStatus;

/// The filter of the event history. Times are as the form sends them (`2026-12-03T14:05`,
/// UTC); the server reads them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryQuery {
    /// Only this kind.
    pub kind: Option<Entity>,
    /// Only this status.
    pub status: Option<EventStatus>,
    /// Received at or after (UTC).
    pub from: String,
    /// Received before (UTC).
    pub until: String,
    /// Record number, or its start.
    pub number: String,
}

/// The URL parameters the filter uses.
pub const PARAMS: [&str; 5] = ["kind", "status", "from", "until", "number"];

impl HistoryQuery {
    /// The filter in `pairs` (URL query parameters); the last of a repeated key counts.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> HistoryQuery {
        let mut q = HistoryQuery::default();
        for (key, value) in pairs {
            match key {
                "kind" => q.kind = Entity::from_slug(value),
                "status" => q.status = EventStatus::from_slug(value),
                "from" => q.from = value.to_owned(),
                "until" => q.until = value.to_owned(),
                "number" => q.number = value.to_owned(),
                _ => {}
            }
        }
        q
    }

    /// Whether nothing is filtered.
    pub fn is_empty(&self) -> bool {
        *self == HistoryQuery::default()
    }

    /// The same filter with `status` instead.
    pub fn with_status(&self, status: Option<EventStatus>) -> HistoryQuery {
        HistoryQuery {
            status,
            ..self.clone()
        }
    }

    /// The filter's URL parameters, empty ones left out, each value percent-encoded:
    /// `kind=products&status=dead` (no leading `?`).
    pub fn to_query(&self) -> String {
        let kind = self.kind.map(Entity::as_str).unwrap_or_default();
        let status = self.status.map(EventStatus::as_str).unwrap_or_default();
        let values = [
            kind,
            status,
            self.from.as_str(),
            self.until.as_str(),
            self.number.trim(),
        ];
        PARAMS
            .iter()
            .zip(values)
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// `path` with the filter and `extra` (already encoded `key=value` parts) as its query.
    pub fn href(&self, path: &str, extra: &[String]) -> String {
        let mut parts = vec![self.to_query()];
        parts.extend(extra.iter().cloned());
        let query: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", query.join("&"))
        }
    }
}

/// Percent-encodes every byte but ASCII letters, digits and `-_.~` (a record number may hold
/// `&`, `#`, `/` or spaces).
pub fn encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_url() {
        let q = HistoryQuery {
            kind: Some(Entity::Products),
            status: Some(EventStatus::Dead),
            from: "2026-12-03T10:00".into(),
            until: String::new(),
            number: "A&B".into(),
        };
        assert_eq!(
            q.to_query(),
            "kind=products&status=dead&from=2026-12-03T10%3A00&number=A%26B"
        );
        let back = HistoryQuery::from_pairs([
            ("kind", "products"),
            ("status", "dead"),
            ("from", "2026-12-03T10:00"),
            ("number", "A&B"),
            ("before", "1_2"),
        ]);
        assert_eq!(back, q);
    }

    #[test]
    fn unknown_values_filter_nothing() {
        let q = HistoryQuery::from_pairs([("kind", ""), ("status", "exploded")]);
        assert!(q.is_empty());
        assert_eq!(q.href("/events", &[]), "/events");
    }
}
