"""Exact JSON in and out: Decimals keep their exact text, floats are refused.

The engine reads numbers by their text (never through a binary float), so this module writes
JSON itself instead of using :func:`json.dumps`: a :class:`~decimal.Decimal` is written as its
exact text (``Decimal("25.00")`` -> ``25.00``), an ``int`` as an integer, and a ``float``
anywhere raises :class:`~refund_rules.errors.FloatNotAllowed` naming the JSON pointer.
Results are read back with ``json.loads(text, parse_float=Decimal)``.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, List, Optional

from .errors import FloatNotAllowed, UnsupportedValue

__all__ = ["dumps", "loads", "decimal_text", "pointer_join"]


def loads(text: str) -> Any:
    """Parses JSON text; non-integer numbers become exact :class:`~decimal.Decimal`."""
    return json.loads(text, parse_float=Decimal)


def decimal_text(value: Decimal) -> str:
    """The exact text of a Decimal (``str(value)``): no rounding, no re-formatting."""
    return str(value)


def pointer_join(pointer: str, key: object) -> str:
    """Appends one RFC 6901 reference token to a JSON pointer."""
    token = str(key).replace("~", "~0").replace("/", "~1")
    return f"{pointer}/{token}"


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def dumps(value: Any, *, indent: Optional[int] = None, pointer: str = "") -> str:
    """Writes ``value`` as JSON text, exactly.

    Accepts dicts (string keys), lists, tuples, str, bool, None, int, Decimal, datetimes
    (RFC 3339 text) and objects with a ``to_dict()`` method. Raises ``FloatNotAllowed`` for a
    float and ``UnsupportedValue`` for anything else, both naming the JSON pointer.
    """
    out: List[str] = []
    _write(value, out, pointer, indent, 0)
    return "".join(out)


def _newline(out: List[str], indent: Optional[int], level: int) -> None:
    if indent is not None:
        out.append("\n" + " " * (indent * level))


def _write(value: Any, out: List[str], pointer: str, indent: Optional[int], level: int) -> None:
    # bool before int: bool is a subclass of int.
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, float):
        raise FloatNotAllowed(pointer or "/", value)
    elif isinstance(value, int):
        out.append(str(int(value)))
    elif isinstance(value, Decimal):
        if value.is_finite():
            out.append(decimal_text(value))
        else:
            # NaN/Infinity are not JSON numbers: send the text, the engine rejects the amount.
            out.append(_string(decimal_text(value)))
    elif isinstance(value, (_dt.datetime, _dt.date)):
        out.append(_string(value.isoformat()))
    elif hasattr(value, "to_dict") and callable(value.to_dict):
        _write(value.to_dict(), out, pointer, indent, level)
    elif isinstance(value, Mapping):
        if not value:
            out.append("{}")
            return
        out.append("{")
        first = True
        for key, item in value.items():
            if not isinstance(key, str):
                raise UnsupportedValue(pointer or "/", key, "object keys must be str")
            if not first:
                out.append(",")
            first = False
            _newline(out, indent, level + 1)
            out.append(_string(key))
            out.append(": " if indent is not None else ":")
            _write(item, out, pointer_join(pointer, key), indent, level + 1)
        _newline(out, indent, level)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _newline(out, indent, level + 1)
            _write(item, out, pointer_join(pointer, i), indent, level + 1)
        _newline(out, indent, level)
        out.append("]")
    else:
        raise UnsupportedValue(pointer or "/", value)
