"""Shared helpers: where the repository's shared vectors live, and the subset comparison."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
PACKAGE_DIR = HERE.parent  # bindings/python
REPO_ROOT = PACKAGE_DIR.parent.parent
VECTORS = Path(os.environ.get("REFUND_RULES_VECTORS", REPO_ROOT / "vectors"))


def subset(expected: Any, actual: Any, path: str = "") -> None:
    """``expected`` is a subset of ``actual``: objects by key, arrays element-wise with equal
    length, numbers by value (Decimal/int), everything else by equality (bools by identity)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{path}/{key}: missing in {actual!r}"
            subset(value, actual[key], f"{path}/{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected an array, got {actual!r}"
        assert len(expected) == len(actual), f"{path}: expected {len(expected)} items, got {len(actual)}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            subset(e, a, f"{path}/{i}")
    elif isinstance(expected, bool) or isinstance(actual, bool):
        assert expected is actual, f"{path}: expected {expected!r}, got {actual!r}"
    elif isinstance(expected, (int, Decimal)) and isinstance(actual, (int, Decimal)):
        assert Decimal(expected) == Decimal(actual), f"{path}: expected {expected}, got {actual}"
    else:
        assert expected == actual, f"{path}: expected {expected!r}, got {actual!r}"


@pytest.fixture(scope="session")
def vectors_dir() -> Path:
    assert VECTORS.is_dir(), f"shared vectors not found at {VECTORS}"
    return VECTORS
