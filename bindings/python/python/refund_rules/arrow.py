"""Refund rules over Arrow batches: one call per table, no Python object per row.

Each row of the input is one operation document, read from columns (missing columns and null
cells leave the member out, as an absent key would; other columns are ignored unless
``keep``-ed):

==============  ===========================  =============================================
column          type                         member
==============  ===========================  =============================================
``provider``    string                       ``provider`` (plan, apply, refundable)
``ledger``      string: JSON text            ``ledger`` (plan, apply, refundable)
``request``     string: JSON text            ``request`` (plan)
``options``     string: JSON text            ``options`` (plan)
``now``         string (RFC 3339) or         ``now`` (plan); a zoned timestamp is written
                timestamp                    as UTC (``...Z``)
``refund_id``   string                       ``refund_id`` (plan)
``render``      string                       ``render`` (plan): ``"decision"`` renders the
                                             decision only (no ``event``), faster
``event``       string: JSON text            ``event`` (apply)
``capture_id``  string                       ``capture_id`` (refundable)
==============  ===========================  =============================================

String columns may be ``string``, ``large_string``, ``string_view``, binary or dictionary
encoded (Polars categoricals). JSON text is taken as it is (exact decimals: write amounts as
``"25.00"`` strings or JSON numbers, never through floats).

The result has one row per input row, in order: the ``keep`` columns, then ``ok`` (bool),
``code``, ``family``, ``message``, ``pointer``, ``details`` (null when ``ok``; ``details`` is
JSON text), the operation's own columns (null on errors) and, with ``envelope=True``, the
engine's whole result envelope (exactly the line ``refund-rules plan --ndjson`` prints for a
success). Amounts are exact decimal strings; object members are compact JSON text.

* plan: ``operation``, ``kind``, ``amount``, ``remaining_after``, ``status_after`` (JSON),
  ``refund_state``, ``refundable`` (JSON), ``event`` (JSON: feed it to :func:`apply`).
* apply: ``duplicate`` (bool), ``ledger`` (JSON), ``refundable`` (JSON).
* refundable: ``currency``, ``captured``, ``refunded``, ``pending``, ``available``.

A row the engine refuses, or whose cell cannot be a document member (JSON text that is not one
JSON value, bytes that are not UTF-8), is an error row (``ok`` false, ``code``
``invalid_input``...): a batch never raises for its rows. It raises ``TypeError`` only for a
column of an unsupported type, and ``ValueError`` for an unknown ``keep`` column.

The rules run in Rust over the Arrow C data interface with the GIL released, on up to
``threads`` threads (default: the machine's cores).
"""

from __future__ import annotations

import importlib
from typing import Any, Sequence

from . import _native

__all__ = ["plan", "apply", "refundable", "run", "run_stream"]


def _stream_capsule(data: Any) -> Any:
    """An ``arrow_array_stream`` capsule for a table-like object (Arrow PyCapsule interface)."""
    if hasattr(data, "__arrow_c_stream__"):
        return data.__arrow_c_stream__()
    if hasattr(data, "__arrow_c_array__"):  # a record batch without the stream method
        pa = importlib.import_module("pyarrow")
        return pa.Table.from_batches([pa.record_batch(data)]).__arrow_c_stream__()
    if hasattr(data, "to_arrow"):  # older Polars DataFrames
        return data.to_arrow().__arrow_c_stream__()
    raise TypeError(
        "refund_rules.arrow takes a pyarrow Table / RecordBatch / RecordBatchReader, a Polars "
        f"DataFrame or any object with __arrow_c_stream__, not {type(data).__name__}"
    )


def run_stream(
    operation: str,
    data: Any,
    *,
    keep: Sequence[str] = (),
    envelope: bool = False,
    threads: int = 0,
) -> Any:
    """Runs ``operation`` and returns the native result: an object with
    ``__arrow_c_stream__`` (``num_rows``, ``num_batches``), for consumers other than pyarrow
    (``polars.DataFrame(result)``); no pyarrow needed."""
    if isinstance(keep, str):
        keep = [keep]
    return _native.arrow_run(operation, _stream_capsule(data), list(keep), envelope, threads)


def run(
    operation: str,
    data: Any,
    *,
    keep: Sequence[str] = (),
    envelope: bool = False,
    threads: int = 0,
) -> Any:
    """Runs ``operation`` (``"plan"``, ``"apply"``, ``"refundable"``) over every row of
    ``data``; returns a ``pyarrow.Table`` (a Polars ``DataFrame`` when ``data`` is one)."""
    result = run_stream(operation, data, keep=keep, envelope=envelope, threads=threads)
    if type(data).__module__.split(".")[0] == "polars":
        return importlib.import_module("polars").DataFrame(result)
    return importlib.import_module("pyarrow").table(result)


def plan(data: Any, *, keep: Sequence[str] = (), envelope: bool = False, threads: int = 0) -> Any:
    """Plans a refund for every row (columns ``provider``, ``ledger``, ``request``,
    ``options``, ``now``, ``refund_id``). See the module documentation for the result."""
    return run("plan", data, keep=keep, envelope=envelope, threads=threads)


def apply(data: Any, *, keep: Sequence[str] = (), envelope: bool = False, threads: int = 0) -> Any:
    """Applies an event to a ledger for every row (columns ``provider``, ``ledger``,
    ``event``)."""
    return run("apply", data, keep=keep, envelope=envelope, threads=threads)


def refundable(
    data: Any, *, keep: Sequence[str] = (), envelope: bool = False, threads: int = 0
) -> Any:
    """The refundable breakdown for every row (columns ``ledger``, ``provider``,
    ``capture_id``)."""
    return run("refundable", data, keep=keep, envelope=envelope, threads=threads)
