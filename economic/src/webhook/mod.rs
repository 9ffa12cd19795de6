//! e-conomic webhooks: the parser that turns a received request into a typed [`WebhookAction`]
//! (the webhook facts of each [`crate::Entity`] live with it).

mod action;
mod error;
mod fields;
mod parse;

pub use action::WebhookAction;
pub use error::WebhookParseError;
pub use parse::parse;

#[cfg(test)]
mod tests;
