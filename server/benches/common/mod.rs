//! What the benchmarks share: their settings from the environment, and running a benchmark on
//! each database `BENCH_DB` names (`sqlite`, `postgres` or `both`, the default).

use std::future::Future;

use backend::testing::Backend;

/// The environment variable `name` parsed, or `default`.
pub fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Run `bench` on a multi-threaded runtime once per database chosen by `BENCH_DB`, with the
/// database's name (`sqlite`, `postgres`) for its output.
pub fn on_each_database<Fut: Future<Output = ()>>(bench: impl Fn(Backend, String) -> Fut) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let which = std::env::var("BENCH_DB").unwrap_or_else(|_| "both".into());
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let name = format!("{backend:?}").to_lowercase();
        if which == "both" || which == name {
            runtime.block_on(bench(backend, name));
        }
    }
}
