//! Webhooks as e-conomic sends them: per-agreement configurations, merge-field substitution in
//! URL and body, and an asynchronous sender with the delivery fault knobs.

mod config;
mod sender;
mod template;

pub use config::{ApiOrigin, WebhookConfig};
pub use sender::{DeliveryRecord, WebhookSender, WebhookStats};
pub use template::{OutcomeHook, deliveries_for};
