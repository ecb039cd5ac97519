"""A document of every provider, typed with the generated ``refund_rules.types`` (from the
schema), checked with ``mypy --strict`` by ``test_typing.py``; also run by it against the
installed package, so the documents are ones the engine decides."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import List, Optional

import refund_rules
from refund_rules import Ledger, Plan
from refund_rules.types import (
    AlternativePaymentsRequest,
    CommerceLayerRequest,
    DigitalRiverRequest,
    ErrorCode,
    ErrorFamily,
    EventType,
    FiservRequest,
    Kind,
    LedgerDoc,
    LineKind,
    ListQueryValueDict,
    Operation,
    PlanInput,
    PlanResultDict,
    RefundState,
    SimplePSRequest,
)

SIMPLEPS_LEDGER: LedgerDoc = {
    "id": "order-1",
    "currency": "USD",
    "authorized": Decimal("100.10"),
    "status": {"payment": "CAPTURED"},
    "captures": [{"id": "cap_1", "amount": "100.10", "settled": True}],
}
SIMPLEPS_BODY: SimplePSRequest = {"amount": {"total": Decimal("25.00"), "currency": "USD"}}

FISERV_LEDGER: LedgerDoc = {
    "id": "txn_1",
    "currency": "USD",
    "authorized": "50.00",
    "created_at": "2024-05-01T09:00:00Z",
    "status": {"payment": "CAPTURED"},
    "captures": [{"id": "txn_1", "amount": "50.00", "settled": True, "captured_at": "2024-05-01T10:00:00Z"}],
}
FISERV_BODY: FiservRequest = {"amount": {"total": Decimal("12.50"), "currency": "USD"}}

AP_LEDGER: LedgerDoc = {
    "id": "pay_1",
    "currency": "USD",
    "authorized": "250.00",
    "status": {"payment": "paid"},
    "captures": [{"id": "cap_1", "amount": "250.00", "settled": True}],
}
AP_BODY: AlternativePaymentsRequest = {
    "payment_id": "pay_1",
    "amount": "250.00",  # Alternative Payments refunds whole payments only
    "reason": {"type": "Customer Request"},
    "idempotency_key": "k1",
}

# A Digital River order with lines: a product line (quantity 2) and its shipping charge.
DR_LEDGER: LedgerDoc = {
    "id": "ord_1",
    "currency": "USD",
    "authorized": "94.00",
    "status": {"payment": "complete"},
    "captures": [{"id": "cap_1", "amount": "94.00", "settled": True}],
    "lines": [
        {"id": "item_1", "kind": "product", "amount": "80.00", "tax": "4.00", "quantity": 2},
        {"id": "ship_1", "kind": "shipping", "amount": "10.00", "item_id": "item_1"},
    ],
}
DR_BODY: DigitalRiverRequest = {"orderId": "ord_1", "currency": "USD", "items": [{"itemId": "item_1", "quantity": 1}]}

# A Commerce Layer return refund: the return is in the ledger, the body names it.
CL_LEDGER: LedgerDoc = {
    "id": "ord_1",
    "currency": "EUR",
    "authorized": "15.00",
    "status": {"payment": "paid", "order": "approved", "fulfillment": "fulfilled"},
    "captures": [{"id": "cap_1", "amount": "15.00"}],
    "refunds": [],
    "version": 3,
    "returns": [{"id": "ret_1", "status": "received"}],
}
CL_BODY: CommerceLayerRequest = {
    "data": {"type": "returns", "id": "ret_1", "attributes": {"_refund": True, "_refund_amount_cents": 500}}
}

DOCUMENTS: List[PlanInput] = [
    {"provider": "simpleps", "ledger": SIMPLEPS_LEDGER, "request": SIMPLEPS_BODY},
    {
        "provider": "fiserv_commerce_hub",
        "ledger": FISERV_LEDGER,
        "request": FISERV_BODY,
        "options": {"auto_cancel": False},
        "now": datetime.datetime(2024, 5, 2, tzinfo=datetime.timezone.utc),
    },
    {"provider": "alternative_payments", "ledger": AP_LEDGER, "request": AP_BODY, "options": {"refund_limit": "1000"}},
    {"provider": "digital_river", "ledger": DR_LEDGER, "request": DR_BODY, "options": {"percent_of": "available"}},
    {"provider": "commerce_layer", "ledger": CL_LEDGER, "request": CL_BODY},
]


def describe(plan: Plan) -> str:
    kind: Kind = plan.kind
    operation: Operation = plan.operation
    state: Optional[RefundState] = plan.refund_state
    event_type: Optional[EventType] = plan.event.type if plan.event is not None else None
    return_id: Optional[str] = plan.event.return_id if plan.event is not None else None
    return f"{plan.provider} {kind} {operation} {state} {event_type} {return_id} {plan.provider_call.path}"


def main() -> List[str]:
    out = [describe(r.unwrap()) for r in refund_rules.plan_many(DOCUMENTS)]
    out.append(describe(refund_rules.plan("digital_river", DR_LEDGER, DR_BODY)))
    cl = refund_rules.plan("commerce_layer", CL_LEDGER, CL_BODY)
    assert cl.event is not None and cl.event.return_id == "ret_1", cl.event
    applied = refund_rules.apply("commerce_layer", CL_LEDGER, cl.event)
    ledger: Ledger = applied.ledger
    returns = [(r.return_id, r.state) for r in ledger.refunds]
    assert returns == [("ret_1", "succeeded")], returns
    kinds: List[LineKind] = [line["kind"] for line in Ledger.from_dict(DR_LEDGER).lines or []]
    assert kinds == ["product", "shipping"], kinds
    query: ListQueryValueDict = refund_rules.validate_list_query("alternative_payments", {"limit": "10"})
    assert query["limit"] == 10, query
    text = refund_rules.run_envelope("plan", {"provider": "nope", "ledger": AP_LEDGER})
    envelope: PlanResultDict = json.loads(text, parse_float=Decimal)
    if envelope["ok"]:
        raise AssertionError(envelope)
    code: ErrorCode = envelope["error"]["code"]
    family: ErrorFamily = envelope["error"]["family"]
    assert (code, family) == ("unknown_provider", "invalid_input"), envelope
    out.append(f"{kinds} {query['limit']}")
    return out


if __name__ == "__main__":
    print("\n".join(main()))
