"""Exact JSON in and out: Decimals keep their exact text, floats are refused.

The engine reads numbers by their text (never through a binary float), so this module writes
JSON itself (in Rust, ``_native.dumps``) instead of using :func:`json.dumps`: a :class:`~decimal.Decimal` is written as its
exact text (``Decimal("25.00")`` -> ``25.00``), an ``int`` as an integer, and a ``float``
anywhere raises :class:`~refund_rules.errors.FloatNotAllowed` naming the JSON pointer.
Results are read back as ``json.loads(text, parse_float=Decimal)`` would, in Rust
(``_native.loads``), which never raises for valid JSON: any depth, any integer length, escaped
lone surrogates.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

from . import _native

__all__ = ["dumps", "loads", "decimal_text", "pointer_join"]


def loads(text: str) -> Any:
    """Parses JSON text; non-integer numbers become exact :class:`~decimal.Decimal`."""
    return _native.loads(text)


def decimal_text(value: Decimal) -> str:
    """The exact text of a Decimal (``str(value)``): no rounding, no re-formatting."""
    return str(value)


def pointer_join(pointer: str, key: object) -> str:
    """Appends one RFC 6901 reference token to a JSON pointer."""
    token = str(key).replace("~", "~0").replace("/", "~1")
    return f"{pointer}/{token}"


def dumps(value: Any, *, indent: Optional[int] = None, pointer: str = "") -> str:
    """Writes ``value`` as JSON text, exactly.

    Accepts dicts (string keys), lists, tuples, str, bool, None, int, Decimal, datetimes
    (RFC 3339 text) and objects with a ``to_dict()`` method. Raises ``FloatNotAllowed`` for a
    float and ``UnsupportedValue`` for anything else, both naming the JSON pointer.
    (The writer runs in Rust: ``_native.dumps``.)
    """
    return _native.dumps(value, indent, pointer)
