"""The stubs match the compiled module (mypy.stubtest), and typed code checks under --strict."""

from __future__ import annotations

import re
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
    # pyarrow and polars ship no type information (the README's Arrow example imports them).
    cfg.write_text(
        f"[mypy]\ncache_dir = {tmp_path / '.mypy_cache'}\n"
        "[mypy-pyarrow.*]\nignore_missing_imports = True\n"
        "[mypy-polars.*]\nignore_missing_imports = True\n",
        encoding="utf-8",
    )
    return cfg


def test_mypy_strict_on_the_package_sources(tmp_path: Path) -> None:
    out = _mypy(
        ["mypy", "--strict", "--config-file", str(_config(tmp_path)), str(HERE.parent / "python" / "refund_rules")],
        tmp_path,
    )
    assert out.returncode == 0, out.stdout + out.stderr


# ------------------------------------------------------------ generated document types (schema)


def test_mypy_strict_on_a_document_of_every_provider(tmp_path: Path) -> None:
    """typed_documents.py: every provider's plan document (a Digital River order with lines, a
    Commerce Layer return refund...) typed with refund_rules.types, and the result literals."""
    out = _mypy(
        ["mypy", "--strict", "--config-file", str(_config(tmp_path)), str(HERE / "typed_documents.py")],
        tmp_path,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_typed_documents_are_decided_by_the_engine(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(HERE / "typed_documents.py")], capture_output=True, text=True, cwd=str(tmp_path)
    )
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    providers = [line.split()[0] for line in lines[:5]]
    assert providers == ["simpleps", "fiserv_commerce_hub", "alternative_payments", "digital_river", "commerce_layer"]
    assert "ret_1" in lines[4] and "/api/returns/ret_1" in lines[4], lines[4]


def _readme_quickstart() -> str:
    """The python blocks of the package README before "Property-testing" (hypothesis examples)."""
    text = (HERE.parent / "README.md").read_text(encoding="utf-8").split("\n## Property-testing")[0]
    blocks = re.findall(r"^```python[^\n]*\n(.*?)^```", text, re.S | re.M)
    assert len(blocks) >= 3, "the package README lost its quickstart blocks"
    return "\n".join(blocks)


def test_mypy_strict_on_the_readme_quickstart(tmp_path: Path) -> None:
    script = tmp_path / "readme_quickstart.py"
    script.write_text(_readme_quickstart(), encoding="utf-8")
    out = _mypy(["mypy", "--strict", "--config-file", str(_config(tmp_path)), str(script)], tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_strict_rejects_wrong_literals(tmp_path: Path) -> None:
    """typing_rejects.py must fail, with each `# expect:` text reported on the line below it."""
    source = HERE / "typing_rejects.py"
    out = _mypy(["mypy", "--strict", "--config-file", str(_config(tmp_path)), str(source)], tmp_path)
    assert out.returncode == 1, out.stdout + out.stderr
    expected = [
        (i + 2, line.split("# expect: ", 1)[1])
        for i, line in enumerate(source.read_text(encoding="utf-8").splitlines())
        if line.startswith("# expect: ")
    ]
    assert len(expected) >= 6
    for line_no, text in expected:
        hits = [e for e in out.stdout.splitlines() if f"typing_rejects.py:{line_no}: error:" in e and text in e]
        assert hits, f"typing_rejects.py:{line_no}: no error containing {text!r}:\n{out.stdout}"
