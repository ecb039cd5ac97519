"""The compiled core (pyo3). Use the ``refund_rules`` package API instead of this module."""

from typing import Any, Final, Iterable, Optional, Union, final

__all__ = [
    "__version__",
    "MAX_INPUT_BYTES",
    "run",
    "run_many",
    "dumps",
    "loads",
    "call",
    "plan_many",
    "plan_doc",
    "plan_args",
    "amount_form",
    "NativePlan",
    "providers",
    "operations",
    "error_codes",
    "_panic_selftest",
    "ArrowResult",
    "arrow_run",
]

__version__: Final[str]
MAX_INPUT_BYTES: Final[int]

def run(operation: str, document: Union[str, bytes, bytearray, memoryview]) -> str:
    """Runs one operation on a JSON document (text or its bytes); returns the envelope text."""

def run_many(operation: str, documents: Iterable[Union[str, bytes, bytearray, memoryview]]) -> list[str]:
    """Runs one operation on many JSON documents, in order, with the GIL released."""

def dumps(value: object, indent: Optional[int] = None, pointer: str = "") -> str:
    """Writes a value as exact JSON text (Decimal exact, float refused with its pointer)."""

def loads(text: str) -> Any:
    """Parses JSON text; non-integer numbers become Decimal (as json.loads(parse_float=Decimal))."""

def call(operation: str, document: object, rules: int = 0) -> tuple[bool, Any]:
    """Writes the document, runs the operation (GIL released), reads the envelope:
    ``(True, value)`` or ``(False, error)``. ``rules``: 1 = ledger, 2 = event wire conversions."""

def plan_many(documents: Iterable[object]) -> list[tuple[int, Any]]:
    """Plans a batch in one call (GIL released): ``(0, NativePlan)``, ``(1, value)``,
    ``(2, error)`` or ``(3, exception)`` per document."""

def plan_doc(document: object) -> tuple[int, Any]:
    """Plans one document (dict or JSON text): ``(0, NativePlan)`` on the fast path, else the
    JSON path's ``(1, value)`` or ``(2, error)``."""

def plan_args(
    provider: object,
    ledger: object,
    request: object = None,
    options: object = None,
    now: object = None,
    refund_id: object = None,
) -> tuple[int, Any]:
    """``plan`` from the arguments of ``refund_rules.plan`` (see ``plan_doc``)."""

def amount_form(provider: Optional[str], segments: list[str]) -> Optional[str]:
    """The core's wire form of the amount at a document path: ``"decimal_string"``,
    ``"decimal_number"``, ``"minor_units"``, or ``None`` (not an amount)."""

@final
class NativePlan:
    """A plan held by the engine: the decision, and the inputs to render the rest from."""

    def field(self, name: str) -> Any:
        """One field the decision holds (``None`` for others)."""

    def full(self) -> tuple[bool, Any]:
        """The whole plan document: ``(True, value)`` (or ``(False, error)``)."""

def providers() -> list[str]:
    """The five provider names."""

def operations() -> list[str]:
    """The operation names."""

def error_codes() -> list[tuple[str, str]]:
    """Every stable error code with its family."""

def _panic_selftest(message: str) -> str:
    """Test hook: a deliberate panic through the panic guard; returns the failure envelope."""

@final
class ArrowResult:
    """Arrow record batches behind the PyCapsule stream interface (``refund_rules.arrow``)."""
    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object: ...
    @property
    def num_rows(self) -> int: ...
    @property
    def num_batches(self) -> int: ...
    def __len__(self) -> int: ...

def arrow_run(
    operation: str, stream: object, keep: list[str] = ..., envelope: bool = False, threads: int = 0
) -> ArrowResult:
    """Runs plan/apply/refundable over an ``arrow_array_stream`` capsule (GIL released)."""
