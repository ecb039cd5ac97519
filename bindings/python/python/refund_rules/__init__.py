"""refund-rules: exact, pure refund rules for five payment providers.

A thin Python layer over the Rust engine's JSON surface; no refund rule lives in Python.

- :func:`plan` decides a refund (amount, full/partial, the provider call, statuses after, the
  event to apply); :func:`apply` moves a ledger by an event; :func:`refundable` is the
  breakdown; :func:`parse_amount`/:func:`format_amount` convert between decimal text and minor
  units; :func:`plan_many` plans a batch; :func:`run` is the raw escape hatch.
- Inputs are dicts or typed objects (:class:`Ledger`, :class:`Event`). Amounts are
  :class:`decimal.Decimal`, ``int`` or ``str`` everywhere (the engine writes each provider's
  wire form); a ``float`` anywhere raises :class:`FloatNotAllowed`.
- Rejections raise :class:`RefundError` subclasses carrying the engine's stable ``code``.
- ``plan_many`` (and ``plan`` on large ledgers, ``run``, ``run_envelope``) run the engine with
  the GIL released.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Dict, List, Optional, Union, cast

from . import _native
from ._types import (
    EventDoc,
    LedgerDoc,
    ListQuery,
    ListQueryValueDict,
    PlanInput,
    ProviderName,
    ProviderOptions,
    ProviderRequest,
    TimestampIn,
)
from ._wire import dumps, loads
from .errors import (
    Conflict,
    FloatNotAllowed,
    IdempotencyConflict,
    IllegalTransition,
    InvalidInput,
    RefundError,
    RuleRejected,
    UnsupportedValue,
    VersionConflict,
    error_from_envelope,
)
from .models import (
    Amount,
    Applied,
    Capture,
    Event,
    Ledger,
    Plan,
    PlanResult,
    ProviderCall,
    ProviderErrorResponse,
    ProviderResponse,
    Refund,
    Refundable,
    Statuses,
    major_amount_text,
)
from .models import _NAIVE  # noqa: E402

__version__: str = _native.__version__

__all__ = [
    "__version__",
    "PROVIDERS",
    "OPERATIONS",
    "Provider",
    "plan",
    "plan_many",
    "plan_json",
    "apply",
    "refundable",
    "parse_amount",
    "format_amount",
    "validate_list_query",
    "request_body",
    "run",
    "run_envelope",
    "RefundError",
    "InvalidInput",
    "UnsupportedValue",
    "FloatNotAllowed",
    "RuleRejected",
    "IllegalTransition",
    "Conflict",
    "VersionConflict",
    "IdempotencyConflict",
    "Amount",
    "Applied",
    "Capture",
    "Event",
    "Ledger",
    "Plan",
    "PlanResult",
    "ProviderCall",
    "ProviderErrorResponse",
    "ProviderResponse",
    "Refund",
    "Refundable",
    "Statuses",
]


class Provider(str, enum.Enum):
    """The five providers, by their document names. Plain strings work too."""

    SIMPLEPS = "simpleps"
    FISERV_COMMERCE_HUB = "fiserv_commerce_hub"
    ALTERNATIVE_PAYMENTS = "alternative_payments"
    DIGITAL_RIVER = "digital_river"
    COMMERCE_LAYER = "commerce_layer"

    def __str__(self) -> str:
        return self.value


PROVIDERS: tuple[str, ...] = tuple(_native.providers())
"""The five provider names, as the engine knows them."""

OPERATIONS: tuple[str, ...] = tuple(_native.operations())
"""The operations of the JSON surface: plan, apply, refundable, parse_amount, format_amount."""

ProviderLike = Union[Provider, ProviderName]
LedgerLike = Union[Ledger, LedgerDoc]
EventLike = Union[Event, EventDoc]
Document = Union[Mapping[str, Any], str, bytes, bytearray]
PlanDocument = Union[PlanInput, str, bytes, bytearray]


def _provider(provider: ProviderLike) -> Any:
    return provider.value if isinstance(provider, Provider) else provider


def _text(document: Document) -> Union[str, bytes, bytearray, memoryview]:
    """A document for the engine: str is JSON text already and bytes its UTF-8 bytes (the
    engine checks them, as the CLI does); anything else is encoded."""
    if isinstance(document, (str, bytes, bytearray, memoryview)):
        return document
    return dumps(document)


# Wire conversions the native writer applies to a document's top-level members (the former
# `ledger_wire` / `event_wire` passes): 1 = `ledger`, 2 = `event`.
_LEDGER_RULES = 1
_EVENT_RULES = 2


def _call(operation: str, document: Any, rules: int = 0) -> Any:
    """One native call: write the document (exact numbers, floats refused), run the engine with
    the GIL released, read the envelope; returns the ``value`` or raises the error."""
    ok, payload = _native.call(operation, document, rules)
    if ok:
        return payload
    raise error_from_envelope(payload or {})


def run_envelope(operation: str, document: Document) -> str:
    """Runs an operation and returns the engine's result envelope text, exactly as the CLI
    prints it (``{"ok":true,"value":...}`` or ``{"ok":false,"error":...}``) for the same
    document: JSON text (``str``), its bytes (``bytes``: not UTF-8 is refused as the CLI refuses
    it; a ``str`` holding a lone surrogate is its ``surrogatepass`` bytes), or a dict. Never
    raises for engine rejections; raises ``FloatNotAllowed``/``UnsupportedValue`` (both
    :class:`RefundError`) for input it cannot write."""
    return _native.run(operation, _text(document))


def _value(envelope_text: str) -> Any:
    envelope = loads(envelope_text)
    if envelope.get("ok") is True:
        return envelope.get("value")
    raise error_from_envelope(envelope.get("error") or {})


def run(operation: str, document: Document) -> Any:
    """The escape hatch: runs ``operation`` on a document (dict, or JSON text) and returns the
    result ``value`` as plain Python (non-integer numbers as ``Decimal``); raises
    :class:`RefundError` on rejection. No conversion is applied to the document: ledger amounts
    must be decimal strings, as in the JSON surface."""
    return _call(operation, document)


def _planned(status: int, payload: Any) -> Plan:
    if status == 0:
        return Plan._native(payload)
    if status == 1:
        return Plan._lazy(payload)
    raise error_from_envelope(payload or {})


def _now_text(now: Any) -> Any:
    """`now` as RFC 3339 text: a ``datetime`` must carry its timezone."""
    if isinstance(now, datetime.datetime) and now.utcoffset() is None:
        raise UnsupportedValue("/now", now, _NAIVE)
    return now.isoformat().replace("+00:00", "Z") if hasattr(now, "isoformat") else now


def _plan_document(
    provider: ProviderLike,
    ledger: LedgerLike,
    request: Optional[Any],
    options: Optional[Any],
    now: Optional[Any],
    refund_id: Optional[str],
) -> Dict[str, Any]:
    # The ledger's wire conversions (`ledger_wire`) are applied by the native writer.
    doc: Dict[str, Any] = {"provider": _provider(provider), "ledger": ledger}
    if request is not None:
        doc["request"] = request
    if options is not None:
        doc["options"] = options
    if now is not None:
        doc["now"] = _now_text(now)
    if refund_id is not None:
        doc["refund_id"] = refund_id
    return doc


def plan(
    provider: ProviderLike,
    ledger: LedgerLike,
    request: Optional[ProviderRequest] = None,
    *,
    options: ProviderOptions = None,
    now: Optional[TimestampIn] = None,
    refund_id: Optional[str] = None,
) -> Plan:
    """Plans a refund.

    Args:
        provider: one of :data:`PROVIDERS` (or a :class:`Provider`).
        ledger: a :class:`Ledger` or its dict form (amounts as ``Decimal`` or decimal ``str``).
        request: the refund request body in the provider's own shape (``None`` = no body,
            which for most providers means "refund everything that remains"). Numbers in it
            are sent exactly: use ``Decimal("25.00")``.
        options: the provider's merchant options, if it has any.
        now: the caller's clock (``datetime`` with a timezone, or RFC 3339 text); rules with
            time windows need it. The engine never reads a clock.
        refund_id: the id of the refund to create (default: derived by the engine).

    Raises:
        RefundError: a subclass by family, with the stable ``code``.
    """
    if now is not None and not isinstance(now, str):
        now = _now_text(now)
    # Dicts are read straight into the engine's typed documents; the engine decides and the
    # plan's fields are built when read (the provider call, event and explanation are rendered
    # on first access). Anything unusual takes the JSON path, with the same answers.
    status, payload = _native.plan_args(
        provider.value if isinstance(provider, Provider) else provider,
        ledger, request, options, now, refund_id,
    )  # fmt: skip
    if status == 0:
        return Plan._native(payload)
    return _planned(status, payload)


def plan_json(document: Union[str, bytes, bytearray]) -> Plan:
    """Plans a refund from a whole ``plan`` document given as JSON text (as the CLI reads it:
    ``{"provider", "ledger", "request"?, "options"?, "now"?, "refund_id"?}``).

    The engine parses the text itself (numbers stay exact: no ``json.loads`` needed) and
    decides; fields are built when read. Raises :class:`RefundError` on rejection.
    """
    if isinstance(document, (bytes, bytearray)):
        raw = bytes(document)
        try:
            document = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _planned(*_native.plan_doc(raw))
    if not isinstance(document, str):
        raise UnsupportedValue("", document, "plan_json takes JSON text (str or bytes); use plan() for dicts")
    return _planned(*_native.plan_doc(document))


def plan_many(documents: Iterable[PlanDocument]) -> List[PlanResult]:
    """Plans many refunds in one call; the engine decides with the GIL released.

    Each document is a full plan document (``{"provider", "ledger", "request"?, "options"?,
    "now"?, "refund_id"?}``; ledger amounts may be ``Decimal``) or its JSON text. Results are
    in input order; failures are :class:`PlanResult` objects with ``error`` set, never raised.
    """
    # Read into typed documents, decided (GIL released, several threads for large batches) and
    # wrapped in one native call, in chunks; anything unusual takes the JSON path there.
    results: List[PlanResult] = []
    for status, payload in _native.plan_many(documents):
        if status == 0:
            results.append(PlanResult(plan=Plan._native(payload)))
        elif status == 1:
            results.append(PlanResult(plan=Plan._lazy(payload)))
        elif status == 2:
            results.append(PlanResult(error=error_from_envelope(payload or {})))
        else:
            results.append(PlanResult(error=payload))
    return results


def apply(provider: ProviderLike, ledger: LedgerLike, event: EventLike) -> Applied:
    """Applies an event to a ledger through the provider's transition tables.

    The same event ``id`` twice is a no-op (``duplicate=True``); a stale ``expected_version``
    raises :class:`VersionConflict`; a move the tables lack raises :class:`IllegalTransition`.
    """
    doc = {"provider": _provider(provider), "ledger": ledger, "event": event}
    return Applied._lazy(_call("apply", doc, _LEDGER_RULES | _EVENT_RULES))


def refundable(
    ledger: LedgerLike, *, provider: Optional[ProviderLike] = None, capture_id: Optional[str] = None
) -> Refundable:
    """The refundable breakdown of a ledger (optionally checked against a provider's tables,
    optionally for one capture)."""
    doc: Dict[str, Any] = {"ledger": ledger}
    if provider is not None:
        doc["provider"] = _provider(provider)
    if capture_id is not None:
        doc["capture_id"] = capture_id
    return Refundable._lazy(_call("refundable", doc, _LEDGER_RULES))


def request_body(
    provider: ProviderLike,
    ledger: LedgerLike,
    amount: Optional[Union[Decimal, int, str]] = None,
    *,
    scope: Optional[Mapping[str, str]] = None,
) -> Optional[Dict[str, Any]]:
    """The provider's own request body that refunds ``amount`` (major units of the ledger's
    currency: ``Decimal``, ``int`` or ``str``; ``None`` = everything available) of ``scope``
    (``{"kind": "capture" | "order" | "return" | "line" | "type", "id": ...}``; ``None`` = the
    whole payment), written by the engine in the provider's wire form (a JSON number, a decimal
    string or integer cents): pass it as ``plan``'s ``request``. ``None`` means "send no body".
    """
    doc: Dict[str, Any] = {"provider": _provider(provider), "ledger": ledger}
    if amount is not None:
        doc["amount"] = major_amount_text(amount, "/amount")
    if scope is not None:
        doc["scope"] = dict(scope)
    value = _call("request_body", doc, _LEDGER_RULES)
    body = value.get("request")
    return None if body is None else dict(body)


def parse_amount(
    amount: Union[Decimal, int, str], currency: str, *, provider: Optional[ProviderLike] = None
) -> Amount:
    """Parses a major-unit amount (``Decimal("25.00")`` or ``"25.00"``) into minor units,
    strictly: no more decimals than the currency has, no sign, no exponent notation. With a
    provider, that provider's wire rules apply (e.g. its treatment of zero-decimal currencies).
    """
    doc: Dict[str, Any] = {
        "amount": major_amount_text(amount, "/amount") if not isinstance(amount, Decimal) else amount,
        "currency": currency,
    }
    if provider is not None:
        doc["provider"] = _provider(provider)
    return Amount._lazy(_call("parse_amount", doc))


def format_amount(minor: Union[int, str], currency: str) -> Amount:
    """Formats minor units (``int`` or its text) as a major-unit amount of ``currency``."""
    if isinstance(minor, bool):
        raise UnsupportedValue("/minor", minor, "minor units must be an int, not a bool")
    return Amount._lazy(_call("format_amount", {"minor": minor, "currency": currency}))


def validate_list_query(provider: ProviderLike, query: ListQuery) -> ListQueryValueDict:
    """Validates a provider's refund *list* query (Alternative Payments ``GET /refunds``) and
    returns it normalized (defaults filled in, e.g. ``{"limit": 100}``) as plain Python.

    Only providers with a list endpoint define it; others raise :class:`InvalidInput`, as does
    an engine built before the operation existed.
    """
    value = run("validate_list_query", {"provider": _provider(provider), "query": query})
    return cast(ListQueryValueDict, dict(value))
