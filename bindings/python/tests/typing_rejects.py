"""Must NOT type-check: ``test_typing.py`` requires ``mypy --strict`` to report, on the line
below each ``# expect:`` comment, an error containing that text (a wrong literal is an error)."""

from __future__ import annotations

from decimal import Decimal

import refund_rules
from refund_rules.types import CommerceLayerDataReturns, CommerceLayerRequest, LedgerDoc, PlanInput, RefundState

LEDGER: LedgerDoc = {"currency": "USD", "authorized": "1.00", "status": {"payment": "CAPTURED"}}

# expect: 'refnd'
STATE: RefundState = "refnd"
# expect: 'gift'
LINES: LedgerDoc = {"currency": "USD", "authorized": "1.00", "status": {"payment": "x"}, "lines": [{"id": "l", "kind": "gift", "amount": "1"}]}
# expect: Missing key "_refund_amount_cents"
RETURN: CommerceLayerDataReturns = {"type": "returns", "id": "ret_1", "attributes": {"_refund": True}}
# expect: none of ("CommerceLayerDataCaptures", "CommerceLayerDataReturns"
BODY: CommerceLayerRequest = {"data": {"type": "returns", "id": "ret_1", "attributes": {"_forward": True}}}
# expect: variable has type "PlanInputSimpleps | PlanInputFiservCommerceHub
DOC: PlanInput = {"provider": "stripe", "ledger": LEDGER}
# expect: Argument 1 to "plan" has incompatible type
refund_rules.plan("simpelps", LEDGER)
# expect: Non-overlapping equality check
assert refund_rules.plan("simpleps", LEDGER).kind == "full_refund"
# expect: Argument 3 to "plan" has incompatible type
refund_rules.plan("simpleps", LEDGER, {"amount": {"total": 25.0, "currency": "USD"}})
print(STATE, LINES, RETURN, BODY, DOC, Decimal(1))
