"""The stubs match the compiled module (mypy.stubtest), and typed code checks under --strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import HERE


def _mypy(args: list[str], cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        capture_output=True,
        text=True,
        cwd=str(cache),  # away from the source tree: check the installed package
    )


def test_stubtest_native_module(tmp_path: Path) -> None:
    out = _mypy(["mypy.stubtest", "refund_rules._native", "--mypy-config-file", str(_config(tmp_path))], tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.skipif(
    sys.version_info < (3, 10),
    reason="on 3.9 stubtest flags the typing names each module imports (Any, Mapping...)",
)
def test_stubtest_whole_package(tmp_path: Path) -> None:
    out = _mypy(
        ["mypy.stubtest", "refund_rules", "--mypy-config-file", str(_config(tmp_path)), "--ignore-missing-stub",
         "--allowlist", str(HERE / "stubtest-allowlist.txt")],
        tmp_path,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_strict_on_a_typed_example(tmp_path: Path) -> None:
    out = _mypy(
        ["mypy", "--strict", "--config-file", str(_config(tmp_path)), str(HERE / "typed_example.py")],
        tmp_path,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def _config(tmp_path: Path) -> Path:
    cfg = tmp_path / "mypy.ini"
    cfg.write_text(f"[mypy]\ncache_dir = {tmp_path / '.mypy_cache'}\n", encoding="utf-8")
    return cfg


def test_mypy_strict_on_the_package_sources(tmp_path: Path) -> None:
    out = _mypy(
        ["mypy", "--strict", "--config-file", str(_config(tmp_path)), str(HERE.parent / "python" / "refund_rules")],
        tmp_path,
    )
    assert out.returncode == 0, out.stdout + out.stderr
