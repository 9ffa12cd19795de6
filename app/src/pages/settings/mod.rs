//! Settings, as in the guide: Settings → Apps → e-conomic → Settings → Advanced settings; and
//! the Sync tab beside them.

pub mod advanced;
pub mod alerts;
pub mod economic;
pub mod hub;
mod managed_webhooks;
pub mod notifications;
pub mod support;
pub mod sync;
mod tabs;
