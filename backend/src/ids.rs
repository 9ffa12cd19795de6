//! Typed row ids, so a user id can never be passed where a tenant id is meant.
//!
//! The fields are private: ids come from the database, or from a session/path value via `new`,
//! `FromStr` or serde. Such an id proves nothing — access is checked by the query that uses it
//! (e.g. [`crate::accounts::membership`]).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
            sqlx::Type,
        )]
        #[sqlx(transparent)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            /// Wrap a raw id read back from somewhere we wrote it (the session). Proves nothing:
            /// the query that uses it checks access.
            pub const fn new(raw: i64) -> Self {
                Self(raw)
            }

            /// The raw database id (for sessions, URLs, logs and metrics labels).
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    };
}

id_type!(
    /// A tenant (a company): the unit of data isolation.
    TenantId
);
id_type!(
    /// A tenant user (may belong to several tenants).
    UserId
);
id_type!(
    /// A staff (support) account; never a tenant user.
    StaffId
);
