"""The fast plan path (issue #13): dicts and JSON text read into the engine's typed documents,
`decide`, and a `Plan` whose fields are read from the Rust value. It must answer exactly what
the JSON surface answers, field by field, for every provider's examples."""

from __future__ import annotations

import copy
import json
import pickle
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List

import pytest

import refund_rules
from refund_rules import _native
from refund_rules.models import Plan

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
DECISION_FIELDS = ("provider", "operation", "kind", "amount", "remaining_after", "refundable",
                   "status_after", "refund_state", "version", "replay")  # fmt: skip
KEYS = {"provider", "ledger", "request", "options", "now", "refund_id"}


def _plan_examples() -> List[Any]:
    out = []
    for path in sorted(EXAMPLES.glob("*/*.json")):
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text, parse_float=Decimal)
        if isinstance(doc, dict) and "ledger" in doc and set(doc) <= KEYS and "event" not in doc:
            out.append(pytest.param(text, doc, id=path.relative_to(EXAMPLES).as_posix()))
    return out


EXAMPLE_PLANS = _plan_examples()


def _call(doc: Dict[str, Any]) -> Plan:
    return refund_rules.plan(
        doc["provider"], doc["ledger"], doc.get("request"), options=doc.get("options"),
        now=doc.get("now"), refund_id=doc.get("refund_id"),
    )  # fmt: skip


def _ok(text: str) -> bool:
    return bool(refund_rules._wire.loads(refund_rules.run_envelope("plan", text))["ok"])


def _wire_form_error(doc: Dict[str, Any], envelope: Dict[str, Any]) -> bool:
    """The JSON surface refused an amount's wire form (a quoted number): Python's amount rule
    accepts a str there (tests/test_amounts.py), so the dict path answers differently."""
    pointer = envelope.get("error", {}).get("pointer") or ""
    form = _native.amount_form(doc["provider"], pointer.split("/")[1:])
    return form in ("decimal_number", "minor_units")


def test_examples_were_found() -> None:
    providers = {p.values[1]["provider"] for p in EXAMPLE_PLANS}
    assert providers == set(refund_rules.PROVIDERS) and len(EXAMPLE_PLANS) > 40


@pytest.mark.parametrize("text,doc", EXAMPLE_PLANS)
def test_lazy_fields_are_the_rendered_plans_fields(text: str, doc: Dict[str, Any]) -> None:
    envelope = refund_rules._wire.loads(refund_rules.run_envelope("plan", text))
    if not envelope["ok"]:
        if not _wire_form_error(doc, envelope):
            with pytest.raises(refund_rules.RefundError) as info:
                _call(doc)
            assert info.value.to_dict() == envelope["error"]
        with pytest.raises(refund_rules.RefundError) as info2:
            refund_rules.plan_json(text)
        assert info2.value.to_dict() == envelope["error"]
        return
    full = Plan.from_dict(envelope["value"])
    for make in (lambda: _call(doc), lambda: refund_rules.plan_json(text),
                 lambda: refund_rules.plan_many([doc])[0].unwrap(),
                 lambda: refund_rules.plan_many([text])[0].unwrap()):  # fmt: skip
        lazy = make()
        for name in DECISION_FIELDS:  # read one at a time, before anything is rendered
            assert getattr(lazy, name) == getattr(full, name), name
        assert "_h" in lazy.__dict__ or "raw" in lazy.__dict__
        assert lazy.provider_call == full.provider_call and lazy.event == full.event
        assert lazy.to_dict() == envelope["value"]
        assert lazy == full


def test_the_fast_path_is_taken_for_plain_dicts_and_text() -> None:
    # Status 0 is the typed path (a NativePlan); 1/2 would be the JSON path. A regression that
    # silently sends everything through JSON text fails here.
    taken = expected = 0
    for param in EXAMPLE_PLANS:
        text, doc = param.values
        status, payload = _native.plan_args(
            doc["provider"], doc["ledger"], doc.get("request"), doc.get("options"), doc.get("now"),
            doc.get("refund_id"),
        )  # fmt: skip
        envelope = refund_rules._wire.loads(refund_rules.run_envelope("plan", text))
        ok = envelope["ok"]
        assert _native.plan_doc(text)[0] == (0 if ok else 2)
        if _wire_form_error(doc, envelope):
            continue
        assert status in ((0, 1) if ok else (2,)), (param.id, status)
        taken += status == 0
        expected += bool(ok)
    assert taken == expected > 30


def test_a_native_plan_pickles_and_copies_as_the_full_plan() -> None:
    text, doc = next(p.values for p in EXAMPLE_PLANS if _ok(p.values[0]))
    lazy = _call(doc)
    again = pickle.loads(pickle.dumps(lazy))
    assert again == lazy and again.to_dict() == lazy.to_dict()
    assert copy.deepcopy(_call(doc)) == lazy


def test_unusual_inputs_take_the_json_path_with_its_answers() -> None:
    text, doc = next(p.values for p in EXAMPLE_PLANS if p.values[1]["provider"] == "simpleps" and _ok(p.values[0]))
    ledger = doc["ledger"]

    class Sub(dict):  # type: ignore[type-arg]
        pass

    for odd in (Sub(ledger), {**ledger, "id": None}, refund_rules.Ledger.from_dict(ledger)):
        status, _ = _native.plan_args("simpleps", odd, doc.get("request"))
        assert status != 0
    # Same answer as plain dicts where the JSON path accepts them.
    assert _call({**doc, "ledger": Sub(ledger)}).to_dict() == _call(doc).to_dict()
