//! Turns backend errors into [`AppError`]s: user mistakes keep their meaning, internal failures
//! are logged once here with their cause and reach the browser only as `Internal`.

use backend::economic::ClientError;

use crate::error::{AppError, EconomicTrouble, Field, Problem};

impl From<backend::Error> for AppError {
    fn from(e: backend::Error) -> Self {
        use backend::Error as B;
        match e {
            B::Invalid(p) => invalid(p),
            B::EmailTaken => AppError::EmailTaken,
            B::InvalidCredentials => AppError::InvalidCredentials,
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
                        _ => EconomicTrouble::Failing,
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

fn invalid(e: backend::FieldError) -> AppError {
    use backend::keys as k;
    let field = match e.field {
        "company_name" => Field::CompanyName,
        "name" => Field::Name,
        "email" => Field::Email,
        "password" => Field::Password,
        "alert_url" => Field::AlertUrl,
        other => {
            tracing::error!(field = other, "backend reported an unknown form field");
            return AppError::Internal;
        }
    };
    let problem = match e.key {
        k::EMAIL_REQUIRED | k::COMPANY_NAME_REQUIRED | k::NAME_REQUIRED | k::ALERT_URL_REQUIRED => {
            Problem::Required
        }
        k::EMAIL_TOO_LONG | k::COMPANY_NAME_TOO_LONG | k::NAME_TOO_LONG => Problem::TooLong,
        k::COMPANY_NAME_INVALID | k::NAME_INVALID => Problem::BadCharacters,
        k::EMAIL_INVALID => Problem::EmailInvalid,
        k::PASSWORD_TOO_SHORT => Problem::PasswordTooShort,
        k::PASSWORD_TOO_LONG => Problem::PasswordTooLong,
        k::PASSWORD_INVALID => Problem::BadCharacters,
        k::PASSWORD_COMMON => Problem::PasswordCommon,
        k::ALERT_URL_INVALID => Problem::UrlInvalid,
        k::ALERT_URL_NOT_HTTPS => Problem::UrlNotHttps,
        k::ALERT_URL_THIS_APP => Problem::UrlThisApp,
        other => {
            tracing::error!(key = other, "backend reported an unknown field problem");
            return AppError::Internal;
        }
    };
    AppError::Invalid { field, problem }
}
