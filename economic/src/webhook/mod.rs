//! e-conomic webhooks: the kinds we use, their merge fields and templates, and the parser that
//! turns a received request into a typed [`WebhookAction`].

mod action;
mod fields;
mod kind;
mod parse;

pub use action::WebhookAction;
pub use kind::{CONTENT_TYPE, UnknownWebhookKind, WebhookKind};
pub use parse::{WebhookParseError, parse};

#[cfg(test)]
mod tests;
