"""Benchmark (issue #15 item 2): ``refund_rules.arrow.plan`` over a table vs a Python loop of
``refund_rules.plan`` over the same rows. Target: Arrow per row <= 0.1x the loop per row.

Run with the interpreter that has the binding, pyarrow and polars installed, e.g. after
``scripts/test-python``:

    target/py-venv/bin/python benches/python/arrow_bench.py            # 20,000 rows
    target/py-venv/bin/python benches/python/arrow_bench.py --rows 5000 --repeats 3

Rows: the shared plan vectors that ``refund_rules.plan`` decides (all five providers), cycled to
``--rows``. The loop gets each row as Python dicts (the typed API's natural input); the Arrow
call gets the same rows as a ``pyarrow.Table`` of JSON text columns, built before timing (the
shape a warehouse export or ``mapInArrow`` hands over). Both produce every row's result: the
loop a ``Plan`` (or a caught ``RefundError``), Arrow a result table. Each figure is the best of
``--repeats`` runs, in one process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Dict, List

import pyarrow as pa

import refund_rules
import refund_rules.arrow as ra
from refund_rules._wire import dumps

VECTORS = Path(os.environ.get("REFUND_RULES_VECTORS", Path(__file__).resolve().parents[2] / "vectors"))
MEMBERS = ("provider", "ledger", "request", "options", "now", "refund_id")


def decided_rows() -> List[Dict[str, Any]]:
    rows = []
    for path in sorted(VECTORS.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        for case in data["cases"]:
            doc = case.get("input")
            if case["operation"] != "plan" or not isinstance(doc, dict) or "input_text" in case:
                continue
            if not set(doc) <= set(MEMBERS) or not {"provider", "ledger"} <= set(doc):
                continue
            if any(v is None for v in doc.values()) or not case["expected"].get("ok"):
                continue
            try:
                call(doc)
            except refund_rules.RefundError:
                continue
            rows.append(doc)
    return rows


def call(doc: Dict[str, Any]) -> Any:
    return refund_rules.plan(
        doc["provider"], doc["ledger"], doc.get("request"), options=doc.get("options"),
        now=doc.get("now"), refund_id=doc.get("refund_id"),
    )  # fmt: skip


def table_of(docs: List[Dict[str, Any]]) -> pa.Table:
    cols = {}
    for name in MEMBERS:
        text = name in ("provider", "now", "refund_id")
        cols[name] = pa.array(
            [None if name not in d else (d[name] if text else dumps(d[name])) for d in docs], pa.string()
        )
    return pa.table(cols)


def best(f: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    base = decided_rows()
    providers = sorted({d["provider"] for d in base})
    docs = [base[i % len(base)] for i in range(args.rows)]
    table = table_of(docs)
    n = len(docs)

    def loop() -> None:
        for d in docs:
            try:
                call(d)
            except refund_rules.RefundError:
                pass

    # The same answers both ways (checked once, outside the timings).
    out = ra.plan(table)
    assert out.num_rows == n and all(out.column("ok").to_pylist())
    assert out.column("amount").to_pylist()[: len(base)] == [call(d).to_dict()["amount"] for d in base]

    loop_s = best(loop, max(1, args.repeats // 2))
    arrow1_s = best(lambda: ra.plan(table, threads=1), args.repeats)
    arrow_s = best(lambda: ra.plan(table), args.repeats)
    # The plan document's `"render": "decision"` (a `render` column): the engine renders the
    # decision only (no event, provider call/response or explanation), as `plan --ndjson` would.
    decision = table.append_column("render", pa.array(["decision"] * n))
    assert ra.plan(decision).column("amount").to_pylist() == out.column("amount").to_pylist()
    dec1_s = best(lambda: ra.plan(decision, threads=1), args.repeats)
    # The engine alone on the same documents as text, through the binding's batch call.
    texts = [dumps(d) for d in docs]
    engine_s = best(lambda: refund_rules._native.run_many("plan", texts), args.repeats)
    cores = os.cpu_count()
    print(f"python {platform.python_version()}, {cores} cores, pyarrow {pa.__version__}")
    print(f"{n} rows cycled from {len(base)} decided plan vectors of {len(providers)} providers: {', '.join(providers)}")
    per = lambda s: s / n * 1e6  # noqa: E731
    print(f"Python loop of refund_rules.plan        {per(loop_s):8.2f} us/row")
    print(f"refund_rules.arrow.plan, threads=1      {per(arrow1_s):8.2f} us/row   ratio {arrow1_s / loop_s:.3f}x  (target <= 0.1x)")
    print(f"refund_rules.arrow.plan, threads={cores or 0:<2}     {per(arrow_s):8.2f} us/row   ratio {arrow_s / loop_s:.3f}x  (target <= 0.1x)")
    print(f"  render=decision, threads=1            {per(dec1_s):8.2f} us/row   ratio {dec1_s / loop_s:.3f}x")
    print(f"  the engine alone (run_many on text)   {per(engine_s):8.2f} us/row   ratio {engine_s / loop_s:.3f}x  (a floor for any binding)")


if __name__ == "__main__":
    main()
