#!/usr/bin/env bash
# Instruction counts (callgrind: the same count on a loaded or an idle machine) of the JSON
# `plan` beside the `serde_json::Value` parse of the same bytes, at 0 and 10 prior refunds:
# a deterministic view of the "JSON plan ÷ Value parse" ratio next to criterion's times.
# Each figure is (count of ITER iterations − count of 1 iteration) / (ITER − 1): start-up and
# document building cancel out.
#
# Usage: benches/instructions.sh [ITER=2000]   (needs valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
ITER=${1:-2000}
cargo build --release --locked -q -p refund-rules-benches --bin json-loop
BIN=target/release/json-loop
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" "$@" 2>&1 \
    | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}
per_call() {
  local many one
  many=$(count "$1" "$2" "$ITER")
  one=$(count "$1" "$2" 1)
  echo $(( (many - one) / (ITER - 1) ))
}
printf '| refunds | Value parse | JSON plan, full | ratio | JSON plan, decision | ratio |\n|---|---|---|---|---|---|\n'
for n in 0 10; do
  v=$(per_call value "$n"); f=$(per_call full "$n"); d=$(per_call decision "$n")
  printf '| %s | %s | %s | %s× | %s | %s× |\n' "$n" "$v" "$f" \
    "$(python3 -c "print(f'{$f/$v:.2f}')")" "$d" "$(python3 -c "print(f'{$d/$v:.2f}')")"
done
