//! Structured logging with `tracing`: human-readable by default, JSON with `LOG_FORMAT=json`;
//! and the one form in which request paths reach logs and spans ([`redacted_path`]).

use economic::Entity;
use percent_encoding::percent_decode_str;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber; `RUST_LOG` filters (default `info`).
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let result = if std::env::var("LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    // A second init (tests) keeps the first subscriber.
    let _ = result;
}

/// The path with everything that could be a webhook credential replaced by `***`, for every
/// log line and span that names a path.
///
/// A path names a webhook when any of its segments is `webhooks` — in any case, percent-encoded
/// or not, after any run of `/` or `\` — because odd shapes (`//webhooks/…`, `/Webhooks/…`,
/// `/x/../webhooks/…`) do not reach the webhook routes, fall through to the browser routes and
/// are logged there. After that segment only what is shaped like `economic/{tenant}/{kind}` is
/// kept. Other paths are unchanged.
pub fn redacted_path(path: &str) -> String {
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    let segments: Vec<&str> = decoded.split(['/', '\\']).collect();
    let Some(at) = segments
        .iter()
        .position(|s| s.trim().eq_ignore_ascii_case("webhooks"))
    else {
        return path.to_owned();
    };
    let rest: Vec<&str> = segments[at + 1..]
        .iter()
        .copied()
        .filter(|s| !s.is_empty())
        .collect();
    let shapes: [fn(&str) -> bool; 3] = [
        |s| s == "economic",
        |s| !s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit()),
        |s| Entity::from_slug(s).is_some(),
    ];
    let kept: Vec<&str> = rest
        .iter()
        .zip(shapes)
        .take_while(|(segment, shape)| shape(segment))
        .map(|(segment, _)| *segment)
        .collect();
    // Decoded text may hold control characters: none reaches a log line.
    let mut redacted: String = segments[..=at]
        .join("/")
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    for segment in &kept {
        redacted.push('/');
        redacted.push_str(segment);
    }
    if kept.len() < rest.len() {
        redacted.push_str("/***");
    }
    redacted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_the_credential() {
        assert_eq!(
            redacted_path("/webhooks/economic/7/products/secret-token"),
            "/webhooks/economic/7/products/***"
        );
        assert_eq!(redacted_path("/login"), "/login");
        assert_eq!(redacted_path("/webhooks"), "/webhooks");
        for odd in [
            "/webhooks/economic/7/products/secret-token/",
            "/webhooks/economic/7/products/secret-token/extra",
            "/webhooks/economic/7/products//secret-token",
            "/webhooks/economic//7/products/secret-token",
            "/webhooks/economic/secret-token",
            "/webhooks/secret-token",
        ] {
            let redacted = redacted_path(odd);
            assert!(!redacted.contains("secret"), "{odd} -> {redacted}");
            assert!(redacted.ends_with("/***"), "{odd} -> {redacted}");
        }
    }

    #[test]
    fn redacts_whatever_the_case_slashes_or_encoding() {
        for odd in [
            "//webhooks/economic/3/invoices/secret-token",
            "/Webhooks/economic/3/invoices/secret-token",
            "/WEBHOOKS/Economic/3/invoices/secret-token",
            "///webhooks//economic/3/invoices/secret-token",
            "/%77ebhooks/economic/3/invoices/secret-token",
            "/webhooks%2Feconomic%2F3%2Finvoices%2Fsecret-token",
            "\\webhooks\\economic\\3\\invoices\\secret-token",
            "/x/../webhooks/economic/3/invoices/secret-token",
            "/api/x/webhooks/secret-token",
        ] {
            let redacted = redacted_path(odd);
            assert!(!redacted.contains("secret"), "{odd} -> {redacted}");
            assert!(redacted.ends_with("/***"), "{odd} -> {redacted}");
        }
        assert_eq!(
            redacted_path("//Webhooks/economic/3/invoices/secret-token"),
            "//Webhooks/economic/3/invoices/***"
        );
    }
}
