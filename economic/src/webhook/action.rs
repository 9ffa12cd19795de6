//! What a webhook tells us happened.

use crate::numbers::{InvoiceNumber, RecordNumber};
use serde::{Deserialize, Serialize};

/// The typed meaning of one webhook request. Serialisable (the backend stores it as JSON:
/// `{"action":"renumbered","data":{"old":{"kind":"customer","number":1},"new":…}}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "action", content = "data", rename_all = "snake_case")]
pub enum WebhookAction {
    /// Empty old number: the record was created.
    Created(RecordNumber),
    /// Old equals new: some property changed.
    Updated(RecordNumber),
    /// Old differs from new: the record was renumbered.
    Renumbered {
        /// Number before.
        old: RecordNumber,
        /// Number after.
        new: RecordNumber,
    },
    /// Empty new number: the record was deleted.
    Deleted(RecordNumber),
    /// An invoice was booked.
    InvoiceBooked(InvoiceNumber),
}

impl WebhookAction {
    /// The number to re-read from e-conomic: the new number, or the old one for a delete.
    pub fn current_number(&self) -> String {
        match self {
            Self::Created(number) | Self::Updated(number) | Self::Deleted(number) => {
                number.to_string()
            }
            Self::Renumbered { new, .. } => new.to_string(),
            Self::InvoiceBooked(number) => number.to_string(),
        }
    }
}
