//! Shared helpers for the integration tests.

#[allow(unused_imports)]
pub use backend::testing::*;
