"""Exceptions: classes by family, attributes, floats refused, panics never escape."""

from __future__ import annotations

import datetime
import pickle
import re
from decimal import Decimal
from typing import Any, Dict

import pytest

import refund_rules
from refund_rules import _native
from refund_rules.errors import error_class

LEDGER: Dict[str, Any] = {
    "id": "order-1",
    "currency": "USD",
    "authorized": Decimal("100.10"),
    "status": {"payment": "CAPTURED"},
    "captures": [{"id": "cap_1", "amount": Decimal("100.10"), "settled": True}],
    "version": 3,
}

CLASSES = {
    "invalid_input": refund_rules.InvalidInput,
    "rule_rejected": refund_rules.RuleRejected,
    "illegal_transition": refund_rules.IllegalTransition,
    "conflict": refund_rules.Conflict,
}


def test_every_engine_code_has_a_class_under_its_family() -> None:
    codes = _native.error_codes()
    assert len(codes) >= 19
    for code, family in codes:
        cls = error_class(code, family)
        assert issubclass(cls, CLASSES[family]), (code, family, cls)
        assert issubclass(cls, refund_rules.RefundError)
        assert issubclass(cls, ValueError)
    assert error_class("version_conflict", "conflict") is refund_rules.VersionConflict
    assert error_class("idempotency_conflict", "conflict") is refund_rules.IdempotencyConflict


def test_rule_rejection_carries_code_details_refundable_and_provider_error() -> None:
    with pytest.raises(refund_rules.RuleRejected) as info:
        refund_rules.plan("simpleps", LEDGER, {"amount": {"total": Decimal("100.11"), "currency": "USD"}})
    err = info.value
    assert err.code == "exceeds_refundable"
    assert err.family == "rule_rejected"
    assert "exceeds the refundable 100.10 USD" in err.message
    assert err.details["requested"] == "100.11"
    assert err.refundable is not None and err.refundable.available == Decimal("100.10")
    assert err.provider_error is not None and err.provider_error.code == "PAY_016"
    assert err.provider_error.http_status == 400
    assert err.pointer is None
    assert not err.internal
    assert str(err).startswith("exceeds_refundable: ")


def test_invalid_input_has_a_pointer() -> None:
    with pytest.raises(refund_rules.InvalidInput) as info:
        refund_rules.plan("simpleps", {**LEDGER, "authorized": "1.001"})
    assert info.value.code == "invalid_amount"
    assert info.value.pointer == "/ledger/authorized"


def test_unknown_provider() -> None:
    with pytest.raises(refund_rules.InvalidInput) as info:
        refund_rules.plan("nope", LEDGER)
    assert info.value.code == "unknown_provider"


def test_version_conflict_is_a_conflict() -> None:
    event = {"id": "e1", "type": "refund_created", "refund_id": "r1", "amount": "1.00", "state": "succeeded", "expected_version": 2}
    with pytest.raises(refund_rules.VersionConflict) as info:
        refund_rules.apply("simpleps", LEDGER, event)
    assert isinstance(info.value, refund_rules.Conflict)
    assert info.value.details == {"expected": 2, "actual": 3}


def test_illegal_transition() -> None:
    with pytest.raises(refund_rules.IllegalTransition) as info:
        refund_rules.apply("simpleps", LEDGER, {"id": "e1", "type": "payment_voided"})
    assert info.value.details["machine"] == "payment"


def test_errors_pickle_with_their_class() -> None:
    with pytest.raises(refund_rules.RefundError) as info:
        refund_rules.plan("simpleps", LEDGER, {"amount": {"total": Decimal("500.00"), "currency": "USD"}})
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is refund_rules.RuleRejected
    assert again.code == info.value.code and again.details == info.value.details
    with pytest.raises(refund_rules.FloatNotAllowed) as f:
        refund_rules.format_amount(1.5, "USD")  # type: ignore[arg-type]
    assert type(pickle.loads(pickle.dumps(f.value))) is refund_rules.FloatNotAllowed


@pytest.mark.parametrize(
    "call,pointer",
    [
        (lambda: refund_rules.plan("simpleps", LEDGER, {"amount": {"total": 25.0, "currency": "USD"}}), "/request/amount/total"),
        (lambda: refund_rules.plan("simpleps", {**LEDGER, "authorized": 100.1}), "/ledger/authorized"),
        (lambda: refund_rules.plan("simpleps", {**LEDGER, "captures": [{"id": "c", "amount": 1.0}]}), "/ledger/captures/0/amount"),
        (lambda: refund_rules.plan("simpleps", LEDGER, options={"x": [1, 2.5]}), "/options/x/1"),
        (lambda: refund_rules.apply("simpleps", LEDGER, {"id": "e", "type": "refund_created", "amount": 0.5}), "/event/amount"),
        (lambda: refund_rules.apply("simpleps", LEDGER, refund_rules.Event.refund_created("e", "r", 0.5)), "/event/amount"),  # type: ignore[arg-type]
        (lambda: refund_rules.parse_amount(0.1, "USD"), "/amount"),  # type: ignore[arg-type]
        (lambda: refund_rules.format_amount(2.0, "USD"), "/minor"),  # type: ignore[arg-type]
        (lambda: refund_rules.run("plan", {"provider": "simpleps", "ledger": LEDGER, "now": 1.0}), "/now"),
        (lambda: refund_rules.plan_many([{"provider": "simpleps", "ledger": LEDGER, "request": {"a": 1e2}}])[0].unwrap(), "/request/a"),
    ],
)
def test_a_float_anywhere_is_rejected(call: Any, pointer: str) -> None:
    with pytest.raises(refund_rules.FloatNotAllowed) as info:
        call()
    err = info.value
    assert isinstance(err, refund_rules.InvalidInput) and isinstance(err, TypeError)
    assert err.code == "invalid_input"
    assert err.pointer == pointer
    assert "float" in err.message and "Decimal" in err.message


def test_int_is_an_amount_but_bool_is_not() -> None:
    # One amount rule: an int is the amount it says (25 == 25.00), in the ledger and in requests.
    by_int = refund_rules.plan("simpleps", {**LEDGER, "authorized": 100, "captures": [{"id": "c", "amount": 100}]})
    by_text = refund_rules.plan("simpleps", {**LEDGER, "authorized": "100.00", "captures": [{"id": "c", "amount": "100.00"}]})
    assert by_int.to_dict() == by_text.to_dict() and by_int.amount == Decimal("100.00")
    assert refund_rules.parse_amount(25, "USD").minor == 2500
    with pytest.raises(refund_rules.InvalidInput):
        refund_rules.plan("simpleps", {**LEDGER, "authorized": True})
    with pytest.raises(refund_rules.UnsupportedValue):
        refund_rules.format_amount(True, "USD")


def test_unsupported_types_are_refused_with_a_pointer() -> None:
    with pytest.raises(refund_rules.UnsupportedValue) as info:
        refund_rules.plan("simpleps", LEDGER, {"amount": {"total": object()}})
    assert info.value.pointer == "/request/amount/total"


def test_non_finite_decimal_is_an_engine_rejection_not_a_crash() -> None:
    with pytest.raises(refund_rules.InvalidInput):
        refund_rules.parse_amount(Decimal("NaN"), "USD")


def test_a_panic_becomes_invalid_input_not_panic_exception() -> None:
    text = _native._panic_selftest("deliberate")
    with pytest.raises(refund_rules.InvalidInput) as info:
        refund_rules._value(text)  # type: ignore[attr-defined]
    err = info.value
    assert err.code == "invalid_input"
    assert err.internal is True
    assert err.details["panic"] == "deliberate"
    assert "internal error" in err.message


def test_garbage_never_panics() -> None:
    for op in list(refund_rules.OPERATIONS) + ["nope"]:
        for doc in ["", "{", "null", "[]", '{"provider": 1}', "\x00", "1e999999", '"' + "a" * 1000 + '"', "{" * 10000]:
            envelope = refund_rules._wire.loads(refund_rules.run_envelope(op, doc))
            assert envelope["ok"] is False
            assert envelope["error"]["family"] == "invalid_input"
            assert not envelope["error"]["details"].get("internal_error")


# --------------------------------------------------------------------------- messages (#13 item 5)

_NAIVE = datetime.datetime(2026, 1, 31, 12, 0)


@pytest.mark.parametrize(
    "call,pointer",
    [
        (lambda: refund_rules.plan("simpleps", LEDGER, now=_NAIVE), "/now"),
        (lambda: refund_rules.plan("simpleps", {**LEDGER, "created_at": _NAIVE}), "/ledger/created_at"),
        (lambda: refund_rules.apply("simpleps", LEDGER, refund_rules.Event.payment_captured("e", "c2", Decimal(1), captured_at=_NAIVE)), "/event/captured_at"),
        (lambda: refund_rules.apply("simpleps", LEDGER, {"id": "e", "type": "payment_captured", "capture_id": "c2", "amount": "1.00", "captured_at": _NAIVE}), "/event/captured_at"),
        (lambda: refund_rules.plan_many([{"provider": "simpleps", "ledger": {**LEDGER, "captures": [{"id": "c", "amount": "1.00", "captured_at": _NAIVE}]}}])[0].unwrap(), "/ledger/captures/0/captured_at"),
    ],
)
def test_a_naive_datetime_is_asked_for_a_timezone(call: Any, pointer: str) -> None:
    with pytest.raises(refund_rules.InvalidInput) as info:
        call()
    assert info.value.pointer == pointer
    assert "add a timezone" in info.value.message
    assert info.value.details
    # An aware one is read.
    aware = _NAIVE.replace(tzinfo=datetime.timezone.utc)
    assert refund_rules.plan("simpleps", {**LEDGER, "created_at": aware}, now=aware).amount == Decimal("100.10")


_PARSER_WORDS = re.compile(
    r"line \d+ column \d+|at line|invalid type:|invalid value:|\bstruct\b|\benum\b|\bu64\b|\bi64\b|\busize\b|"
    r"\bOption\b|\bVec\b|\bBox\b|RawValue|serde|invalid input at ``"
)

_BAD_DICTS: list = [
    {"status": "CAPTURED"},
    {"status": {"payment": 1}},
    {"status": {}},
    {"version": "x"},
    {"version": -1},
    {"bogus": 1},
    {"captures": {"a": 1}},
    {"captures": [{"id": 1, "amount": "1.00"}]},
    {"captures": [{"amount": "1.00"}]},
    {"refunds": [{"id": "r", "amount": "1.00", "state": "nope"}]},
    {"refunds": [{"id": "r", "amount": "1.00"}]},
    {"applied_events": [1]},
    {"applied_events": [{"id": "x"}]},
    {"lines": [{"id": "l", "kind": "gift", "amount": "1.00"}]},
    {"currency": 5},
    {"currency": "XXX1"},
    {"authorized": [1]},
    {"authorized": "1,00"},
    {"id": None},
    {"created_at": "yesterday"},
]


@pytest.mark.parametrize("provider", sorted(refund_rules.PROVIDERS))
@pytest.mark.parametrize("change", range(len(_BAD_DICTS)))
def test_dict_errors_speak_the_documents_terms(provider: str, change: int) -> None:
    ledger = {**LEDGER, **_BAD_DICTS[change]}
    with pytest.raises(refund_rules.RefundError) as info:
        refund_rules.plan(provider, ledger)
    err = info.value
    assert not _PARSER_WORDS.search(err.message), err.message
    assert err.details, (err.message, err.details)
    assert err.pointer and err.pointer.startswith("/ledger"), (err.pointer, err.message)


@pytest.mark.parametrize(
    "request_",
    [{"amount": {"total": [1]}}, {"amount": "x"}, {"x": 1}, [1], {"amount": {"total": Decimal(1), "currency": 5}}],
)
@pytest.mark.parametrize("provider", sorted(refund_rules.PROVIDERS))
def test_request_errors_speak_the_documents_terms(provider: str, request_: Any) -> None:
    with pytest.raises(refund_rules.RefundError) as info:
        refund_rules.plan(provider, LEDGER, request_)
    err = info.value
    assert not _PARSER_WORDS.search(err.message), err.message
    assert err.details, (err.message, err.details)
