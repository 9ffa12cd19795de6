//! The crate's one error type.
//!
//! Each variant documents the HTTP status it stands for; the one table that maps them is
//! `app`'s `AppError` (what the browser and the server's error middleware see). Database and
//! internal errors are wrapped so the cause chain can be logged, and are never shown to users.

use serde::Serialize;
use vocabulary::{Field, Problem};

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `backend`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 422 Unprocessable Entity: a form field failed to parse; show its problem next to it.
    #[error("invalid {}: {}", .0.field.as_str(), .0.problem.as_str())]
    Invalid(#[from] FieldError),

    /// 409 Conflict: the email address already belongs to a user (sign-up, invite).
    #[error("email address already in use")]
    EmailTaken,

    /// 401 Unauthorized: wrong email or password; deliberately does not say which.
    #[error("invalid email or password")]
    InvalidCredentials,

    /// 401 Unauthorized: a wrong second-factor or recovery code (the password was right).
    #[error("wrong code")]
    WrongCode,

    /// 429 Too Many Attempts: login, sign-up or invite acceptance throttled; send
    /// `Retry-After: retry_after_secs`.
    #[error("too many attempts; retry after {retry_after_secs} s")]
    TooManyAttempts {
        /// Seconds until an attempt will be accepted again (at least 1).
        retry_after_secs: u64,
    },

    /// 503 Service Unavailable: too many password hashes are running; send
    /// `Retry-After: retry_after_secs`. Nothing was done.
    #[error("busy hashing passwords; retry after {retry_after_secs} s")]
    Busy {
        /// Seconds to wait before trying again.
        retry_after_secs: u64,
    },

    /// 403 Forbidden: too many second-factor codes were tried since the last right one; the
    /// factor stays locked until an operator runs `server unlock-staff`.
    #[error("second factor locked")]
    SecondFactorLocked,

    /// 403 Forbidden: setting up the second factor needs the one-time enrolment link that
    /// `server create-staff` printed, and this one is missing, wrong, used or expired.
    #[error("enrolment link missing, wrong or expired")]
    EnrolmentLinkInvalid,

    /// 404 Not Found: no such row, or it belongs to another tenant (same answer on purpose).
    #[error("not found")]
    NotFound,

    /// 403 Forbidden: the user is in the tenant but their role does not allow this.
    #[error("forbidden")]
    Forbidden,

    /// 403 Forbidden: staff cannot impersonate a company that a staff member belongs to.
    #[error("a staff member belongs to this company")]
    StaffTenant,

    /// 410 Gone: the invite link was valid but has expired.
    #[error("invite expired")]
    InviteExpired,

    /// 404 Not Found: the invite link is unknown, malformed or already used.
    #[error("invite invalid")]
    InviteInvalid,

    /// 410 Gone: a password reset link is expired, used, or was never issued; nothing changed.
    #[error("password reset link invalid")]
    ResetLinkInvalid,

    /// 410 Gone: a sign-up confirmation link is expired, used, or was never issued.
    #[error("sign-up link invalid")]
    SignUpLinkInvalid,

    /// 409 Conflict: the invited address already belongs to a member of this company.
    #[error("already a member")]
    AlreadyMember,

    /// 422 Unprocessable Entity: hourly sync and live webhooks were both chosen for `entity`;
    /// nothing was saved.
    #[error("hourly sync and webhooks cannot both be on for {entity}")]
    SettingsConflict {
        /// The entity whose two options collide.
        entity: economic::Entity,
    },

    /// 422 Unprocessable Entity: e-conomic refused the agreement grant token (wrong, revoked,
    /// or not granted to our app); nothing was saved.
    #[error("e-conomic rejected the agreement grant token")]
    EconomicRejected,

    /// 503 Service Unavailable: e-conomic could not be reached (timeout, connection refused,
    /// 5xx, 429); try again later. Nothing was saved.
    #[error("e-conomic is unavailable")]
    EconomicUnavailable(#[source] economic::ClientError),

    /// 409 Conflict: the tenant has not connected e-conomic yet.
    #[error("not connected to e-conomic")]
    NotConnected,

    /// 409 Conflict: a sync worker's lease on a queue expired (another worker may hold it now);
    /// the worker's writes were refused and it must stop.
    #[error("the queue's lease was lost")]
    LeaseLost,

    /// 500 Internal Server Error: the database failed; log it, never show it.
    #[error("database error")]
    Database(#[from] sqlx::Error),

    /// 500 Internal Server Error: running the migrations failed.
    #[error("migration error")]
    Migrate(#[from] sqlx::migrate::MigrateError),

    /// 500 Internal Server Error: something that should not happen (bad stored hash, failed
    /// blocking task, unsupported database URL); log it, never show it.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// True when the database answered and refused the statement (a constraint, a value it
    /// cannot store): the same statement would fail again. False for a lost connection, a full
    /// pool or a timeout, which may pass.
    pub fn is_refused_by_database(&self) -> bool {
        let Error::Database(sqlx::Error::Database(e)) = self else {
            return false;
        };
        // A constraint, or (PostgreSQL) a value it cannot store: SQLSTATE classes 23 and 22.
        // Not a dropped connection or a shutdown, which PostgreSQL reports as errors too
        // (classes 08 and 57).
        let constraint = !matches!(e.kind(), sqlx::error::ErrorKind::Other);
        let bad_value = e
            .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
            .is_some_and(|e| e.code().starts_with("22"));
        constraint || bad_value
    }

    /// True for errors that are our fault: log them with their cause chain, never show them.
    pub fn is_internal(&self) -> bool {
        matches!(
            self,
            Error::Database(_) | Error::Migrate(_) | Error::Internal(_)
        )
    }

    /// Wrap an internal cause (an error value, or a `String` describing the problem).
    pub(crate) fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error::Internal(cause.into())
    }
}

/// A form field that failed to parse: which field, and what is wrong with it, in the words the
/// page translates ([`vocabulary`]), so that no string key has to be matched on the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}: {}", field.as_str(), problem.as_str())]
pub struct FieldError {
    /// The form field.
    pub field: Field,
    /// What is wrong with it.
    pub problem: Problem,
}

impl FieldError {
    pub(crate) const fn new(field: Field, problem: Problem) -> Self {
        Self { field, problem }
    }
}

/// Reading one of the [`vocabulary`]'s words back from the database: a stored text that is no
/// word is an internal error (the database holds what this code wrote).
pub(crate) trait FromDb: Sized {
    /// What the word names, for the error: `"event status"`.
    const WHAT: &'static str;

    /// The word stored as `text`, if any.
    fn from_text(text: &str) -> Option<Self>;

    /// The word stored as `text`.
    fn from_db(text: &str) -> Result<Self> {
        Self::from_text(text).ok_or_else(|| {
            Error::internal(format!("unknown {} {text:?} in the database", Self::WHAT))
        })
    }
}

macro_rules! from_db {
    ($($word:ident: $what:literal),* $(,)?) => {$(
        impl FromDb for vocabulary::$word {
            const WHAT: &'static str = $what;

            fn from_text(text: &str) -> Option<Self> {
                vocabulary::$word::from_slug(text)
            }
        }
    )*};
}

from_db!(
    EventStatus: "event status",
    AttemptOutcome: "attempt outcome",
    Role: "role",
    RunKind: "run kind",
    RunStatus: "run status",
    SupportAccess: "support access",
);

impl FromDb for vocabulary::audit::Action {
    const WHAT: &'static str = "audit action";

    fn from_text(text: &str) -> Option<Self> {
        vocabulary::audit::Action::from_slug(text)
    }
}

/// A unique constraint, named the way each database reports it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unique {
    /// The constraint name PostgreSQL reports (named explicitly in the migration).
    pub postgres: &'static str,
    /// SQLite reports no name, only `table.column` in the message.
    pub sqlite: &'static str,
}

/// `users.email`.
pub(crate) const USERS_EMAIL: Unique = Unique {
    postgres: "users_email_key",
    sqlite: "users.email",
};
/// `staff.email`.
pub(crate) const STAFF_EMAIL: Unique = Unique {
    postgres: "staff_email_key",
    sqlite: "staff.email",
};

/// Turn a specific unique violation into a domain error, instead of a racy pre-check query.
pub(crate) trait ResultExt<T> {
    /// If `self` failed on `constraint`, return `map()` instead of a database error.
    fn on_unique(self, constraint: Unique, map: impl FnOnce() -> Error) -> Result<T>;
}

impl<T, E: Into<Error>> ResultExt<T> for std::result::Result<T, E> {
    fn on_unique(self, constraint: Unique, map: impl FnOnce() -> Error) -> Result<T> {
        self.map_err(|e| match e.into() {
            Error::Database(sqlx::Error::Database(db)) if violates(db.as_ref(), constraint) => {
                map()
            }
            other => other,
        })
    }
}

fn violates(db: &dyn sqlx::error::DatabaseError, constraint: Unique) -> bool {
    db.is_unique_violation()
        && match db.constraint() {
            Some(name) => name == constraint.postgres,
            // "UNIQUE constraint failed: users.email"
            None => db.message().rsplit(": ").next() == Some(constraint.sqlite),
        }
}
