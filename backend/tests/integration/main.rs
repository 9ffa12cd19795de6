//! The backend's one integration test binary: every database test runs on SQLite and PostgreSQL.

mod helpers;

mod db;
