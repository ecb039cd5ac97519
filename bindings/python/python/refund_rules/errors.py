"""Exceptions: one base class, one subclass per error family of the engine.

Every engine rejection carries a stable ``code`` (see ``docs/errors.md``); the class says which
*family* it belongs to, so callers can catch broadly (``RuleRejected``) or test ``err.code``::

    RefundError(ValueError)
    +-- InvalidInput           family invalid_input (malformed documents, amounts, currencies)
    |   +-- UnsupportedValue   raised in Python before the engine runs: a value JSON cannot carry
    |       +-- FloatNotAllowed    a float anywhere in the input (money is never a binary float)
    +-- RuleRejected           family rule_rejected (a refund rule said no)
    +-- IllegalTransition      family illegal_transition (a state machine has no such move)
    +-- Conflict               family conflict
        +-- VersionConflict        code version_conflict (re-plan on the current ledger)
        +-- IdempotencyConflict    code idempotency_conflict (a key reused for another request)

A Rust panic (a bug) never surfaces as ``pyo3_runtime.PanicException``: it arrives as
``InvalidInput`` with ``code == "invalid_input"`` and ``details["internal_error"] is True``
(:attr:`RefundError.internal`).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Type

if TYPE_CHECKING:
    from .models import ProviderErrorResponse, Refundable

__all__ = [
    "RefundError",
    "InvalidInput",
    "UnsupportedValue",
    "FloatNotAllowed",
    "RuleRejected",
    "IllegalTransition",
    "Conflict",
    "VersionConflict",
    "IdempotencyConflict",
    "error_from_envelope",
]


class RefundError(ValueError):
    """Base class of every refund-rules error.

    Attributes:
        code: the stable snake_case code (``exceeds_refundable``, ``version_conflict``...).
        family: ``invalid_input``, ``rule_rejected``, ``illegal_transition`` or ``conflict``.
        message: the engine's message (lower-case, user input in backticks).
        details: machine-readable details; amounts are decimal strings, and amount
            rejections include ``details["refundable"]`` (also typed as :attr:`refundable`).
        pointer: JSON pointer of the offending field, where one applies.
        provider_error: the HTTP status and body the provider itself would answer, if any.
        raw: the ``error`` object of the result envelope, as parsed.
    """

    family_name = ""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        family: Optional[str] = None,
        details: Optional[Mapping[str, Any]] = None,
        pointer: Optional[str] = None,
        provider_error: Optional["ProviderErrorResponse"] = None,
        raw: Optional[Mapping[str, Any]] = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.family = family if family is not None else self.family_name
        self.message = message
        self.details: Dict[str, Any] = dict(details) if details is not None else {}
        self.pointer = pointer
        self.provider_error = provider_error
        self.raw: Dict[str, Any] = dict(raw) if raw is not None else {}

    @property
    def refundable(self) -> Optional["Refundable"]:
        """The refundable breakdown carried by amount rejections, typed; else ``None``."""
        from .models import Refundable

        data = self.details.get("refundable")
        return Refundable.from_dict(data) if isinstance(data, Mapping) else None

    @property
    def internal(self) -> bool:
        """True when the engine panicked (a bug): report it with the input document."""
        return self.details.get("internal_error") is True

    def to_dict(self) -> Dict[str, Any]:
        """The error as the engine's envelope ``error`` object."""
        if self.raw:
            return copy.deepcopy(self.raw)
        out: Dict[str, Any] = {"code": self.code, "family": self.family, "message": self.message}
        if self.pointer is not None:
            out["pointer"] = self.pointer
        out["details"] = copy.deepcopy(self.details)
        if self.provider_error is not None:
            out["provider_error"] = self.provider_error.to_dict()
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), self.to_dict()))


class InvalidInput(RefundError):
    """The input is malformed (family ``invalid_input``)."""

    family_name = "invalid_input"


class UnsupportedValue(InvalidInput, TypeError):
    """A value that cannot cross into the engine exactly; raised before the engine runs."""

    def __init__(self, pointer: str, value: object, reason: Optional[str] = None) -> None:
        why = reason or (
            f"values of type `{type(value).__name__}` cannot be sent; use dict, list, str, "
            "int, bool, None or decimal.Decimal"
        )
        super().__init__(
            "invalid_input",
            f"invalid input at `{pointer}`: {why}",
            pointer=pointer,
            details={"type": type(value).__name__},
        )


class FloatNotAllowed(UnsupportedValue):
    """A ``float`` in the input: money is never a binary float. Use ``decimal.Decimal``, ``int``
    or ``str`` (for JSON files: ``json.loads(text, parse_float=decimal.Decimal)``)."""

    def __init__(self, pointer: str, value: object, advice: Optional[str] = None) -> None:
        super().__init__(
            pointer,
            value,
            f"float `{value!r}` is not allowed: binary floats cannot hold exact money "
            "amounts; "
            + (
                advice
                or f'pass decimal.Decimal("{value!r}") (reading a JSON file: '
                "json.loads(text, parse_float=decimal.Decimal))"
            ),
        )


class RuleRejected(RefundError):
    """A refund rule rejected a well-formed request (family ``rule_rejected``)."""

    family_name = "rule_rejected"


class IllegalTransition(RefundError):
    """The provider's state machine does not allow the event (family ``illegal_transition``)."""

    family_name = "illegal_transition"


class Conflict(RefundError):
    """A concurrent change or a reused key (family ``conflict``)."""

    family_name = "conflict"


class VersionConflict(Conflict):
    """The event was planned on another ledger version: re-plan on the current ledger."""


class IdempotencyConflict(Conflict):
    """An idempotency key or refund id was reused for a different request."""


_BY_FAMILY: Dict[str, Type[RefundError]] = {
    "invalid_input": InvalidInput,
    "rule_rejected": RuleRejected,
    "illegal_transition": IllegalTransition,
    "conflict": Conflict,
}
_BY_CODE: Dict[str, Type[RefundError]] = {
    "version_conflict": VersionConflict,
    "idempotency_conflict": IdempotencyConflict,
}


def error_class(code: str, family: str) -> Type[RefundError]:
    """The exception class for a code and family (unknown ones fall back to the base)."""
    return _BY_CODE.get(code) or _BY_FAMILY.get(family) or RefundError


def error_from_envelope(error: Mapping[str, Any]) -> RefundError:
    """Builds the exception for the ``error`` object of a failure envelope (not raised)."""
    from .models import ProviderErrorResponse

    code = str(error.get("code", "invalid_input"))
    family = str(error.get("family", ""))
    pe = error.get("provider_error")
    cls = error_class(code, family)
    err = cls.__new__(cls)
    # The base initializer: subclasses such as UnsupportedValue have their own signatures.
    RefundError.__init__(
        err,
        code,
        str(error.get("message", "")),
        family=family,
        details=error.get("details") or {},
        pointer=error.get("pointer"),
        provider_error=ProviderErrorResponse.from_dict(pe) if isinstance(pe, Mapping) else None,
        raw=error,
    )
    return err


def _rebuild(cls: Type[RefundError], error: Mapping[str, Any]) -> RefundError:
    # Rebuild through the base initializer so subclasses such as FloatNotAllowed keep their class.
    template = error_from_envelope(error)
    err = cls.__new__(cls)
    RefundError.__init__(
        err,
        template.code,
        template.message,
        family=template.family,
        details=template.details,
        pointer=template.pointer,
        provider_error=template.provider_error,
        raw=template.raw,
    )
    return err
