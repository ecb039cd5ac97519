"""Differential test: the CLI, the Python package and the WebAssembly package must answer every
document with byte-identical envelopes (run by scripts/test-zz-differential).

Cases: every shared vector (`vectors/**/*.json`: each case's `operation` and `input`, or its
verbatim `input_text`), plus the hostile corpus in `tests/hostile-corpus/` run through every
operation (files as committed, byte for byte), plus generated hostile documents too large to
commit (8 MiB+, 100,000-deep nesting, 100,000-digit numbers). Answers are compared with each
other, never with expected values, so the test stays valid while the core changes what it
accepts.

How each surface receives a case (the document's exact bytes in all of them):
- CLI: the bytes on stdin of `refund-rules <operation>`.
- Python: `refund_rules.run_envelope(op, text)` with the bytes decoded to a `str` -- for valid
  UTF-8 the text itself; for WTF-8 (lone surrogates) the `surrogatepass` decoding, i.e. the str
  a Python caller holding a lone surrogate has. Also `run_envelope(op, bytes)`, always.
- WASM (node): `runJson(op, text)` with the JS string (the same decoding), and
  `runJson(op, Uint8Array)`.
- Skipped, by necessity: bytes that are neither UTF-8 nor WTF-8 (e.g. `\\xff`, or CESU-8,
  a surrogate pair as two 3-byte sequences, which a JS string cannot keep apart from the
  character the pair forms) cannot be a Python or JS string; those cases go to both bindings as
  bytes only.

Exit status 0 when every surface agrees on every case; 1 with a diff of each disagreement.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional

import refund_rules

ROOT = Path(__file__).resolve().parents[2]
CLI = os.environ["REFUND_RULES_CLI"]
CORPUS = ROOT / "tests" / "hostile-corpus"
OPERATIONS = list(refund_rules.OPERATIONS)


class Case(NamedTuple):
    name: str
    op: str
    data: bytes


def vector_cases() -> List[Case]:
    out: List[Case] = []
    for path in sorted((ROOT / "vectors").rglob("*.json")):
        doc = refund_rules._wire.loads(path.read_text(encoding="utf-8"))
        for i, case in enumerate(doc.get("cases", [])):
            if "input_text" in case:
                text = case["input_text"]
            else:
                # Numbers were read as exact Decimals/ints; the native writer keeps their text.
                text = refund_rules.dumps(case["input"])
            name = f"{path.relative_to(ROOT)}#{i} {case.get('name', '')}"
            out.append(Case(name, case["operation"], text.encode("utf-8", "surrogatepass")))
    return out


def generated() -> Dict[str, bytes]:
    """Hostile documents too large to commit."""
    ledger = (
        '{"currency":"USD","authorized":"100.00","status":{"payment":"CAPTURED"},'
        '"captures":[{"id":"cap_1","amount":"100.00"}]}'
    )
    plan = '{"provider":"simpleps","ledger":' + ledger + ',"request":REQ}'
    dr = (
        '{"provider":"digital_river","ledger":{"id":"o1","currency":"USD","authorized":"27.01",'
        '"status":{"payment":"complete"},"captures":[{"id":"cap_1","amount":"27.01","settled":true}],'
        '"lines":[{"id":"li_1","kind":"product","amount":"25.00","tax":"2.01"}],"refunds":[],"version":3},'
        '"request":{"orderId":"o1","currency":"USD","percent":50,"metadata":MD}}'
    )
    limit = refund_rules._native.MAX_INPUT_BYTES
    # `REQ` (3 bytes) replaced by a string of k + 2 bytes: the document is exactly `size` bytes.
    def sized(size: int) -> bytes:
        doc = plan.replace("REQ", '"' + "x" * (size - len(plan) + 1) + '"').encode()
        assert len(doc) == size
        return doc

    return {
        "gen/over-limit-by-one.json": sized(limit + 1),
        "gen/exactly-at-limit.json": sized(limit),
        "gen/nine-mib-of-spaces.json": b" " * (9 * 1024 * 1024),
        "gen/over-limit-invalid-utf8.json": b"\xff" * (limit + 10),
        "gen/deep-arrays-100k.json": b"[" * 100_000 + b"]" * 100_000,
        "gen/deep-objects-unclosed-100k.json": b'{"a":' * 100_000,
        "gen/dr-metadata-deep-10k.json": dr.replace("MD", "[" * 10_000 + "]" * 10_000).encode(),
        "gen/dr-metadata-deep-unclosed.json": dr.replace("MD", "[" * 50_000).encode(),
        "gen/dr-metadata-huge-int.json": dr.replace("MD", '{"n":' + "9" * 100_000 + "}").encode(),
        "gen/amount-100k-digits.json": plan.replace(
            "REQ", '{"amount":{"total":' + "1" * 100_000 + ',"currency":"USD"}}'
        ).encode(),
        "gen/version-100k-digits.json": plan.replace("REQ", "{}")
        .replace('"captures"', '"version":' + "7" * 100_000 + ',"captures"')
        .encode(),
        "gen/many-lone-surrogates.json": dr.replace(
            "MD", '{"s":"' + "\\ud800" * 10_000 + '"}'
        ).encode(),
        "gen/raw-lone-surrogate-late.json": dr.replace(
            "MD", '"' + "a" * 100_000 + '\ud800"'
        ).encode("utf-8", "surrogatepass"),
    }


def corpus_cases() -> List[Case]:
    files: Dict[str, bytes] = {
        str(p.relative_to(CORPUS)): p.read_bytes() for p in sorted(CORPUS.rglob("*")) if p.is_file() and p.name != "README.md"
    }
    files.update(generated())
    return [Case(f"hostile/{name}", op, data) for name, data in files.items() for op in OPERATIONS]


def how(data: bytes) -> str:
    """How the bindings can receive these bytes as a string: text, wtf8 or bytes only."""
    try:
        data.decode("utf-8")
        return "text"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return "bytes"
    # WTF-8 never encodes a surrogate *pair* as two 3-byte sequences (that is CESU-8): a JS
    # string cannot hold such a pair apart from the character it forms, so those bytes reach
    # the bindings as bytes only.
    if re.search("[\ud800-\udbff][\udc00-\udfff]", text):
        return "bytes"
    return "wtf8"


def run_cli(case: Case) -> tuple[str, int]:
    p = subprocess.run([CLI, case.op], input=case.data, capture_output=True, check=False)
    out = p.stdout.decode("utf-8", "surrogateescape")
    if out.endswith("\n"):
        out = out[:-1]
    return out, p.returncode


def run_python(case: Case, kind: str) -> tuple[str, str]:
    as_bytes = refund_rules.run_envelope(case.op, case.data)
    if kind == "bytes":
        return as_bytes, as_bytes
    text = case.data.decode("utf-8", "surrogatepass")
    return refund_rules.run_envelope(case.op, text), as_bytes


def run_wasm(cases: List[Case], kinds: List[str]) -> List[dict]:
    lines = "".join(
        json.dumps({"op": c.op, "b64": base64.b64encode(c.data).decode(), "as": k}) + "\n"
        for c, k in zip(cases, kinds)
    )
    p = subprocess.run(
        ["node", str(Path(__file__).with_name("wasm_runner.cjs"))],
        input=lines.encode(),
        capture_output=True,
        check=False,
    )
    if p.returncode != 0:
        sys.exit(f"the WASM runner failed (exit {p.returncode}):\n{p.stderr.decode(errors='replace')}")
    out = [json.loads(line) for line in p.stdout.decode().splitlines()]
    if len(out) != len(cases):
        sys.exit(f"the WASM runner answered {len(out)} of {len(cases)} cases")
    return out


def expected_exit(envelope: str) -> Optional[int]:
    try:
        v = refund_rules._wire.loads(envelope)  # any depth (pass-through fields are echoed)
    except ValueError:
        return None
    if v.get("ok") is True:
        return 0
    return 2 if v.get("error", {}).get("family") == "invalid_input" else 1


def show(text: str, at: int) -> str:
    lo = max(0, at - 80)
    snippet = text[lo : at + 120]
    return ("..." if lo else "") + snippet + ("..." if at + 120 < len(text) else "")


def diff(case: Case, answers: Dict[str, str]) -> Optional[str]:
    reference_name, reference = next(iter(answers.items()))
    bad = {k: v for k, v in answers.items() if v != reference}
    if not bad:
        return None
    lines = [f"DISAGREEMENT: {case.name} [{case.op}] ({len(case.data)} input bytes)"]
    for name, value in bad.items():
        at = next((i for i, (a, b) in enumerate(zip(reference, value)) if a != b), min(len(reference), len(value)))
        lines.append(f"  {reference_name} vs {name}: first difference at character {at}")
        lines.append(f"    {reference_name:>12}: {show(reference, at)}")
        lines.append(f"    {name:>12}: {show(value, at)}")
    return "\n".join(lines)


def main() -> int:
    t0 = time.time()
    cases = vector_cases() + corpus_cases()
    only = os.environ.get("DIFFERENTIAL_ONLY")
    if only:
        cases = [c for c in cases if only in c.name]
    kinds = [how(c.data) for c in cases]
    wasm = run_wasm(cases, kinds)
    failures: List[str] = []
    counts = {"text": 0, "wtf8": 0, "bytes": 0}
    for case, kind, w in zip(cases, kinds, wasm):
        counts[kind] += 1
        cli, code = run_cli(case)
        py_text, py_bytes = run_python(case, kind)
        answers = {"cli": cli, "python": py_text, "python-bytes": py_bytes, "wasm": w["envelope"]}
        if w["bytes_envelope"] is not None:
            answers["wasm-bytes"] = w["bytes_envelope"]
        problem = diff(case, answers)
        if problem is None and code != expected_exit(cli):
            problem = f"DISAGREEMENT: {case.name} [{case.op}]: CLI exit {code} for {show(cli, 0)}"
        if problem:
            failures.append(problem)
    print(
        f"differential: {len(cases)} cases ({counts['text']} text, {counts['wtf8']} with lone "
        f"surrogates, {counts['bytes']} bytes only) through CLI, Python and WASM in {time.time() - t0:.1f}s"
    )
    if failures:
        print("\n\n".join(failures[:50]))
        print(f"\n{len(failures)} case(s) where the surfaces disagree")
        return 1
    print("all surfaces agree byte for byte")
    return 0


if __name__ == "__main__":
    sys.exit(main())
