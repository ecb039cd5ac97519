"""The Hypothesis strategies generate realistic mixes for every provider and catch a planted
"forgot pending refunds" bug within 200 derandomized examples."""

from __future__ import annotations

from decimal import Decimal
from typing import Callable, Dict

import pytest
from hypothesis import HealthCheck, given, settings

import refund_rules
from refund_rules import Ledger
from refund_rules import strategies as rs

CI = settings(
    max_examples=200,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
SETTLED_ONLY = {"alternative_payments", "digital_river"}


@pytest.mark.parametrize("provider", rs.PROVIDERS)
def test_ledger_mix(provider: str) -> None:
    counts: Dict[str, int] = {}
    seen = [0]

    def count(key: str, hit: bool) -> None:
        counts[key] = counts.get(key, 0) + int(hit)

    @CI
    @given(rs.ledgers(provider))
    def sample(ledger: Ledger) -> None:
        seen[0] += 1
        r = refund_rules.refundable(ledger, provider=provider)
        unit = Decimal(1).scaleb(-rs.CURRENCIES[ledger.currency])
        count("refund", bool(ledger.refunds))
        count("pending", any(x.state.startswith("pending") for x in ledger.refunds))
        count("captures2", len(ledger.captures) >= 2)
        count("lines", bool(ledger.lines))
        count("returns", bool(ledger.returns))
        count("full", Decimal(r.captured) > 0 and Decimal(r.available) == 0)
        count("one_left", Decimal(r.available) == unit)

    sample()
    share = {k: 100 * v // seen[0] for k, v in counts.items()}
    print(provider, share)
    assert share["refund"] >= 30, share
    assert share["full"] >= 10, share
    assert share["one_left"] >= 3, share
    if any(s.startswith("pending") for s in rs.REFUND_STATES[provider]):
        assert share["pending"] >= 10, share
    else:
        assert share["pending"] == 0, share
    if provider in rs.SEVERAL_CAPTURES:
        assert share["captures2"] >= 10, share
    if provider == "digital_river":
        assert share["lines"] >= 10, share
    if provider == "commerce_layer":
        assert share["returns"] >= 10, share


def toy_available(provider: str, ledger: Ledger, *, forget_pending: bool) -> Decimal:
    """A hand-written refund service's "still refundable": captured (settled only where the
    provider refunds settled money only) minus succeeded refunds, minus pending ones unless
    ``forget_pending`` (the planted bug)."""
    captured = sum(
        (Decimal(c.amount) for c in ledger.captures if c.settled or provider not in SETTLED_ONLY),
        Decimal(0),
    )
    held = sum(
        (
            Decimal(r.amount)
            for r in ledger.refunds
            if r.state == "succeeded" or (not forget_pending and r.state.startswith("pending"))
        ),
        Decimal(0),
    )
    return max(captured - held, Decimal(0))


def agrees_with_engine(provider: str, forget_pending: bool) -> Callable[[], None]:
    @CI
    @given(rs.ledgers(provider))
    def prop(ledger: Ledger) -> None:
        engine = refund_rules.refundable(ledger, provider=provider).available
        assert toy_available(provider, ledger, forget_pending=forget_pending) == engine

    return prop


@pytest.mark.parametrize("provider", rs.PROVIDERS)
def test_planted_forgot_pending_bug_is_caught(provider: str) -> None:
    """Caught within 200 examples wherever the provider has pending refunds; the correct toy
    passes. SimplePS refunds are synchronous (``succeeded`` only): nothing pending to forget,
    so there the "buggy" toy is correct and passes."""
    agrees_with_engine(provider, forget_pending=False)()
    buggy = agrees_with_engine(provider, forget_pending=True)
    if any(s.startswith("pending") for s in rs.REFUND_STATES[provider]):
        with pytest.raises(AssertionError):
            buggy()
    else:
        buggy()
