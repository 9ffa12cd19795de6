//! The sync engine against the e-conomic simulator, on SQLite and PostgreSQL: events are
//! stored as ingest stores them, the queue is drained with `run_pending_jobs`, and the local
//! data are compared with the simulator's.

mod apply;
mod helpers;
mod invoices;
mod queue;
mod retention;
mod runs;
