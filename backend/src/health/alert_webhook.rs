//! The company's alert webhook: an https URL that receives a JSON POST when a
//! problem opens and when it resolves — Slack's and Microsoft Teams' incoming webhooks take it
//! as it is (a `text` field) — signed with an HMAC header so that any receiver can verify it.
//!
//! The signing secret is random, stored encrypted like the grant token, and shown to the
//! company's managers so that they can configure their receiver.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use url::{Host, Url};

use crate::db::Db;
use vocabulary::{Field, Problem};

use crate::error::{FieldError, Result};
use crate::ids::TenantId;
use crate::secrets::Keys;
use crate::timestamp::Timestamp;

/// Longest URL accepted.
const MAX_URL_LEN: usize = 2000;

/// A URL fit to receive alerts: https (http only in demo mode), no credentials in it, and not
/// this app itself (an alert to ourselves would be a loop, and leaks nothing useful).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertUrl(String);

/// What [`AlertUrl::parse`] checks against.
#[derive(Debug, Clone, Copy)]
pub struct UrlRules<'a> {
    /// Demo mode: plain http is allowed (a receiver on this machine).
    pub allow_http: bool,
    /// Our own public base URL: a URL on its host and port is refused.
    pub public_url: &'a str,
}

impl AlertUrl {
    /// Parse the form field `alert_url`.
    pub fn parse(text: &str, rules: UrlRules<'_>) -> Result<AlertUrl, FieldError> {
        let field = |problem| FieldError::new(Field::AlertUrl, problem);
        let text = text.trim();
        if text.is_empty() {
            return Err(field(Problem::Required));
        }
        if text.len() > MAX_URL_LEN {
            return Err(field(Problem::UrlInvalid));
        }
        let url = Url::parse(text).map_err(|_| field(Problem::UrlInvalid))?;
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            _ => return Err(field(Problem::UrlInvalid)),
        };
        if !https && !rules.allow_http {
            return Err(field(Problem::UrlNotHttps));
        }
        if !url.username().is_empty() || url.password().is_some() || url.host().is_none() {
            return Err(field(Problem::UrlInvalid));
        }
        if let Ok(own) = Url::parse(rules.public_url)
            && same_host(&url, &own)
        {
            return Err(field(Problem::UrlThisApp));
        }
        Ok(AlertUrl(url.to_string()))
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its host, for the activity log (the path may carry a receiver's secret).
    pub fn host(&self) -> String {
        Url::parse(&self.0)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// Whether two URLs reach the same server (host and port, `localhost` and 127.0.0.1 alike).
fn same_host(a: &Url, b: &Url) -> bool {
    let local = |u: &Url| match u.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback() || ip.is_unspecified(),
        Some(Host::Ipv6(ip)) => ip.is_loopback() || ip.is_unspecified(),
        None => false,
    };
    let host = |u: &Url| u.host_str().map(str::to_ascii_lowercase);
    let same = host(a) == host(b) || (local(a) && local(b));
    same && a.port_or_known_default() == b.port_or_known_default()
}

/// The company's alert webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertWebhook {
    /// Where alerts go.
    pub url: AlertUrl,
    /// The HMAC-SHA256 key of the `X-Inventory-Sync-Signature` header.
    pub secret: String,
    /// When it was set.
    pub updated_at: Timestamp,
}

fn aad(tenant_id: TenantId) -> Vec<u8> {
    format!("alert-webhook:{tenant_id}").into_bytes()
}

/// The tenant's alert webhook, if it set one.
pub async fn get(db: &Db, keys: &Keys, tenant_id: TenantId) -> Result<Option<AlertWebhook>> {
    let row: Option<(String, Vec<u8>, Vec<u8>, Timestamp)> = with_tenant!(db, tenant_id, conn => sqlx::query_as(
        "select url, secret_ciphertext, secret_nonce, updated_at from alert_webhooks \
         where tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(conn)
    .await)?;
    let Some((url, ciphertext, nonce, updated_at)) = row else {
        return Ok(None);
    };
    let secret = keys.open(&aad(tenant_id), &ciphertext, &nonce)?;
    Ok(Some(AlertWebhook {
        url: AlertUrl(url),
        secret: String::from_utf8(secret).map_err(crate::Error::internal)?,
        updated_at,
    }))
}

/// Set the tenant's alert webhook to `url`; a new signing secret when `new_secret` or when
/// there was none. Returns the secret.
pub async fn set(
    db: &Db,
    keys: &Keys,
    tenant_id: TenantId,
    url: &AlertUrl,
    new_secret: bool,
    now: Timestamp,
) -> Result<String> {
    let secret = match get(db, keys, tenant_id).await? {
        Some(existing) if !new_secret => existing.secret,
        _ => {
            let mut bytes = [0u8; 32];
            rand::thread_rng().fill_bytes(&mut bytes);
            format!("whsec_{}", URL_SAFE_NO_PAD.encode(bytes))
        }
    };
    let (ciphertext, nonce) = keys.seal(&aad(tenant_id), secret.as_bytes())?;
    with_tenant!(db, tenant_id, conn => sqlx::query(
        "insert into alert_webhooks (tenant_id, url, secret_ciphertext, secret_nonce, \
         created_at, updated_at) values ($1, $2, $3, $4, $5, $5) \
         on conflict (tenant_id) do update set url = excluded.url, \
         secret_ciphertext = excluded.secret_ciphertext, secret_nonce = excluded.secret_nonce, \
         updated_at = excluded.updated_at",
    )
    .bind(tenant_id)
    .bind(url.as_str())
    .bind(&ciphertext)
    .bind(&nonce)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(secret)
}

/// Stop sending alerts to a webhook (notifications already recorded stay, unsent).
pub async fn remove(db: &Db, tenant_id: TenantId) -> Result<()> {
    with_tenant!(db, tenant_id, conn => sqlx::query(
        "delete from alert_webhooks where tenant_id = $1",
    )
    .bind(tenant_id)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: UrlRules<'static> = UrlRules {
        allow_http: false,
        public_url: "https://sync.example.com",
    };

    #[test]
    fn accepts_https_receivers_such_as_slack_and_teams() {
        for url in [
            "https://hooks.slack.com/services/T000/B000/XXXX",
            "https://example.webhook.office.com/webhookb2/abc@def/IncomingWebhook/x/y",
            "  https://alerts.example.net:8443/in  ",
        ] {
            assert!(AlertUrl::parse(url, RULES).is_ok(), "{url}");
        }
        let url = AlertUrl::parse("https://hooks.slack.com/services/T/B/X", RULES).expect("ok");
        assert_eq!(url.host(), "hooks.slack.com");
    }

    #[test]
    fn refuses_plain_http_garbage_credentials_and_this_app() {
        let key = |text| {
            AlertUrl::parse(text, RULES)
                .map(|_| ())
                .map_err(|e| e.problem)
        };
        assert_eq!(key(""), Err(Problem::Required));
        assert_eq!(key("http://hooks.example.com/x"), Err(Problem::UrlNotHttps));
        assert_eq!(key("hooks.example.com/x"), Err(Problem::UrlInvalid));
        assert_eq!(key("ftp://hooks.example.com/x"), Err(Problem::UrlInvalid));
        assert_eq!(
            key("https://user:pw@hooks.example.com/"),
            Err(Problem::UrlInvalid)
        );
        assert_eq!(
            key("https://sync.example.com/webhooks/x"),
            Err(Problem::UrlThisApp)
        );
        assert_eq!(
            key("https://SYNC.example.com:443/x"),
            Err(Problem::UrlThisApp)
        );
        assert!(
            key("https://sync.example.com:8443/x").is_ok(),
            "another port"
        );
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LEN));
        assert_eq!(key(&long), Err(Problem::UrlInvalid));
    }

    #[test]
    fn demo_mode_allows_http_but_never_to_this_app() {
        let demo = UrlRules {
            allow_http: true,
            public_url: "http://127.0.0.1:3000",
        };
        assert!(AlertUrl::parse("http://127.0.0.1:3200/alerts", demo).is_ok());
        let own = AlertUrl::parse("http://localhost:3000/alerts", demo);
        assert_eq!(own.map_err(|e| e.problem), Err(Problem::UrlThisApp));
    }
}
