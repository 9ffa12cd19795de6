//! The e-conomic client against the simulator: every endpoint and every error class.
#![allow(clippy::unwrap_used)]

mod compat;
mod endpoints;
mod errors;
mod helpers;
mod types;
