"""``request_body``: the engine writes each provider's request body for an amount of a scope;
the body plans exactly that amount, whatever Python type the amount was given as."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Optional

import pytest

import refund_rules

ROOT = Path(__file__).resolve().parents[3]

# One bundled example per provider, a scope of it and a whole amount it can refund
# (Alternative Payments refunds whole payments only: its full 250.00).
CASES = [
    ("simpleps", "examples/simpleps/partial-refund.json", None, 1),
    ("fiserv_commerce_hub", "examples/fiserv_commerce_hub/partial-refund.json", None, 1),
    ("alternative_payments", "examples/alternative_payments/partial-refund.json", None, 250),
    ("digital_river", "examples/digital_river/type-shipping.json", {"kind": "line", "id": "li_1"}, 1),
    ("commerce_layer", "examples/commerce_layer/return-refund.json", {"kind": "return", "id": "ret_1"}, 1),
]


def _example(path: str) -> Dict[str, Any]:
    doc: Dict[str, Any] = json.loads((ROOT / path).read_text(encoding="utf-8"), parse_float=Decimal)
    return doc


@pytest.mark.parametrize("provider,path,scope,units", CASES)
@pytest.mark.parametrize("form", [Decimal, str, int])
def test_body_plans_exactly_the_amount(
    provider: str, path: str, scope: Optional[Dict[str, str]], units: int, form: Any
) -> None:
    doc = _example(path)
    amount = Decimal(f"{units}.00") if form is Decimal else f"{units}.00" if form is str else units
    body = refund_rules.request_body(provider, doc["ledger"], amount, scope=scope)
    assert body is not None
    planned = refund_rules.plan(provider, doc["ledger"], body, now=doc.get("now"))
    assert planned.amount == Decimal(units)


def test_no_amount_is_no_body_where_the_provider_refunds_everything_without_one() -> None:
    doc = _example("examples/simpleps/partial-refund.json")
    assert refund_rules.request_body("simpleps", doc["ledger"]) is None
    assert refund_rules.plan("simpleps", doc["ledger"], None).kind == "full"


def test_refusals_are_typed_errors_naming_the_field() -> None:
    doc = _example("examples/commerce_layer/return-refund.json")
    with pytest.raises(refund_rules.InvalidInput) as info:
        refund_rules.request_body("commerce_layer", doc["ledger"], "1.00")
    assert info.value.pointer == "/scope"
    with pytest.raises(refund_rules.RefundError) as amount:
        refund_rules.request_body("commerce_layer", doc["ledger"], "1.001", scope={"kind": "capture", "id": "cap_1"})
    assert (amount.value.code, amount.value.pointer) == ("invalid_amount", "/amount")
    with pytest.raises(refund_rules.FloatNotAllowed):
        refund_rules.request_body("simpleps", doc["ledger"], 1.5)  # type: ignore[arg-type]
