//! The error every server function returns: typed, serialisable, and shown to people as a
//! translated message. Internal causes are logged on the server and never sent to the browser.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use economic::Entity;

use crate::i18n::Msg;

pub use vocabulary::{Field, Problem};

/// Why e-conomic could not be used just now; each has its own message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EconomicTrouble {
    /// No connection could be made (DNS, refused, broken connection).
    Unreachable,
    /// e-conomic did not answer within the configured timeout.
    TimedOut,
    /// e-conomic answered with a server error or asked us to slow down.
    Failing,
}

/// Why a server function failed, in terms a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// A field failed validation (400).
    #[error("{field:?} is invalid: {problem:?}")]
    Invalid {
        /// Which field.
        field: Field,
        /// What is wrong with it.
        problem: Problem,
    },
    /// The email address belongs to another account (409).
    #[error("email taken")]
    EmailTaken,
    /// Wrong email or password (401).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// A wrong second-factor or recovery code (401).
    #[error("wrong code")]
    WrongCode,
    /// Login, sign-up or invite acceptance throttled (429).
    #[error("too many attempts; retry in {retry_after_secs} s")]
    TooManyAttempts {
        /// Seconds until another attempt is allowed.
        retry_after_secs: u64,
    },
    /// The server is busy hashing passwords; nothing was done (503).
    #[error("busy; retry in {retry_after_secs} s")]
    Busy {
        /// Seconds to wait before trying again.
        retry_after_secs: u64,
    },
    /// No one is logged in (401).
    #[error("not authenticated")]
    NotAuthenticated,
    /// Logged in, but not allowed (403).
    #[error("forbidden")]
    Forbidden,
    /// Support staff impersonating without write access tried to change something (403).
    #[error("read-only support session")]
    ReadOnlySupport,
    /// Only the company's own people may do this, even support staff with write access (403).
    #[error("not for support staff")]
    NotForSupport,
    /// A staff page or function was used from inside an impersonation (403).
    #[error("stop impersonating first")]
    Impersonating,
    /// The company does not allow support staff this (impersonating, or elevating) (403).
    #[error("support access not allowed by the company")]
    SupportAccessDenied,
    /// Staff cannot impersonate a company a staff member belongs to (403).
    #[error("a staff member belongs to this company")]
    StaffTenant,
    /// A reason of at least three words is required (422).
    #[error("reason missing or too short")]
    ReasonRequired,
    /// Too many second-factor codes were tried: locked until `server unlock-staff` (403).
    #[error("second factor locked")]
    SecondFactorLocked,
    /// Setting up the second factor needs the valid one-time enrolment link (403).
    #[error("enrolment link missing, wrong or expired")]
    EnrolmentLinkInvalid,
    /// Nothing there, or not yours (404).
    #[error("not found")]
    NotFound,
    /// The invite is past its expiry (410).
    #[error("invite expired")]
    InviteExpired,
    /// The invite is unknown or already used (404).
    #[error("invite invalid")]
    InviteInvalid,
    /// A password reset link is expired, used or forged; nothing changed (410).
    #[error("password reset link invalid")]
    ResetLinkInvalid,
    /// A sign-up confirmation link is expired, used or unknown (410).
    #[error("sign-up link invalid")]
    SignUpLinkInvalid,
    /// The invited address is already a member of this company (409).
    #[error("already a member")]
    AlreadyMember,
    /// Hourly sync and webhooks were both asked for one entity; nothing was saved (422).
    #[error("hourly sync and webhooks both on for {entity:?}")]
    SettingsConflict {
        /// The entity with both boxes ticked.
        entity: Entity,
    },
    /// e-conomic refused the grant token (422).
    #[error("e-conomic rejected the grant token")]
    EconomicRejected,
    /// e-conomic could not be reached, timed out or failed (503).
    #[error("e-conomic unavailable: {trouble:?}")]
    EconomicUnavailable {
        /// Which of the three.
        trouble: EconomicTrouble,
    },
    /// The tenant has not connected e-conomic (409).
    #[error("e-conomic not connected")]
    NotConnected,
    /// The request body was larger than the server accepts (413); sent by the server's layers.
    #[error("request too large")]
    TooLarge,
    /// The CSRF token was missing or wrong (403); sent by the server's CSRF check.
    #[error("csrf token missing or invalid")]
    Csrf,
    /// Something failed on the server; details are in the server log only (500).
    #[error("internal error")]
    Internal,
    /// The request did not reach the function or its answer could not be read.
    #[error("request failed: {0}")]
    Request(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Request(value.to_string())
    }
}

impl AppError {
    /// The message to show for this error.
    pub fn message(&self) -> Msg {
        match self {
            AppError::Invalid { problem, .. } => match problem {
                Problem::Required => Msg::ErrorRequired,
                Problem::TooLong => Msg::ErrorTooLong,
                Problem::BadCharacters => Msg::ErrorBadCharacters,
                Problem::EmailInvalid => Msg::ErrorEmailInvalid,
                Problem::PasswordTooShort => Msg::ErrorPasswordTooShort,
                Problem::PasswordTooLong => Msg::ErrorPasswordTooLong,
                Problem::PasswordCommon => Msg::ErrorPasswordCommon,
                Problem::UrlInvalid => Msg::ErrorAlertUrlInvalid,
                Problem::UrlNotHttps => Msg::ErrorAlertUrlNotHttps,
                Problem::UrlThisApp => Msg::ErrorAlertUrlThisApp,
            },
            AppError::EmailTaken => Msg::ErrorEmailTaken,
            AppError::InvalidCredentials => Msg::ErrorInvalidCredentials,
            AppError::WrongCode => Msg::ErrorWrongCode,
            AppError::TooManyAttempts { .. } => Msg::ErrorTooManyAttempts,
            AppError::Busy { .. } => Msg::ErrorBusy,
            AppError::NotAuthenticated => Msg::ErrorNotAuthenticated,
            AppError::Forbidden => Msg::ErrorForbidden,
            AppError::ReadOnlySupport => Msg::ErrorReadOnlySupport,
            AppError::NotForSupport => Msg::ErrorNotForSupport,
            AppError::Impersonating => Msg::ErrorImpersonating,
            AppError::SupportAccessDenied => Msg::ErrorSupportAccessDenied,
            AppError::ReasonRequired => Msg::ErrorReasonRequired,
            AppError::StaffTenant => Msg::ErrorStaffTenant,
            AppError::SecondFactorLocked => Msg::ErrorSecondFactorLocked,
            AppError::EnrolmentLinkInvalid => Msg::ErrorEnrolmentLinkInvalid,
            AppError::NotFound => Msg::ErrorNotFound,
            AppError::InviteExpired => Msg::ErrorInviteExpired,
            AppError::InviteInvalid => Msg::ErrorInviteInvalid,
            AppError::AlreadyMember => Msg::ErrorAlreadyMember,
            AppError::ResetLinkInvalid => Msg::ErrorResetLinkInvalid,
            AppError::SignUpLinkInvalid => Msg::ErrorSignUpLinkInvalid,
            AppError::SettingsConflict { entity } => match entity {
                Entity::Products => Msg::ErrorSettingsConflictProducts,
                Entity::Customers => Msg::ErrorSettingsConflictCustomers,
                // Invoices have no hourly sync, so nothing can conflict with their webhook.
                Entity::Invoices => Msg::ErrorInternal,
            },
            AppError::EconomicRejected => Msg::ErrorEconomicRejected,
            AppError::EconomicUnavailable { trouble } => match trouble {
                EconomicTrouble::Unreachable => Msg::ErrorEconomicUnreachable,
                EconomicTrouble::TimedOut => Msg::ErrorEconomicTimedOut,
                EconomicTrouble::Failing => Msg::ErrorEconomicFailing,
            },
            AppError::NotConnected => Msg::ErrorNotConnected,
            AppError::Csrf => Msg::ErrorCsrf,
            AppError::TooLarge => Msg::ErrorTooLarge,
            AppError::Internal | AppError::Request(_) => Msg::ErrorInternal,
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid { .. }
            | AppError::SettingsConflict { .. }
            | AppError::EconomicRejected
            | AppError::ReasonRequired => 422,
            AppError::EmailTaken | AppError::AlreadyMember | AppError::NotConnected => 409,
            AppError::InvalidCredentials | AppError::WrongCode | AppError::NotAuthenticated => 401,
            AppError::TooManyAttempts { .. } => 429,
            AppError::Forbidden
            | AppError::Csrf
            | AppError::ReadOnlySupport
            | AppError::NotForSupport
            | AppError::Impersonating
            | AppError::SupportAccessDenied
            | AppError::StaffTenant
            | AppError::SecondFactorLocked
            | AppError::EnrolmentLinkInvalid => 403,
            AppError::NotFound | AppError::InviteInvalid => 404,
            AppError::InviteExpired | AppError::ResetLinkInvalid | AppError::SignUpLinkInvalid => {
                410
            }
            AppError::TooLarge => 413,
            AppError::EconomicUnavailable { .. } | AppError::Busy { .. } => 503,
            AppError::Request(_) => 400,
            AppError::Internal => 500,
        }
    }

    /// How long the person must wait before trying again, when the error says so (it is also
    /// sent as `Retry-After`).
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::TooManyAttempts { retry_after_secs }
            | AppError::Busy { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// The field this error belongs to, if it belongs to one.
    pub fn field(&self) -> Option<Field> {
        match self {
            AppError::Invalid { field, .. } => Some(*field),
            AppError::EmailTaken | AppError::AlreadyMember => Some(Field::Email),
            _ => None,
        }
    }
}
