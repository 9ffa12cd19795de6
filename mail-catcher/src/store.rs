//! The mails caught so far, in memory, and the switch that makes the listener refuse mail.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use mail_parser::MessageParser;
use serde::Serialize;
use tokio::sync::Notify;

/// One mail as it arrived: the SMTP envelope and the decoded message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaughtMail {
    /// 1, 2, 3, … in arrival order.
    pub id: u64,
    /// When it arrived (RFC 3339, UTC).
    pub received_at: String,
    /// The envelope sender (`MAIL FROM`).
    pub envelope_from: String,
    /// The envelope recipients (`RCPT TO`).
    pub to: Vec<String>,
    /// The `From:` header, as written.
    pub from: String,
    /// The decoded `Subject:`.
    pub subject: String,
    /// The `Message-ID:`, without angle brackets.
    pub message_id: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part, if there is one.
    pub html: Option<String>,
    /// The message exactly as received (headers and body, CRLF line ends).
    pub raw: String,
}

impl CaughtMail {
    /// Every `http://` or `https://` link in the plain-text part, in order.
    pub fn links(&self) -> Vec<String> {
        links_in(&self.text)
    }
}

/// Every `http://` or `https://` link in `text`, in order.
pub(crate) fn links_in(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == '<' || c == '>' || c == '"')
        .filter(|word| word.starts_with("http://") || word.starts_with("https://"))
        .map(|word| word.trim_end_matches(['.', ',', ')']).to_owned())
        .collect()
}

#[derive(Default)]
pub(crate) struct Store {
    mails: Mutex<Vec<CaughtMail>>,
    refusing: AtomicBool,
    arrivals: Notify,
}

impl Store {
    pub(crate) fn all(&self) -> Vec<CaughtMail> {
        self.mails.lock().map(|m| m.clone()).unwrap_or_default()
    }

    pub(crate) fn get(&self, id: u64) -> Option<CaughtMail> {
        self.all().into_iter().find(|m| m.id == id)
    }

    /// Completes at the next arrival after this call (even if first polled later).
    pub(crate) fn arrived(&self) -> tokio::sync::futures::Notified<'_> {
        self.arrivals.notified()
    }

    pub(crate) fn refusing(&self) -> bool {
        self.refusing.load(Ordering::SeqCst)
    }

    pub(crate) fn set_refusing(&self, refusing: bool) {
        self.refusing.store(refusing, Ordering::SeqCst);
    }

    pub(crate) fn clear(&self) {
        if let Ok(mut mails) = self.mails.lock() {
            mails.clear();
        }
    }

    /// Decode and keep one mail received over SMTP.
    pub(crate) fn add(&self, envelope_from: String, to: Vec<String>, raw: Vec<u8>) {
        let parsed = MessageParser::default().parse(&raw);
        let header = |name: &str| {
            parsed
                .as_ref()
                .and_then(|m| m.header_raw(name))
                .map(|v| v.trim().to_owned())
                .unwrap_or_default()
        };
        let from = header("From");
        let subject = parsed
            .as_ref()
            .and_then(|m| m.subject())
            .unwrap_or_default()
            .to_owned();
        let message_id = parsed
            .as_ref()
            .and_then(|m| m.message_id())
            .unwrap_or_default()
            .to_owned();
        let text = parsed
            .as_ref()
            .and_then(|m| m.body_text(0))
            .map(|t| t.into_owned())
            .unwrap_or_default();
        let html = parsed
            .as_ref()
            .filter(|m| m.html_body_count() > 0)
            .and_then(|m| m.body_html(0))
            .map(|h| h.into_owned());
        let received_at = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let Ok(mut mails) = self.mails.lock() else {
            return;
        };
        let id = mails.last().map_or(1, |m| m.id + 1);
        mails.push(CaughtMail {
            id,
            received_at,
            envelope_from,
            to,
            from,
            subject,
            message_id,
            text,
            html,
            raw: String::from_utf8_lossy(&raw).into_owned(),
        });
        drop(mails);
        self.arrivals.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_found_in_the_text() {
        let mail = CaughtMail {
            id: 1,
            received_at: String::new(),
            envelope_from: String::new(),
            to: vec![],
            from: String::new(),
            subject: String::new(),
            message_id: String::new(),
            text: "Open https://a.example/reset/abc.\nOr <http://b.example/x>, later".into(),
            html: None,
            raw: String::new(),
        };
        assert_eq!(
            mail.links(),
            vec!["https://a.example/reset/abc", "http://b.example/x"]
        );
    }
}
