"""Hypothesis strategies for property-testing your own refund code against the engine.

Requires Hypothesis (``pip install "refund-rules[hypothesis]"``). They mirror the engine's Rust
test generators: currencies with their ISO 4217 exponents, amounts with exactly the currency's
decimals, event sequences, ledgers built by applying those events *through the engine* (so every
ledger is one the provider's tables can reach), and SimplePS request bodies.

Example -- "my refund service never asks for more than the engine says is refundable"::

    from hypothesis import given, settings
    import refund_rules
    from refund_rules import strategies as rs

    @settings(max_examples=50, derandomize=True)
    @given(data=rs.ledgers_and_requests())
    def test_my_service_agrees(data):
        ledger, request = data
        try:
            plan = refund_rules.plan("simpleps", ledger, request)
        except refund_rules.RuleRejected:
            return
        assert plan.amount <= plan.refundable.available

Every amount is a :class:`~decimal.Decimal`; no strategy ever produces a float.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

try:
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - depends on the environment
    raise ImportError(
        'refund_rules.strategies needs Hypothesis: pip install "refund-rules[hypothesis]"'
    ) from None

from . import apply as _apply
from .errors import RefundError
from .models import Event, Ledger, Statuses

__all__ = [
    "CURRENCIES",
    "INITIAL_STATUS",
    "currencies",
    "minor_units",
    "amounts",
    "amount_of",
    "events",
    "event_sequences",
    "ledgers",
    "simpleps_requests",
    "ledgers_and_requests",
]

CURRENCIES: Dict[str, int] = {
    "USD": 2, "EUR": 2, "GBP": 2, "CHF": 2, "BRL": 2, "INR": 2,
    "JPY": 0, "KRW": 0, "ISK": 0, "VND": 0,
    "KWD": 3, "BHD": 3, "JOD": 3, "OMR": 3, "TND": 3,
}  # fmt: skip
"""ISO 4217 codes and their minor-unit exponents (0, 2 and 3 decimals)."""

INITIAL_STATUS: Dict[str, Dict[str, str]] = {"simpleps": {"payment": "AUTHORIZED"}}
"""The authorized-but-not-captured status ledgers start from, per provider. For other providers
pass ``initial_status=`` to :func:`ledgers`."""

MAX_MINOR = 10**12
"""Default upper bound for generated minor units (far inside the engine's i64 range)."""


def currencies(*, exponents: Optional[Sequence[int]] = None) -> st.SearchStrategy[str]:
    """ISO 4217 codes from :data:`CURRENCIES`, optionally only those with given exponents."""
    codes = sorted(c for c, e in CURRENCIES.items() if exponents is None or e in exponents)
    return st.sampled_from(codes)


def minor_units(min_value: int = 1, max_value: int = MAX_MINOR) -> st.SearchStrategy[int]:
    """Minor units (cents, yen, fils...) as exact ints."""
    return st.integers(min_value=min_value, max_value=max_value)


def amount_of(minor: int, currency: str) -> Decimal:
    """``minor`` units of ``currency`` as a Decimal with exactly the currency's decimals
    (``amount_of(2500, "USD") == Decimal("25.00")``, text ``"25.00"``)."""
    return Decimal(minor).scaleb(-CURRENCIES[currency])


def amounts(
    currency: str, *, min_minor: int = 1, max_minor: int = MAX_MINOR
) -> st.SearchStrategy[Decimal]:
    """Positive amounts of ``currency`` with exactly its number of decimals."""
    return minor_units(min_minor, max_minor).map(lambda m: amount_of(m, currency))


@st.composite
def events(
    draw: st.DrawFn, currency: str, *, max_minor: int = MAX_MINOR, index: int = 0
) -> Event:
    """One event of any type (refund_created, payment_captured, settlement, voids...), with
    amounts of ``currency``; ids are derived from ``index`` so sequences never repeat one."""
    kind = draw(
        st.sampled_from(
            [
                "payment_captured",
                "refund_created",
                "refund_created",
                "refund_created",
                "capture_settled",
                "payment_authorized",
                "payment_voided",
                "payment_declined",
                "refund_succeeded",
                "refund_failed",
            ]
        )
    )
    eid = f"evt_{index}"
    if kind == "payment_captured":
        return Event.payment_captured(
            eid, f"cap_{index}", draw(amounts(currency, max_minor=max_minor)),
            settled=draw(st.booleans()),
        )  # fmt: skip
    if kind == "refund_created":
        return Event.refund_created(
            eid, f"refund_{index}", draw(amounts(currency, max_minor=max_minor)),
            state=draw(st.sampled_from(["succeeded", "succeeded", "pending"])),
        )  # fmt: skip
    if kind == "capture_settled":
        return Event(id=eid, type=kind, capture_id=f"cap_{draw(st.integers(0, index))}")
    if kind in ("refund_succeeded", "refund_failed"):
        return Event(id=eid, type=kind, refund_id=f"refund_{draw(st.integers(0, index))}")
    return Event(id=eid, type=kind)


def event_sequences(
    currency: str, *, max_size: int = 8, max_minor: int = MAX_MINOR
) -> st.SearchStrategy[List[Event]]:
    """Sequences of up to ``max_size`` events with distinct ids (many will be rejected by the
    provider's tables when applied: that is the point)."""

    @st.composite
    def seq(draw: st.DrawFn) -> List[Event]:
        n = draw(st.integers(0, max_size))
        return [draw(events(currency, max_minor=max_minor, index=i)) for i in range(n)]

    return seq()


def _fold(provider: str, ledger: Ledger, sequence: Sequence[Event]) -> Ledger:
    """Applies each event through the engine, skipping the ones it rejects."""
    for event in sequence:
        try:
            ledger = _apply(provider, ledger, event).ledger
        except RefundError:
            continue
    return ledger


@st.composite
def ledgers(
    draw: st.DrawFn,
    provider: str = "simpleps",
    *,
    currency: Optional[str] = None,
    initial_status: Optional[Mapping[str, str]] = None,
    max_events: int = 6,
    max_minor: int = 10**9,
) -> Ledger:
    """Ledgers a provider can reach: an authorization, then a random event sequence applied
    through the engine (rejected events are skipped). Usually captured, often partly refunded;
    sometimes voided, declined or never captured."""
    status = initial_status if initial_status is not None else INITIAL_STATUS.get(provider)
    if status is None:
        raise ValueError(f"no default initial status for `{provider}`: pass initial_status=")
    cur = currency if currency is not None else draw(currencies())
    authorized = draw(minor_units(1, max_minor))
    base = Ledger(
        id=f"pay_{draw(st.integers(1, 10**6))}",
        currency=cur,
        authorized=amount_of(authorized, cur),
        status=Statuses.from_dict(status),
    )
    # Bias towards captured ledgers: most interesting refunds need captured funds.
    first: List[Event] = []
    if draw(st.integers(0, 9)) < 8:
        part = draw(st.integers(1, authorized)) if draw(st.booleans()) else authorized
        first.append(Event.payment_captured("evt_cap", "cap_main", amount_of(part, cur), settled=True))
    rest = draw(event_sequences(cur, max_size=max_events, max_minor=max(1, authorized)))
    return _fold(provider, base, first + rest)


@st.composite
def simpleps_requests(
    draw: st.DrawFn, currency: str, *, max_minor: int = 10**9, valid_only: bool = False
) -> Optional[Dict[str, Any]]:
    """SimplePS refund bodies: no body, ``{}``, ``{"amount": {"total": Decimal, "currency"}}``
    (currency sometimes omitted); unless ``valid_only``, also a wrong currency or one decimal
    too many."""
    shape = draw(st.sampled_from(["none", "empty", "amount", "amount", "amount", "no_currency", "bad"]))
    if shape == "none":
        return None
    if shape == "empty":
        return {}
    total = draw(amounts(currency, max_minor=max_minor))
    if shape == "no_currency":
        return {"amount": {"total": total}}
    if shape == "bad" and not valid_only:
        if draw(st.booleans()):
            other = draw(currencies().filter(lambda c: c != currency))
            return {"amount": {"total": total, "currency": other}}
        return {"amount": {"total": total + Decimal(1).scaleb(-CURRENCIES[currency] - 1), "currency": currency}}
    return {"amount": {"total": total, "currency": currency}}


@st.composite
def ledgers_and_requests(
    draw: st.DrawFn, *, valid_only: bool = False
) -> Tuple[Ledger, Optional[Dict[str, Any]]]:
    """A SimplePS ledger and a request body in its currency, sized around what is refundable."""
    ledger = draw(ledgers("simpleps"))
    captured = sum((Decimal(c.amount) for c in ledger.captures), Decimal(0))
    top = int(captured.scaleb(CURRENCIES[ledger.currency])) + 2
    request = draw(simpleps_requests(ledger.currency, max_minor=max(1, top), valid_only=valid_only))
    return ledger, request
