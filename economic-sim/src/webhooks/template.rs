//! Turning a [`Change`] into webhook requests: one per matching configuration, merge fields
//! replaced as literal text (optionally percent-encoded) in URL and body.

use super::config::WebhookConfig;
use crate::store::Change;
use economic::Entity;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use std::sync::Arc;

/// Called once with the final outcome of a delivery (true = 2xx), e.g. to auto-disable.
pub type OutcomeHook = Arc<dyn Fn(bool) + Send + Sync>;

/// One request to send.
#[derive(Clone)]
pub struct Delivery {
    /// The webhook type.
    pub kind: Entity,
    /// Target URL after substitution.
    pub url: String,
    /// `Content-Type` header.
    pub content_type: String,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Body after substitution.
    pub body: String,
    /// Whether this is a delete (new number empty), for the "drop deletes" knob.
    pub is_delete: bool,
    /// The configuration's URL template: with `kind`, identifies the configuration.
    pub config_url: String,
    /// Told the final outcome.
    pub on_outcome: Option<OutcomeHook>,
}

/// The requests `change` causes for the enabled `configs`.
pub fn deliveries_for(
    change: &Change,
    configs: &[WebhookConfig],
    url_encode: bool,
) -> Vec<Delivery> {
    let (kind, fields, is_delete): (Entity, Vec<(&str, String)>, bool) = match change {
        Change::Customer { old, new } => (
            Entity::Customers,
            vec![("[OLDNUMBER]", text(old)), ("[NEWNUMBER]", text(new))],
            new.is_none(),
        ),
        Change::Product { old, new } => (
            Entity::Products,
            vec![("[OLDNUMBER]", text(old)), ("[NEWNUMBER]", text(new))],
            new.is_none(),
        ),
        Change::InvoiceBooked(n) => (
            Entity::Invoices,
            vec![("[INVOICENO]", n.to_string())],
            false,
        ),
    };
    let fields: Vec<(&str, String)> = fields
        .into_iter()
        .map(|(field, value)| {
            let value = if url_encode {
                utf8_percent_encode(&value, NON_ALPHANUMERIC).to_string()
            } else {
                value
            };
            (field, value)
        })
        .collect();
    configs
        .iter()
        .filter(|c| c.kind == kind && !c.is_disabled)
        .map(|c| Delivery {
            kind,
            url: substitute(&c.url, &fields),
            content_type: c.content_type.clone(),
            headers: c.custom_headers.clone(),
            body: substitute(&c.post_data, &fields),
            is_delete,
            config_url: c.url.clone(),
            on_outcome: None,
        })
        .collect()
}

fn text<T: ToString>(number: &Option<T>) -> String {
    number.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// Replaces each supported merge field; anything else (e.g. `[NUMBER]`) stays literal.
fn substitute(template: &str, fields: &[(&str, String)]) -> String {
    fields
        .iter()
        .fold(template.to_owned(), |text, (field, value)| {
            text.replace(field, value)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use economic::CustomerNumber;

    #[test]
    fn substitutes_supported_fields_only() {
        let config = WebhookConfig {
            url: "http://x/h?old=[OLDNUMBER]&new=[NEWNUMBER]&number=[NUMBER]".into(),
            ..WebhookConfig::rackbeat(Entity::Customers, "")
        };
        let change = Change::Customer {
            old: None,
            new: CustomerNumber::new(7).ok(),
        };
        let d = deliveries_for(&change, &[config], false);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].url, "http://x/h?old=&new=7&number=[NUMBER]");
        assert_eq!(d[0].body, "&7");
    }
}
