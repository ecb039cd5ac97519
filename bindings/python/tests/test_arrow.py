"""``refund_rules.arrow``: Arrow batches through the engine, row by row equal to the per-call API.

The shared vectors of every provider are laid out as Arrow columns (one row per vector) and
run in one call; each row must equal what ``refund_rules.plan`` (or ``run_envelope`` for the
wire-level vectors) answers for the same document. Malformed rows are error rows, never an
exception for the batch.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Dict, List, Optional, Tuple

import polars as pl
import pyarrow as pa
import pytest
from conftest import VECTORS
from test_vectors import _as_python_amounts

import refund_rules
import refund_rules.arrow as ra
from refund_rules._wire import dumps, loads

MEMBERS = {
    "plan": {"provider": "text", "ledger": "json", "request": "json", "options": "json", "now": "text",
             "refund_id": "text"},
    "apply": {"provider": "text", "ledger": "json", "event": "json"},
    "refundable": {"provider": "text", "ledger": "json", "capture_id": "text"},
}  # fmt: skip
FIELDS = {
    "plan": ["operation", "kind", "amount", "remaining_after", "status_after", "refund_state", "refundable", "event"],
    "apply": ["duplicate", "ledger", "refundable"],
    "refundable": ["currency", "captured", "refunded", "pending", "available"],
}


def _vector_rows(operation: str) -> List[Tuple[str, Dict[str, Any]]]:
    """Every vector of ``operation`` whose document is an object of the operation's members,
    text members as strings and no explicit null (a null cell means "absent")."""
    rows = []
    for path in sorted(VECTORS.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        for case in data["cases"]:
            doc = case.get("input")
            if case["operation"] != operation or "input_text" in case or not isinstance(doc, dict):
                continue
            kinds = MEMBERS[operation]
            if not set(doc) <= set(kinds) or any(v is None for v in doc.values()):
                continue
            if any(kinds[k] == "text" and not isinstance(v, str) for k, v in doc.items()):
                continue
            rows.append((f"{path.relative_to(VECTORS).as_posix()}::{case['name']}", doc))
    return rows


def _table(operation: str, docs: List[Dict[str, Any]]) -> pa.Table:
    cols: Dict[str, List[Optional[str]]] = {}
    for name, kind in MEMBERS[operation].items():
        if any(name in d for d in docs):
            cols[name] = [
                None if name not in d else (d[name] if kind == "text" else dumps(d[name])) for d in docs
            ]
    return pa.table({k: pa.array(v, pa.string()) for k, v in cols.items()})


def _field(value: Any) -> Optional[str]:
    """A result member as the Arrow column holds it: strings as text, others as JSON."""
    if value is None or isinstance(value, bool):
        return value  # type: ignore[return-value]
    return value if isinstance(value, str) else dumps(value)


@pytest.mark.parametrize("operation", ["plan", "apply", "refundable"])
def test_rows_equal_the_json_surface_over_the_shared_vectors(operation: str) -> None:
    cases = _vector_rows(operation)
    assert len(cases) >= {"plan": 100, "apply": 20, "refundable": 5}[operation], (operation, len(cases))
    docs = [d for _, d in cases]
    out = ra.run(operation, _table(operation, docs), envelope=True).to_pylist()
    assert len(out) == len(docs)
    for (name, doc), row in zip(cases, out):
        expected = loads(refund_rules.run_envelope(operation, doc))
        assert loads(row["envelope"]) == expected, name
        assert row["ok"] is expected["ok"], name
        if expected["ok"]:
            assert row["code"] is None and row["message"] is None, name
            for field in FIELDS[operation]:
                got = row[field]
                want = _field(expected["value"].get(field))
                if isinstance(want, str) and want[:1] in "{[":
                    assert got is not None and loads(got) == loads(want), (name, field)
                else:
                    assert got == want, (name, field)
        else:
            err = expected["error"]
            assert (row["code"], row["family"], row["message"]) == (err["code"], err["family"], err["message"]), name
            assert row["pointer"] == err.get("pointer"), name
            assert loads(row["details"]) == err["details"], name
            assert all(row[f] is None for f in FIELDS[operation]), name


def _typed_plan_cases() -> List[Tuple[str, Dict[str, Any]]]:
    """The plan vectors that map onto ``refund_rules.plan`` (ledger amounts as text, as the
    typed API writes them)."""

    def number_amounts(v: Any) -> bool:
        if isinstance(v, dict):
            return any(
                (k in ("amount", "authorized") and isinstance(x, (int, Decimal)) and not isinstance(x, bool))
                or number_amounts(x)
                for k, x in v.items()
            )
        return isinstance(v, list) and any(number_amounts(x) for x in v)

    def in_python_form(d: Dict[str, Any]) -> Dict[str, Any]:
        # Python's one amount rule reads a quoted number at a number place as that number; the
        # row gets the request the typed API sends (test_vectors.py does the same).
        if not isinstance(d.get("request"), dict):
            return d
        request, changed = _as_python_amounts(d["provider"], d["request"], ("request",))
        return {**d, "request": request} if changed else d

    return [
        (n, in_python_form(d))
        for n, d in _vector_rows("plan")
        if {"provider", "ledger"} <= set(d) and isinstance(d["ledger"], dict) and not number_amounts(d["ledger"])
    ]


def test_plan_rows_equal_refund_rules_plan_for_all_five_providers() -> None:
    cases = _typed_plan_cases()
    assert {d["provider"] for _, d in cases} >= set(refund_rules.PROVIDERS)
    table = _table("plan", [d for _, d in cases])
    out = ra.plan(table).to_pylist()
    decided = refused = 0
    for (name, doc), row in zip(cases, out):
        try:
            plan = refund_rules.plan(
                doc["provider"], doc["ledger"], doc.get("request"), options=doc.get("options"),
                now=doc.get("now"), refund_id=doc.get("refund_id"),
            )  # fmt: skip
        except refund_rules.RefundError as e:
            refused += 1
            assert row["ok"] is False, name
            assert (row["code"], row["family"], row["message"]) == (e.code, e.family, e.message), name
            continue
        decided += 1
        value = plan.to_dict()
        assert row["ok"] is True, (name, row["code"], row["message"])
        assert row["kind"] == value["kind"] and row["operation"] == value["operation"], name
        assert Decimal(row["amount"]) == plan.amount and row["amount"] == value["amount"], name
        assert row["remaining_after"] == value["remaining_after"], name
        assert loads(row["status_after"]) == value["status_after"], name
        assert row["refund_state"] == value.get("refund_state"), name
        event = value.get("event")
        assert (loads(row["event"]) if row["event"] is not None else None) == event, name
    assert decided > 10 and refused > 5, (decided, refused)


LEDGER = {
    "id": "order-1", "currency": "USD", "authorized": "100.10", "status": {"payment": "CAPTURED"},
    "captures": [{"id": "cap_1", "amount": "100.10", "settled": True}], "refunds": [], "version": 3,
}  # fmt: skip
REQUEST = '{"amount": {"total": 25.00, "currency": "USD"}}'


def test_malformed_rows_are_error_rows_not_exceptions() -> None:
    good = json.dumps(LEDGER)
    rows = [
        ("simpleps", good, REQUEST, "ok"),
        ("simpleps", '{"currency": "USD"', None, "not JSON"),
        ("simpleps", good + ', "request": {"amount": {"total": 1, "currency": "USD"}}', None, "injection"),
        ("simpleps", good, "[1, 2", None),
        (None, good, None, "no provider"),
        ("paypal", good, None, "unknown provider"),
        ("simpleps", None, None, "no ledger"),
        ("simpleps", "", None, "empty cell"),
        ("simpleps", good, '{"amount": {"total": 1e400, "currency": "USD"}}', "huge number"),
        ("simpleps", good, None, "full"),
    ]
    table = pa.table({
        "provider": pa.array([r[0] for r in rows], pa.string()),
        "ledger": pa.array([r[1] for r in rows], pa.string()),
        "request": pa.array([r[2] for r in rows], pa.string()),
    })  # fmt: skip
    out = ra.plan(table, envelope=True).to_pylist()
    assert len(out) == len(rows)
    assert [r["ok"] for r in out] == [True, False, False, False, False, False, False, False, False, True]
    for row in out[1:-1]:
        assert row["family"] == "invalid_input" and row["code"], row
        assert row["message"] and row["amount"] is None
    assert "column `ledger`" in out[1]["message"] and "column `ledger`" in out[2]["message"]
    assert "column `request`" in out[3]["message"]
    assert out[5]["code"] == "unknown_provider"
    # A row the engine can read gets exactly the engine's answer for its document's text.
    for (provider, ledger, request, _), row in zip(rows, out):
        if provider is None or ledger in (None, "") or ledger.startswith(good + ","):
            continue
        if not ledger.endswith("}") or (request is not None and request.startswith("[1")):
            continue  # cells that are not one JSON value: answered by the column check above
        doc = '{"provider":' + json.dumps(provider) + ',"ledger":' + ledger
        doc += ("" if request is None else ',"request":' + request) + "}"
        assert row["envelope"] == refund_rules.run_envelope("plan", doc)
    assert out[0]["amount"] == "25.00" and out[-1]["amount"] == "100.10"


def test_bytes_that_are_not_utf8_are_an_error_row() -> None:
    table = pa.table({
        "provider": pa.array([b"simpleps", b"simple\xffps"], pa.binary()),
        "ledger": pa.array([json.dumps(LEDGER)] * 2, pa.string()),
    })  # fmt: skip
    out = ra.plan(table).to_pylist()
    assert out[0]["ok"] is True
    assert out[1]["ok"] is False and "column `provider`" in out[1]["message"]


def test_polars_categoricals_views_and_timestamps_give_the_same_rows() -> None:
    n = 6
    text_now = ["2026-03-01T10:00:00Z", "2026-03-01T10:00:00.250Z"] * (n // 2)
    table = pa.table({
        "provider": ["simpleps", "fiserv_commerce_hub"] * (n // 2),
        "ledger": [json.dumps(LEDGER)] * n,
        "request": [REQUEST, None] * (n // 2),
        "now": text_now,
    })  # fmt: skip
    expected = ra.plan(table, envelope=True).to_pylist()
    stamps = pa.array(text_now).cast(pa.timestamp("ms", tz="UTC"))
    with_stamps = table.set_column(3, "now", stamps)
    assert ra.plan(with_stamps, envelope=True).to_pylist() == expected
    df = pl.from_arrow(table).with_columns(pl.col("provider").cast(pl.Categorical))
    out = ra.plan(df, envelope=True)
    assert isinstance(out, pl.DataFrame)
    assert out.to_dicts() == expected
    for ty in (pa.large_string(), pa.string_view(), pa.binary(), pa.large_binary()):
        cast = pa.table({n: table.column(n).cast(ty) for n in table.column_names})
        assert ra.plan(cast, envelope=True).to_pylist() == expected, ty
    dict_table = table.set_column(0, "provider", table.column("provider").dictionary_encode())
    assert ra.plan(dict_table, envelope=True).to_pylist() == expected
    # A zone-less timestamp has no offset: written as such, the engine refuses it.
    naive = ra.plan(table.set_column(3, "now", pa.array(text_now).cast(pa.timestamp("ms", tz="UTC")).cast(pa.timestamp("ms"))))
    assert naive.column("ok").to_pylist() == [False] * n
    assert set(naive.column("pointer").to_pylist()) == {"/now"}


def test_batches_threads_and_kept_columns() -> None:
    cases = _typed_plan_cases()
    docs = [d for _, d in cases] * 60  # several thousand rows: split over threads
    table = _table("plan", docs).append_column("row", pa.array(range(len(docs)), pa.int64()))
    chunked = pa.Table.from_batches(table.to_batches(max_chunksize=700))
    one = ra.plan(table, threads=1, keep=["row"])
    many = ra.plan(chunked, threads=4, keep=["row"])
    assert one.column_names[0] == "row" and one.num_rows == len(docs)
    assert many.to_pylist() == one.to_pylist()
    assert one.column("row").to_pylist() == list(range(len(docs)))
    single = ra.plan(table.to_batches()[0], keep="row")  # a RecordBatch
    assert single.to_pylist() == one.slice(0, single.num_rows).to_pylist()
    stream = ra.run_stream("plan", table, threads=2)
    assert stream.num_rows == len(docs) and len(stream) == len(docs)


def test_plan_then_apply_then_refundable() -> None:
    table = pa.table({"provider": ["simpleps"], "ledger": [json.dumps(LEDGER)], "request": [REQUEST]})
    planned = ra.plan(table)
    applied = ra.apply(table.select(["provider", "ledger"]).append_column("event", planned.column("event")))
    assert applied.column("ok").to_pylist() == [True]
    assert applied.column("duplicate").to_pylist() == [False]
    after = {**LEDGER, **json.loads(applied.column("ledger")[0].as_py())}
    left = ra.refundable(pa.table({"provider": ["simpleps"], "ledger": [json.dumps(after)]}))
    assert left.column("available").to_pylist() == ["75.10"]
    assert left.column("refunded").to_pylist() == ["25.00"]


def test_a_render_column_is_the_documents_render_member() -> None:
    table = pa.table({"provider": ["simpleps"] * 2, "ledger": [json.dumps(LEDGER)] * 2, "request": [REQUEST, None]})
    full = ra.plan(table)
    decision = ra.plan(table.append_column("render", pa.array(["decision", "decision"])), envelope=True)
    for col in ("ok", "kind", "amount", "remaining_after", "status_after"):
        assert decision.column(col).to_pylist() == full.column(col).to_pylist()
    assert decision.column("event").to_pylist() == [None, None]  # the decision has no event
    assert full.column("event").null_count == 0
    doc = {"provider": "simpleps", "ledger": LEDGER, "render": "decision"}
    assert decision.column("envelope")[1].as_py() == refund_rules.run_envelope("plan", dumps(doc))


def test_whole_batch_errors_are_exceptions() -> None:
    with pytest.raises(TypeError, match="column `ledger` must be JSON text"):
        ra.plan(pa.table({"provider": ["simpleps"], "ledger": [1]}))
    with pytest.raises(ValueError, match="no column `nope`"):
        ra.plan(pa.table({"provider": ["simpleps"]}), keep=["nope"])
    with pytest.raises(ValueError, match="plan, apply or refundable"):
        ra.run("options", pa.table({"provider": ["simpleps"]}))
    with pytest.raises(TypeError, match="__arrow_c_stream__"):
        ra.plan([{"provider": "simpleps"}])


def test_empty_table() -> None:
    out = ra.plan(pa.table({"provider": pa.array([], pa.string()), "ledger": pa.array([], pa.string())}))
    assert out.num_rows == 0 and "ok" in out.column_names
