//! The webhook types we handle, with their names in e-conomic's UI and the merge fields they support.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The `Content-Type` Rackbeat's guide configures for every webhook.
pub const CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// A webhook type we receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WebhookKind {
    /// "Customer updated" / "Kunde opdateret": `[OLDNUMBER]`, `[NEWNUMBER]`.
    CustomerUpdated,
    /// "Product updated" / "Vare opdateret": `[OLDNUMBER]`, `[NEWNUMBER]`.
    ProductUpdated,
    /// "Invoice booked" / "Faktura bogført": `[INVOICENO]`.
    InvoiceBooked,
}

/// The text is not one of the kinds' [`WebhookKind::as_str`] names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown webhook kind {0:?} (expected customer-updated, product-updated or invoice-booked)"
)]
pub struct UnknownWebhookKind(pub String);

impl WebhookKind {
    /// All kinds, in a stable order.
    pub const ALL: [WebhookKind; 3] = [
        WebhookKind::CustomerUpdated,
        WebhookKind::ProductUpdated,
        WebhookKind::InvoiceBooked,
    ];

    /// Stable slug used in our URLs and storage: `customer-updated`, `product-updated`, `invoice-booked`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CustomerUpdated => "customer-updated",
            Self::ProductUpdated => "product-updated",
            Self::InvoiceBooked => "invoice-booked",
        }
    }

    /// The type name in e-conomic's Danish UI (what the user picks under "Type").
    pub fn danish_type_name(self) -> &'static str {
        match self {
            Self::CustomerUpdated => "Kunde opdateret",
            Self::ProductUpdated => "Vare opdateret",
            Self::InvoiceBooked => "Faktura bogført",
        }
    }

    /// The type name in e-conomic's English UI.
    pub fn english_type_name(self) -> &'static str {
        match self {
            Self::CustomerUpdated => "Customer updated",
            Self::ProductUpdated => "Product updated",
            Self::InvoiceBooked => "Invoice booked",
        }
    }

    /// Machine name in the Webhooks API (`CUSTOMER_UPDATED`, `INVOICE_BOOKED` are confirmed;
    /// `PRODUCT_UPDATED` is inferred by analogy).
    pub fn event_type(self) -> &'static str {
        match self {
            Self::CustomerUpdated => "CUSTOMER_UPDATED",
            Self::ProductUpdated => "PRODUCT_UPDATED",
            Self::InvoiceBooked => "INVOICE_BOOKED",
        }
    }

    /// The Rackbeat-style "Sendte data" template: `[OLDNUMBER]&[NEWNUMBER]` or `[INVOICENO]`.
    pub fn post_data(self) -> &'static str {
        match self {
            Self::CustomerUpdated | Self::ProductUpdated => "[OLDNUMBER]&[NEWNUMBER]",
            Self::InvoiceBooked => "[INVOICENO]",
        }
    }

    /// The merge fields e-conomic substitutes for this kind; any other `[FIELD]` stays literal.
    pub fn merge_fields(self) -> &'static [&'static str] {
        match self {
            Self::CustomerUpdated | Self::ProductUpdated => &["[OLDNUMBER]", "[NEWNUMBER]"],
            Self::InvoiceBooked => &["[INVOICENO]"],
        }
    }
}

impl fmt::Display for WebhookKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for WebhookKind {
    type Err = UnknownWebhookKind;

    /// Accepts the slug, the event type, or the Danish/English UI name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        WebhookKind::ALL
            .into_iter()
            .find(|k| {
                [
                    k.as_str(),
                    k.event_type(),
                    k.danish_type_name(),
                    k.english_type_name(),
                ]
                .iter()
                .any(|name| name.eq_ignore_ascii_case(s))
            })
            .ok_or_else(|| UnknownWebhookKind(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in WebhookKind::ALL {
            assert_eq!(kind.as_str().parse::<WebhookKind>(), Ok(kind));
            assert_eq!(kind.danish_type_name().parse::<WebhookKind>(), Ok(kind));
            assert_eq!(kind.event_type().parse::<WebhookKind>(), Ok(kind));
        }
        assert_eq!(
            WebhookKind::InvoiceBooked.danish_type_name(),
            "Faktura bogført"
        );
        assert!("order-updated".parse::<WebhookKind>().is_err());
    }
}
