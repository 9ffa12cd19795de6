//! The app on a random port over a fresh database, and browsers that talk to it over HTTP: the
//! crate's one harness, `server::testing`.

#[allow(unused_imports)]
pub use server::testing::*;
