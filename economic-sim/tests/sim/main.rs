//! Integration tests of the simulator: responses against real fixtures, webhook emission seen
//! by a test receiver, and each fault knob.
#![allow(clippy::unwrap_used)]

mod compat;
mod fixtures;
mod helpers;
mod knobs;
mod strictness;
mod webhooks;
mod webhooks_api;
