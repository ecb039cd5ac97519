"""One amount rule for Python (issue #13): every amount, in the ledger and in the request, of
every provider, may be a ``Decimal``, an ``int`` (when whole) or a ``str``; the engine writes
each provider's wire form (JSON number, string, integer cents). The same amount in any of
these forms gives the same answer, the answer the JSON surface gives for the provider's own
form. Floats are refused with advice that works in that place."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import refund_rules
from refund_rules import _native

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
PLANS = {
    "simpleps": "simpleps/partial-refund.json",
    "fiserv_commerce_hub": "fiserv_commerce_hub/partial-refund.json",
    "alternative_payments": "alternative_payments/full-refund.json",
    "digital_river": "digital_river/amount-split-largest-remainder.json",
    "commerce_layer": "commerce_layer/capture-partial-refund.json",
}

Path_ = Tuple[str, ...]


def _doc(provider: str) -> Dict[str, Any]:
    # The documented way to read a JSON file: numbers as exact Decimals.
    text = (EXAMPLES / PLANS[provider]).read_text(encoding="utf-8")
    doc: Dict[str, Any] = json.loads(text, parse_float=Decimal)
    return doc


def _amount_places(provider: str, value: Any, path: Path_ = ()) -> List[Tuple[Path_, str]]:
    out: List[Tuple[Path_, str]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _amount_places(provider, v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _amount_places(provider, v, path + (str(i),))
    else:
        form = _native.amount_form(provider, list(path))
        if form is not None:
            out.append((path, form))
    return out


def _replace(value: Any, path: Path_, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, list):
        i = int(head)
        return [(_replace(v, rest, new) if j == i else v) for j, v in enumerate(value)]
    return {k: (_replace(v, rest, new) if k == head else v) for k, v in value.items()}


def _as(kind: str, amount: Any) -> Any:
    d = Decimal(str(amount))
    if kind == "decimal":
        return d
    if kind == "str":
        return str(d)
    assert d == d.to_integral_value()
    return int(d)


def _convert(doc: Dict[str, Any], places: List[Tuple[Path_, str]], kind: str) -> Dict[str, Any]:
    for path, _ in places:
        value = doc
        for seg in path:
            value = value[int(seg)] if isinstance(value, list) else value[seg]
        if kind == "int" and Decimal(str(value)) != Decimal(str(value)).to_integral_value():
            continue  # an int only where the amount is whole
        doc = _replace(doc, path, _as(kind, value))
    return doc


def _outcome(call: Callable[[], Any]) -> Any:
    try:
        return ("ok", call().to_dict())
    except refund_rules.RefundError as e:
        return ("error", e.code, e.pointer)


def _plan(doc: Dict[str, Any]) -> Any:
    return _outcome(
        lambda: _plan_raise(doc)
    )


def _wire_answer(doc: Dict[str, Any]) -> Any:
    envelope = refund_rules._wire.loads(refund_rules.run_envelope("plan", refund_rules.dumps(doc)))
    if envelope["ok"]:
        return ("ok", envelope["value"])
    return ("error", envelope["error"]["code"], envelope["error"].get("pointer"))


def test_every_provider_has_request_amounts_in_the_table() -> None:
    forms = {p: {f for path, f in _amount_places(p, _doc(p)) if path[0] == "request"} for p in PLANS}
    assert forms == {
        "simpleps": {"decimal_number"},
        "fiserv_commerce_hub": {"decimal_number"},
        "alternative_payments": {"decimal_string"},
        "digital_river": {"decimal_number"},
        "commerce_layer": {"minor_units"},
    }
    assert all({f for path, f in _amount_places(p, _doc(p)) if path[0] == "ledger"} == {"decimal_string"} for p in PLANS)


@pytest.mark.parametrize("provider", sorted(PLANS))
@pytest.mark.parametrize("kind", ["decimal", "int", "str"])
def test_the_same_amount_in_any_form_gives_the_same_answer(provider: str, kind: str) -> None:
    doc = _doc(provider)
    places = _amount_places(provider, doc)
    assert any(p[0] == "request" for p, _ in places) and any(p[0] == "ledger" for p, _ in places)
    expected = _wire_answer(doc)  # the example in the provider's own wire form
    assert expected[0] == "ok", expected
    converted = _convert(doc, places, kind)
    assert _plan(converted) == expected
    # Through the batch and the JSON text paths too.
    [result] = refund_rules.plan_many([converted])
    assert ("ok", result.unwrap().to_dict()) == expected


def _request_place(provider: str) -> Tuple[Path_, str]:
    [place] = [p for p in _amount_places(provider, _doc(provider)) if p[0][0] == "request"][:1]
    return place


@settings(max_examples=60, deadline=None)
@given(provider=st.sampled_from(sorted(PLANS)), cents=st.integers(min_value=-5, max_value=30_000))
def test_property_decimal_int_and_str_agree(provider: str, cents: int) -> None:
    doc = _doc(provider)
    path, form = _request_place(provider)
    amount = Decimal(cents) if form == "minor_units" else Decimal(cents).scaleb(-2)
    forms = [amount, str(amount)]
    if amount == amount.to_integral_value():
        forms.append(int(amount))
    answers = [_plan(_replace(doc, path, v)) for v in forms]
    assert all(a == answers[0] for a in answers), (forms, answers)
    # The engine's answer for the provider's own wire form of that amount.
    wire: Any = str(amount) if form == "decimal_string" else amount
    assert answers[0] == _wire_answer(_replace(doc, path, wire))


@pytest.mark.parametrize("provider", sorted(PLANS))
def test_a_float_is_refused_with_advice_that_works_there(provider: str) -> None:
    doc = _doc(provider)
    for path, form in _amount_places(provider, doc):
        value = doc
        for seg in path:
            value = value[int(seg)] if isinstance(value, list) else value[seg]
        as_float = float(str(value))
        with pytest.raises(refund_rules.FloatNotAllowed) as info:
            _plan_raise(_replace(doc, path, as_float))
        err = info.value
        assert err.pointer == "/" + "/".join(path)
        assert "Decimal" in err.message or "int" in err.message
        # Follow the advice: the message names a form to pass; it works in that place.
        if form == "minor_units":
            assert f"the int {int(as_float)}" in err.message
            fixed: Any = int(as_float)
        else:
            assert f'decimal.Decimal("{as_float!r}")' in err.message and f'"{as_float!r}"' in err.message
            fixed = Decimal(repr(as_float))
            assert _plan(_replace(doc, path, repr(as_float))) == _plan(_replace(doc, path, fixed))
        assert _plan(_replace(doc, path, fixed)) == _plan(doc)


def _plan_raise(doc: Dict[str, Any]) -> Any:
    return refund_rules.plan(
        doc["provider"], doc["ledger"], doc.get("request"), options=doc.get("options"), now=doc.get("now")
    )


def test_json_files_load_with_parse_float_decimal() -> None:
    # Without parse_float a JSON file's 10.0 is a float and is refused; with it, it plans.
    text = (EXAMPLES / PLANS["digital_river"]).read_text(encoding="utf-8")
    plain = json.loads(text)
    with pytest.raises(refund_rules.FloatNotAllowed) as info:
        _plan_raise(plain)
    assert "parse_float" in info.value.message or "Decimal" in info.value.message
    assert _plan(json.loads(text, parse_float=Decimal))[0] == "ok"
    # Or hand the text over as it is.
    assert refund_rules.plan_json(text).to_dict() == _plan(json.loads(text, parse_float=Decimal))[1]
