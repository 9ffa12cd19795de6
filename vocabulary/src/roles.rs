//! What a user may do in a company, and what the company lets support staff do.

use serde::{Deserialize, Serialize};

/// A user's role in one company. Serialised by its variant's name (`"Admin"`), as the team
/// page's form sends it; stored by [`Role::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Created the company; manages everything, and decides who is an admin.
    Owner,
    /// Made an admin by the owner: manages the e-conomic connection, the settings, the webhook
    /// URLs and invites.
    Admin,
    /// Sees the event history and the synced data; changes nothing and never sees the webhook
    /// URLs (they are credentials).
    Member,
}

impl Role {
    /// Every role, the most powerful first.
    pub const ALL: [Role; 3] = [Role::Owner, Role::Admin, Role::Member];

    /// As stored in `memberships.role`: `"owner"`, `"admin"` or `"member"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    /// The role stored as `text`, if any.
    pub fn from_slug(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// Whether this role manages the connection, the settings, the webhook URLs and the team.
    pub const fn manages(self) -> bool {
        match self {
            Role::Owner | Role::Admin => true,
            Role::Member => false,
        }
    }
}

/// What a company lets support staff do. Serialised by its variant's name, as the support page's
/// form sends it; stored by [`SupportAccess::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SupportAccess {
    /// Impersonate, read-only first, elevating to write access with a reason.
    Allowed,
    /// Impersonate read-only; never elevate.
    ReadOnly,
    /// Never impersonate.
    Forbidden,
}

impl SupportAccess {
    /// Every choice, in the order the settings page offers them.
    pub const ALL: [SupportAccess; 3] = [
        SupportAccess::Allowed,
        SupportAccess::ReadOnly,
        SupportAccess::Forbidden,
    ];

    /// As stored in `tenants.support_access`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SupportAccess::Allowed => "allowed",
            SupportAccess::ReadOnly => "read_only",
            SupportAccess::Forbidden => "forbidden",
        }
    }

    /// The choice stored as `text`, if any.
    pub fn from_slug(text: &str) -> Option<SupportAccess> {
        SupportAccess::ALL.into_iter().find(|a| a.as_str() == text)
    }
}
