"""The README Python examples are tests: every ```python block runs, in order, per file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List

import pytest
from conftest import PACKAGE_DIR, REPO_ROOT

BLOCK = re.compile(r"^```python[^\n]*\n(.*?)^```", re.S | re.M)


def blocks(path: Path) -> List[str]:
    return BLOCK.findall(path.read_text(encoding="utf-8")) if path.is_file() else []


READMES = [PACKAGE_DIR / "README.md", REPO_ROOT / "README.md"]


def test_the_package_readme_has_examples() -> None:
    text = (PACKAGE_DIR / "README.md").read_text(encoding="utf-8")
    assert "pip install ./bindings/python" in text
    assert len(blocks(PACKAGE_DIR / "README.md")) >= 3


@pytest.mark.parametrize("readme", READMES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_readme_python_blocks_run(readme: Path) -> None:
    code = blocks(readme)
    if not code:
        pytest.skip(f"{readme.name} has no python blocks")
    namespace: Dict[str, Any] = {"__name__": "readme"}
    for i, block in enumerate(code):
        try:
            exec(compile(block, f"{readme}#block{i + 1}", "exec"), namespace)
        except Exception as e:  # pragma: no cover - the failure message is the point
            raise AssertionError(f"{readme} python block {i + 1} failed: {e!r}\n{block}") from e
