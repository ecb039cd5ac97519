"""Hypothesis properties over the engine, with a fixed CI budget (derandomized, 200 examples)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List, Optional, Tuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import refund_rules
from refund_rules import Ledger
from refund_rules import strategies as rs

CI = settings(
    max_examples=200,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@CI
@given(rs.ledgers_and_requests())
def test_plan_and_apply_agree(data: Tuple[Ledger, Optional[Dict[str, Any]]]) -> None:
    ledger, request = data
    try:
        plan = refund_rules.plan("simpleps", ledger, request)
    except refund_rules.RuleRejected as err:
        if err.refundable is not None:
            assert err.refundable == refund_rules.refundable(ledger)
        return
    except refund_rules.InvalidInput as err:
        assert err.code in ("invalid_amount", "invalid_input"), err
        return
    before = refund_rules.refundable(ledger)
    assert plan.refundable == before
    assert Decimal(0) < plan.amount <= before.available
    assert plan.remaining_after == before.available - plan.amount
    assert plan.kind == ("full" if plan.remaining_after == 0 else "partial")
    assert plan.event is not None
    applied = refund_rules.apply("simpleps", ledger, plan.event)
    assert not applied.duplicate
    assert applied.ledger.version == ledger.version + 1
    assert applied.refundable.available == plan.remaining_after
    assert applied.ledger.status == plan.status_after


@CI
@given(st.data())
def test_no_sequence_of_events_over_refunds(data: st.DataObject) -> None:
    ledger = data.draw(rs.ledgers("simpleps", max_events=3))
    events = data.draw(rs.event_sequences(ledger.currency, max_size=10, max_minor=10**9))
    for i, event in enumerate(events):
        event.id = f"extra_{i}"
        try:
            applied = refund_rules.apply("simpleps", ledger, event)
        except refund_rules.RefundError as err:
            assert not err.internal
            continue
        r = applied.refundable
        assert r.available >= 0
        assert r.refunded + r.pending <= r.captured
        if event.type == "refund_created":
            assert event.amount is not None
            assert Decimal(event.amount) <= refund_rules.refundable(ledger).available
        ledger = applied.ledger


@CI
@given(st.data())
def test_amounts_round_trip_exactly(data: st.DataObject) -> None:
    currency = data.draw(rs.currencies())
    amount = data.draw(rs.amounts(currency))
    parsed = refund_rules.parse_amount(amount, currency)
    assert parsed.amount == amount and str(parsed.amount) == str(amount)
    assert parsed.exponent == rs.CURRENCIES[currency]
    assert refund_rules.format_amount(parsed.minor, currency).amount == amount


def test_strategy_currency_table_matches_the_engine() -> None:
    for code, exponent in rs.CURRENCIES.items():
        assert refund_rules.format_amount(0, code).exponent == exponent, code


@CI
@given(rs.ledgers("simpleps"))
def test_generated_ledgers_are_valid_for_the_engine(ledger: Ledger) -> None:
    refund_rules.refundable(ledger, provider="simpleps")  # raises on an inconsistent ledger
    statuses: List[str] = []
    statuses.append(ledger.status.payment)
    assert statuses[0] in {
        "AUTHORIZED", "CAPTURED", "PARTIALLY_CAPTURED", "PARTIALLY_REFUNDED", "REFUNDED", "VOIDED", "DECLINED",
    }  # fmt: skip
