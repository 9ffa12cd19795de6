//! What an action on a webhook in e-conomic came to, and the company's choice of who makes it.

use economic::ClientError;
use economic::types::webhooks_api::ErrorCode;

/// What the last action on a webhook came to, in words the page can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// e-conomic now has the webhook (it did not before).
    Created,
    /// The company's existing webhook was set to our current values.
    Updated,
    /// A webhook e-conomic had disabled is enabled again.
    Reenabled,
    /// e-conomic no longer has it.
    Deleted,
    /// e-conomic's webhook changed between our read and our write (stale `objectVersion`):
    /// nothing was changed; the next try reads it again.
    Conflict,
    /// e-conomic refused: the app lacks the SuperUser role on the agreement (403, or 401). The
    /// manual steps are the way.
    Forbidden,
    /// The agreement already has a webhook of this type that this app cannot see (made in
    /// e-conomic's screens, or by another app): e-conomic allows one per type and agreement.
    /// Trying again cannot help; the manual values show what it must hold.
    AlreadyExists,
    /// The agreement's webhook of this type points at another company's URL (a company of this
    /// app connected to the same agreement): it is that company's, and left alone.
    OtherCompany,
    /// The agreement's webhook of this type (made by this app) points at an address that is not
    /// this server's: left alone.
    OtherAddress,
    /// e-conomic calls `https://` URLs only, and our public URL is not one.
    HttpsRequired,
    /// e-conomic does not offer this webhook type on the agreement (not in its event types).
    TypeNotOffered,
    /// e-conomic refused the request itself (another 4xx).
    Refused,
    /// e-conomic could not be reached or was busy; try again later.
    Unavailable,
    /// The tenant has not connected e-conomic.
    NotConnected,
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Outcome; 14] = [
        Outcome::Created,
        Outcome::Updated,
        Outcome::Reenabled,
        Outcome::Deleted,
        Outcome::Conflict,
        Outcome::Forbidden,
        Outcome::AlreadyExists,
        Outcome::OtherCompany,
        Outcome::OtherAddress,
        Outcome::HttpsRequired,
        Outcome::TypeNotOffered,
        Outcome::Refused,
        Outcome::Unavailable,
        Outcome::NotConnected,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Reenabled => "reenabled",
            Outcome::Deleted => "deleted",
            Outcome::Conflict => "conflict",
            Outcome::Forbidden => "forbidden",
            Outcome::AlreadyExists => "already_exists",
            Outcome::OtherCompany => "other_company",
            Outcome::OtherAddress => "other_address",
            Outcome::HttpsRequired => "https_required",
            Outcome::TypeNotOffered => "type_not_offered",
            Outcome::Refused => "refused",
            Outcome::Unavailable => "unavailable",
            Outcome::NotConnected => "not_connected",
        }
    }

    /// The outcome of a stored name.
    pub fn parse(text: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == text)
    }

    /// Whether e-conomic did what was asked.
    pub fn succeeded(self) -> bool {
        match self {
            Outcome::Created | Outcome::Updated | Outcome::Reenabled | Outcome::Deleted => true,
            Outcome::Conflict
            | Outcome::Forbidden
            | Outcome::AlreadyExists
            | Outcome::OtherCompany
            | Outcome::OtherAddress
            | Outcome::HttpsRequired
            | Outcome::TypeNotOffered
            | Outcome::Refused
            | Outcome::Unavailable
            | Outcome::NotConnected => false,
        }
    }

    /// Whether pressing the same button again may work: only when e-conomic was busy or the
    /// webhook changed under us. Every other refusal needs something else done first, and the
    /// page says what instead of "try again".
    pub fn retry_may_help(self) -> bool {
        match self {
            Outcome::Conflict | Outcome::Unavailable => true,
            Outcome::Created
            | Outcome::Updated
            | Outcome::Reenabled
            | Outcome::Deleted
            | Outcome::Forbidden
            | Outcome::AlreadyExists
            | Outcome::OtherCompany
            | Outcome::OtherAddress
            | Outcome::HttpsRequired
            | Outcome::TypeNotOffered
            | Outcome::Refused
            | Outcome::NotConnected => false,
        }
    }

    /// Whether e-conomic answered in a way worth reading its webhook back after.
    pub(super) fn worth_reading_back(self) -> bool {
        match self {
            Outcome::Created
            | Outcome::Updated
            | Outcome::Reenabled
            | Outcome::Deleted
            | Outcome::Conflict
            | Outcome::OtherCompany
            | Outcome::OtherAddress
            | Outcome::Refused => true,
            Outcome::Forbidden
            | Outcome::AlreadyExists
            | Outcome::HttpsRequired
            | Outcome::TypeNotOffered
            | Outcome::Unavailable
            | Outcome::NotConnected => false,
        }
    }

    /// The outcome of a failed call: by e-conomic's error code where it named one, else by the
    /// answer's class.
    pub fn of_error(error: &ClientError) -> Outcome {
        let code = error.error_code().and_then(ErrorCode::parse);
        match code {
            Some(ErrorCode::AlreadyExistsForEventType) => return Outcome::AlreadyExists,
            Some(ErrorCode::InvalidType) => return Outcome::TypeNotOffered,
            Some(ErrorCode::InvalidUrlScheme) => return Outcome::HttpsRequired,
            Some(ErrorCode::UpdateConflict) => return Outcome::Conflict,
            Some(ErrorCode::ResourceNotFound) | None => {}
        }
        match error {
            ClientError::Unauthorized { .. } => Outcome::Forbidden,
            ClientError::Rejected { status: 409, .. } => Outcome::Conflict,
            ClientError::Rejected { .. } | ClientError::NotFound(_) => Outcome::Refused,
            ClientError::RateLimited { .. }
            | ClientError::Server { .. }
            | ClientError::Timeout
            | ClientError::Connect(_) => Outcome::Unavailable,
            // Our bug or a bad base URL: shown as "try later", logged for us.
            ClientError::Decode(_) | ClientError::InvalidRequest(_) => {
                tracing::error!(error = %error, "webhooks API call failed");
                Outcome::Unavailable
            }
        }
    }
}

/// Who makes a webhook in e-conomic, per company and webhook: never both, or e-conomic would
/// send every change twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The app creates and looks after it through the Webhooks API.
    Automatic,
    /// The user creates it in e-conomic's screens with the values the page shows.
    Manual,
}

impl Mode {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Automatic => "automatic",
            Mode::Manual => "manual",
        }
    }

    /// The mode of a stored name.
    pub fn parse(text: &str) -> Option<Mode> {
        [Mode::Automatic, Mode::Manual]
            .into_iter()
            .find(|m| m.as_str() == text)
    }

    /// The mode of a webhook the company has not chosen for: automatic only when the agreement
    /// lets the app use the Webhooks API (as connecting found out).
    pub fn default_for(webhooks_api_allowed: Option<bool>) -> Mode {
        match webhooks_api_allowed {
            Some(true) => Mode::Automatic,
            Some(false) | None => Mode::Manual,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_refusals_read_by_their_code() {
        for outcome in Outcome::ALL {
            assert_eq!(Outcome::parse(outcome.as_str()), Some(outcome));
        }
        let refused = |code: &str, status: u16| ClientError::Rejected {
            status,
            body: Box::new(economic::types::ErrorBody {
                error_code: Some(code.to_owned()),
                ..Default::default()
            }),
        };
        let cases = [
            (
                "WebhookAlreadyExistsForEventType",
                400,
                Outcome::AlreadyExists,
            ),
            (
                "WebhookAlreadyExistsForEventType",
                409,
                Outcome::AlreadyExists,
            ),
            ("WebhookInvalidType", 400, Outcome::TypeNotOffered),
            ("WebhookInvalidUrlScheme", 400, Outcome::HttpsRequired),
            ("UpdateConflict", 409, Outcome::Conflict),
            ("SomethingNew", 400, Outcome::Refused),
            ("SomethingNew", 409, Outcome::Conflict),
        ];
        for (code, status, outcome) in cases {
            assert_eq!(Outcome::of_error(&refused(code, status)), outcome, "{code}");
        }
        assert!(!Outcome::AlreadyExists.retry_may_help());
        assert_eq!(Mode::default_for(None), Mode::Manual);
        assert_eq!(Mode::default_for(Some(true)), Mode::Automatic);
    }
}
