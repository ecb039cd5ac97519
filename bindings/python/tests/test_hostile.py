"""Hostile inputs never escape the error hierarchy: every call returns or raises a
``RefundError`` subclass (never a raw ``ValueError``, ``TypeError``, ``UnicodeEncodeError``,
``RecursionError`` or ``PanicException``), and ``plan_many`` answers each document on its own.

Each class of hostile value is tried at the document's edges (JSON text, bytes) and inside dict
documents: in typed fields, in a pass-through field (Digital River ``metadata``, echoed by the
engine into the provider call) and in an unknown field.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, Callable, Dict, List

import pytest

import refund_rules
from refund_rules import _native

DEEP = 10_000
HUGE_INT = 10**5000  # beyond Python's default int-to-str limit of 4300 digits

SIMPLEPS_LEDGER: Dict[str, Any] = {
    "currency": "USD",
    "authorized": "100.00",
    "status": {"payment": "CAPTURED"},
    "captures": [{"id": "cap_1", "amount": "100.00"}],
}

DR_DOC: Dict[str, Any] = {
    "provider": "digital_river",
    "ledger": {
        "id": "240123450336",
        "currency": "USD",
        "authorized": "27.01",
        "status": {"payment": "complete"},
        "captures": [{"id": "cap_1", "amount": "27.01", "settled": True}],
        "lines": [{"id": "li_1", "kind": "product", "amount": "25.00", "tax": "2.01"}],
        "refunds": [],
        "version": 3,
    },
    "request": {"orderId": "240123450336", "currency": "USD", "percent": 50},
}


def nested(depth: int, leaf: Any = 1, kind: str = "dict") -> Any:
    value = leaf
    for _ in range(depth):
        value = {"a": value} if kind == "dict" else [value]
    return value


def deep_text(depth: int) -> str:
    return "[" * depth + "]" * depth


class Weird:
    """A custom object with no JSON form."""


class BrokenMapping(Mapping):  # type: ignore[type-arg]
    """A mapping whose iteration raises an arbitrary exception."""

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("boom")

    def __len__(self) -> int:
        return 1


class BadToDict:
    def to_dict(self) -> Any:
        raise ZeroDivisionError("no dict for you")


class BadStr(str):
    def __str__(self) -> str:
        raise RuntimeError("no str")


# Values that are hostile *inside* a dict document.
HOSTILE_VALUES: Dict[str, Callable[[], Any]] = {
    "lone high surrogate": lambda: "\ud800",
    "lone low surrogate": lambda: "a\udc00b",
    "huge int": lambda: HUGE_INT,
    "huge negative int": lambda: -HUGE_INT,
    "deep dicts": lambda: nested(DEEP),
    "deep lists": lambda: nested(DEEP, kind="list"),
    "cycle": lambda: (lambda d: (d.__setitem__("self", d), d)[1])({}),
    "bytes": lambda: b"\xff\x00",
    "bytearray": lambda: bytearray(b"ab"),
    "set": lambda: {1, 2},
    "frozenset": lambda: frozenset(),
    "float": lambda: 1.5,
    "nan float": lambda: float("nan"),
    "nan Decimal": lambda: Decimal("NaN"),
    "snan Decimal": lambda: Decimal("sNaN"),
    "infinite Decimal": lambda: Decimal("-Infinity"),
    "huge Decimal": lambda: Decimal("1e999999999"),
    "complex": lambda: 1j,
    "custom object": Weird,
    "type object": lambda: int,
    "function": lambda: len,
    "broken mapping": BrokenMapping,
    "to_dict raises": BadToDict,
    "str subclass with broken __str__": lambda: BadStr("x"),
    "non-str key": lambda: {1: "a"},
    "tuple key": lambda: {(1, 2): "a"},
    "lone surrogate key": lambda: {"\ud800": 1},
    "None key": lambda: {None: 1},
    "ellipsis": lambda: ...,
    "range": lambda: range(3),
    "generator": lambda: (i for i in range(3)),
}


def assert_returns_or_refund_error(call: Callable[[], Any]) -> Any:
    """The call returns, or raises a RefundError subclass; anything else fails the test."""
    try:
        return call()
    except refund_rules.RefundError as err:
        assert isinstance(err.code, str) and err.code
        assert not err.internal, f"the engine panicked: {err.message}"
        return err
    # Any other exception propagates and fails the test with its own traceback.


def plan_documents(value: Any) -> Dict[str, Dict[str, Any]]:
    """Plan documents with `value` in a typed field, a pass-through field and an unknown field."""
    amount = {
        "provider": "simpleps",
        "ledger": copy.deepcopy(SIMPLEPS_LEDGER),
        "request": {"amount": {"total": value, "currency": "USD"}},
    }
    version = {"provider": "simpleps", "ledger": {**copy.deepcopy(SIMPLEPS_LEDGER), "version": value}}
    ledger_id = {"provider": "simpleps", "ledger": {**copy.deepcopy(SIMPLEPS_LEDGER), "id": value}}
    metadata = copy.deepcopy(DR_DOC)
    metadata["request"]["metadata"] = {"note": value}
    unknown = {"provider": "simpleps", "ledger": copy.deepcopy(SIMPLEPS_LEDGER), "surprise": value}
    return {
        "amount": amount,
        "version": version,
        "ledger id": ledger_id,
        "metadata": metadata,
        "unknown field": unknown,
    }


@pytest.mark.parametrize("name", sorted(HOSTILE_VALUES))
def test_hostile_values_in_dict_documents_stay_in_the_hierarchy(name: str) -> None:
    for where, doc in plan_documents(HOSTILE_VALUES[name]()).items():
        out = assert_returns_or_refund_error(lambda: refund_rules.run("plan", doc))
        # Through the typed API and the envelope API too.
        assert_returns_or_refund_error(
            lambda: refund_rules.plan(doc["provider"], doc["ledger"], doc.get("request"))
        )
        assert_returns_or_refund_error(lambda: refund_rules.run_envelope("plan", doc))
        assert out is not None, where


@pytest.mark.parametrize("name", sorted(HOSTILE_VALUES))
def test_hostile_values_in_other_operations_stay_in_the_hierarchy(name: str) -> None:
    value = HOSTILE_VALUES[name]()
    calls: List[Callable[[], Any]] = [
        lambda: refund_rules.parse_amount(value, "USD"),
        lambda: refund_rules.parse_amount("1.00", value),
        lambda: refund_rules.format_amount(value, "USD"),
        lambda: refund_rules.refundable(value),
        lambda: refund_rules.refundable(SIMPLEPS_LEDGER, capture_id=value),
        lambda: refund_rules.apply("simpleps", SIMPLEPS_LEDGER, value),
        lambda: refund_rules.apply(
            "simpleps", SIMPLEPS_LEDGER, {"id": "e1", "type": "refund_created", "amount": value}
        ),
        lambda: refund_rules.validate_list_query("alternative_payments", {"limit": value}),
        lambda: refund_rules.run(value, "{}"),
        lambda: refund_rules.run_envelope("plan", value),
        lambda: refund_rules.dumps(value),
    ]
    for call in calls:
        assert_returns_or_refund_error(call)


def test_a_huge_int_is_written_exactly_and_answered_by_the_engine() -> None:
    # Not refused by the writer: the engine decides (the version is far beyond u64).
    text = refund_rules.dumps({"version": HUGE_INT})
    assert text == '{"version":1' + "0" * 5000 + "}"
    with pytest.raises(refund_rules.InvalidInput) as info:
        refund_rules.refundable({**SIMPLEPS_LEDGER, "version": HUGE_INT})
    assert info.value.pointer is not None and info.value.pointer.startswith("/ledger")
    with pytest.raises(refund_rules.InvalidInput):
        refund_rules.plan(
            "simpleps", SIMPLEPS_LEDGER, {"amount": {"total": HUGE_INT, "currency": "USD"}}
        )


def test_a_lone_surrogate_in_a_dict_is_unsupported_at_its_pointer() -> None:
    with pytest.raises(refund_rules.UnsupportedValue) as info:
        refund_rules.plan("simpleps", {**SIMPLEPS_LEDGER, "id": "x\ud800"})
    assert info.value.pointer == "/ledger/id"
    assert "lone surrogate" in info.value.message
    with pytest.raises(refund_rules.UnsupportedValue) as info:
        refund_rules.run("plan", {"provider": "simpleps", "ledger": SIMPLEPS_LEDGER, "\udc00": 1})
    assert info.value.pointer is not None and info.value.pointer.startswith("/\ufffd")


def test_a_lone_surrogate_in_text_is_refused_as_the_cli_refuses_its_bytes() -> None:
    text = '{"amount":"1\ud800","currency":"USD"}'
    envelope = refund_rules.run_envelope("parse_amount", text)
    # The CLI reads the same document as bytes (WTF-8): identical answer.
    assert envelope == refund_rules.run_envelope(
        "parse_amount", text.encode("utf-8", "surrogatepass")
    )
    error = json.loads(envelope)["error"]
    assert error["code"] == "invalid_input"
    assert "not UTF-8" in error["message"] and "index 12" in error["message"]
    with pytest.raises(refund_rules.InvalidInput):
        refund_rules.run("parse_amount", text)
    # Escaped in the text, the engine's JSON reader refuses it.
    escaped = '{"amount":"1\\ud800","currency":"USD"}'
    with pytest.raises(refund_rules.InvalidInput):
        refund_rules.run("parse_amount", escaped)


def test_bytes_documents_are_read_as_the_cli_reads_them() -> None:
    good = b'{"amount":"25.00","currency":"USD"}'
    assert refund_rules.run_envelope("parse_amount", good) == refund_rules.run_envelope(
        "parse_amount", good.decode()
    )
    assert refund_rules.run("parse_amount", bytearray(good))["minor"] == "2500"
    for bad in [b"\xff", b'{"amount":"\xc3(","currency":"USD"}', b"\xef\xbb\xbf{}", b"", b"\x00"]:
        with pytest.raises(refund_rules.InvalidInput):
            refund_rules.run("parse_amount", bad)


def test_oversized_text_and_bytes_get_the_same_answer() -> None:
    big = " " * (_native.MAX_INPUT_BYTES + 1)
    a = refund_rules.run_envelope("plan", big)
    assert a == refund_rules.run_envelope("plan", big.encode())
    assert "limit" in json.loads(a)["error"]["message"]


def test_deep_pass_through_values_are_refused_with_a_typed_error() -> None:
    # Pass-through JSON obeys the nesting limit of every other field (128 levels).
    text = json.dumps(DR_DOC).replace('"percent": 50', '"percent": 50, "metadata": ' + deep_text(DEEP))
    with pytest.raises(refund_rules.InvalidInput) as caught:
        refund_rules.run("plan", text)
    assert caught.value.pointer.startswith("/request/metadata")
    assert caught.value.details == {"problem": "too_deep"}


def test_pass_through_values_are_read_back() -> None:
    # The engine echoes Digital River metadata into the provider call as given: a lone-surrogate
    # escape and a 5,000-digit integer must decode.
    for metadata, check in [
        ('{"a":"\\ud800"}', lambda v: v == {"a": "\ud800"}),
        ('{"\\udc00":1}', lambda v: v == {"\udc00": 1}),
        ('{"n":' + "7" * 5000 + "}", lambda v: v["n"] == int(Decimal("7" * 5000))),
    ]:
        text = json.dumps(DR_DOC).replace('"percent": 50', '"percent": 50, "metadata": ' + metadata)
        out = refund_rules.run("plan", text)
        assert check(out["provider_call"]["body"]["metadata"]), metadata[:40]
        plan = refund_rules.plan_many([text])[0]
        assert plan.ok, plan.error


def test_loads_never_raises_for_valid_json() -> None:
    assert refund_rules._wire.loads(deep_text(50_000)) is not None
    assert refund_rules._wire.loads("1" * 10_000) == int(Decimal("1" * 10_000))
    assert refund_rules._wire.loads('"\\ud800\\ud800\\udc00"') == "\ud800\U00010000"
    assert refund_rules._wire.loads('"\\u00e9\\n"') == "\u00e9\n"


def test_plan_many_answers_every_document_on_its_own() -> None:
    good = {"provider": "simpleps", "ledger": SIMPLEPS_LEDGER}
    hostile: List[Any] = [HOSTILE_VALUES[name]() for name in sorted(HOSTILE_VALUES)]
    docs: List[Any] = [good]
    for value in hostile:
        docs.append(value)  # the document itself is hostile
        docs.extend(plan_documents(value).values())
    docs += ["\ud800", b"\xff", "", "[]", "null", deep_text(DEEP), good]
    results = refund_rules.plan_many(docs)
    assert len(results) == len(docs)
    assert results[0].ok and results[-1].ok
    for doc, result in zip(docs, results):
        if not result.ok:
            assert isinstance(result.error, refund_rules.RefundError), (doc, result.error)
            assert not result.error.internal


def test_plan_many_and_run_many_refuse_a_non_iterable_in_the_hierarchy() -> None:
    with pytest.raises(refund_rules.UnsupportedValue):
        refund_rules.plan_many(5)  # type: ignore[arg-type]
    with pytest.raises(refund_rules.UnsupportedValue):
        _native.run_many("plan", 5)  # type: ignore[arg-type]
    with pytest.raises(refund_rules.UnsupportedValue):
        _native.run_many("plan", ["{}", 5])  # type: ignore[list-item]
    assert len(_native.run_many("plan", ["\ud800", b"{}"])) == 2


def test_keyboard_interrupt_is_not_swallowed() -> None:
    class Interrupting:
        def to_dict(self) -> Any:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        refund_rules.run("plan", {"provider": Interrupting()})


def test_python_recursion_limit_is_untouched() -> None:
    before = sys.getrecursionlimit()
    with pytest.raises(refund_rules.UnsupportedValue) as info:
        refund_rules.run_envelope("plan", {"provider": "simpleps", "x": nested(DEEP)})
    assert "nests deeper" in info.value.message
    assert sys.getrecursionlimit() == before
