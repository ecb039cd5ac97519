"""Package hygiene of the installed distribution: the declared licence ships with it, and no
made-up project URL does."""

from __future__ import annotations

from importlib import metadata


def test_the_licence_files_ship_in_the_wheel() -> None:
    dist = metadata.distribution("refund-rules")
    assert dist.metadata["License"] == "MIT OR Apache-2.0"
    files = {str(f).rsplit("/", 1)[-1]: f for f in dist.files or [] if "LICENSE" in str(f)}
    assert {"LICENSE-MIT", "LICENSE-APACHE"} <= set(files), sorted(map(str, dist.files or []))
    assert "MIT License" in files["LICENSE-MIT"].read_text(encoding="utf-8")
    assert "Apache License" in files["LICENSE-APACHE"].read_text(encoding="utf-8")


def test_no_invented_project_urls() -> None:
    dist = metadata.distribution("refund-rules")
    urls = dist.metadata.get_all("Project-URL") or []
    assert not [u for u in urls if ".invalid" in u or "example." in u], urls
