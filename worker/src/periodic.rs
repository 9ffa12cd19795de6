//! The one loop of every background task that works on a timer (retention, scheduler, webhook
//! health, health sweep, alerts): wait `every`, do a round, until `stop`.
//!
//! One helper rather than a `select!` loop per task, so that each task stops the same way (a
//! cancel is seen while waiting, never mid-round) and runs in a tracing span named after it:
//! every line a round logs says which task logged it.

use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::Instrument;

/// Run `round` every `every` (the first one `every` after the start) until `stop` is
/// cancelled, inside the span `task{name}`. A round in progress finishes before the loop looks
/// at `stop` again; rounds log their own errors.
pub async fn periodic<F, Fut>(
    name: &'static str,
    every: Duration,
    stop: CancellationToken,
    mut round: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    async move {
        tracing::debug!("task started");
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                () = tokio::time::sleep(every) => {}
            }
            round().await;
        }
        tracing::debug!("task stopped");
    }
    .instrument(tracing::info_span!("task", name))
    .await;
}
