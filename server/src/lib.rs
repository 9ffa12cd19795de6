//! The axum server: configuration, CLI, router (Leptos pages, server functions, health) and
//! the middleware around them. Domain logic lives in `backend`; this crate only wires it up.

mod check_config;
pub mod cli;
pub mod config;
mod demo;
pub mod mail;
mod metrics;
mod middleware;
mod routes;
mod sessions;
mod staff_cli;
mod startup;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;

pub use config::Config;
pub use routes::history::LIVE_PER_SESSION;
pub use routes::page_paths;
pub use startup::Application;
