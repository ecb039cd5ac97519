"""The compiled core (pyo3). Use the ``refund_rules`` package API instead of this module."""

from typing import Final

__all__ = [
    "__version__",
    "MAX_INPUT_BYTES",
    "run",
    "run_many",
    "providers",
    "operations",
    "error_codes",
    "_panic_selftest",
]

__version__: Final[str]
MAX_INPUT_BYTES: Final[int]

def run(operation: str, document: str) -> str:
    """Runs one operation on a JSON document; returns the result envelope text."""

def run_many(operation: str, documents: list[str]) -> list[str]:
    """Runs one operation on many JSON documents, in order, with the GIL released."""

def providers() -> list[str]:
    """The five provider names."""

def operations() -> list[str]:
    """The operation names."""

def error_codes() -> list[tuple[str, str]]:
    """Every stable error code with its family."""

def _panic_selftest(message: str) -> str:
    """Test hook: a deliberate panic through the panic guard; returns the failure envelope."""
