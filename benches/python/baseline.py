"""BASELINE ONLY — not part of refund-rules, not used by it.

An idiomatic pure-Python implementation of the SimplePS refund rule with ``decimal.Decimal``,
the kind of code the binding replaces. ``benches/python/bench.py`` times it against the
``refund_rules`` binding. It implements the same decision as
``crates/refund-rules/src/provider/simpleps.rs`` for valid input and the main rejections, plus
the ledger checks a careful hand-written version would do (positive amounts, unique ids,
captures within the authorization, refunds within the captures, status consistent with the
amounts). It does not build the provider response body, explanations or JSON-pointer errors,
so it does less work than the engine per call.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping, Optional

__all__ = ["BaselineRejected", "decide", "decide_json"]

# ISO 4217 exponents for the currencies the benchmark uses (a real one needs the full table).
EXPONENTS = {"USD": 2, "EUR": 2, "GBP": 2, "JPY": 0, "KWD": 3}


class BaselineRejected(ValueError):
    """A rejection with the engine's error code."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


def _amount(value: Any, exponent: int, field: str) -> Decimal:
    """Strict decimal: no float, no exponent notation, no sign, at most `exponent` decimals."""
    if isinstance(value, float) or isinstance(value, bool):
        raise BaselineRejected("invalid_input", f"{field}: floats are not exact")
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise BaselineRejected("invalid_amount", f"{field}: not a number") from None
    if not d.is_finite():
        raise BaselineRejected("invalid_amount", f"{field}: not finite")
    if d < 0:
        raise BaselineRejected("invalid_amount", f"{field}: negative")
    if -d.as_tuple().exponent > exponent:
        raise BaselineRejected("invalid_amount", f"{field}: too many decimals")
    return d


def _money(d: Decimal, exponent: int) -> str:
    return str(d.quantize(Decimal(1).scaleb(-exponent)))


def decide(ledger: Mapping[str, Any], request: Optional[Mapping[str, Any]] = None) -> dict:
    """Plans a SimplePS refund from dicts; returns the decision or raises BaselineRejected."""
    currency = ledger["currency"]
    exponent = EXPONENTS.get(currency)
    if exponent is None:
        raise BaselineRejected("unknown_currency", currency)
    authorized = _amount(ledger["authorized"], exponent, "authorized")
    captures = ledger.get("captures", [])
    refunds = ledger.get("refunds", [])

    # Ledger checks.
    captured = Decimal(0)
    capture_ids = set()
    for c in captures:
        amount = _amount(c["amount"], exponent, "capture amount")
        if amount == 0:
            raise BaselineRejected("invalid_amount", "capture amount is zero")
        if c["id"] in capture_ids:
            raise BaselineRejected("inconsistent_state", "capture id appears twice")
        capture_ids.add(c["id"])
        captured += amount
    if captured > authorized:
        raise BaselineRejected("inconsistent_state", "captures exceed the authorization")
    refunded = Decimal(0)
    refund_ids = set()
    for r in refunds:
        amount = _amount(r["amount"], exponent, "refund amount")
        if amount == 0:
            raise BaselineRejected("invalid_amount", "refund amount is zero")
        if r["id"] in refund_ids:
            raise BaselineRejected("inconsistent_state", "refund id appears twice")
        refund_ids.add(r["id"])
        if r["state"] != "succeeded":  # SimplePS refunds are synchronous
            raise BaselineRejected("invalid_input", "simpleps refunds are succeeded")
        refunded += amount
    available = captured - refunded
    if available < 0:
        raise BaselineRejected("inconsistent_state", "refunds exceed the captures")

    # The rule (SP1/SP2).
    status = ledger["status"]["payment"]
    if status in ("AUTHORIZED", "CHALLENGE"):
        raise BaselineRejected("not_captured", status)
    if status in ("VOIDED", "DECLINED"):
        raise BaselineRejected("not_refundable_state", status)
    if not captures:
        raise BaselineRejected("inconsistent_state", "no captures")
    if refunded == 0:
        implied = "CAPTURED" if captured == authorized else "PARTIALLY_CAPTURED"
    else:
        implied = "REFUNDED" if refunded == captured else "PARTIALLY_REFUNDED"
    if implied != status:
        raise BaselineRejected("inconsistent_state", f"status {status}, amounts say {implied}")

    body = (request or {}).get("amount") or {}
    if "currency" in body and body["currency"] != currency:
        if body["currency"] not in EXPONENTS:
            raise BaselineRejected("unknown_currency", body["currency"])
        raise BaselineRejected("currency_mismatch", body["currency"])
    total = body.get("total")
    if total is None:
        if available == 0:
            raise BaselineRejected("already_fully_refunded")
        amount = available
    else:
        if isinstance(total, str):
            raise BaselineRejected("invalid_input", "amount.total must be a JSON number")
        amount = _amount(total, exponent, "amount.total")
        if amount == 0:
            raise BaselineRejected("invalid_amount", "zero")
        if available == 0:
            raise BaselineRejected("already_fully_refunded")
        if amount > available:
            raise BaselineRejected("exceeds_refundable", f"{amount} > {available}")
    full = amount == available
    status_after = "REFUNDED" if refunded + amount == captured else "PARTIALLY_REFUNDED"

    n = len(refunds) + 1
    while f"refund_{n}" in refund_ids:
        n += 1
    refund_id = f"refund_{n}"
    version = ledger.get("version", 0)
    return {
        "operation": "refund",
        "kind": "full" if full else "partial",
        "amount": _money(amount, exponent),
        "remaining_after": _money(available - amount, exponent),
        "status_after": {"payment": status_after},
        "version": version,
        "event": {
            "id": f"{refund_id}.created",
            "type": "refund_created",
            "expected_version": version,
            "refund_id": refund_id,
            "amount": _money(amount, exponent),
            "state": "succeeded",
        },
        "provider_call": {
            "method": "POST",
            "path": f"/payments/{ledger.get('id', '{externalPaymentId}')}/refund",
            "body": None if total is None else {"amount": {"total": amount, "currency": currency}},
        },
    }


def decide_json(text: str | bytes) -> dict:
    """From a `plan` JSON document: json.loads (numbers as Decimal, so `25.00` stays exact)."""
    doc = json.loads(text, parse_float=Decimal)
    if doc.get("provider") != "simpleps":
        raise BaselineRejected("unknown_provider", str(doc.get("provider")))
    return decide(doc["ledger"], doc.get("request"))
