//! e-conomic webhooks: the parser that turns a received request into a typed [`WebhookAction`]
//! (the webhook facts of each [`crate::Entity`] live with it).

mod action;
mod fields;
mod parse;

pub use action::WebhookAction;
pub use parse::{WebhookParseError, parse};

#[cfg(test)]
mod tests;
