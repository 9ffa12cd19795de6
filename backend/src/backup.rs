//! Online backup of a SQLite database (`server backup`).
//!
//! `VACUUM INTO` writes a consistent, compacted copy from one read transaction while the server
//! goes on writing (WAL mode lets writers continue beside a reader). A file copy of a live
//! database is not a backup: it can catch the main file and the WAL at different moments.
//! PostgreSQL has `pg_dump` for this, so there is no PostgreSQL arm.

use std::path::Path;

use crate::db::{Db, Pool};
use crate::error::{Error, Result};

impl Db {
    /// Write a consistent copy of this SQLite database to `path`, a new file. Everything
    /// committed before the call is in it; commits made meanwhile may or may not be.
    pub async fn backup_into(&self, path: &Path) -> Result<()> {
        let Pool::Sqlite(pool) = self.pool() else {
            return Err(Error::internal(
                "online backup with VACUUM INTO is for SQLite; use pg_dump for PostgreSQL",
            ));
        };
        // VACUUM INTO refuses an existing non-empty file too; saying so first is clearer.
        if path.exists() {
            return Err(Error::internal(format!(
                "{} exists already: back up into a new file",
                path.display()
            )));
        }
        let target = path
            .to_str()
            .ok_or_else(|| Error::internal("the backup path is not valid UTF-8"))?;
        // The target is an expression in SQLite's grammar, so it binds like any value (no
        // quoting of the path).
        sqlx::query("vacuum into $1")
            .bind(target)
            .execute(pool)
            .await?;
        Ok(())
    }
}
