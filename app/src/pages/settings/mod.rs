//! Settings, as in the guide: Settings → Apps → e-conomic → Settings → Advanced settings.

pub mod advanced;
pub mod economic;
pub mod hub;
mod tabs;
