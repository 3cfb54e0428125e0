"""The input contract (widgets/_files.py) and its twin for the pages (widgets/static/lib/files.js).

Unit tests of each rule, then the parity test: both modules read the same valid, damaged and
hostile JSON texts and must accept the same ones (with the same values) and refuse the others
with the same message, so a user sees the same words in the CLI, the notebook and the page.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from fuzz_cases import CLASSES, SEEDS
from widgets import _files as files
from widgets._files import MAX_DEPTH, MAX_PROBLEMS, Collector, InputError, Problem
from widgets._frontend import bundle_path

ROOT = Path(__file__).resolve().parents[1]
FILES_JS = ROOT / "widgets" / "static" / "lib" / "files.js"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="Node.js is not installed (needed to run the ES modules)")


def refused(text: str, suffix: str = ".json") -> list[Problem]:
    with pytest.raises(InputError) as info:
        files.parse(text, "f" + suffix, suffix)
    return info.value.problems


# --------------------------------------------------------------------------- the rules, one by one


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_duplicate_keys_name_the_field(suffix):
    text = '{"a": {"b": 1, "b": 2}}' if suffix == ".json" else "a:\n  b: 1\n  b: 2\n"
    [p] = refused(text, suffix)
    assert (p.field, p.expected) == ("a.b", "each key only once")


@pytest.mark.parametrize("text, found", [
    ('{"n": 1234567890123456}', "a 16-digit integer"),
    ('{"n": 1e400}', "'1e400'"),
    ('{"n": NaN}', "NaN"),
    ('{"n": -Infinity}', "-Infinity"),
    ('{"n": 1234567.9999999999}', "1234567.9999999999, which a computer reads as 1234568; write 1234568 if that is meant"),
    ('{"n": 1e-400}', "1e-400, which a computer reads as 0; write 0 if that is meant"),
    ('{"n": 2e15}', "2e15"),
])
def test_numbers_that_cannot_be_kept_as_written_are_refused(text, found):
    [p] = refused(text)
    assert p.field == "n" and p.found == found


def test_numbers_that_can_be_kept_are_read():
    assert files.parse('{"a": 0.1, "b": 2.0, "c": 999999999999999, "d": -0, "e": 1e3, "f": 1.5e-7}', "f") == {
        "a": 0.1, "b": 2.0, "c": 999999999999999, "d": 0, "e": 1000.0, "f": 1.5e-7}


def test_yaml_keeps_dates_and_keys_as_written():
    doc = files.parse("date: 2026-01-02\nyes: 1\n1: x\nn: ~\n", "f.yaml", ".yaml")
    assert doc == {"date": "2026-01-02", "yes": 1, "1": "x", "n": None}


@pytest.mark.parametrize("text", ["a: &x [1]\nb: *x\n", "a: !!python/object:os.system x\n", "<<: {a: 1}\n",
                                  "? [a]\n: 1\n", "a: 1\n---\nb: 2\n"])
def test_yaml_features_that_are_not_data_are_refused(text):
    assert refused(text, ".yaml")


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_depth_is_bounded_but_brackets_in_text_are_not_nesting(suffix):
    deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    text = '{"a": ' + deep + "}" if suffix == ".json" else "a: " + deep
    assert "nested" in refused(text, suffix)[0].expected
    quoted = '{"a": "' + "[" * 500 + '"}' if suffix == ".json" else 'a: "' + "[" * 500 + '"'
    assert files.parse(quoted, "f", suffix) == {"a": "[" * 500}


def test_lone_surrogates_are_refused_in_values_and_keys():
    [p] = refused('{"team": "x\\ud800"}')
    assert p.field == "team" and "surrogate" in p.found
    assert "surrogate" in refused('{"\\udc00": 1}')[0].found
    assert files.parse('{"a": "\\ud83d\\ude00"}', "f") == {"a": "\U0001F600"}  # a pair is one character


def test_values_are_bounded_and_problems_stop_at_the_limit():
    assert refused(json.dumps(list(range(files.MAX_VALUES + 5))))[-1].found == "more"
    many = "{" + ", ".join(f'"k": {i}' for i in range(500)) + "}"
    assert len(refused(many)) == 1  # one key written 500 times is one problem
    bad = json.dumps({f"k{i}": "\ud800" for i in range(500)})
    assert len(refused(bad)) == MAX_PROBLEMS
    c = Collector("f", limit=2)
    assert c.add("a", "x") and not c.add("b", "y") and not c.add("c", "z") and len(c.problems) == 2


def test_size_is_checked_before_reading(tmp_path):
    path = tmp_path / "big.json"
    with open(path, "wb") as fh:
        fh.truncate(files.MAX_FILE_BYTES + 1)  # sparse: nothing is written, nothing should be read
    with pytest.raises(InputError, match="at most 2,000,000 bytes"):
        files.load_file(path)


@pytest.mark.parametrize("value, ok", [("2026-02-28", True), ("2024-02-29", True), ("2026-02-29", False),
                                       ("2026-13-45", False), ("0000-00-00", False), ("2026-01-01\n", False),
                                       ("2026-1-1", False), (20260101, False)])
def test_dates_must_be_real(value, ok):
    assert files.is_date(value) is ok


def test_short_descriptions_stay_short_and_printable():
    assert files.short(10 ** 5000) == "a very long-digit integer"
    assert files.short("\x1b[2J" + "x" * 100).startswith("'?[2J") and len(files.short("x" * 1000)) < 70
    assert files.short("\ud800") == "'?'"


# --------------------------------------------------------------------------- parity with the pages

PARITY_JS = """
const m = await import(%s);
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const fmts = input.formats;
const out = input.texts.map((t) => {
  const one = {};
  try { one.doc = m.loadJson(t, 'f.json'); } catch (e) { one.error = e.message; }
  one.tools = fmts.map((f) => { try { m.readToolFile(t, f, m.ToolFileError, 'f.json'); return null; } catch (e) { return e.message; } });
  return one;
});
process.stdout.write(JSON.stringify(out));
"""


def _formats():
    from widgets._paycalc import PAY_FILE
    from widgets._transparency import REPORT_FILE
    from widgets._vendor import CHECKLIST_FILE

    return [PAY_FILE, CHECKLIST_FILE, REPORT_FILE]


def parity_texts() -> list[str]:
    """Hand-picked edge cases, then damaged copies of every JSON seed (fixed seed, every class)."""
    texts = [
        "", " ", "nope", "{", "[", "[1", '{"a" 1}', '{"a":1,}', "[1,]", '"abc', '{"a":1} x', "[1 2]", "{1:2}",
        '"a\\qb"', '"\\u12"', '"a\nb"', "-", "01", "1.", '{"a": 1, "a": 2}', '{"a": [1, {"b": 2, "b": [3]}]}',
        '{"n": 12345678901234567}', '{"n": 1e999}', '{"n": NaN}', '{"n": 2.9999999999999999}', '{"n": 1e-999}',
        '{"t": "\\ud800"}', '{"t": "\\ud83d\\ude00"}', '{"\\ud800": 1}', '{"__proto__": {"x": 1}}',
        "[" * 70 + "]" * 70, '{"a":' * 100 + "1" + "}" * 100, json.dumps(list(range(20_010))),
        json.dumps({f"k{i}": "\ud800" for i in range(60)}), '{"format": "pai-paycalc", "format_version": 7}',
        '{"format": "pai-vendor-checklist", "format_version": "1"}', '{"format": "pai-transparency-report", '
        '"format_version": 1, "format": "pai-transparency-report"}', "x" * 2_000_001,
        '{"format": "pai-paycalc", "format_version": ' + "9" * 400 + "}",
    ]
    rng = random.Random(20261201)
    for target in ("pay.json", "vendor.json", "transparency.json", "assessment.json"):
        for damage, mutate in CLASSES.items():
            if damage == "huge":
                continue  # a few are in the list above; the rest cost time, not coverage
            for _ in range(6):
                texts.append(mutate(rng, SEEDS[target][0]))
    return texts


def python_outcome(text: str, formats) -> dict:
    one: dict = {}
    try:
        files.check_text_size(text, "f.json")
        one["doc"] = files.parse(text, "f.json", ".json")
    except InputError as err:
        one["error"] = str(err)
    tools = []
    for fmt in formats:
        try:
            files.read_tool_file(text, fmt, files.ToolFileError, "f.json")
            tools.append(None)
        except files.ToolFileError as err:
            tools.append(str(err))
    one["tools"] = tools
    return one


def _numbers_as_js(value):
    if isinstance(value, dict):
        return {k: _numbers_as_js(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers_as_js(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@needs_node
def test_pages_read_files_with_the_same_rules_and_messages():
    formats = _formats()
    texts = parity_texts()
    payload = {"texts": texts, "formats": [vars(f) for f in formats]}
    program = "(async () => {" + PARITY_JS % json.dumps(FILES_JS.as_uri()) + "})().catch(e => { console.error(e); process.exit(1); });"
    done = subprocess.run([NODE, "-e", program], input=json.dumps(payload), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    js = json.loads(done.stdout)
    mismatches = []
    for text, j in zip(texts, js):
        py = python_outcome(text, formats)
        if "doc" in py and "doc" in j:
            # JavaScript has one number type: 250.0 arrives as 250.
            same = _numbers_as_js(py["doc"]) == j["doc"]
        else:
            same = py.get("error") == j.get("error")
        if not same or py["tools"] != j["tools"]:
            mismatches.append((text[:120], py.get("error", "accepted"), j.get("error", "accepted"), py["tools"], j["tools"]))
    assert not mismatches, f"{len(mismatches)} of {len(texts)} differ:\n" + "\n".join(map(repr, mismatches[:8]))
    assert sum("error" in j for j in js) > len(js) // 2  # the damage classes do damage


@needs_node
def test_pay_calculator_bounds_are_the_same_on_the_page():
    from widgets import _paycalc as pc

    base = dict(currency="EUR", living_wage_per_hour=12.0, pay_model="per_task", rate=0.5, task_minutes=2, tasks=600)
    changes = [("living_wage_per_hour", 1e307), ("tasks", 1e308), ("task_minutes", 5e-324), ("rate", "1e400"),
               ("tasks", "600.00000000000001"), ("paid_extras", {"training": True}), ("other_payments", 2e15),
               ("rate", 1e-7), ("tasks", "600"), ("rate", 1e15)]
    cases = [dict(base, **{k: v}) for k, v in changes]
    tools = FILES_JS.parents[1] / "tools" / "paycalc.js"
    program = ("(async () => { const m = await import(%s);"
               " const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
               " process.stdout.write(JSON.stringify(input.map((raw) => { try { m.makeScenario(raw); return null; }"
               " catch (e) { return e.message; } }))); })().catch(e => { console.error(e); process.exit(1); });"
               % json.dumps(tools.as_uri()))
    done = subprocess.run([NODE, "-e", program], input=json.dumps(cases), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    for raw, js in zip(cases, json.loads(done.stdout)):
        try:
            pc.PayScenario(**raw)
            py = None
        except pc.PayInputError as err:
            py = str(err)
        assert (py is None) == (js is None), (raw, py, js)
        if py is not None:  # the same field, rule and fix; the value itself is written by each language
            assert py.split(", got")[0] == js.split(", got")[0], (py, js)
            assert py.rsplit(". ", 1)[-1] == js.rsplit(". ", 1)[-1], (py, js)


@needs_node
def test_notebook_widgets_get_one_file_with_the_same_checks(tmp_path):
    """anywidget loads one file: the module handed to it has lib/files.js inlined and still refuses
    a bad file with the same message as the page's module and as Python."""
    from widgets import _paycalc as pc
    from widgets import _transparency as tr
    from widgets import _vendor as vd

    bad = '{"format": "pai-paycalc", "format_version": 1, "format_version": 1}'
    expected = []
    for widget, loader in ((pc.pay_calculator(), pc.load_pay_scenarios), (vd.vendor_checklist_widget(), vd.load_vendor_checklist),
                           (tr.transparency_report_builder(), tr.load_transparency_report)):
        with pytest.raises(ValueError) as info:
            loader(bad)
        expected.append(str(info.value))
    names = []
    for name in ("paycalc", "vendor", "transparency"):
        path = tmp_path / f"{name}.mjs"
        bundled = bundle_path(f"tools/{name}.js").read_text(encoding="utf-8")  # what the notebook loads
        assert "../lib/" not in bundled and "render" in bundled
        path.write_text(bundled, encoding="utf-8")
        names.append(path.as_uri())
    program = ("(async () => { const out = []; for (const u of %s) { const m = await import(u);"
               " try { m.loadFile(%s, {statuses: [], phases: []}); out.push(null); } catch (e) { out.push(e.message); } }"
               " process.stdout.write(JSON.stringify(out)); })().catch(e => { console.error(e); process.exit(1); });"
               % (json.dumps(names), json.dumps(bad)))
    done = subprocess.run([NODE, "-e", program], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == expected
