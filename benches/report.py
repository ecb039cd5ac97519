"""Prints the criterion results in target/criterion as the markdown tables of benches/README.md.

    cargo bench -p refund-rules-benches          # all groups (writes target/criterion)
    python3 benches/report.py                    # tables: every benchmark, then the targets

Reads each ``<group>/<bench>/<input>/new/estimates.json`` (median and its 95% interval).
"""

from __future__ import annotations

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRITERION = os.path.join(ROOT, "target", "criterion")

# Which `--bench NAME` target holds each group (for the reproduce column).
TARGET_OF = {
    "plan_typed": "plan",
    "plan_parts": "plan",
    "plan_typed_taken_ids": "plan",
    "plan_json": "json",
    "apply_json": "json",
    "apply_typed": "apply",
    "apply_sequence": "apply",
    "money": "money",
    "allocation": "allocation",
}


def load() -> dict:
    results = {}
    for dirpath, _dirs, files in os.walk(CRITERION):
        if os.path.basename(dirpath) != "new" or "estimates.json" not in files:
            continue
        with open(os.path.join(dirpath, "benchmark.json")) as f:
            meta = json.load(f)
        with open(os.path.join(dirpath, "estimates.json")) as f:
            est = json.load(f)["median"]
        results[meta["full_id"]] = (
            meta,
            est["point_estimate"],
            est["confidence_interval"]["lower_bound"],
            est["confidence_interval"]["upper_bound"],
        )
    return results


def fmt(ns: float) -> str:
    if ns < 1e3:
        return f"{ns:.1f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns / 1e6:.2f} ms"


def sort_key(full_id: str):
    parts = full_id.split("/")
    last = parts[-1]
    return (parts[:-1], int(last) if last.isdigit() else 0, last)


def main() -> None:
    results = load()
    if not results:
        sys.exit(f"no criterion results under {CRITERION}: run cargo bench -p refund-rules-benches")
    print("| benchmark | median | 95% interval | reproduce |")
    print("|---|---|---|---|")
    for full_id in sorted(results, key=sort_key):
        meta, median, lo, hi = results[full_id]
        target = TARGET_OF.get(meta["group_id"], "?")
        print(f"| `{full_id}` | {fmt(median)} | {fmt(lo)} – {fmt(hi)} | "
              f"`cargo bench -p refund-rules-benches --bench {target} -- '{full_id}$'` |")

    def med(full_id: str):
        return results[full_id][1] if full_id in results else None

    print()
    print("| target | measured | ratio to target | verdict |")
    print("|---|---|---|---|")
    t10 = med("plan_typed/simpleps/10")
    if t10 is not None:
        print(f"| typed plan, 10 prior refunds ≤ 100 ns | {fmt(t10)} | {t10 / 100:.0f}× the target "
              f"| {'met' if t10 <= 100 else 'MISSED'} |")
    for n in (0, 10, 1000, 100000):
        j, v = med(f"plan_json/json_run_plan/{n}"), med(f"plan_json/serde_value_parse/{n}")
        if j is not None and v is not None:
            r = j / v
            print(f"| JSON plan ≤ 2× `Value` parse, {n} refunds | {fmt(j)} vs {fmt(v)} | {r:.2f}× "
                  f"| {'met' if r <= 2 else 'MISSED'} |")
    big = med("plan_typed/simpleps/100000")
    if big is not None:
        print(f"| typed plan, 100,000 refunds ≤ 5 ms | {fmt(big)} | {big / 5e6:.2f}× the target "
              f"| {'met' if big <= 5e6 else 'MISSED'} |")
    t1k, t10k = med("plan_typed/simpleps/1000"), med("plan_typed/simpleps/10000")
    if None not in (t10, t1k, t10k, big):
        slopes = [(t1k - t10) / 990, (t10k - t1k) / 9000, (big - t10k) / 90000]
        print(f"| linear in refunds (operation counts: `tests/linearity.rs`) | time per extra refund "
              f"10→1k {slopes[0]:.1f} ns, 1k→10k {slopes[1]:.1f} ns, 10k→100k {slopes[2]:.1f} ns "
              f"| {slopes[2] / slopes[0]:.2f}× from first to last step | linear up to 10k; "
              f"the last step pays cache misses |")

if __name__ == "__main__":
    main()
