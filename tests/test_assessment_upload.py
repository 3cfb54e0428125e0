"""The self-assessment page reads an uploaded file as Python's load_assessment does.

The same bad files (the fuzz classes of tests/fuzz_cases.py and the reproducers of the input
contract's regressions) go through ``widgets.load_assessment`` and through the page's reader
(widgets/static/assessment/upload.js) under Node; both must accept or refuse each file, and give the
same first problem. Files of an older rubric version are migrated by both, with the same result
and notes (tests/test_assessment_migrate.py).
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess

import pytest

from tests.fuzz_cases import CLASSES, SEEDS
from widgets import load_rubric
from widgets._assessment import AssessmentError, load_assessment
from widgets._files import MAX_FILE_BYTES, InputError

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UPLOAD = ROOT / "widgets" / "static" / "assessment" / "upload.js"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed (needed to run the ES modules)")

PROGRAM = f"""
import {{ readAssessment, readAssessmentUpload }} from {json.dumps(UPLOAD.as_uri())};
let input = ""; for await (const chunk of process.stdin) input += chunk;
const {{ rubric, cases, sizes }} = JSON.parse(input);
const out = cases.map(([source, text]) => {{
  const r = readAssessment(text, rubric, source);
  return r.problems ? String(r.problems[0]) : null;
}});
const uploads = [];
for (const [name, size] of sizes) {{
  let read = false;
  const file = {{ name, size, text: async () => {{ read = true; return ""; }} }};
  const r = await readAssessmentUpload(file, rubric);
  uploads.push([r.problems ? String(r.problems[0]) : null, read]);
}}
process.stdout.write(JSON.stringify({{ out, uploads }}));
"""


def _valid() -> dict:
    return json.loads(SEEDS["assessment.json"][0])


def _reproducers() -> list[str]:
    def with_(**changes):
        doc = _valid()
        doc.update(changes)
        return json.dumps(doc, ensure_ascii=False)

    good = json.dumps(_valid())
    cid = next(iter(_valid()["answers"]))
    return [
        good,
        good.replace('"format"', '"format": "pai-assessment", "format"', 1),          # duplicate key
        good.replace(f'"{cid}": {{"level": ', f'"{cid}": {{"level": {"9" * 5000}, "x": ', 1),  # 5,000 digits
        with_(team="\ud800").replace("\\ud800", "\\ud800"),                          # lone surrogate
        json.dumps(dict(_valid(), team="\ud800")),
        with_(date="2026-13-45"), with_(date="0000-00-00"), with_(date="2026-02-30"), with_(date="2026-03-31\n"),
        with_(team=""), with_(team="   "), with_(product="\t"),
        good.replace(f'"{cid}": {{"level": ', f'"{cid}": {{"level": 2.9999999999999999, "y": ', 1),
        json.dumps(dict(_valid(), **{f"k{i}": 1 for i in range(150_000)})),          # 150,000 unknown keys
        json.dumps(dict(_valid(), **{f"k{i}": 1 for i in range(3)})),
        with_(answers={cid: {"level": 7}}), with_(answers={cid: {"level": "3"}}), with_(answers={"Bad_ID": {"level": 1}}),
        with_(answers={cid: {"level": 2, "partial": True}}), with_(answers={cid: {"level": 1, "partial": "yes"}}),
        with_(answers={cid: {"level": 1, "partial": True}}),
        with_(answers={"no-such-question": {"level": 1}}), with_(answers={"early-stat": {"level": 1}}), with_(answers={"pay-participant": {"level": 1}}), with_(model_type="robot"), with_(scope="half"),
        with_(format="other"), with_(format_version=2), with_(format_version="1"), with_(format_version=1.0), with_(format_version=True),
        good.replace("\"format_version\": 1", "\"format_version\": 1e0"), with_(rubric={"id": "x"}),
        with_(rubric={"id": "engagement-plan", "version": "9.0"}), with_(team=5), with_(notes="x" * 20_001),
        json.dumps([1, 2]), "{ not json", "", json.dumps(_valid()) + "x", "[" * 2000,
        json.dumps({k: v for k, v in _valid().items() if k != "team"}),
        "x" * (MAX_FILE_BYTES + 500_000),                                             # 2.5 MB
    ]


def _fuzzed(n_per_class: int = 20) -> list[str]:
    rng = random.Random(20261201)
    out = []
    for damage, make in CLASSES.items():
        for _ in range(n_per_class):
            out.append(make(rng, SEEDS["assessment.json"][rng.randrange(len(SEEDS["assessment.json"]))]))
    return out


def _python_first(path: Path) -> str | None:
    try:
        load_assessment(path)
    except (AssessmentError, InputError) as err:
        return str(err.problems[0])
    return None


def test_page_reader_gives_pythons_decision_and_first_message(tmp_path):
    texts = _reproducers() + _fuzzed()
    cases, expected = [], []
    for i, text in enumerate(texts):
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError:
            continue  # a lone surrogate in the text itself: no file can hold it (JSON escapes it instead)
        path = tmp_path / f"case{i}.json"
        path.write_bytes(raw)
        cases.append([str(path), text])
        expected.append(_python_first(path))
    rubric = json.loads(json.dumps(dict(load_rubric().data)))
    sizes = [["big.json", MAX_FILE_BYTES + 500_000], ["small.json", 10]]
    done = subprocess.run([NODE, "--input-type=module", "-e", PROGRAM], capture_output=True, text=True, timeout=120,
                          input=json.dumps({"rubric": rubric, "cases": cases, "sizes": sizes}))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    differ = [(c[0], p, j) for c, p, j in zip(cases, expected, result["out"]) if p != j]
    assert not differ, f"{len(differ)} of {len(cases)} files differ; first: {differ[:3]}"
    assert any(e is None for e in expected) and sum(e is not None for e in expected) > 50
    # An upload over the limit is refused before its text is read; a small one is read.
    (big, big_read), (_, small_read) = result["uploads"]
    assert big.startswith("big.json: (file): expected at most 2,000,000 bytes") and not big_read
    assert small_read


HOST = ROOT / "widgets" / "static" / "static-host.js"
STORED = f"""
import {{ createStorageModel }} from {json.dumps(HOST.as_uri())};
let input = ""; for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map((raw) => {{
  const items = new Map([["k", raw]]);
  const storage = {{ getItem: (k) => (items.has(k) ? items.get(k) : null), setItem: (k, v) => items.set(k, v), removeItem: (k) => items.delete(k) }};
  const model = createStorageModel({{ key: "k", initial: {{ assessment: "initial" }}, persist: ["assessment"], storage }});
  const kept = [...items.keys()].filter((k) => k.startsWith("k:unreadable:")).map((k) => items.get(k) === raw);
  return {{ assessment: model.get("assessment"), messages: model.get("host_messages"), kept }};
}});
process.stdout.write(JSON.stringify(out));
"""


def test_stored_answers_are_read_under_the_input_contract():
    """Answers kept in the browser are parsed as strictly as a file: a key written twice, a lone
    surrogate or an unbounded number is not silently taken, and the unreadable copy is kept."""
    def stored(values_text: str) -> str:
        return '{"format": "pai-static-model", "format_version": 1, "values": ' + values_text + "}"

    cases = [stored('{"assessment": "mine"}'), stored('{"assessment": "a", "assessment": "b"}'),
             stored('{"assessment": "\\ud800"}'), stored('{"assessment": ' + "9" * 400 + "}"), "{ not json"]
    done = subprocess.run([NODE, "--input-type=module", "-e", STORED], input=json.dumps(cases),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    good, duplicate, surrogate, number, broken = json.loads(done.stdout)
    assert good == {"assessment": "mine", "messages": [], "kept": []}
    for result, found in [(duplicate, "expected each key only once"), (surrogate, "expected valid Unicode text"),
                          (number, "a 400-digit integer"), (broken, "expected valid JSON")]:
        assert result["assessment"] == "initial" and result["kept"] == [True]
        assert len(result["messages"]) == 1 and found in result["messages"][0], result["messages"]
        assert "the stored answers: " in result["messages"][0]
