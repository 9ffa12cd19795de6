//! The simulator's error type.

/// Why a simulator operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Binding or serving the listener failed.
    #[error("simulator I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The record does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The target number is already taken.
    #[error("{0} already exists")]
    Conflict(String),
    /// Input that e-conomic would reject with a validation error.
    #[error("validation error: {field}: {message}")]
    Validation {
        /// The offending property.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// No agreement has this grant token.
    #[error("unknown agreement grant token")]
    UnknownAgreement,
    /// The webhook HTTP client could not be built.
    #[error("could not build the webhook client: {0}")]
    HttpClient(String),
}

impl SimError {
    pub(crate) fn validation(field: &str, message: &str) -> Self {
        Self::Validation {
            field: field.to_owned(),
            message: message.to_owned(),
        }
    }
}
