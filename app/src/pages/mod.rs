//! One module per page.

pub mod activity;
pub mod data;
pub mod events;
pub mod home;
pub mod invite;
pub mod login;
pub mod not_found;
pub mod password;
pub mod settings;
pub mod signup;
pub mod staff;
pub mod team;
