#!/usr/bin/env bash
# Whole-process benchmark (issue 3): `flowc map` over the workload against
# the hand-written serde_json program, on one core.
#
#   benches/run.sh [RUNS]
#
# Builds both in release mode, generates the inputs (100,000 and 1,000,000
# orders, kept in benches/workloads/, not committed), checks that both
# programs write the same bytes, then reports:
# - CPU time (user + system), best of RUNS runs each, interleaved so that a
#   noisy machine treats both alike;
# - peak memory (maximum resident set size) of one run over 1,000,000 orders.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-9}
workloads=benches/workloads
flowc=target/release/flowc
handwritten=target/release/examples/handwritten_orders

cargo build --release --quiet --bin flowc --example generate_orders --example handwritten_orders
for count in 100000 1000000; do
  input="$workloads/orders-$count.ndjson"
  [ -s "$input" ] || target/release/examples/generate_orders "$count" > "$input"
done
small="$workloads/orders-100000.ndjson"
large="$workloads/orders-1000000.ndjson"

if ! cmp -s <("$flowc" map "$workloads/orders.flow" --input "$small" 2>/dev/null) <("$handwritten" < "$small"); then
  echo "flowc and the hand-written program write different output; no comparison" >&2
  exit 1
fi

# CPU seconds (user + system) of one run of a command, stdin from $2, to the
# millisecond (bash's `time`; GNU time only reports hundredths).
cpu() {
  local TIMEFORMAT='%3U %3S' times
  times=$( { time sh -c "$1 < '$2' > /dev/null 2>&1"; } 2>&1 )
  awk '{printf "%.3f\n", $1 + $2}' <<<"$times"
}

best_flowc=999
best_hand=999
for _ in $(seq "$runs"); do
  f=$(cpu "taskset -c 0 $flowc map $workloads/orders.flow" "$small")
  h=$(cpu "taskset -c 0 $handwritten" "$small")
  best_flowc=$(awk -v a="$f" -v b="$best_flowc" 'BEGIN {print (a < b) ? a : b}')
  best_hand=$(awk -v a="$h" -v b="$best_hand" 'BEGIN {print (a < b) ? a : b}')
done

peak() {
  local stats
  stats=$(mktemp)
  /usr/bin/time -o "$stats" -f "%M" sh -c "$1 < '$2' > /dev/null 2>&1"
  cat "$stats"
  rm -f "$stats"
}
rss_flowc=$(peak "$flowc map $workloads/orders.flow" "$large")
rss_hand=$(peak "$handwritten" "$large")

echo "machine:      $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
echo "100,000 orders, CPU seconds, best of $runs (one core):"
echo "  flowc map    $best_flowc"
echo "  hand-written $best_hand"
echo "  ratio        $(awk -v a="$best_flowc" -v b="$best_hand" 'BEGIN {printf "%.2f", a / b}')"
echo "1,000,000 orders, peak resident memory:"
echo "  flowc map    $((rss_flowc / 1024)) MiB"
echo "  hand-written $((rss_hand / 1024)) MiB"
