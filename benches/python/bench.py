"""Benchmark: the refund_rules Python binding vs a pure-Python Decimal baseline (baseline.py).

Run with the interpreter that has the binding installed, e.g. after ``scripts/test-python``:

    target/py-venv/bin/python benches/python/bench.py            # full run
    target/py-venv/bin/python benches/python/bench.py --quick    # fewer repeats

Inputs are the SimplePS ledgers of the Rust benches (one capture of 1,000,000.00 USD, n
succeeded refunds of 1.00, a request for 25.00 USD). Two settings:

(a) JSON text in, decision out: ``refund_rules.run("plan", text)`` (dict out) and
    ``run_envelope`` (text out) vs ``json.loads`` + the baseline. Target: binding >= 5x faster.
(b) Python dicts in: ``refund_rules.plan(...)`` per call and ``plan_many`` over a batch of
    10,000 vs the baseline on the same dicts. Target: the binding is never slower.

Issue #13 targets (a second table, ratios binding / peer measured in this run, lower is
faster): ``plan`` from dicts <= 0.5x the peer at 0 and 10 refunds; JSON text -> decision
(``plan_json``) <= 0.2x ``json.loads`` + the peer; ``plan_many`` per item <= 0.33x the peer
loop at 10 refunds.

Plain ``time.perf_counter`` loops: each figure is the best of several repeats (per call).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from decimal import Decimal
from typing import Any, Callable, List

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import baseline  # noqa: E402

try:
    import refund_rules  # the binding under test
except ImportError:  # pragma: no cover - printed guidance
    sys.exit(
        "refund_rules is not importable: build it with scripts/test-python and run this with "
        "target/py-venv/bin/python benches/python/bench.py"
    )

CAPTURED = "1000000.00"


def ledger_dict(n: int) -> dict:
    return {
        "id": "order-12345",
        "currency": "USD",
        "authorized": CAPTURED,
        "status": {"payment": "CAPTURED" if n == 0 else "PARTIALLY_REFUNDED"},
        "captures": [{"id": "cap_1", "amount": CAPTURED, "settled": True}],
        "refunds": [
            {"id": f"refund_{k}", "amount": "1.00", "state": "succeeded"} for k in range(1, n + 1)
        ],
        "version": n + 1,
        "applied_events": ["cap_1.captured"] + [f"refund_{k}.created" for k in range(1, n + 1)],
    }


def request_dict() -> dict:
    return {"amount": {"total": Decimal("25.00"), "currency": "USD"}}


def plan_text(n: int) -> str:
    import json

    ledger = json.dumps(ledger_dict(n), separators=(",", ":"))
    return (
        '{"provider":"simpleps","ledger":' + ledger
        + ',"request":{"amount":{"total":25.00,"currency":"USD"}}}'
    )


def per_call(fn: Callable[[], Any], repeat: int, budget: float) -> float:
    """Best seconds per call over `repeat` runs of a loop sized to ~`budget` seconds."""
    t0 = time.perf_counter()
    fn()
    once = max(time.perf_counter() - t0, 1e-7)
    number = max(1, int(budget / once))
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def paired(fa: Callable[[], Any], fb: Callable[[], Any], repeat: int, budget: float) -> tuple:
    """Best seconds per call of `fa` and of `fb`, their loops alternating (a, b, a, b, ...) so
    that both see the same load on a shared machine; the target ratios use this."""
    loops = []
    for f in (fa, fb):
        t0 = time.perf_counter()
        f()
        loops.append(max(1, int(budget / max(time.perf_counter() - t0, 1e-7))))
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        for i, f in enumerate((fa, fb)):
            t0 = time.perf_counter()
            for _ in range(loops[i]):
                f()
            best[i] = min(best[i], (time.perf_counter() - t0) / loops[i])
    return best[0], best[1]


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:,.1f} us"
    return f"{seconds * 1e3:,.2f} ms"


def check_same(n: int) -> None:
    """Both sides decide the same thing on every benchmarked input."""
    mine = baseline.decide(ledger_dict(n), request_dict())
    theirs = refund_rules.run("plan", plan_text(n))
    for key in ("kind", "amount", "remaining_after", "status_after"):
        assert str(mine[key]) == str(theirs[key]), (n, key, mine[key], theirs[key])
    assert mine["event"]["refund_id"] == theirs["event"]["refund_id"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repeats, shorter loops")
    parser.add_argument("--sizes", default="0,10,1000,100000")
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    repeat, budget = (3, 0.05) if args.quick else (7, 0.25)
    sizes = [int(s) for s in args.sizes.split(",")]

    print(f"python {platform.python_version()} on {platform.machine()}, refund_rules "
          f"{getattr(refund_rules, '__version__', '?')}, nproc {os.cpu_count()}")
    rows: List[tuple] = []
    targets: List[tuple] = []

    def target(measure: str, n: Any, peer: float, binding: float, limit: float) -> None:
        ratio = binding / peer
        targets.append((measure, str(n), fmt(peer), fmt(binding), f"{ratio:.2f}x", f"<= {limit}x",
                        "met" if ratio <= limit else "MISSED"))

    def row(setting: str, n: Any, base: float, binding: float, target: str, ok: bool) -> None:
        rows.append((setting, str(n), fmt(base), fmt(binding), f"{base / binding:,.2f}x",
                     target, "met" if ok else "MISSED"))

    for n in sizes:
        check_same(n)
        text = plan_text(n)
        ledger, request = ledger_dict(n), request_dict()
        r = repeat if n < 100_000 else max(2, repeat // 3)
        b = budget if n < 100_000 else budget * 2
        base_json = per_call(lambda: baseline.decide_json(text), r, b)
        run_dict = per_call(lambda: refund_rules.run("plan", text), r, b)
        run_text = per_call(lambda: refund_rules.run_envelope("plan", text), r, b)
        row("(a) JSON -> dict: run()", n, base_json, run_dict, ">= 5x",
            base_json / run_dict >= 5)
        row("(a) JSON -> text: run_envelope()", n, base_json, run_text, ">= 5x",
            base_json / run_text >= 5)
        base_dict = per_call(lambda: baseline.decide(ledger, request), r, b)
        plan_dict = per_call(lambda: refund_rules.plan("simpleps", ledger, request), r, b)
        row("(b) dicts: plan() per call", n, base_dict, plan_dict, ">= 1x",
            base_dict / plan_dict >= 1)
        # Result objects are lazy: reading a field builds the typed fields (the honest cost of
        # using the answer).
        plan_read = per_call(
            lambda: refund_rules.plan("simpleps", ledger, request).remaining_after, r, b)
        row("(b) dicts: plan() + read a field", n, base_dict, plan_read, ">= 1x",
            base_dict / plan_read >= 1)
        # JSON text -> the decision, without a json.loads: the engine parses the text.
        json_plan = per_call(lambda: refund_rules.plan_json(text), r, b)
        json_read = per_call(lambda: refund_rules.plan_json(text).remaining_after, r, b)
        row("(a) JSON -> decision: plan_json()", n, base_json, json_plan, ">= 5x",
            base_json / json_plan >= 5)
        row("(a) JSON -> decision: plan_json() + read a field", n, base_json, json_read, ">= 5x",
            base_json / json_read >= 5)
        # A field only the full plan has: the whole plan is rendered and read into Python.
        plan_all = per_call(
            lambda: refund_rules.plan("simpleps", ledger, request).provider_call, r, b)
        row("(b) dicts: plan() + provider_call (full render)", n, base_dict, plan_all, ">= 1x",
            base_dict / plan_all >= 1)
        if n in (0, 10):
            pr = 3 * r
            target("plan() from dicts / peer", n, *paired(
                lambda: baseline.decide(ledger, request),
                lambda: refund_rules.plan("simpleps", ledger, request), pr, b), 0.5)
            target("plan() from dicts + read a field / peer", n, *paired(
                lambda: baseline.decide(ledger, request),
                lambda: refund_rules.plan("simpleps", ledger, request).remaining_after, pr, b),
                0.5)
            target("JSON text -> decision: plan_json() / json.loads + peer", n, *paired(
                lambda: baseline.decide_json(text),
                lambda: refund_rules.plan_json(text), pr, b), 0.2)

    n = 10
    docs = [{"provider": "simpleps", "ledger": ledger_dict(n), "request": request_dict()}
            for _ in range(args.batch)]
    base_batch = per_call(lambda: [baseline.decide(d["ledger"], d["request"]) for d in docs],
                          max(2, repeat // 2), 0)
    many = per_call(lambda: refund_rules.plan_many(docs), max(2, repeat // 2), 0)
    many_read = per_call(lambda: [p.plan.remaining_after for p in refund_rules.plan_many(docs)],
                         max(2, repeat // 2), 0)
    assert all(p.ok for p in refund_rules.plan_many(docs[:10]))
    row(f"(b) dicts: plan_many() batch of {args.batch:,}", n, base_batch, many, ">= 1x",
        base_batch / many >= 1)
    row(f"(b) dicts: plan_many() batch of {args.batch:,} + read a field", n, base_batch,
        many_read, ">= 1x", base_batch / many_read >= 1)
    texts = [plan_text(n)] * args.batch
    base_tbatch = per_call(lambda: [baseline.decide_json(t) for t in texts],
                           max(2, repeat // 2), 0)
    many_text = per_call(lambda: refund_rules.plan_many(texts), max(2, repeat // 2), 0)
    row(f"(a) JSON texts: plan_many() batch of {args.batch:,}", n, base_tbatch, many_text,
        ">= 5x", base_tbatch / many_text >= 5)
    per = args.batch
    peer_loop, batch = paired(
        lambda: [baseline.decide(d["ledger"], d["request"]) for d in docs],
        lambda: refund_rules.plan_many(docs), max(3, repeat), 0)
    target(f"plan_many() per item / peer loop (batch of {per:,})", n, peer_loop / per,
           batch / per, 0.33)
    peer_loop, batch = paired(
        lambda: [baseline.decide(d["ledger"], d["request"]) for d in docs],
        lambda: [p.plan.remaining_after for p in refund_rules.plan_many(docs)],
        max(3, repeat), 0)
    target(f"plan_many() per item + read a field / peer loop (batch of {per:,})", n,
           peer_loop / per, batch / per, 0.33)

    header = ("setting", "prior refunds", "baseline", "binding", "speedup", "target", "")
    widths = [max(len(str(x[i])) for x in [header] + rows) for i in range(len(header))]
    for line in [header, tuple("-" * w for w in widths)] + rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(line, widths)))
    print()
    print("issue #13 targets (ratio = binding / peer, loops alternating in the same run; lower "
          "is faster)")
    header = ("measure", "prior refunds", "peer", "binding", "ratio", "target", "")
    widths = [max(len(str(x[i])) for x in [header] + targets) for i in range(len(header))]
    for line in [header, tuple("-" * w for w in widths)] + targets:
        print(" | ".join(str(c).ljust(w) for c, w in zip(line, widths)))


if __name__ == "__main__":
    main()
