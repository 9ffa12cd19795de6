//! The entities this product syncs — customers, products and booked invoices — with the facts
//! e-conomic attaches to each: the webhook type that announces a change, its names in e-conomic's
//! UI and the merge fields it supports. One type for settings, URLs, storage and the UI.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The `Content-Type` Rackbeat's guide configures for every webhook.
pub const CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// Something synced from e-conomic. Each has exactly one webhook type: "Customer updated",
/// "Product updated", "Invoice booked".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    /// Customers; webhook "Kunde opdateret" with `[OLDNUMBER]`, `[NEWNUMBER]`.
    Customers,
    /// Products; webhook "Vare opdateret" with `[OLDNUMBER]`, `[NEWNUMBER]`.
    Products,
    /// Booked invoices; webhook "Faktura bogført" with `[INVOICENO]`.
    Invoices,
}

/// The text is none of the names [`Entity::from_str`] accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown entity {0:?} (expected customers, products or invoices)")]
pub struct UnknownEntity(pub String);

impl Entity {
    /// All entities, in a stable order.
    pub const ALL: [Entity; 3] = [Entity::Customers, Entity::Products, Entity::Invoices];

    /// The slug used in our URLs, storage and serialisation: `customers`, `products`, `invoices`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customers => "customers",
            Self::Products => "products",
            Self::Invoices => "invoices",
        }
    }

    /// The entity of a slug (exactly [`Entity::as_str`]'s output), or `None`.
    pub fn from_slug(slug: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|e| e.as_str() == slug)
    }

    /// The webhook type name in e-conomic's Danish UI (what the user picks under "Type").
    pub fn danish_type_name(self) -> &'static str {
        match self {
            Self::Customers => "Kunde opdateret",
            Self::Products => "Vare opdateret",
            Self::Invoices => "Faktura bogført",
        }
    }

    /// The webhook type name in e-conomic's English UI.
    pub fn english_type_name(self) -> &'static str {
        match self {
            Self::Customers => "Customer updated",
            Self::Products => "Product updated",
            Self::Invoices => "Invoice booked",
        }
    }

    /// The webhook's machine name in the Webhooks API (`CUSTOMER_UPDATED`, `INVOICE_BOOKED` are
    /// confirmed; `PRODUCT_UPDATED` is inferred by analogy).
    pub fn event_type(self) -> &'static str {
        match self {
            Self::Customers => "CUSTOMER_UPDATED",
            Self::Products => "PRODUCT_UPDATED",
            Self::Invoices => "INVOICE_BOOKED",
        }
    }

    /// The Rackbeat-style "Sendte data" template: `[OLDNUMBER]&[NEWNUMBER]` or `[INVOICENO]`.
    pub fn post_data(self) -> &'static str {
        match self {
            Self::Customers | Self::Products => "[OLDNUMBER]&[NEWNUMBER]",
            Self::Invoices => "[INVOICENO]",
        }
    }

    /// The merge fields e-conomic substitutes for this webhook; any other `[FIELD]` stays literal.
    pub fn merge_fields(self) -> &'static [&'static str] {
        match self {
            Self::Customers | Self::Products => &["[OLDNUMBER]", "[NEWNUMBER]"],
            Self::Invoices => &["[INVOICENO]"],
        }
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Entity {
    type Err = UnknownEntity;

    /// Accepts the slug, the webhook event type, or its Danish/English UI name (the simulator's
    /// forms and control API take any of them).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Entity::ALL
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
            .ok_or_else(|| UnknownEntity(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for entity in Entity::ALL {
            assert_eq!(entity.as_str().parse::<Entity>(), Ok(entity));
            assert_eq!(Entity::from_slug(entity.as_str()), Some(entity));
            assert_eq!(entity.danish_type_name().parse::<Entity>(), Ok(entity));
            assert_eq!(entity.event_type().parse::<Entity>(), Ok(entity));
            let json = serde_json::to_string(&entity).expect("serialises");
            assert_eq!(json, format!("\"{}\"", entity.as_str()));
        }
        assert_eq!(Entity::Invoices.danish_type_name(), "Faktura bogført");
        assert!("order-updated".parse::<Entity>().is_err());
        assert_eq!(Entity::from_slug("Customers"), None);
    }
}
