#!/usr/bin/env bash
# Streaming NDJSON benchmarks (benches/README.md, "Streaming NDJSON"); both ratios in one run.
#
#   (a) `refund-rules plan --ndjson` over N documents (10 prior refunds each) ÷ parsing the same
#       lines into serde_json::Values in one process (`ndjson-baseline parse`). Both are whole
#       processes reading the same file; the best of RUNS runs of each.
#   (b) peak memory (/usr/bin/time -v, Maximum resident set size) of `plan --ndjson` over
#       SMALL vs LARGE documents, generated into a pipe (the large input is never on disk).
#
# Usage: benches/ndjson.sh [N=100000] [SMALL=10000] [LARGE=1000000] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
SMALL=${2:-10000}
LARGE=${3:-1000000}
RUNS=${4:-3}

cargo build --release --locked -q -p refund-rules-cli -p refund-rules-benches --bin refund-rules --bin ndjson-baseline
CLI=target/release/refund-rules
BASE=target/release/ndjson-baseline
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

"$BASE" gen "$N" > "$TMP/plans.ndjson"
echo "input: $N lines, $(wc -c < "$TMP/plans.ndjson") bytes ($(head -c 100000 "$TMP/plans.ndjson" | head -1 | wc -c) per line)"

# Seconds of the best of RUNS runs of a command (stdout to /dev/null).
best() {
  local best=""
  for _ in $(seq "$RUNS"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" > /dev/null 2> "$TMP/stderr"
    t1=$(date +%s%N)
    local t=$(( t1 - t0 ))
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
  done
  echo "$best"
}

cli_ns=$(best "$CLI" plan --ndjson "$TMP/plans.ndjson")
echo "cli summary: $(cat "$TMP/stderr")"
parse_ns=$(best "$BASE" parse "$TMP/plans.ndjson")
awk -v c="$cli_ns" -v p="$parse_ns" -v n="$N" 'BEGIN {
  printf "(a) plan --ndjson: %.3f s (%.2f us/line); Value parse: %.3f s (%.2f us/line); ratio %.2fx (target <= 1.5x)\n",
    c/1e9, c/n/1e3, p/1e9, p/n/1e3, c/p }'

# Maximum resident set size in KiB of `plan --ndjson` over n generated lines.
peak_kib() {
  "$BASE" gen "$1" | /usr/bin/time -v "$CLI" plan --ndjson > /dev/null 2> "$TMP/time"
  grep 'Maximum resident set size' "$TMP/time" | awk '{print $NF}'
}
small_kib=$(peak_kib "$SMALL")
large_kib=$(peak_kib "$LARGE")
grep '^ndjson:' "$TMP/time" | sed 's/^/large summary: /'
awk -v s="$small_kib" -v l="$large_kib" -v sn="$SMALL" -v ln="$LARGE" 'BEGIN {
  printf "(b) peak RSS: %d KiB over %d lines, %d KiB over %d lines; ratio %.2fx (target <= 2x)\n",
    s, sn, l, ln, l/s }'
