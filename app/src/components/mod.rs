//! Building blocks shared by the pages.

pub mod copy;
pub mod form;
pub mod health;
pub mod layout;
pub mod rejected;
pub mod revoke;
pub mod runs;
