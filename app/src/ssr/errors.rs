//! Turns backend errors into [`AppError`]s: user mistakes keep their meaning, internal failures
//! are logged once here with their cause and reach the browser only as `Internal`.

use backend::economic::ClientError;

use crate::error::{AppError, EconomicTrouble};

impl From<backend::Error> for AppError {
    fn from(e: backend::Error) -> Self {
        use backend::Error as B;
        match e {
            B::Invalid(p) => invalid(p),
            B::EmailTaken => AppError::EmailTaken,
            B::InvalidCredentials => AppError::InvalidCredentials,
            B::WrongCode => AppError::WrongCode,
            B::TooManyAttempts { retry_after_secs } => {
                AppError::TooManyAttempts { retry_after_secs }
            }
            B::Busy { retry_after_secs } => AppError::Busy { retry_after_secs },
            B::Forbidden => AppError::Forbidden,
            B::StaffTenant => AppError::StaffTenant,
            B::SecondFactorLocked => AppError::SecondFactorLocked,
            B::EnrolmentLinkInvalid => AppError::EnrolmentLinkInvalid,
            B::NotFound => AppError::NotFound,
            B::InviteExpired => AppError::InviteExpired,
            B::InviteInvalid => AppError::InviteInvalid,
            B::AlreadyMember => AppError::AlreadyMember,
            B::ResetLinkInvalid => AppError::ResetLinkInvalid,
            B::SignUpLinkInvalid => AppError::SignUpLinkInvalid,
            B::SettingsConflict { entity } => AppError::SettingsConflict { entity },
            B::EconomicRejected => AppError::EconomicRejected,
            B::EconomicUnavailable(cause) => {
                tracing::warn!(error = %cause, "e-conomic unavailable");
                AppError::EconomicUnavailable {
                    trouble: match cause {
                        ClientError::Timeout => EconomicTrouble::TimedOut,
                        ClientError::Connect(_) => EconomicTrouble::Unreachable,
                        ClientError::NotFound(_)
                        | ClientError::Unauthorized { .. }
                        | ClientError::RateLimited { .. }
                        | ClientError::Server { .. }
                        | ClientError::Rejected { .. }
                        | ClientError::Decode(_)
                        | ClientError::InvalidRequest(_) => EconomicTrouble::Failing,
                    },
                }
            }
            B::NotConnected => AppError::NotConnected,
            other => {
                tracing::error!(error = ?other, "server function failed");
                AppError::Internal
            }
        }
    }
}

/// Maps a parse result from `backend` into a field error.
pub fn parse<T>(result: Result<T, backend::FieldError>) -> Result<T, AppError> {
    result.map_err(invalid)
}

/// The field and its problem are the vocabulary's words on both sides: nothing to translate.
fn invalid(e: backend::FieldError) -> AppError {
    AppError::Invalid {
        field: e.field,
        problem: e.problem,
    }
}
