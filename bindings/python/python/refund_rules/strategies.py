"""Hypothesis strategies for property-testing your own refund code against the engine.

Requires Hypothesis (``pip install "refund-rules[hypothesis]"``). They mirror the engine's Rust
test generators (``refund_rules::strategies``, feature ``proptest``): currencies with their ISO
4217 exponents (0, 2 and 3 decimals), amounts with exactly the currency's decimals, and ledgers
built by applying events *through the engine* (so every ledger is one the provider's tables can
reach), for all five providers. No ``initial_status=`` is needed: each provider's ledgers start in
consistent statuses a capture leads out of (:data:`START_STATUSES`).

What :func:`ledgers` generates, per provider (each ledger: 0, 1 or several captures, then up to
``max_events`` refund operations -- refunds created in each of the provider's initial states,
refunds planned through the provider's own request, succeeded/failed/expired moves -- then
sometimes an edge: everything refunded, or all but one minor unit):

=========================  ===================================================================
``simpleps``               ``AUTHORIZED``; one capture; refunds are synchronous (``succeeded``
                           only, SP1): no pending refunds exist.
``fiserv_commerce_hub``    ``AUTHORIZED``, ``created_at`` set (12-month window, plan with
                           :data:`FISERV_NOW`); one capture; refunds ``succeeded`` or
                           ``pending``, pending ones fail.
``alternative_payments``   ``unpaid``; one capture; refunds are full only (AP1) and start
                           ``pending``; they succeed, fail or expire; settled money only.
``digital_river``          ``accepted`` / ``fulfilled`` orders with ``lines`` adding up to the
                           authorized amount; several captures; refunds ``pending`` or
                           ``pending_information``, then any outcome; settled money only.
``commerce_layer``         ``authorized`` / ``placed`` / ``unfulfilled`` or ``not_required``;
                           several captures, refunds name their capture, ``pending`` or
                           ``succeeded``; ``returns`` (mostly ``received``) refunded through
                           ``PATCH /api/returns/:id``.
=========================  ===================================================================

Measured over 300 derandomized ledgers per provider (``tests/test_properties.py`` asserts the
minimum shares: >= 30% with a refund, >= 10% with a pending refund where the provider has them,
>= 10% with several captures where it allows them, >= 10% with lines / returns, >= 10% fully
refunded, some with one minor unit left and some near the ``i64`` edge).

Example -- "my refund service never offers more than the engine says is refundable"::

    from hypothesis import given, settings
    import refund_rules
    from refund_rules import strategies as rs

    @settings(max_examples=200, derandomize=True, database=None, deadline=None)
    @given(rs.provider_ledgers())
    def test_my_service_agrees(data):
        provider, ledger = data
        mine = my_available(provider, ledger)            # your code under test
        assert mine == refund_rules.refundable(ledger, provider=provider).available

Every amount is a :class:`~decimal.Decimal`; no strategy ever produces a float.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, cast

try:
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - depends on the environment
    raise ImportError(
        'refund_rules.strategies needs Hypothesis: pip install "refund-rules[hypothesis]"'
    ) from None

from . import apply as _apply
from . import plan as _plan
from . import refundable as _refundable
from ._types import EventType, ProviderName, RefundState
from .errors import RefundError
from .models import Event, Ledger, Statuses

__all__ = [
    "CURRENCIES",
    "PROVIDERS",
    "START_STATUSES",
    "INITIAL_STATUS",
    "REFUND_STATES",
    "SEVERAL_CAPTURES",
    "FISERV_CREATED_AT",
    "FISERV_NOW",
    "I64_MAX",
    "currencies",
    "minor_units",
    "amounts",
    "amount_of",
    "events",
    "event_sequences",
    "ledgers",
    "provider_ledgers",
    "simpleps_requests",
    "ledgers_and_requests",
]

CURRENCIES: Dict[str, int] = {
    "USD": 2, "EUR": 2, "GBP": 2, "CHF": 2, "BRL": 2, "INR": 2,
    "JPY": 0, "KRW": 0, "ISK": 0, "VND": 0,
    "KWD": 3, "BHD": 3, "JOD": 3, "OMR": 3, "TND": 3,
}  # fmt: skip
"""ISO 4217 codes and their minor-unit exponents (0, 2 and 3 decimals)."""

PROVIDERS: Tuple[str, ...] = (
    "simpleps", "fiserv_commerce_hub", "alternative_payments", "digital_river", "commerce_layer",
)  # fmt: skip
"""Every provider these strategies cover (all five)."""

START_STATUSES: Dict[str, List[Dict[str, str]]] = {
    "simpleps": [{"payment": "AUTHORIZED"}],
    "fiserv_commerce_hub": [{"payment": "AUTHORIZED"}],
    "alternative_payments": [{"payment": "unpaid"}],
    "digital_river": [{"payment": "accepted"}, {"payment": "fulfilled"}],
    "commerce_layer": [
        {"payment": "authorized", "order": "placed", "fulfillment": "unfulfilled"},
        {"payment": "authorized", "order": "placed", "fulfillment": "not_required"},
    ],
}
"""Consistent statuses of a payment waiting for its first capture, per provider: in every
machine (payment, order, fulfillment) a state a capture leads out of."""

INITIAL_STATUS: Dict[str, Dict[str, str]] = {p: s[0] for p, s in START_STATUSES.items()}
"""The first of :data:`START_STATUSES` per provider (kept for ``initial_status=`` callers)."""

REFUND_STATES: Dict[str, Tuple[RefundState, ...]] = {
    "simpleps": ("succeeded",),
    "fiserv_commerce_hub": ("succeeded", "pending"),
    "alternative_payments": ("pending",),
    "digital_river": ("pending", "pending_information"),
    "commerce_layer": ("pending", "succeeded"),
}
"""The states a refund may be created in, per provider (``pending*`` ones reserve funds)."""

SEVERAL_CAPTURES = frozenset({"digital_river", "commerce_layer"})
"""Providers that keep several captures of one payment."""

FISERV_CREATED_AT = "2024-04-22T16:22:06Z"
"""``created_at`` of generated Fiserv ledgers."""

FISERV_NOW = "2024-05-22T16:22:06Z"
"""A ``now`` inside generated Fiserv ledgers' 12-month refund window (pass it to ``plan``)."""

I64_MAX = 2**63 - 1
"""The engine's largest amount in minor units."""

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
    kind: EventType = draw(
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
            state=draw(st.sampled_from(_STATES)),
        )  # fmt: skip
    if kind == "capture_settled":
        return Event(id=eid, type=kind, capture_id=f"cap_{draw(st.integers(0, index))}")
    if kind in ("refund_succeeded", "refund_failed"):
        return Event(id=eid, type=kind, refund_id=f"refund_{draw(st.integers(0, index))}")
    return Event(id=eid, type=kind)


_STATES: List[RefundState] = ["succeeded", "succeeded", "pending"]


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
            ledger = _apply(cast(ProviderName, provider), ledger, event).ledger
        except RefundError:
            continue
    return ledger


def _text(minor: int, currency: str) -> str:
    return str(amount_of(minor, currency))


def _minor(amount: Any, currency: str) -> int:
    return int(Decimal(amount).scaleb(CURRENCIES[currency]))


def _available(provider: str, ledger: Ledger, capture_id: Optional[str] = None) -> int:
    try:
        r = _refundable(ledger, provider=cast(ProviderName, provider), capture_id=capture_id)
    except RefundError:
        return 0
    return _minor(r.available, ledger.currency)


@st.composite
def _pick(draw: st.DrawFn, available: int, full_only: bool = False) -> int:
    """An amount against ``available``: a share, everything, all but one unit, or one unit."""
    kind = draw(st.sampled_from(["all"] * 6 if full_only else ["share"] * 5 + ["all", "all_but_one", "one"]))
    if kind == "all" or available <= 1:
        return max(available, 1)
    if kind == "all_but_one":
        return available - 1
    if kind == "one":
        return 1
    return max(1, available * draw(st.integers(1, 65535)) // 65536)


def _lines(authorized: int, currency: str, weights: Sequence[int], tax: Sequence[int]) -> List[Dict[str, Any]]:
    """Digital River order lines adding up to ``authorized`` (the first a product)."""
    total = sum(weights)
    parts = [authorized * w // total for w in weights]
    parts[0] += authorized - sum(parts)
    out = []
    for i, (part, t) in enumerate(zip(parts, tax)):
        tx = part * t // 100
        line: Dict[str, Any] = {
            "id": f"li_{i + 1}", "kind": "product" if i == 0 else "shipping",
            "amount": _text(part - tx, currency), "tax": _text(tx, currency),
        }  # fmt: skip
        out.append(line)
    return out


def _request(provider: str, ledger: Ledger, minor: Optional[int], capture_id: Optional[str]) -> Any:
    """The provider's own request body refunding ``minor`` units (``None``: everything)."""
    cur = ledger.currency
    pid = ledger.id or "pay_1"
    amount = None if minor is None else amount_of(minor, cur)
    if provider in ("simpleps", "fiserv_commerce_hub"):
        return None if amount is None else {"amount": {"total": amount, "currency": cur}}
    if provider == "alternative_payments":
        body: Dict[str, Any] = {"payment_id": pid, "reason": {"type": "Customer Request"}}
        if amount is not None:
            body["amount"] = str(amount)
        return body
    if provider == "digital_river":
        size: Dict[str, Any] = {"percent": 100} if amount is None else {"amount": amount}
        return {"orderId": pid, "currency": cur, **size}
    if minor is None or capture_id is None:
        return {"data": {"type": "orders", "id": pid, "attributes": {"_refund": True}}}
    attrs = {"_refund": True, "_refund_amount_cents": minor}
    return {"data": {"type": "captures", "id": capture_id, "attributes": attrs}}


def _try_apply(provider: str, ledger: Ledger, event: Event) -> Ledger:
    try:
        return _apply(cast(ProviderName, provider), ledger, event).ledger
    except RefundError:
        return ledger


def _try_plan(provider: str, ledger: Ledger, request: Any, eid: str) -> Ledger:
    now = FISERV_NOW if provider == "fiserv_commerce_hub" else None
    try:
        plan = _plan(cast(ProviderName, provider), ledger, request, now=now, refund_id=f"refund_{len(ledger.refunds) + 1}")
    except RefundError:
        return ledger
    if plan.event is None:
        return ledger
    event = plan.event
    event.id = eid
    return _try_apply(provider, ledger, event)


@st.composite
def ledgers(
    draw: st.DrawFn,
    provider: str = "simpleps",
    *,
    currency: Optional[str] = None,
    initial_status: Optional[Mapping[str, str]] = None,
    max_events: int = 6,
    max_minor: int = I64_MAX,
) -> Ledger:
    """Ledgers ``provider`` can reach (see the module docs for each provider's mix): consistent
    start statuses, then captures, Commerce Layer returns, refund operations and sometimes an
    edge, each applied through the engine (rejected events are skipped). Authorized amounts are
    mostly small, sometimes up to ``max_minor`` (by default the ``i64`` edge)."""
    if provider not in START_STATUSES:
        raise ValueError(f"unknown provider `{provider}`; expected one of {', '.join(PROVIDERS)}")
    status = initial_status if initial_status is not None else draw(st.sampled_from(START_STATUSES[provider]))
    cur = currency if currency is not None else draw(currencies())
    small = min(max_minor, 10**9)
    authorized = draw(
        st.one_of(
            minor_units(1, small), minor_units(1, small), minor_units(1, small),
            minor_units(1, max_minor), minor_units(max(1, max_minor - 1000), max_minor),
        )
    )  # fmt: skip
    lines: Optional[List[Any]] = None
    if provider == "digital_river":
        n = draw(st.integers(1, 3))
        weights = draw(st.lists(st.integers(1, 100), min_size=n, max_size=n))
        tax = draw(st.lists(st.integers(0, 25), min_size=n, max_size=n))
        lines = _lines(authorized, cur, weights, tax)
    ledger = Ledger(
        id=f"pay_{draw(st.integers(1, 10**6))}",
        currency=cur,
        authorized=amount_of(authorized, cur),
        status=Statuses.from_dict(status),
        created_at=FISERV_CREATED_AT if provider == "fiserv_commerce_hub" else None,
        lines=lines,
    )
    seq = iter(range(10**6))

    def eid() -> str:
        return f"evt_{next(seq)}"

    # 1. Captures: none, one of everything, or several (kept where the provider allows them).
    mode = draw(st.sampled_from(["none", "one", "one", "one", "several", "several"]))
    if mode != "none":
        left = authorized
        n = draw(st.integers(2, 4)) if mode == "several" and provider in SEVERAL_CAPTURES else 1
        for i in range(n):
            part = left if i == n - 1 else max(1, left * draw(st.integers(1, 65535)) // 65536)
            if part <= 0 or left <= 0:
                break
            settled = draw(st.sampled_from([True, True, True, False]))
            event = Event.payment_captured(eid(), f"cap_{i + 1}", amount_of(part, cur), settled=settled)
            ledger = _try_apply(provider, ledger, event)
            left = authorized - sum(_minor(c.amount, cur) for c in ledger.captures)
    # Commerce Layer returns, recorded by the caller (CL5): mostly `received`.
    if provider == "commerce_layer" and ledger.captures and draw(st.integers(0, 2)) > 0:
        returns = []
        for i in range(draw(st.integers(1, 3))):
            st_ = draw(st.sampled_from(["received"] * 4 + ["approved", "shipped", "refunded", "cancelled"]))
            cap = draw(st.one_of(st.none(), st.sampled_from([c.id for c in ledger.captures])))
            ret: Dict[str, Any] = {"id": f"ret_{i + 1}", "status": st_}
            if cap is not None:
                ret["capture_id"] = cap
            returns.append(ret)
        d = ledger.to_dict()
        d["returns"] = returns
        ledger = Ledger.from_dict(d)
    # 2. Refund operations.
    full_only = provider == "alternative_payments"
    for _ in range(draw(st.integers(0, max_events))):
        op = draw(st.sampled_from(["create"] * 4 + ["plan"] * 2 + ["return", "move", "move", "settle"]))
        caps = [c.id for c in ledger.captures]
        if op == "create":
            cap = draw(st.sampled_from(caps)) if caps and (provider == "commerce_layer" or draw(st.booleans())) else None
            if provider == "digital_river":
                cap = None
            avail = _available(provider, ledger, cap)
            refund_id = f"refund_{len(ledger.refunds) + 1}"
            amount = amount_of(draw(_pick(avail, full_only)), cur)
            state = draw(st.sampled_from(REFUND_STATES[provider]))
            event = Event.refund_created(eid(), refund_id, amount, state=state, capture_id=cap)
            ledger = _try_apply(provider, ledger, event)
        elif op == "plan":
            cap = caps[-1] if caps else None
            whole = draw(st.integers(0, 3)) == 0
            minor = None if whole else draw(_pick(_available(provider, ledger, cap if provider == "commerce_layer" else None), full_only))
            ledger = _try_plan(provider, ledger, _request(provider, ledger, minor, cap), eid())
        elif op == "return":
            rets = ledger.returns or []
            if provider != "commerce_layer" or not rets or not caps:
                continue
            ret = draw(st.sampled_from(rets))
            avail = _available(provider, ledger, ret.get("capture_id") or caps[-1])
            attrs = {"_refund": True, "_refund_amount_cents": draw(_pick(avail))}
            body = {"data": {"type": "returns", "id": ret["id"], "attributes": attrs}}
            ledger = _try_plan(provider, ledger, body, eid())
        elif op == "move":
            if not ledger.refunds:
                continue
            refund = draw(st.sampled_from(ledger.refunds))
            move: EventType = draw(st.sampled_from(["refund_succeeded", "refund_failed", "refund_expired"]))
            ledger = _try_apply(provider, ledger, Event(id=eid(), type=move, refund_id=refund.id))
        elif caps:
            ledger = _try_apply(provider, ledger, Event(id=eid(), type="capture_settled", capture_id=draw(st.sampled_from(caps))))
    # 3. Sometimes an edge: everything refunded, or all but one minor unit.
    edge = draw(st.sampled_from(["none"] * 6 + ["all", "all_but_one", "all_but_one"]))
    if edge != "none" and ledger.captures:
        avail = _available(provider, ledger)
        minor = avail if edge == "all" else avail - 1
        if minor > 0:
            cap = ledger.captures[-1].id if provider == "commerce_layer" else None
            if cap is not None:
                minor = min(minor, _available(provider, ledger, cap))
            state = draw(st.sampled_from(REFUND_STATES[provider]))
            event = Event.refund_created(eid(), f"refund_{len(ledger.refunds) + 1}", amount_of(minor, cur), state=state, capture_id=cap)
            ledger = _try_apply(provider, ledger, event)
    return ledger


def provider_ledgers(providers: Sequence[str] = PROVIDERS, **kwargs: Any) -> st.SearchStrategy[Tuple[str, Ledger]]:
    """``(provider, ledger)`` pairs over ``providers`` (all five by default); keyword arguments
    go to :func:`ledgers`."""
    return st.sampled_from(list(providers)).flatmap(lambda p: ledgers(p, **kwargs).map(lambda l: (p, l)))


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
