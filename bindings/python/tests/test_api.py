"""The typed API: round trips, exact amounts, batch, threads."""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

import refund_rules
from refund_rules import Event, Ledger, Statuses, Capture, Refund


def ledger() -> Ledger:
    return Ledger(
        id="order-12345",
        currency="USD",
        authorized=Decimal("100.10"),
        status=Statuses(payment="CAPTURED"),
        captures=[Capture(id="cap_1", amount=Decimal("100.10"), settled=True)],
        version=3,
        applied_events=["cap_1.captured"],
    )


def test_providers_and_operations() -> None:
    assert refund_rules.PROVIDERS == (
        "simpleps", "fiserv_commerce_hub", "alternative_payments", "digital_river", "commerce_layer",
    )  # fmt: skip
    assert [p.value for p in refund_rules.Provider] == list(refund_rules.PROVIDERS)
    assert {"plan", "apply", "refundable", "parse_amount", "format_amount"} <= set(refund_rules.OPERATIONS)


@pytest.mark.parametrize("provider", list(refund_rules.Provider))
def test_every_provider_is_reachable_by_name(provider: refund_rules.Provider) -> None:
    # Each answers through the same JSON surface: a plan or a typed rejection, never a crash.
    # (Providers still being implemented answer `unknown_provider` until their module lands.)
    try:
        plan = refund_rules.plan(provider, {**ledger().to_dict(), "status": {"payment": "x"}})
        assert plan.provider == provider.value
    except refund_rules.RefundError as err:
        assert isinstance(err.code, str) and not err.internal


def test_plan_apply_round_trip_with_typed_objects() -> None:
    led = ledger()
    plan = refund_rules.plan(refund_rules.Provider.SIMPLEPS, led, {"amount": {"total": Decimal("25.00"), "currency": "USD"}})
    assert plan.kind == "partial" and plan.operation == "refund"
    assert plan.amount == Decimal("25.00") and str(plan.amount) == "25.00"
    assert plan.remaining_after == Decimal("75.10")
    assert plan.status_after.payment == "PARTIALLY_REFUNDED"
    assert plan.provider_call is not None and plan.provider_call.body == {"amount": {"total": Decimal("25.00"), "currency": "USD"}}
    assert plan.event is not None and plan.event.expected_version == 3
    applied = refund_rules.apply("simpleps", led, plan.event)
    assert not applied.duplicate
    assert applied.ledger.version == 4
    assert applied.refundable.available == plan.remaining_after
    assert applied.ledger.status == plan.status_after
    # Replaying the event is a no-op.
    again = refund_rules.apply("simpleps", applied.ledger, plan.event)
    assert again.duplicate and again.ledger.version == 4
    # The typed ledger converts back to exactly what the engine returned.
    assert applied.ledger.to_dict() == applied.to_dict()["ledger"]
    assert Ledger.from_dict(applied.ledger.to_dict()) == applied.ledger


def test_to_json_keeps_exact_number_text() -> None:
    plan = refund_rules.plan("simpleps", ledger(), {"amount": {"total": Decimal("25.00"), "currency": "USD"}})
    text = plan.to_json()
    assert '"total":25.00' in text and '"amount":"25.00"' in text
    envelope = refund_rules.run_envelope("plan", {"provider": "simpleps", "ledger": ledger(), "request": {"amount": {"total": Decimal("25.00"), "currency": "USD"}}})
    assert text in envelope  # the same bytes the engine wrote
    assert json.loads(plan.to_json(indent=2), parse_float=Decimal) == plan.to_dict()
    assert plan.raw == plan.to_dict()


def test_dict_and_typed_inputs_are_equivalent() -> None:
    typed = refund_rules.plan("simpleps", ledger())
    as_dict = refund_rules.plan("simpleps", ledger().to_dict())
    with_decimals = refund_rules.plan("simpleps", {**ledger().to_dict(), "authorized": Decimal("100.10")})
    assert typed == as_dict == with_decimals


def test_refundable_and_amounts() -> None:
    led = ledger()
    led.refunds.append(Refund(id="r1", amount="30.00", state="pending"))
    led.status = Statuses("PARTIALLY_REFUNDED")
    r = refund_rules.refundable(led)
    assert (r.captured, r.refunded, r.pending, r.available) == (Decimal("100.10"), Decimal("0.00"), Decimal("30.00"), Decimal("70.10"))
    a = refund_rules.parse_amount(Decimal("25.5"), "USD")
    assert (a.minor, a.amount, a.exponent, str(a.amount)) == (2550, Decimal("25.50"), 2, "25.50")
    assert refund_rules.parse_amount("0.001", "KWD").minor == 1
    big = refund_rules.format_amount(2**62, "JPY")
    assert big.minor == 2**62 and big.amount == Decimal(2**62)
    assert refund_rules.format_amount("12345", "BHD").amount == Decimal("12.345")
    with pytest.raises(refund_rules.InvalidInput) as info:
        refund_rules.parse_amount("1.001", "USD")
    assert info.value.code == "invalid_amount"


def test_now_accepts_datetimes() -> None:
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    plan = refund_rules.plan("simpleps", ledger(), now=when)
    assert plan.kind == "full"


def test_event_constructors() -> None:
    e = Event.refund_created("e1", "r1", Decimal("1.00"), expected_version=3)
    assert e.to_dict() == {"id": "e1", "type": "refund_created", "expected_version": 3, "refund_id": "r1", "amount": "1.00", "state": "succeeded"}
    assert Event.from_dict(e.to_dict()) == Event.refund_created("e1", "r1", Decimal("1.00"), expected_version=3)


def test_run_escape_hatch_takes_dicts_and_text() -> None:
    doc = {"minor": 2500, "currency": "USD"}
    assert refund_rules.run("format_amount", doc) == {"currency": "USD", "exponent": 2, "minor": "2500", "amount": "25.00"}
    assert refund_rules.run("format_amount", '{"minor":"1","currency":"JPY"}')["amount"] == "1"
    with pytest.raises(refund_rules.InvalidInput):
        refund_rules.run("nope", doc)


def test_plan_many_keeps_order_and_returns_errors() -> None:
    good = {"provider": "simpleps", "ledger": ledger()}
    docs = [
        good,
        {"provider": "nope", "ledger": ledger()},
        {**good, "request": {"amount": {"total": Decimal("500.00"), "currency": "USD"}}},
        json.dumps({"provider": "simpleps", "ledger": ledger().to_dict(), "request": {"amount": {"total": 1, "currency": "USD"}}}),
        {**good, "request": {"amount": {"total": 1.5}}},
    ]
    results = refund_rules.plan_many(docs)
    assert [r.ok for r in results] == [True, False, False, True, False]
    assert results[0].unwrap().kind == "full"
    assert results[1].error is not None and results[1].error.code == "unknown_provider"
    assert isinstance(results[2].error, refund_rules.RuleRejected)
    assert results[3].unwrap().amount == Decimal("1.00")
    assert isinstance(results[4].error, refund_rules.FloatNotAllowed)
    assert results[0].to_dict()["ok"] is True and results[1].to_dict()["ok"] is False
    with pytest.raises(refund_rules.InvalidInput):
        results[1].unwrap()
    assert refund_rules.plan_many([]) == []


def test_batch_matches_one_by_one() -> None:
    docs = [
        {"provider": "simpleps", "ledger": ledger(), "request": {"amount": {"total": Decimal(n).scaleb(-2), "currency": "USD"}}}
        for n in range(1, 12000, 97)
    ]
    batch = refund_rules.plan_many(docs)
    single = []
    for d in docs:
        try:
            single.append(refund_rules.plan(d["provider"], d["ledger"], d["request"]).to_dict())
        except refund_rules.RefundError as e:
            single.append(e.code)
    assert [r.plan.to_dict() if r.plan else r.error.code for r in batch] == single  # type: ignore[union-attr]


def test_threads_plan_concurrently_and_correctly() -> None:
    def one(n: int) -> Decimal:
        total = Decimal(n).scaleb(-2)
        return refund_rules.plan("simpleps", ledger(), {"amount": {"total": total, "currency": "USD"}}).remaining_after

    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(one, range(1, 2001)))
    assert got == [Decimal("100.10") - Decimal(n).scaleb(-2) for n in range(1, 2001)]


def test_validate_list_query_is_a_thin_wrapper() -> None:
    if "validate_list_query" in refund_rules.OPERATIONS:
        assert refund_rules.validate_list_query("alternative_payments", {})["limit"] == 100
        with pytest.raises(refund_rules.InvalidInput):
            refund_rules.validate_list_query("simpleps", {})
    else:  # an engine without the operation answers with a typed error, not a crash
        with pytest.raises(refund_rules.InvalidInput):
            refund_rules.validate_list_query("alternative_payments", {})
