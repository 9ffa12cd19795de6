//! Client configuration and the secret-token wrapper.

use std::fmt;
use std::time::Duration;

/// A token that never appears in `Debug` or `Display` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a token.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The token itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

/// How to reach e-conomic (or the simulator).
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Base URL without trailing slash, e.g. `https://restapi.e-conomic.com`.
    pub base_url: String,
    /// The Webhooks API's base URL; `None`: the real one for the real REST API, else
    /// `{base_url}/webhooksapi/v1.0.0` (where the simulator serves it).
    pub webhooks_api_url: Option<String>,
    /// The app's `X-AppSecretToken`.
    pub app_secret_token: Secret,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// TCP/TLS connect timeout.
    pub connect_timeout: Duration,
}

/// The real e-conomic REST API.
pub const PRODUCTION_BASE_URL: &str = "https://restapi.e-conomic.com";

/// The real Webhooks API.
pub const PRODUCTION_WEBHOOKS_API_URL: &str = "https://apis.e-conomic.com/webhooksapi/v1.0.0";

/// The Webhooks API's path below a simulator's base URL.
pub const WEBHOOKS_API_PATH: &str = "/webhooksapi/v1.0.0";

impl ClientConfig {
    /// A config with 30 s request and 10 s connect timeouts.
    pub fn new(base_url: impl Into<String>, app_secret_token: impl Into<Secret>) -> Self {
        Self {
            base_url: base_url.into(),
            webhooks_api_url: None,
            app_secret_token: app_secret_token.into(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

impl ClientConfig {
    /// The Webhooks API's base URL this configuration means, without trailing slash.
    pub fn resolved_webhooks_api_url(&self) -> String {
        let base = self.base_url.trim_end_matches('/');
        match &self.webhooks_api_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None if base == PRODUCTION_BASE_URL => PRODUCTION_WEBHOOKS_API_URL.to_owned(),
            None => format!("{base}{WEBHOOKS_API_PATH}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let config = ClientConfig::new("http://x", "top-secret");
        assert!(!format!("{config:?}").contains("top-secret"));
        assert_eq!(
            config.resolved_webhooks_api_url(),
            "http://x/webhooksapi/v1.0.0"
        );
        let real = ClientConfig::new(PRODUCTION_BASE_URL, "t");
        assert_eq!(
            real.resolved_webhooks_api_url(),
            PRODUCTION_WEBHOOKS_API_URL
        );
    }
}
