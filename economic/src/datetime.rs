//! Date-times as e-conomic writes them. The REST API sends RFC 3339 with `Z`
//! (`2024-10-17T14:09:30Z`); the newer OpenAPI services (the Webhooks API among them) send no
//! offset at all, meaning UTC, often with fractional seconds (`2022-05-31T00:00:00`,
//! `2026-03-01T09:00:00.1234567`). Every date-time this crate reads goes through [`parse`], which
//! takes all of these; writing uses the form of the API in question ([`rest`] or [`openapi`]).

use serde::{Deserialize, Deserializer, Serializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// Reads an e-conomic date-time: RFC 3339 with an offset (`Z`, `+01:00`), or without one (UTC),
/// with or without fractional seconds (up to nine digits). `None` if it is none of these.
pub fn parse(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(at);
    }
    // No offset: e-conomic's OpenAPI services mean UTC.
    let whole = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let fraction =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:1+]");
    PrimitiveDateTime::parse(text, whole)
        .or_else(|_| PrimitiveDateTime::parse(text, fraction))
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

/// Writes `at` as the OpenAPI services do: UTC without an offset, fractional seconds only when
/// there are any (seven digits, as e-conomic's .NET services write them).
pub fn format_openapi(at: OffsetDateTime) -> String {
    let utc = at.to_offset(UtcOffset::UTC);
    let whole = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let mut text = utc.format(whole).unwrap_or_default();
    let ticks = utc.nanosecond() / 100;
    if ticks > 0 {
        text.push_str(&format!(".{ticks:07}"));
    }
    text
}

/// Writes `at` as the REST API does: RFC 3339 in UTC with `Z`, whole seconds.
pub fn format_rest(at: OffsetDateTime) -> String {
    crate::filter::format_timestamp(at)
}

fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<OffsetDateTime>, D::Error> {
    let text: Option<String> = Option::deserialize(deserializer)?;
    match text {
        None => Ok(None),
        Some(text) => parse(&text).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!("{text:?} is not a date-time e-conomic writes"))
        }),
    }
}

/// `#[serde(with = "crate::datetime::rest")]` for `Option<OffsetDateTime>`: read any form
/// ([`parse`]), write RFC 3339 with `Z`.
pub mod rest {
    use super::*;

    /// Reads any form e-conomic writes; `null` or absent is `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        read(deserializer)
    }

    /// Writes `2024-10-17T14:09:30Z`.
    pub fn serialize<S: Serializer>(
        value: &Option<OffsetDateTime>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(at) => serializer.serialize_str(&format_rest(*at)),
            None => serializer.serialize_none(),
        }
    }
}

/// `#[serde(with = "crate::datetime::openapi")]` for `Option<OffsetDateTime>`: read any form
/// ([`parse`]), write the OpenAPI services' form without an offset.
pub mod openapi {
    use super::*;

    /// Reads any form e-conomic writes; `null` or absent is `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        read(deserializer)
    }

    /// Writes `2026-03-01T09:00:00.1234567` (UTC, no offset).
    pub fn serialize<S: Serializer>(
        value: &Option<OffsetDateTime>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(at) => serializer.serialize_str(&format_openapi(*at)),
            None => serializer.serialize_none(),
        }
    }
}

/// `deserialize_with` for fields the OpenAPI schema marks nullable but that mean "empty" when
/// null (`items`, `mergeFields`, `description`, …): `null` reads as the type's default.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn every_form_e_conomic_writes() {
        let at = datetime!(2026-03-01 09:00:00 UTC);
        assert_eq!(parse("2026-03-01T09:00:00Z"), Some(at));
        assert_eq!(parse("2026-03-01T09:00:00"), Some(at));
        assert_eq!(parse("2026-03-01T10:00:00+01:00"), Some(at));
        assert_eq!(
            parse("2026-03-01T09:00:00.1234567"),
            Some(datetime!(2026-03-01 09:00:00.1234567 UTC))
        );
        assert_eq!(
            parse("2026-03-01T09:00:00.5Z"),
            Some(datetime!(2026-03-01 09:00:00.5 UTC))
        );
        assert_eq!(parse("2026-03-01"), None);
        assert_eq!(parse("yesterday"), None);
    }

    #[test]
    fn writes_each_api_s_form() {
        let at = datetime!(2026-03-01 10:00:00.25 +01:00);
        assert_eq!(format_openapi(at), "2026-03-01T09:00:00.2500000");
        assert_eq!(
            format_openapi(datetime!(2026-03-01 09:00:00 UTC)),
            "2026-03-01T09:00:00"
        );
        assert_eq!(format_rest(at), "2026-03-01T09:00:00Z");
        assert_eq!(parse(&format_openapi(at)), Some(at));
    }
}
