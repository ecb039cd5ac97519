"""Typed results and inputs. Every object converts back to the engine's JSON form.

- ``to_dict()`` returns the engine's JSON form as plain Python values: ledger and plan amounts
  are decimal *strings* exactly as on the wire (``"25.00"``); numbers inside provider bodies are
  exact :class:`~decimal.Decimal` (``json.loads(..., parse_float=Decimal)``).
- ``to_json()`` writes that form as JSON text with exact numbers.
- Result objects keep the parsed engine output in ``raw``; ``to_dict()`` returns a copy of it,
  so fields added by newer engines are never lost.
- Typed fields use :class:`~decimal.Decimal` for amounts and ``int`` for minor units.
- Result objects returned by the API are built lazily: the typed fields are computed from
  ``raw`` on first access (all at once, by ``from_dict``); they behave like eager ones.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as _dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Type, TypeVar, Union

from ._types import (
    AllocationDoc,
    AppliedEvent,
    EventType,
    Kind,
    LineDoc,
    Operation,
    ProviderName,
    RefundState,
    ReturnDoc,
)
from ._wire import decimal_text, dumps, pointer_join
from .errors import FloatNotAllowed, RefundError, UnsupportedValue

__all__ = [
    "Statuses",
    "Capture",
    "Refund",
    "Ledger",
    "Event",
    "Refundable",
    "Amount",
    "ProviderCall",
    "ProviderResponse",
    "ProviderErrorResponse",
    "Plan",
    "Applied",
    "PlanResult",
    "major_amount_text",
]

AmountLike = Union[Decimal, int, str]
"""An amount: an exact Decimal (``Decimal("25.00")``), an int (``25``) or its text
(``"25.00"``). The engine writes it in the form each place expects (see the README's amount
table); a ``float`` is refused."""

T = TypeVar("T")
M = TypeVar("M", bound="_Model")


def major_amount_text(value: object, pointer: str) -> object:
    """The wire form of a major-unit amount field (ledger and event amounts are strings).

    ``Decimal`` -> its exact text; ``int`` -> its digits (``25`` is 25.00); ``str`` ->
    unchanged; ``float`` -> ``FloatNotAllowed``. Anything else is passed through for the engine
    to reject with its own pointer.
    """
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, float):
        raise FloatNotAllowed(
            pointer,
            value,
            f'pass decimal.Decimal("{value!r}"), the str "{value!r}" or an int (reading a JSON '
            "file: json.loads(text, parse_float=decimal.Decimal))",
        )
    if isinstance(value, int) and not isinstance(value, bool):
        # str(int) refuses ints beyond sys.get_int_max_str_digits(); Decimal's text does not.
        return str(Decimal(int(value)))
    return value


_NAIVE = (
    "a datetime without a timezone (naive) is not an instant: add a timezone, e.g. "
    "datetime(2026, 1, 31, 12, 0, tzinfo=timezone.utc), or pass RFC 3339 text such as "
    '"2026-01-31T12:00:00Z"'
)


def _timestamp(value: object, pointer: str = "") -> object:
    if isinstance(value, _dt.datetime):
        if value.utcoffset() is None:
            raise UnsupportedValue(pointer or "/", value, _NAIVE)
        return value.isoformat().replace("+00:00", "Z")
    return value


def _dec(value: object) -> Any:
    """Engine amount text -> Decimal (engine output is always valid decimal text)."""
    return Decimal(value) if isinstance(value, str) else value


_LAZY_OK: Dict[type, bool] = {}

# Plan fields the engine's decision holds: read one at a time from a native plan, without
# rendering the rest (provider call, event, explanation are rendered on first access).
_DECISION_FIELDS = frozenset(
    ("provider", "operation", "kind", "amount", "remaining_after", "refundable",
     "status_after", "refund_state", "version", "replay")
)  # fmt: skip


class _Model:
    """Shared conversions."""

    @classmethod
    def _lazy(cls: Type[M], raw: Dict[str, Any]) -> M:
        """An object whose typed fields are built from ``raw`` (the engine's JSON form) on first
        access. Only for classes with a ``raw`` field; ``raw`` is owned by the new object.
        Classes with a field default (a class attribute that would hide the missing field)
        are built eagerly."""
        lazy = _LAZY_OK.get(cls)
        if lazy is None:
            fields = cls.__dataclass_fields__  # type: ignore[attr-defined]
            lazy = "raw" in fields and not any(n != "raw" and n in cls.__dict__ for n in fields)
            _LAZY_OK[cls] = lazy
        if not lazy:
            return cls.from_dict(raw)  # type: ignore[attr-defined,no-any-return]
        obj = object.__new__(cls)
        obj.__dict__["raw"] = raw
        return obj

    if not TYPE_CHECKING:  # keeps attribute typos visible to type checkers

        def __getattr__(self, name: str) -> Any:
            # Only reached for a field a lazy object has not built yet (see `_lazy`).
            d = self.__dict__
            handle = d.get("_h")
            if handle is not None and name in type(self).__dataclass_fields__:
                if name in _DECISION_FIELDS:
                    value = handle.field(name)
                    if name == "refundable":
                        value = Refundable._lazy(value)
                    elif name == "status_after":
                        value = Statuses.from_dict(value)
                    d[name] = value
                    return value
                self._materialize()
            if "raw" not in d or name not in type(self).__dataclass_fields__:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            full = type(self).from_dict(d["raw"])
            for key, value in full.__dict__.items():
                if key != "raw" and key not in d:
                    d[key] = value
            return d[name]

    def _materialize(self) -> None:
        """A native plan: render the whole document once (``raw``), then drop the handle."""
        d = self.__dict__
        handle = d.get("_h")
        if handle is None:
            return
        ok, raw = handle.full()
        if not ok:
            from .errors import error_from_envelope

            raise error_from_envelope(raw or {})
        d["raw"] = raw
        del d["_h"]

    def __getstate__(self) -> Dict[str, Any]:
        self._materialize()
        return self.__dict__

    def to_dict(self) -> Dict[str, Any]:
        """The engine's JSON form of this object (see the module docs)."""
        raw = getattr(self, "raw", None)
        if raw:
            return copy.deepcopy(raw)
        return self._wire()

    def _wire(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if f.name in ("raw", "extra"):
                continue
            value = getattr(self, f.name)
            if value is None and f.metadata.get("omit_none"):
                continue
            name = f.metadata.get("wire", f.name)
            out[name] = _to_wire(value, f.metadata, name)
        extra = getattr(self, "extra", None)
        if extra:
            out.update(copy.deepcopy(extra))
        return out

    def to_json(self, *, indent: Optional[int] = None) -> str:
        """``to_dict()`` as JSON text, numbers exact."""
        return dumps(self.to_dict(), indent=indent)


def _to_wire(value: Any, meta: Mapping[str, Any], pointer: str) -> Any:
    if meta.get("amount"):
        return major_amount_text(value, "/" + pointer)
    if meta.get("minor"):
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if isinstance(value, _Model):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [v.to_dict() if isinstance(v, _Model) else copy.deepcopy(v) for v in value]
    if meta.get("timestamp"):
        return _timestamp(value, "/" + pointer)
    return copy.deepcopy(value)


_AMOUNT = {"amount": True}


def _opt(**meta: Any) -> Any:
    return field(default=None, metadata={"omit_none": True, **meta})


def _raw() -> Any:
    return field(default_factory=dict, repr=False, compare=False)


def _extra(d: Mapping[str, Any], known: Sequence[str]) -> Dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in d.items() if k not in known}


# --------------------------------------------------------------------------- ledger (in and out)


@dataclass
class Statuses(_Model):
    """The provider's own statuses: ``payment`` always; ``order``/``fulfillment`` where it has them."""

    payment: str
    order: Optional[str] = _opt()
    fulfillment: Optional[str] = _opt()
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Statuses":
        """From the JSON form."""
        return cls(
            payment=d["payment"],
            order=d.get("order"),
            fulfillment=d.get("fulfillment"),
            extra=_extra(d, ("payment", "order", "fulfillment")),
        )


@dataclass
class Capture(_Model):
    """A capture of funds (amount in major units)."""

    id: str
    amount: AmountLike = field(metadata=_AMOUNT)
    settled: bool = False
    captured_at: Optional[Union[str, _dt.datetime]] = _opt(timestamp=True)
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Capture":
        """From the JSON form."""
        return cls(
            id=d["id"],
            amount=_dec(d["amount"]),
            settled=bool(d.get("settled", False)),
            captured_at=d.get("captured_at"),
            extra=_extra(d, ("id", "amount", "settled", "captured_at")),
        )


@dataclass
class Refund(_Model):
    """A refund recorded on the ledger. ``state``: pending_information, pending, succeeded,
    failed or expired (pending ones reserve funds)."""

    id: str
    amount: AmountLike = field(metadata=_AMOUNT)
    state: RefundState = "succeeded"
    capture_id: Optional[str] = _opt()
    idempotency_key: Optional[str] = _opt()
    fingerprint: Optional[str] = _opt()
    return_id: Optional[str] = _opt()
    """The Commerce Layer return this refund is for."""
    allocations: Optional[List[AllocationDoc]] = _opt()
    """How the refund is spread over the order lines (Digital River, Commerce Layer)."""
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Refund":
        """From the JSON form."""
        keys = (
            "id", "amount", "state", "capture_id", "idempotency_key", "fingerprint", "return_id",
            "allocations",
        )  # fmt: skip
        return cls(
            id=d["id"],
            amount=_dec(d["amount"]),
            state=d["state"],
            capture_id=d.get("capture_id"),
            idempotency_key=d.get("idempotency_key"),
            fingerprint=d.get("fingerprint"),
            return_id=d.get("return_id"),
            allocations=copy.deepcopy(d.get("allocations")),
            extra=_extra(d, keys),
        )


@dataclass
class Ledger(_Model):
    """What is known about one payment: amounts in major units, the provider's statuses, the
    captures and refunds, a ``version`` for compare-and-swap and the applied event ids."""

    currency: str
    authorized: AmountLike = field(metadata=_AMOUNT)
    status: Union[Statuses, Dict[str, Any]]
    id: Optional[str] = _opt()
    created_at: Optional[Union[str, _dt.datetime]] = _opt(timestamp=True)
    captures: List[Capture] = field(default_factory=list)
    refunds: List[Refund] = field(default_factory=list)
    returns: Optional[List[ReturnDoc]] = None
    """Returns (Commerce Layer): ``{"id", "status", "capture_id"?}``; ``None`` means none."""
    lines: Optional[List[LineDoc]] = None
    """Order lines (Digital River, Commerce Layer): ``{"id", "kind", "amount", "tax"?, ...}``."""
    version: int = 0
    applied_events: List[AppliedEvent] = field(default_factory=list)
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Ledger":
        """From the JSON form (``Ledger.from_dict(applied.ledger.to_dict())`` round-trips)."""
        keys = (
            "id", "currency", "authorized", "status", "created_at",
            "captures", "refunds", "returns", "lines", "version", "applied_events",
        )  # fmt: skip
        return cls(
            id=d.get("id"),
            currency=d["currency"],
            authorized=_dec(d["authorized"]),
            status=Statuses.from_dict(d["status"]),
            created_at=d.get("created_at"),
            captures=[Capture.from_dict(c) for c in d.get("captures", [])],
            refunds=[Refund.from_dict(r) for r in d.get("refunds", [])],
            returns=copy.deepcopy(d.get("returns")),
            lines=copy.deepcopy(d.get("lines")),
            version=int(d.get("version", 0)),
            applied_events=list(d.get("applied_events", [])),
            extra=_extra(d, keys),
        )

    def to_dict(self) -> Dict[str, Any]:
        """The JSON form, in the engine's field order (amounts as decimal strings)."""
        out: Dict[str, Any] = {}
        if self.id is not None:
            out["id"] = self.id
        out["currency"] = self.currency
        out["authorized"] = major_amount_text(self.authorized, "/ledger/authorized")
        out["status"] = self.status.to_dict() if isinstance(self.status, _Model) else self.status
        if self.created_at is not None:
            out["created_at"] = _timestamp(self.created_at, "/ledger/created_at")
        out["captures"] = [_item(c, f"/ledger/captures/{i}") for i, c in enumerate(self.captures)]
        out["refunds"] = [_item(r, f"/ledger/refunds/{i}") for i, r in enumerate(self.refunds)]
        if self.returns:
            out["returns"] = copy.deepcopy(self.returns)
        if self.lines:
            out["lines"] = [_line(v, f"/ledger/lines/{i}") for i, v in enumerate(self.lines)]
        out["version"] = self.version
        out["applied_events"] = list(self.applied_events)
        out.update(copy.deepcopy(self.extra))
        return out


def _line(value: Any, pointer: str) -> Any:
    """An order line: its Decimal ``amount``/``tax`` become decimal text."""
    if not isinstance(value, Mapping):
        return value
    out = dict(value)
    for key in ("amount", "tax"):
        if key in out:
            out[key] = major_amount_text(out[key], pointer_join(pointer, key))
    return out


def _item(value: Any, pointer: str) -> Any:
    if isinstance(value, _Model):
        return value.to_dict()
    return ledger_item_wire(value, pointer)


def ledger_item_wire(value: Any, pointer: str) -> Any:
    """A capture or refund given as a dict: its ``amount`` Decimal becomes decimal text."""
    if isinstance(value, Mapping) and "amount" in value:
        out = dict(value)
        out["amount"] = major_amount_text(out["amount"], pointer_join(pointer, "amount"))
        return out
    return value


def ledger_wire(ledger: Any) -> Any:
    """A ledger (``Ledger`` or dict) in the engine's JSON form; amounts as decimal text."""
    if isinstance(ledger, Ledger):
        return ledger.to_dict()
    if isinstance(ledger, Mapping):
        out = dict(ledger)
        if "authorized" in out:
            out["authorized"] = major_amount_text(out["authorized"], "/ledger/authorized")
        for key in ("captures", "refunds"):
            items = out.get(key)
            if isinstance(items, (list, tuple)):
                out[key] = [_item(v, f"/ledger/{key}/{i}") for i, v in enumerate(items)]
        if "status" in out and isinstance(out["status"], _Model):
            out["status"] = out["status"].to_dict()
        for key in ("created_at",):
            if key in out:
                out[key] = _timestamp(out[key], f"/ledger/{key}")
        return out
    return ledger


# --------------------------------------------------------------------------- events (in and out)


@dataclass
class Event(_Model):
    """Something that happened to a payment; ``apply`` moves a ledger by it.

    ``type``: refund_created, refund_succeeded, refund_failed, refund_expired,
    payment_authorized, payment_declined, payment_captured, capture_settled, payment_voided.
    Applying the same ``id`` twice is a no-op; a stale ``expected_version`` is a
    ``VersionConflict``.
    """

    id: str
    type: EventType
    expected_version: Optional[int] = _opt()
    refund_id: Optional[str] = _opt()
    capture_id: Optional[str] = _opt()
    amount: Optional[AmountLike] = _opt(amount=True)
    state: Optional[RefundState] = _opt()
    settled: Optional[bool] = _opt()
    captured_at: Optional[Union[str, _dt.datetime]] = _opt(timestamp=True)
    idempotency_key: Optional[str] = _opt()
    fingerprint: Optional[str] = _opt()
    return_id: Optional[str] = _opt()
    allocations: Optional[List[AllocationDoc]] = _opt()
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)

    _KEYS = (
        "id", "type", "expected_version", "refund_id", "capture_id", "amount", "state",
        "settled", "captured_at", "idempotency_key", "fingerprint", "return_id", "allocations",
    )  # fmt: skip

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Event":
        """From the JSON form."""
        return cls(
            id=d["id"],
            type=d["type"],
            expected_version=d.get("expected_version"),
            refund_id=d.get("refund_id"),
            capture_id=d.get("capture_id"),
            amount=_dec(d.get("amount")),
            state=d.get("state"),
            settled=d.get("settled"),
            captured_at=d.get("captured_at"),
            idempotency_key=d.get("idempotency_key"),
            fingerprint=d.get("fingerprint"),
            return_id=d.get("return_id"),
            allocations=copy.deepcopy(d.get("allocations")),
            extra=_extra(d, cls._KEYS),
        )

    def to_dict(self) -> Dict[str, Any]:
        """The JSON form (absent fields omitted; ``amount`` as decimal text)."""
        out: Dict[str, Any] = {}
        for k in self._KEYS:
            v = getattr(self, k)
            if v is None:
                continue
            if k == "amount":
                v = major_amount_text(v, "/event/amount")
            elif k == "captured_at":
                v = _timestamp(v, "/event/captured_at")
            out[k] = v
        out.update(copy.deepcopy(self.extra))
        return out

    @classmethod
    def refund_created(
        cls,
        id: str,
        refund_id: str,
        amount: AmountLike,
        *,
        state: RefundState = "succeeded",
        expected_version: Optional[int] = None,
        capture_id: Optional[str] = None,
        idempotency_key: Optional[str] = None,
        fingerprint: Optional[str] = None,
    ) -> "Event":
        """A ``refund_created`` event."""
        return cls(
            id=id, type="refund_created", refund_id=refund_id, amount=amount, state=state,
            expected_version=expected_version, capture_id=capture_id,
            idempotency_key=idempotency_key, fingerprint=fingerprint,
        )  # fmt: skip

    @classmethod
    def payment_captured(
        cls,
        id: str,
        capture_id: str,
        amount: AmountLike,
        *,
        settled: bool = False,
        captured_at: Optional[Union[str, _dt.datetime]] = None,
        expected_version: Optional[int] = None,
    ) -> "Event":
        """A ``payment_captured`` event."""
        return cls(
            id=id, type="payment_captured", capture_id=capture_id, amount=amount,
            settled=settled, captured_at=captured_at, expected_version=expected_version,
        )  # fmt: skip


def event_wire(event: Any) -> Any:
    """An event (``Event`` or dict) in the engine's JSON form; ``amount`` as decimal text."""
    if isinstance(event, Event):
        return event.to_dict()
    if isinstance(event, Mapping):
        out = dict(event)
        if "amount" in out and out["amount"] is not None:
            out["amount"] = major_amount_text(out["amount"], "/event/amount")
        if "captured_at" in out:
            out["captured_at"] = _timestamp(out["captured_at"], "/event/captured_at")
        return out
    return event


# --------------------------------------------------------------------------- results (out)


@dataclass
class Refundable(_Model):
    """What can still be refunded: ``available = captured - refunded - pending``."""

    currency: str
    captured: Decimal = field(metadata=_AMOUNT)
    refunded: Decimal = field(metadata=_AMOUNT)
    pending: Decimal = field(metadata=_AMOUNT)
    available: Decimal = field(metadata=_AMOUNT)
    raw: Dict[str, Any] = _raw()

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Refundable":
        """From the JSON form."""
        return cls(
            currency=d.get("currency", ""),
            captured=_dec(d["captured"]),
            refunded=_dec(d["refunded"]),
            pending=_dec(d["pending"]),
            available=_dec(d["available"]),
            raw=dict(d),
        )


@dataclass
class Amount(_Model):
    """An amount in a currency: ``minor`` units (exact int) and the ``amount`` in major units."""

    currency: str
    exponent: int
    minor: int = field(metadata={"minor": True})
    amount: Decimal = field(metadata=_AMOUNT)
    raw: Dict[str, Any] = _raw()

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Amount":
        """From the JSON form (``minor`` crosses as a string: exact beyond 2**53)."""
        return cls(
            currency=d["currency"],
            exponent=int(d["exponent"]),
            minor=int(d["minor"]),
            amount=_dec(d["amount"]),
            raw=dict(d),
        )


@dataclass
class ProviderCall(_Model):
    """The HTTP call to make at the provider: ``method``, ``path`` and the exact ``body``."""

    method: str
    path: str
    body: Optional[Any] = None
    raw: Dict[str, Any] = _raw()

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "ProviderCall":
        """From the JSON form."""
        return cls(method=d["method"], path=d["path"], body=d.get("body"), raw=dict(d))


@dataclass
class ProviderResponse(_Model):
    """The provider's documented success answer to that call."""

    http_status: int
    body: Any
    raw: Dict[str, Any] = _raw()

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "ProviderResponse":
        """From the JSON form."""
        return cls(http_status=int(d["http_status"]), body=d.get("body"), raw=dict(d))


@dataclass
class ProviderErrorResponse(_Model):
    """A rejection in the provider's own words: HTTP status, its code, its error body."""

    http_status: int
    code: str
    body: Any
    raw: Dict[str, Any] = _raw()

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "ProviderErrorResponse":
        """From the JSON form."""
        return cls(
            http_status=int(d["http_status"]), code=str(d["code"]), body=d.get("body"), raw=dict(d)
        )


def _lazy_of(cls: Any) -> Any:
    return lambda v: cls._lazy(dict(v))


def _opt_from(d: Mapping[str, Any], key: str, conv: Any) -> Any:
    v = d.get(key)
    return None if v is None else conv(v)


@dataclass
class Plan(_Model):
    """A planned refund. Nothing has happened yet: make ``provider_call``, then ``apply`` the
    ``event`` (it carries ``expected_version``) when the provider confirms."""

    provider: ProviderName
    operation: Operation
    """``refund``, or ``void``/``cancel`` where the provider requires that instead (``forward``:
    Commerce Layer refunds a refund resource)."""
    kind: Kind
    """``full`` or ``partial``."""
    amount: Decimal = field(metadata=_AMOUNT)
    refundable: Refundable
    remaining_after: Decimal = field(metadata=_AMOUNT)
    status_after: Statuses
    refund_state: Optional[RefundState]
    version: int
    event: Optional[Event]
    provider_call: ProviderCall
    provider_response: Optional[ProviderResponse]
    replay: bool
    explanation: List[str]
    raw: Dict[str, Any] = _raw()

    @classmethod
    def _native(cls, handle: Any) -> "Plan":
        """A plan held by the engine: fields are read from it on first access."""
        obj = object.__new__(cls)
        obj.__dict__["_h"] = handle
        return obj

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Plan":
        """From the JSON form."""
        return cls(
            provider=d["provider"],
            operation=d["operation"],
            kind=d["kind"],
            amount=_dec(d["amount"]),
            refundable=Refundable._lazy(dict(d["refundable"])),
            remaining_after=_dec(d["remaining_after"]),
            status_after=Statuses.from_dict(d["status_after"]),
            refund_state=d.get("refund_state"),
            version=int(d.get("version", 0)),
            event=_opt_from(d, "event", Event.from_dict),
            provider_call=_opt_from(d, "provider_call", _lazy_of(ProviderCall)),
            provider_response=_opt_from(d, "provider_response", _lazy_of(ProviderResponse)),
            replay=bool(d.get("replay", False)),
            explanation=list(d.get("explanation", [])),
            raw=dict(d),
        )


@dataclass
class Applied(_Model):
    """The result of ``apply``: the new ledger (``version`` + 1 unless ``duplicate``)."""

    ledger: Ledger
    duplicate: bool
    status_before: Statuses
    refundable: Refundable
    raw: Dict[str, Any] = _raw()

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Applied":
        """From the JSON form."""
        return cls(
            ledger=Ledger.from_dict(d["ledger"]),
            duplicate=bool(d["duplicate"]),
            status_before=Statuses.from_dict(d["status_before"]),
            refundable=Refundable._lazy(dict(d["refundable"])),
            raw=dict(d),
        )


@dataclass
class PlanResult:
    """One answer of ``plan_many``: either ``plan`` or ``error`` (never raised)."""

    plan: Optional[Plan] = None
    error: Optional[RefundError] = None

    @property
    def ok(self) -> bool:
        """True when the plan succeeded."""
        return self.error is None

    def unwrap(self) -> Plan:
        """The plan, or raise the error."""
        if self.error is not None:
            raise self.error
        assert self.plan is not None
        return self.plan

    def to_dict(self) -> Dict[str, Any]:
        """The engine's result envelope: ``{"ok": true, "value": ...}`` or ``{"ok": false, ...}``."""
        if self.error is not None:
            return {"ok": False, "error": self.error.to_dict()}
        assert self.plan is not None
        return {"ok": True, "value": self.plan.to_dict()}

    def to_json(self, *, indent: Optional[int] = None) -> str:
        """``to_dict()`` as JSON text."""
        return dumps(self.to_dict(), indent=indent)
