#!/usr/bin/env bash
# The ingest benchmark with wrk as the load generator: starts the bench in serve mode on one
# database, then alternates wrk runs against the bare handler and the webhook endpoint.
# Usage: server/benches/wrk-side-by-side.sh sqlite|postgres [rounds] [secs] [connections]
# Needs wrk (Debian package `wrk`); build settings as in server/BENCHMARKS.md.
set -euo pipefail
db="${1:?sqlite or postgres}" rounds="${2:-3}" secs="${3:-5}" conns="${4:-64}"
here="$(cd "$(dirname "$0")" && pwd)"
log="$(mktemp)"
# cargo runs the bench as its child: SIGTERM to the child ends its serving early, it removes
# its database and exits, and cargo with it. Killing cargo first left the child's `t_…`
# database behind on PostgreSQL.
stop_bench() {
  pkill -TERM -P "$bench" 2>/dev/null || true
  wait "$bench" 2>/dev/null || true
  rm -f "$log"
}
trap stop_bench EXIT

cargo bench -p server --bench ingest --no-run
BENCH_DB="$db" BENCH_SERVE_SECS=$(( rounds * secs * 2 + 60 )) \
  cargo bench -p server --bench ingest >"$log" 2>&1 &
bench=$!
for _ in $(seq 1 120); do grep -aq '^INGEST ' "$log" && break; sleep 1; done
bare="$(grep -a '^BARE ' "$log" | cut -d' ' -f2)"
ingest="$(grep -a '^INGEST ' "$log" | cut -d' ' -f2)"
[ -n "$ingest" ] || { cat "$log"; exit 1; }

rate() { wrk -t2 -c"$conns" -d"${secs}s" -s "$here/webhook.lua" "$1" | awk '/^Requests\/sec/ {print $2}'; }
echo "== $db with wrk: $conns connections, $secs s per run, $rounds rounds"
for round in $(seq 1 "$rounds"); do
  b="$(rate "$bare")"; i="$(rate "$ingest")"
  echo "  $round: bare $b/s  ingest $i/s  ratio $(awk -v i="$i" -v b="$b" 'BEGIN {printf "%.0f%%", 100*i/b}')"
done
