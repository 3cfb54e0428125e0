"""Python and JavaScript score every plan the same way, from the one rubric file.

`widgets/static/scoring.js` (the static site's scorer) runs under Node on every example plan,
every fixture plan and a few hundred generated plans; its output must equal
`score_plan(...).to_dict()` exactly. The Markdown report of the page and of the notebook widget
must also be identical, hostile text included.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from widgets._assessment import load_assessment
from widgets._scoring import load_rubric, score_plan
from widgets._text import csv_cell, csv_text, escape_html, escape_markdown, json_dumps_safe, strip_controls
from widgets._widget import markdown_report

from hostile_text import HOSTILE_STRINGS

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "widgets" / "static"
NODE = shutil.which("node") or "/usr/bin/node"
PLAN_FILES = sorted((ROOT / "widgets" / "examples").glob("*.y*ml")) + sorted(
    (ROOT / "tests" / "fixtures" / "assessments").glob("*.y*ml")
)
HOSTILE = '<script>alert("x")</script> <img src=x onerror=alert(1)> [link](javascript:alert(1)) **b** | `c` &amp;'

pytestmark = pytest.mark.skipif(not Path(NODE).exists(), reason="Node.js is not installed (runs scoring.js)")


def run_node(script: str, payload: dict) -> object:
    """Run an ES-module snippet under Node with `payload` on stdin; return its JSON stdout."""
    proc = subprocess.run(
        [NODE, "--input-type=module", "-e", script],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=STATIC,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


SCORE_JS = f"""
import {{ scorePlan }} from {json.dumps((STATIC / 'scoring.js').as_uri())};
let text = ""; for await (const chunk of process.stdin) text += chunk;
const {{ rubric, plans }} = JSON.parse(text);
process.stdout.write(JSON.stringify(plans.map((p) => scorePlan(p, rubric))));
"""

REPORT_JS = f"""
import {{ markdownReport }} from {json.dumps((STATIC / 'assessment.js').as_uri())};
let text = ""; for await (const chunk of process.stdin) text += chunk;
const {{ rubric, cases }} = JSON.parse(text);
process.stdout.write(JSON.stringify(cases.map((c) => markdownReport({{ rubric, ...c }}))));
"""


@pytest.fixture(scope="module")
def rubric():
    return load_rubric()


@pytest.fixture(scope="module")
def rubric_json(rubric):
    # Exactly what the site serves (widgets/_sphinx.py exports the validated YAML as JSON).
    return json.loads(json.dumps(dict(rubric.data)))


def loaded_plans():
    """Every example and fixture plan, validated and migrated, as the file dict the page uses."""
    assert PLAN_FILES, "no example plans found in widgets/examples"
    return [(path.name, load_assessment(path).to_dict()) for path in PLAN_FILES]


def generated_plans(rubric, n=300, seed=20261124):
    rng = random.Random(seed)
    stages = [s["id"] for s in rubric.data["lifecycle_stages"]] + [None]
    plans = []
    for _ in range(n):
        answers = {}
        density = rng.random()
        for c in rubric.criteria:
            if rng.random() > density:
                continue
            options = [0, 1, 2, 3, None] + (["n/a"] if c.not_applicable_if else [])
            level = rng.choice(options)
            # The scorers also accept a bare level (not the file format, but a documented input).
            answers[c.id] = {"level": level} if rng.random() < 0.8 else level
        plans.append({"scope": rng.choice(["full", "short"]), "team": "t", "lifecycle_stage": rng.choice(stages),
                      "answers": answers})
    # Edges: nothing answered, everything at each level, everything that may be n/a.
    for level in (None, 0, 1, 2, 3):
        for scope in ("full", "short"):
            plans.append({"scope": scope, "answers": {c.id: {"level": level} for c in rubric.criteria}})
    plans.append({"answers": {c.id: {"level": "n/a" if c.not_applicable_if else 3} for c in rubric.criteria}})
    return plans


def test_examples_and_fixtures_score_identically(rubric, rubric_json):
    plans = loaded_plans()
    js = run_node(SCORE_JS, {"rubric": rubric_json, "plans": [p for _, p in plans]})
    for (name, plan), js_score in zip(plans, js):
        py_score = score_plan(load_assessment(plan), rubric).to_dict()
        assert js_score == py_score, f"{name}: JS and Python scores differ"
        # The file dict (what the page holds) scores like the validated object.
        assert score_plan(plan, rubric).to_dict() == py_score, name


def test_generated_plans_score_identically(rubric, rubric_json):
    plans = generated_plans(rubric)
    js = run_node(SCORE_JS, {"rubric": rubric_json, "plans": plans})
    mismatches = [i for i, (p, j) in enumerate(zip(plans, js)) if score_plan(p, rubric).to_dict() != j]
    assert not mismatches, f"{len(mismatches)} generated plans score differently, first: {plans[mismatches[0]]}"


def test_groups_without_a_say_and_steps_met_anyway_score_identically(rubric, rubric_json):
    """The band rules a plan without groups never reaches: only data workers and data contributors
    in the groups (`band_rules.voice_roles`, with `fair_work_is_voice`), a falling-short report-back
    where the consult step is met anyway (`met_step_clears_falling_short`), and a safeguard missing
    for one of two groups the band follows (`cap_spared_where_power_has_it`), members of a body the
    plan's convener is, unpaid (`members_govern_own_body`), a failed pipeline in which nobody is heard
    (`unheard_pipeline`), with the reports that name them."""
    workers = [{"id": "annotators", "label": "Annotators", "role": "workers"},
               {"id": "callers", "label": "Callers", "role": "data-contributors"}]
    panel = [{"id": "panel", "label": "Panel", "role": "governance"}, {"id": "survey", "label": "Survey", "role": "participants"}]
    plans = []
    for level in (0, 1, 2, 3):
        every = {c.id: {"level": level} for c in rubric.criteria}
        plans.append({"groups": workers, "answers": every})
        plans.append({"groups": workers + panel[1:], "answers": every})
        plans.append({"groups": workers[1:], "answers": every})
        plans.append({"groups": workers, "answers": dict(every, **{"worker-channel": {"level": 0}})})
        # A failed pipeline whose workers' input reaches nothing (`unheard_pipeline`), and one where it does.
        for traced in (1, 2):
            plans.append({"groups": workers, "answers": dict(every, **{
                "living-wage": {"level": 0}, "input-traced": {"level": traced}, "report-back": {"level": 1}})})
        # A safeguard missing for one of two groups the band follows (`cap_spared_where_power_has_it`).
        two_bodies = [{"id": "council", "label": "Council", "role": "governance"},
                      {"id": "youth", "label": "Youth", "role": "governance"}]
        plans.append({"groups": two_bodies, "answers": dict(every, **{"pay-participants": {
            "by_group": {"council": {"level": 2}, "youth": {"level": 0}}}})})
        two_panels = [{"id": "testers", "label": "Testers", "role": "participants"},
                      {"id": "survivors", "label": "Survivors", "role": "participants"}]
        plans.append({"groups": two_panels, "answers": dict(every, **{"report-back": {
            "by_group": {"testers": {"level": 2}, "survivors": {"level": 0}}}})})
        # Members governing their own body unpaid, in a plan that body convenes or not
        # (`members_govern_own_body`), beside wider participants who are not paid either.
        for convener in ("council-or-coop", "community-organisation", "company"):
            plans.append({"context": {"process": "product-lifecycle", "convener": convener,
                                      "participants": "people-take-part"},
                          "groups": panel, "answers": dict(every, **{"pay-participants": {
                              "by_group": {"panel": {"level": 0}, "survey": {"level": min(level, 1)}}}})})
        for traced in (1, 2):
            answers = dict(every, **{"input-traced": {"level": traced},
                                     "report-back": {"by_group": {"panel": {"level": 1}, "survey": {"level": 0}}}})
            plans.append({"groups": panel, "answers": answers})
            plans.append({"answers": dict(every, **{"input-traced": {"level": traced}, "report-back": {"level": 1}})})
    js = run_node(SCORE_JS, {"rubric": rubric_json, "plans": plans})
    py = [score_plan(p, rubric).to_dict() for p in plans]
    assert js == py
    assert any(s["band"]["limited_by"] == [{"kind": "context", "id": "no-voice"}] for s in py)
    assert any(s["band"]["limited_by"][:1] == [{"kind": "context", "id": "no-voice"}] and s["red_flags"] for s in py)
    # A capping flag raised for one group while another group the band follows has the safeguard.
    assert any("unpaid-participation" in [f["id"] for f in s["red_flags"]] and s["band"]["id"] not in
               ("non-participation", "tokenism") for s in py)
    # At level 3 elsewhere, the failed pipeline is non-participation where its workers' input reaches nothing only.
    pipeline = {p["answers"]["input-traced"]["level"]: s["band"]["id"] for p, s in zip(plans, py)
                if p.get("groups") == workers and p["answers"].get("living-wage") == {"level": 0}
                and p["answers"]["credit"] == {"level": 3}}
    assert pipeline == {1: "non-participation", 2: "tokenism"}
    # The unpaid members of the convening body raise nothing; the same body convened by a company does.
    own = [s for p, s in zip(plans, py) if p.get("context", {}).get("convener") == "council-or-coop"]
    sponsor = [s for p, s in zip(plans, py) if p.get("context", {}).get("convener") == "company"]
    assert own and all("panel" not in f["groups"] for s in own for f in s["red_flags"] if f["id"] == "unpaid-participation")
    assert sponsor and all(any(f["id"] == "unpaid-participation" and "panel" in f["groups"] for f in s["red_flags"])
                           for s in sponsor)
    cases = [{"assessment": p, "score": s, "links": {}, "criteriaIds": None} for p, s in zip(plans, py)]
    reports = run_node(REPORT_JS, {"rubric": rubric_json, "cases": cases})
    assert reports == [markdown_report(rubric, c["assessment"], c["score"], {}, None) for c in cases]
    assert any("only data workers, data contributors" in r for r in reports)


def key_order(value):
    """The keys of every object in a JSON value, in order (values left out)."""
    if isinstance(value, dict):
        return [(k, key_order(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [key_order(v) for v in value]
    return None


def test_scores_match_key_order_too(rubric, rubric_json):
    """Exact agreement includes the key order of every object (the JSON a user downloads)."""
    _, plan = loaded_plans()[0]
    js = run_node(SCORE_JS, {"rubric": rubric_json, "plans": [plan]})[0]
    py = score_plan(plan, rubric).to_dict()

    assert key_order(js) == key_order(py)


def test_markdown_reports_are_identical_and_escaped(rubric, rubric_json):
    cases = []
    for name, plan in loaded_plans():
        cases.append({"assessment": plan, "score": score_plan(plan, rubric).to_dict(), "links": {}, "criteriaIds": None})
    hostile = dict(loaded_plans()[0][1])
    hostile["team"] = HOSTILE
    hostile["answers"] = {cid: dict(a, evidence=HOSTILE, notes="line one\nline two <b>") for cid, a in hostile["answers"].items()}
    links = {"theme-fair-treatment": {"url": "x.html#a", "title": "Fair <treatment>"}}
    cases.append({"assessment": hostile, "score": score_plan(hostile, rubric).to_dict(), "links": links,
                  "criteriaIds": None})
    subset = ["early-start", "stakeholder-map"]
    cases.append({"assessment": hostile, "score": score_plan(hostile, rubric).to_dict(), "links": links,
                  "criteriaIds": subset})
    js = run_node(REPORT_JS, {"rubric": rubric_json, "cases": cases})
    for case, js_report in zip(cases, js):
        py_report = markdown_report(rubric, case["assessment"], case["score"], case["links"], case["criteriaIds"])
        assert js_report == py_report
    hostile_report = js[-2]
    assert "<script" not in hostile_report and "<img" not in hostile_report and "<b>" not in hostile_report
    assert "&lt;script&gt;" in hostile_report
    assert "\\[link\\](javascript:alert(1))" in hostile_report


def test_no_rubric_text_in_code(rubric):
    """One rubric file feeds both scorers: no question, level text or next step is typed in code."""
    code = "".join(p.read_text(encoding="utf-8") for p in STATIC.glob("*.js"))
    code += (ROOT / "widgets" / "_widget.py").read_text(encoding="utf-8")
    texts = [c.question for c in rubric.criteria] + [c.action for c in rubric.criteria]
    texts += [t["title"] for t in rubric.data["themes"]] + [f["title"] for f in rubric.data["red_flags"]]
    texts += [b["title"] for b in rubric.data["bands"]]
    leaked = [t for t in texts if t in code]
    assert not leaked, f"rubric text found in code: {leaked[:3]}"


def test_example_yaml_and_exported_json_agree(rubric_json):
    """The JSON the site serves is the YAML file, unchanged."""
    from widgets._sphinx import _load_data

    assert _load_data("rubric") == rubric_json
    assert rubric_json == json.loads(json.dumps(yaml.safe_load((ROOT / "widgets/rubric/engagement-plan.yaml").read_text())))


CHECK_JS = f"""
import {{ checkAssessment }} from {json.dumps((STATIC / 'assessment.js').as_uri())};
let text = ""; for await (const chunk of process.stdin) text += chunk;
const {{ rubric, files }} = JSON.parse(text);
process.stdout.write(JSON.stringify(files.map((f) => checkAssessment(f, rubric))));
"""


def test_page_upload_check_agrees_with_python_loader(rubric, rubric_json):
    """A file the page accepts on upload, Python accepts too, and the other way round.

    The one intended difference: a file from an older rubric version, which Python migrates and the
    page sends to Python (its message says how).
    """
    from widgets._assessment import AssessmentError

    base = load_assessment(ROOT / "widgets" / "examples" / "inform-only.yaml").to_dict()

    def variant(**changes):
        doc = json.loads(json.dumps(base))
        for key, value in changes.items():
            if value is KeyError:
                doc.pop(key, None)
            else:
                doc[key] = value
        return doc

    first = next(iter(base["answers"]))
    na_ok = next(c.id for c in rubric.criteria if c.not_applicable_if)
    na_bad = next(c.id for c in rubric.criteria if not c.not_applicable_if)
    files = {
        "valid": variant(),
        "level 4": variant(answers={first: {"level": 4}}),
        "level as text": variant(answers={first: {"level": "2"}}),
        "negative level": variant(answers={first: {"level": -1}}),
        "n/a allowed": variant(answers={na_ok: {"level": "n/a"}}),
        "n/a not allowed": variant(answers={na_bad: {"level": "n/a"}}),
        "unknown id": variant(answers={"no-such-question": {"level": 1}}),
        "answer not an object": variant(answers={first: 2}),
        "answers a list": variant(answers=[1, 2]),
        "answers missing": variant(answers=KeyError),
        "extra answer field": variant(answers={first: {"level": 1, "score": 9}}),
        "evidence a number": variant(answers={first: {"level": 1, "evidence": 5}}),
        "null level": variant(answers={first: {"level": None, "notes": "later"}}),
        "wrong format": variant(format="something-else"),
        "format version 2": variant(format_version=2),
        "other rubric": variant(rubric={"id": "other", "version": "1.0"}),
        "newer rubric": variant(rubric={"id": "engagement-plan", "version": "9.0"}),
        "bad model type": variant(model_type="huge"),
        "bad stage": variant(lifecycle_stage="someday"),
        "bad date": variant(date="24/11/2026"),
        "long team": variant(team="x" * 201),
        "unknown top-level field": variant(score=1),
        "bad scope": variant(scope="medium"),
        "hostile text": variant(team=HOSTILE, answers={first: {"level": 1, "evidence": HOSTILE, "notes": HOSTILE}}),
    }
    js = run_node(CHECK_JS, {"rubric": rubric_json, "files": list(files.values())})
    disagreements = []
    for (name, doc), js_problems in zip(files.items(), js):
        try:
            load_assessment(doc)
            py_ok = True
        except AssessmentError:
            py_ok = False
        if py_ok != (not js_problems):
            disagreements.append((name, py_ok, js_problems))
    assert disagreements == []
    assert not js[0] and not js[-1]


# --------------------------------------------------------------------------- the text kernel
# widgets/_text.py and widgets/static/lib/text.js: one pair per function, same inputs, same output.


TEXT_JS = f"""
import * as t from {json.dumps((STATIC / 'lib' / 'text.js').as_uri())};
let text = ""; for await (const chunk of process.stdin) text += chunk;
const {{ strings, rows, objects }} = JSON.parse(text);
process.stdout.write(JSON.stringify({{
  strip: strings.map((s) => t.stripControls(s)),
  md: strings.map((s) => t.escapeMarkdown(s)),
  mdMulti: strings.map((s) => t.escapeMarkdown(s, {{ multiline: true }})),
  html: strings.map((s) => t.escapeHtml(s)),
  cell: strings.map((s) => t.csvCell(s)),
  csv: t.csvText(rows),
  json: objects.map((o) => t.jsonStringifySafe(o)),
  jsonIndent: objects.map((o) => t.jsonStringifySafe(o, 2)),
}}));
"""


@pytest.fixture(scope="module")
def text_kernel_js():
    rows = [[s, "fixed", s] for s in HOSTILE_STRINGS] + [[""], [], [None, 3, "x"]]
    objects = [{"text": s, "list": [s, 1, None, True]} for s in HOSTILE_STRINGS]
    # ensure_ascii=True keeps lone surrogates transportable to Node; the strings arrive unchanged.
    payload = json.dumps({"strings": HOSTILE_STRINGS, "rows": rows, "objects": objects})
    proc = subprocess.run([NODE, "--input-type=module", "-e", TEXT_JS], input=payload, capture_output=True,
                          text=True, cwd=STATIC, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), rows, objects


def _pairs(js, py):
    return [(s, j, p) for s, j, p in zip(HOSTILE_STRINGS, js, py) if j != p]


@pytest.mark.parametrize("key, python", [
    ("strip", strip_controls), ("md", escape_markdown), ("mdMulti", lambda s: escape_markdown(s, multiline=True)),
    ("html", escape_html), ("cell", csv_cell),
], ids=["strip_controls", "escape_markdown", "escape_markdown-multiline", "escape_html", "csv_cell"])
def test_text_function_parity(text_kernel_js, key, python):
    """Each kernel function gives, on every hostile string, what its JavaScript twin gives."""
    js, _, _ = text_kernel_js
    assert _pairs(js[key], [python(s) for s in HOSTILE_STRINGS]) == []


def test_csv_text_parity(text_kernel_js):
    js, rows, _ = text_kernel_js
    assert js["csv"] == csv_text(rows)


def test_json_dumps_safe_parity(text_kernel_js):
    js, _, objects = text_kernel_js
    assert js["json"] == [json_dumps_safe(o, separators=(",", ":")) for o in objects]
    assert js["jsonIndent"] == [json_dumps_safe(o, indent=2) for o in objects]


def test_ui_labels_are_one_validated_file_read_by_both():
    """The interface labels live in widgets/data/ui-labels.json: Python and the page read that file."""
    from widgets._reports import ui_labels
    from widgets._scoring import ACTION_KINDS

    labels = ui_labels()
    assert list(labels["action_kinds"]) == list(ACTION_KINDS)
    js = run_node(f"""
import labels from {json.dumps((STATIC / 'lib' / 'labels.js').as_uri())};
process.stdout.write(JSON.stringify(labels));
""", {})
    assert js == labels
    code = "".join(p.read_text(encoding="utf-8") for p in STATIC.rglob("*.js"))
    code += "".join((ROOT / "widgets" / name).read_text(encoding="utf-8") for name in ("_widget.py", "_reports.py"))
    typed = [v for v in [labels["unanswered"], labels["not_applicable"], *labels["action_kinds"].values(),
                         *labels["confidence"].values(), *labels["partial"].values()]]
    assert [t for t in typed if t in code] == []


def test_ui_labels_schema_refuses_a_broken_file(tmp_path):
    from widgets._files import ToolFileError, check_schema as validate_data

    labels = json.loads((ROOT / "widgets" / "data" / "ui-labels.json").read_text(encoding="utf-8"))
    schema = ROOT / "widgets" / "data" / "ui-labels.schema.json"
    validate_data(labels, schema, "labels")
    del labels["action_kinds"]["improve"]
    with pytest.raises(ToolFileError, match="improve"):
        validate_data(labels, schema, "labels")


LEVEL_JS = f"""
import {{ checkAssessment }} from {json.dumps((STATIC / 'assessment.js').as_uri())};
let text = ""; for await (const chunk of process.stdin) text += chunk;
const {{ rubric, file }} = JSON.parse(text);
process.stdout.write(JSON.stringify({{ problems: checkAssessment(file, rubric) }}));
"""


def test_page_reads_a_listed_answer_as_the_scorer_does(rubric, rubric_json):
    """An answer given as a list is no level: the upload check refuses it, as the scorers do."""
    doc = load_assessment(ROOT / "widgets" / "examples" / "inform-only.yaml").to_dict()
    first = next(iter(doc["answers"]))
    doc["answers"][first] = [2]
    out = run_node(LEVEL_JS, {"rubric": rubric_json, "file": doc})
    assert any(p.startswith(f"answers.{first}") and "list" in p for p in out["problems"]), out
