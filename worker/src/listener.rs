//! Waking workers across processes on PostgreSQL: ingest's process announces new events with
//! `NOTIFY`, every process `LISTEN`s and rings its workers. Without it (SQLite, one process)
//! the in-process [`Signal`] alone wakes the workers; the poll is the fallback for both.

use std::time::Duration;

use backend::Db;
use backend::queue::{self, Signal};
use tokio_util::sync::CancellationToken;

/// At most one `NOTIFY` this often, however many batches ingest commits: a 100,000-request burst
/// costs a few dozen notifications, and none of them sits in a request's path.
const ANNOUNCE_EVERY: Duration = Duration::from_millis(100);
/// How long to wait before listening again after the connection broke.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// Forward each ring of `announced` (rung by ingest) to the other processes as a `NOTIFY`,
/// until `stop`. Returns at once on SQLite.
pub async fn announce(db: Db, announced: Signal, stop: CancellationToken) {
    if db.pg_pool().is_none() {
        return;
    }
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            () = announced.notified() => {}
        }
        if let Err(e) = queue::notify_other_processes(&db).await {
            tracing::warn!(error = ?e, "could not notify other processes of new events");
        }
        tokio::time::sleep(ANNOUNCE_EVERY).await;
    }
}

/// Ring `signal` whenever another process announces events, until `stop`. Returns at once on
/// SQLite.
pub async fn listen(db: Db, signal: Signal, stop: CancellationToken) {
    let Some(pool) = db.pg_pool().cloned() else {
        return;
    };
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            ended = listen_once(&pool, &signal) => {
                if let Err(e) = ended {
                    tracing::warn!(error = %e, "listening for new events failed; retrying");
                }
            }
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(RECONNECT_AFTER) => {}
        }
    }
}

/// One `LISTEN` session: rings `signal` for every notification until the connection fails.
async fn listen_once(pool: &sqlx::PgPool, signal: &Signal) -> Result<(), sqlx::Error> {
    let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
    listener.listen(queue::CHANNEL).await?;
    loop {
        listener.recv().await?;
        signal.notify();
    }
}
