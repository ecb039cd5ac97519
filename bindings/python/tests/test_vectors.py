"""Every shared JSON vector (``vectors/**/*.json``) through Python: the same answers as Rust.

New ``vectors/<provider>/`` directories are picked up without code changes. Each case runs
three ways: the raw envelope (subset of ``expected``), the escape hatch ``run`` (exception class
by family/code), and, where the input maps onto it, the typed function (``plan``, ``apply``...).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest
from conftest import VECTORS, subset

import refund_rules
from refund_rules import _native
from refund_rules._wire import dumps, loads
from refund_rules.errors import error_class

FAMILY = dict(_native.error_codes())


def _cases() -> List[Any]:
    out = []
    for path in sorted(VECTORS.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        rel = path.relative_to(VECTORS).as_posix()
        for case in data["cases"]:
            out.append(pytest.param(rel, case, id=f"{rel}::{case['name']}"))
    return out


CASES = _cases()


def test_vectors_were_found() -> None:
    assert len(CASES) > 50, f"only {len(CASES)} vectors under {VECTORS}"
    dirs = {c.values[0].split("/")[0] for c in CASES}
    assert "simpleps" in dirs and "core" in dirs


def _document(case: Dict[str, Any]) -> str:
    if "input_text" in case:
        return str(case["input_text"])
    return dumps(case["input"])  # Decimals re-serialized with their exact text


@pytest.mark.parametrize("rel,case", CASES)
def test_envelope_matches_expected(rel: str, case: Dict[str, Any]) -> None:
    envelope = loads(refund_rules.run_envelope(case["operation"], _document(case)))
    subset(case["expected"], envelope)


@pytest.mark.parametrize("rel,case", CASES)
def test_run_raises_the_family_class(rel: str, case: Dict[str, Any]) -> None:
    expected = case["expected"]
    if expected.get("ok") is True:
        value = refund_rules.run(case["operation"], _document(case))
        subset(expected.get("value", {}), value)
        return
    code = expected["error"]["code"]
    with pytest.raises(refund_rules.RefundError) as info:
        refund_rules.run(case["operation"], _document(case))
    err = info.value
    assert err.code == code
    assert err.family == FAMILY[code]
    assert type(err) is error_class(code, FAMILY[code])
    subset(expected["error"], err.to_dict())
    if "refundable" in err.details:
        assert err.refundable is not None
        assert err.refundable.available == Decimal(err.details["refundable"]["available"])


def _has_number_amounts(value: Any) -> bool:
    """Ledger/event amounts given as JSON numbers: the typed API converts Decimals to text
    (the Pythonic input), so such vectors (testing the wire rule) stay with the raw surface."""
    if isinstance(value, dict):
        return any(
            (k in ("amount", "authorized") and isinstance(v, (int, Decimal)) and not isinstance(v, bool))
            or _has_number_amounts(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_has_number_amounts(v) for v in value)
    return False


def _typed_call(op: str, doc: Any) -> Optional[Tuple[Callable[[], Any], Callable[[Any], Any]]]:
    """The typed function call equivalent to a document, or None when it does not map."""
    if not isinstance(doc, dict):
        return None
    keys = set(doc)
    s = lambda k: isinstance(doc.get(k), str)  # noqa: E731
    if op == "plan" and {"provider", "ledger"} <= keys <= {"provider", "ledger", "request", "options", "now", "refund_id"} and s("provider"):
        if not isinstance(doc["ledger"], dict) or _has_number_amounts(doc["ledger"]):
            return None
        if doc.get("request", 0) is None or doc.get("options", 0) is None:
            return None  # explicit null differs from "absent" in the document, not in Python
        return (
            lambda: refund_rules.plan(
                doc["provider"], doc["ledger"], doc.get("request"), options=doc.get("options"),
                now=doc.get("now"), refund_id=doc.get("refund_id"),
            ),
            lambda r: r.to_dict(),
        )  # fmt: skip
    if op == "apply" and keys == {"provider", "ledger", "event"} and s("provider"):
        if not isinstance(doc["ledger"], dict) or not isinstance(doc["event"], dict):
            return None
        if _has_number_amounts(doc["ledger"]) or _has_number_amounts(doc["event"]):
            return None
        return (lambda: refund_rules.apply(doc["provider"], doc["ledger"], doc["event"]), lambda r: r.to_dict())
    if op == "refundable" and {"ledger"} <= keys <= {"ledger", "provider", "capture_id"}:
        if not isinstance(doc["ledger"], dict) or _has_number_amounts(doc["ledger"]):
            return None
        return (
            lambda: refund_rules.refundable(doc["ledger"], provider=doc.get("provider"), capture_id=doc.get("capture_id")),
            lambda r: r.to_dict(),
        )
    if op == "parse_amount" and {"amount", "currency"} <= keys <= {"amount", "currency", "provider"}:
        if not isinstance(doc["amount"], (str, Decimal)) or not s("currency"):
            return None
        return (
            lambda: refund_rules.parse_amount(doc["amount"], doc["currency"], provider=doc.get("provider")),
            lambda r: r.to_dict(),
        )
    if op == "format_amount" and keys == {"minor", "currency"} and s("currency"):
        if isinstance(doc["minor"], bool) or not isinstance(doc["minor"], (int, str)):
            return None
        return (lambda: refund_rules.format_amount(doc["minor"], doc["currency"]), lambda r: r.to_dict())
    if op == "validate_list_query" and keys == {"provider", "query"} and s("provider"):
        if not isinstance(doc["query"], dict):
            return None
        return (lambda: refund_rules.validate_list_query(doc["provider"], doc["query"]), lambda r: r)
    return None


def _is_json_number(text: str) -> bool:
    return bool(re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?", text))


def _as_python_amounts(provider: Any, value: Any, path: Tuple[str, ...]) -> Tuple[Any, bool]:
    """The request with every ``str`` at a numeric amount place (the core's table) given as
    the exact ``Decimal`` the Python amount rule reads it as; and whether anything changed."""
    if isinstance(value, dict):
        out, changed = {}, False
        for k, v in value.items():
            out[k], c = _as_python_amounts(provider, v, path + (k,))
            changed = changed or c
        return out, changed
    if isinstance(value, list):
        items = [_as_python_amounts(provider, v, path + (str(i),)) for i, v in enumerate(value)]
        return [v for v, _ in items], any(c for _, c in items)
    form = _native.amount_form(provider, list(path))
    if isinstance(value, str) and form in ("decimal_number", "minor_units") and _is_json_number(value):
        return Decimal(value), True
    return value, False


def _expected_for_python(case: Dict[str, Any]) -> Tuple[Dict[str, Any], str]:
    """What the typed API answers: the vector's own answer, except where the vector tests a
    provider's wire form of an amount (a quoted number). Python's one amount rule accepts a
    ``str`` at every amount place and the engine writes the provider's form, so there the
    answer is the engine's answer for the amount written in that form."""
    doc = case.get("input")
    if case["operation"] == "plan" and isinstance(doc, dict) and isinstance(doc.get("request"), dict):
        request, changed = _as_python_amounts(doc.get("provider"), doc["request"], ("request",))
        if changed:
            text = dumps({**doc, "request": request})
            return dict(loads(refund_rules.run_envelope("plan", text))), text
    return dict(case["expected"]), _document(case)


@pytest.mark.parametrize("rel,case", CASES)
def test_typed_api_agrees(rel: str, case: Dict[str, Any]) -> None:
    call = _typed_call(case["operation"], case.get("input"))
    if call is None:
        pytest.skip("input does not map onto the typed API (wire-level vector)")
    invoke, as_dict = call
    expected, document = _expected_for_python(case)
    if expected.get("ok") is True:
        result = invoke()
        subset(expected.get("value", {}), as_dict(result))
        # The typed object converts back to exactly what the engine returned.
        raw = loads(refund_rules.run_envelope(case["operation"], document))["value"]
        assert as_dict(result) == raw
    else:
        with pytest.raises(refund_rules.RefundError) as info:
            invoke()
        assert info.value.code == expected["error"]["code"]
