"""A small typed usage example, checked with ``mypy --strict`` by ``test_typing.py``."""

from __future__ import annotations

from decimal import Decimal
from typing import List, Optional

import refund_rules
from refund_rules import Capture, Event, Ledger, Plan, PlanResult, Statuses
from refund_rules.types import SimplePSRequest


def remaining(ledger: Ledger, amount: Optional[Decimal]) -> Decimal:
    request: Optional[SimplePSRequest] = (
        None if amount is None else {"amount": {"total": amount, "currency": ledger.currency}}
    )
    try:
        plan: Plan = refund_rules.plan(refund_rules.Provider.SIMPLEPS, ledger, request)
    except refund_rules.RuleRejected as err:
        breakdown = err.refundable
        return breakdown.available if breakdown is not None else Decimal(0)
    event: Optional[Event] = plan.event
    if event is not None:
        applied = refund_rules.apply("simpleps", ledger, event)
        return applied.refundable.available
    return plan.remaining_after


def batch(ledgers: List[Ledger]) -> List[str]:
    results: List[PlanResult] = refund_rules.plan_many(
        [{"provider": "simpleps", "ledger": led} for led in ledgers]
    )
    return [r.plan.kind if r.plan is not None else (r.error.code if r.error else "") for r in results]


LEDGER = Ledger(
    currency="USD",
    authorized=Decimal("10.00"),
    status=Statuses(payment="CAPTURED"),
    captures=[Capture(id="c1", amount=Decimal("10.00"), settled=True)],
)
minor: int = refund_rules.parse_amount(Decimal("1.25"), "USD").minor
print(remaining(LEDGER, Decimal("2.50")), batch([LEDGER]), minor)
