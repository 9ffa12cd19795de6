//! E-mail: every mail the app sends goes through the `outbox` table. A mail is
//! written with [`enqueue`] in the same transaction as what caused it (a password reset token,
//! an invite, an alert's episode), so it exists exactly when that happened; the server's mail
//! sender then delivers it over SMTP with retries ([`outbox`]). Nothing is lost while the SMTP
//! server is down, and a mail stuck in the outbox shows on the staff dashboard
//! ([`outbox::health`]).
//!
//! Mails are written in the recipient's [`Language`] ([`templates`]); a company's owners and
//! admins, with their language and how they want each kind of notification, are its
//! [`recipients`], and [`notify`] sends them one notification each as they chose (at once, in a
//! daily digest, or not at all).
//!
//! A transaction of one company ([`Db::begin`](crate::Db::begin)) enqueues that company's mails;
//! mails that belong to no company (password reset, sign-up) are enqueued in a transaction across
//! tenants ([`CrossTenant::Mail`](crate::CrossTenant::Mail)): on PostgreSQL, row-level security
//! keeps company-less rows away from every company's transactions.

pub mod digest;
mod language;
pub mod notifications;
pub mod outbox;
pub mod templates;

pub use language::Language;
pub use notifications::{
    Delivery, Notification, NotificationKind, Notified, Recipient, notify, recipients,
};
pub use outbox::{MailId, enqueue};

use serde::{Deserialize, Serialize};

use crate::email::Email;
use crate::health::alerts::NotificationId;
use crate::ids::TenantId;

/// What a mail is for; stored with it, shown to staff, and deciding whether its body may be
/// kept after sending ([`MailKind::carries_secret`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// A link to choose a new password.
    PasswordReset,
    /// A link that confirms a sign-up's address and creates the company.
    SignUpConfirm,
    /// Someone signed up with an address that already has an account.
    SignUpExisting,
    /// An invitation to join a company.
    Invitation,
    /// A sync problem started (an episode opened).
    ProblemOpened,
    /// A sync problem ended (an episode resolved).
    ProblemResolved,
    /// The day's notifications in one mail.
    Digest,
}

impl MailKind {
    /// As stored in `outbox.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::PasswordReset => "password_reset",
            MailKind::SignUpConfirm => "sign_up_confirm",
            MailKind::SignUpExisting => "sign_up_existing",
            MailKind::Invitation => "invitation",
            MailKind::ProblemOpened => "problem_opened",
            MailKind::ProblemResolved => "problem_resolved",
            MailKind::Digest => "digest",
        }
    }

    /// Parses [`MailKind::as_str`]; `None` for anything else.
    pub fn from_db(text: &str) -> Option<MailKind> {
        [
            MailKind::PasswordReset,
            MailKind::SignUpConfirm,
            MailKind::SignUpExisting,
            MailKind::Invitation,
            MailKind::ProblemOpened,
            MailKind::ProblemResolved,
            MailKind::Digest,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }

    /// Whether the body holds a secret link (a token): once sent, only the subject is kept, so
    /// the database never holds a usable link longer than it takes to deliver it.
    pub fn carries_secret(self) -> bool {
        match self {
            MailKind::PasswordReset | MailKind::SignUpConfirm | MailKind::Invitation => true,
            MailKind::SignUpExisting
            | MailKind::ProblemOpened
            | MailKind::ProblemResolved
            | MailKind::Digest => false,
        }
    }
}

/// One mail to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// The recipient.
    pub to: Email,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
    /// What it is for.
    pub kind: MailKind,
    /// The company it is about; `None` for mails of no company (password reset, sign-up).
    pub tenant_id: Option<TenantId>,
    /// The alert notification it delivers, if it is one (its delivery is recorded there).
    pub notification: Option<NotificationId>,
}

impl Mail {
    /// A mail of `kind` to `to` with a composed [`templates::Message`].
    pub fn new(
        to: Email,
        kind: MailKind,
        tenant_id: Option<TenantId>,
        message: templates::Message,
    ) -> Mail {
        Mail {
            to,
            subject: message.subject,
            text: message.text,
            html: message.html,
            kind,
            tenant_id,
            notification: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_stored_names() {
        for kind in [
            MailKind::PasswordReset,
            MailKind::SignUpConfirm,
            MailKind::SignUpExisting,
            MailKind::Invitation,
            MailKind::ProblemOpened,
            MailKind::ProblemResolved,
            MailKind::Digest,
        ] {
            assert_eq!(MailKind::from_db(kind.as_str()), Some(kind));
        }
        assert_eq!(MailKind::from_db("spam"), None);
    }
}
