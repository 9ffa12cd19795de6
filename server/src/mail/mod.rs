//! Outgoing mail: the SMTP settings (`SMTP_URL`, `MAIL_FROM`) parsed into a [`Mailer`] that
//! delivers one outbox mail through `lettre`, and the [`sender`] task that empties the outbox.
//!
//! `SMTP_URL` is lettre's own URL form: `smtp://host:port` (plain, e.g. a relay on this
//! machine), `smtp://user:pass@host:587?tls=required` (STARTTLS, required; `tls=starttls` is
//! accepted as the same), `smtp://host:587?tls=opportunistic` (STARTTLS when offered),
//! `smtps://user:pass@host:465` (TLS from the start). TLS is rustls with the webpki roots.

pub mod sender;

use std::time::Duration;

use backend::mail::outbox::OutboxMail;
use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::ConfigError;

/// How long one SMTP delivery (connect, hello, send, quit) may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Delivers mails to the configured SMTP server. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the transport: its URL may hold the SMTP password.
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

/// Why a mail was not delivered.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The server refused it for good (5xx), or the message cannot be written (a recipient
    /// address SMTP cannot carry): trying again cannot help.
    #[error("{0}")]
    Permanent(String),
    /// The server is unreachable, timed out or refused it for now (4xx): try again later.
    #[error("{0}")]
    Transient(String),
}

impl Mailer {
    /// The mailer for `smtp_url` and `mail_from`. Errors: an invalid URL or address, each
    /// named with what is wrong (the URL itself is never shown: it may hold a password).
    pub fn new(smtp_url: &str, mail_from: &str) -> Result<Mailer, ConfigError> {
        let from = parse_from(mail_from)?;
        let url = lettre_url(smtp_url)?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .map_err(|e| ConfigError::InvalidSmtpUrl(error_text(&e)))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Mailer { transport, from })
    }

    /// Send one outbox mail (text and HTML alternatives). Its `Message-ID` names the outbox
    /// row, so a receiver can tell a mail sent twice (after a crash between the SMTP server's
    /// answer and our note of it) from two mails.
    pub async fn send(&self, mail: &OutboxMail) -> Result<(), SendError> {
        let to: Address = mail.to.as_str().parse().map_err(|e| {
            SendError::Permanent(format!("the address cannot be sent to over SMTP: {e}"))
        })?;
        let domain = self.from.email.domain().to_owned();
        let message = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to))
            .subject(mail.subject.clone())
            .message_id(Some(format!("<outbox-{}@{domain}>", mail.id.get())))
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| SendError::Permanent(format!("the mail cannot be written: {e}")))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(error_text(&e))),
            Err(e) => Err(SendError::Transient(error_text(&e))),
        }
    }
}

/// `MAIL_FROM`: `Name <address>` or a bare address.
pub fn parse_from(text: &str) -> Result<Mailbox, ConfigError> {
    text.trim()
        .parse::<Mailbox>()
        .map_err(|e| ConfigError::InvalidMailFrom(e.to_string()))
}

/// `SMTP_URL` checked and spelled as lettre reads it: `tls=starttls` becomes lettre's
/// `tls=required`.
pub fn lettre_url(text: &str) -> Result<String, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidSmtpUrl(reason.to_owned());
    let mut url = url::Url::parse(text.trim()).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "smtp" | "smtps") {
        return Err(invalid("the scheme must be smtp:// or smtps://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("no host"));
    }
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut fixed = Vec::new();
    for (key, value) in pairs {
        match (key.as_str(), value.as_str()) {
            ("tls", "starttls" | "required") => {
                fixed.push(("tls".to_owned(), "required".to_owned()))
            }
            ("tls", "opportunistic") => fixed.push((key, value)),
            ("tls", other) => {
                return Err(invalid(&format!(
                    "tls={other} is not one of required (or starttls), opportunistic"
                )));
            }
            (other, _) => return Err(invalid(&format!("unknown parameter {other}"))),
        }
    }
    if url.scheme() == "smtps" && !fixed.is_empty() {
        return Err(invalid("smtps:// is TLS from the start: leave out tls="));
    }
    url.set_query(None);
    if !fixed.is_empty() {
        url.query_pairs_mut().extend_pairs(fixed);
    }
    Ok(url.to_string())
}

/// The error and its causes on one line (lettre keeps the useful part in the source).
fn error_text(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_are_read_as_lettre_spells_them() {
        assert_eq!(
            lettre_url("smtp://127.0.0.1:2525").expect("plain"),
            "smtp://127.0.0.1:2525"
        );
        assert_eq!(
            lettre_url("smtp://u:p@mail.example.com:587?tls=starttls").expect("starttls"),
            "smtp://u:p@mail.example.com:587?tls=required"
        );
        assert!(lettre_url("smtps://u:p@mail.example.com:465").is_ok());
        assert!(lettre_url("smtp://mail.example.com?tls=opportunistic").is_ok());
        for bad in [
            "mail.example.com",
            "http://mail.example.com",
            "smtp://",
            "smtp://mail.example.com?tls=maybe",
            "smtp://mail.example.com?port=25",
            "smtps://mail.example.com?tls=required",
        ] {
            assert!(
                matches!(lettre_url(bad), Err(ConfigError::InvalidSmtpUrl(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_sender_is_a_mailbox() {
        assert!(parse_from("Inventory Sync <noreply@sync.example.com>").is_ok());
        assert!(parse_from("noreply@sync.example.com").is_ok());
        assert!(parse_from("not an address").is_err());
        assert!(parse_from("").is_err());
    }

    #[tokio::test]
    async fn a_mailer_builds_from_each_url_form() {
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://u:p@mail.example.com:587?tls=starttls",
            "smtps://u:p@mail.example.com",
        ] {
            assert!(Mailer::new(url, "a@b.example").is_ok(), "{url}");
        }
    }
}
