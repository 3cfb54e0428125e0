"""The optional ``partial`` field of an answer (FILLING.md rule 6): read, refused and saved alike
by Python's loader (widgets/_assessment.py) and the page's (widgets/static/assessment/upload.js).

The same small hand-built files go through both; each must be accepted or refused by both, with
the same problems in the same order.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from widgets import AssessmentError, load_assessment, load_rubric, score_plan
from widgets._assessment import Answer
from widgets._scoring import CURRENT_VERSION

ROOT = Path(__file__).resolve().parents[1]
UPLOAD = ROOT / "widgets" / "static" / "assessment" / "upload.js"
FILE = ROOT / "widgets" / "static" / "assessment" / "file.js"
NODE = shutil.which("node")
GROUPS = [{"id": "youth", "label": "Youth panel", "role": "participants"},
          {"id": "elders", "label": "Elders' panel", "role": "governance"}]


def doc(groups: bool = False, **answers) -> dict:
    out = {
        "format": "pai-assessment", "format_version": 1,
        "rubric": {"id": "engagement-plan", "version": CURRENT_VERSION},
        "team": "T", "product": "P", "model_type": "narrow", "lifecycle_stage": "data",
        "date": "2026-01-01", "answers": {k.replace("_", "-"): v for k, v in answers.items()},
    }
    if groups:
        out["groups"] = GROUPS
    return out


def python_problems(d: dict) -> list[str]:
    try:
        load_assessment(d)
    except AssessmentError as err:
        return [str(p) for p in err.problems]
    return []


GOOD = [
    doc(report_back={"level": 1, "partial": True, "evidence": "A summary is sent; no date is set."}),
    doc(report_back={"level": 2, "partial": False}),
    doc(report_back={"level": None, "partial": False}),
    doc(True, report_back={"level": 1, "partial": True,
                           "by_group": {"youth": {"level": 1}, "elders": {"level": 1, "partial": True}}}),
    doc(True, report_back={"level": 2, "by_group": {"youth": {"level": 1, "partial": True, "notes": "no date"}}}),
]
BAD = [
    doc(report_back={"level": 2, "partial": True}),
    doc(report_back={"level": 0, "partial": True}),
    doc(report_back={"level": 3, "partial": True}),
    doc(report_back={"partial": True}),
    doc(report_back={"level": None, "partial": True}),
    doc(harmful_exposure={"level": "n/a", "partial": True}),
    doc(report_back={"level": 1, "partial": "yes"}),
    doc(report_back={"level": 1, "partial": 1}),
    doc(report_back={"level": 1, "partial": None}),
    doc(report_back={"level": 1, "partial": [True]}),
    doc(True, report_back={"level": 1, "by_group": {"youth": {"level": 2, "partial": True}}}),
    doc(True, report_back={"level": 2, "partial": True, "by_group": {"youth": {"level": 1, "partial": True}}}),
    doc(True, report_back={"level": 1, "by_group": {"youth": {"partial": True}}}),
    doc(True, report_back={"level": 1, "by_group": {"youth": {"level": 1, "partial": "true"}}}),
    doc(True, report_back={"level": 1, "by_group": {"elders": {"level": 3, "partial": True},
                                                      "youth": {"level": 0, "partial": True}}}),
    doc(True, purpose_stated={"level": 2, "partial": True, "by_group": {"youth": {"level": 1, "partial": True}}}),
]


def test_partial_loads_and_is_kept_per_answer_and_per_group():
    a = load_assessment(GOOD[0])
    assert a.answers["report-back"].partial is True and a.answers["report-back"].level == 1
    assert load_assessment(GOOD[1]).answers["report-back"].partial is False
    b = load_assessment(GOOD[3]).answers["report-back"]
    assert b.partial is True and b.by_group["elders"].partial is True and b.by_group["youth"].partial is False
    c = load_assessment(GOOD[4]).answers["report-back"]
    assert c.partial is False and c.by_group["youth"].partial is True


def test_an_answer_without_partial_is_not_partial():
    assert Answer(level=1).partial is False
    assert "partial" not in Answer(level=1).to_dict()
    assert load_assessment(doc(report_back={"level": 1})).answers["report-back"].partial is False


@pytest.mark.parametrize("d", GOOD[:1] + GOOD[3:])
def test_save_and_reload_keeps_partial(d, tmp_path):
    a = load_assessment(d)
    saved = a.to_dict()
    assert saved["answers"]["report-back"] == {k: v for k, v in d["answers"]["report-back"].items()}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(saved, allow_unicode=True), encoding="utf-8")
    b = load_assessment(path)
    assert b.to_dict() == saved and b.answers == a.answers


def test_partial_false_is_the_default_and_not_written_back():
    saved = load_assessment(GOOD[1]).to_dict()
    assert saved["answers"]["report-back"] == {"level": 2}


def test_partial_with_another_level_is_refused_naming_field_and_fix():
    problems = []
    with pytest.raises(AssessmentError) as info:
        load_assessment(doc(True, report_back={"level": 1, "by_group": {"youth": {"level": 2, "partial": True}}}))
    problems = info.value.problems
    assert len(problems) == 1
    p = problems[0]
    assert p.file == "<data>" and p.field == "answers.report-back.by_group.youth.partial"
    assert "partial is only for level 1: remove it, or set level 1" in p.expected
    assert p.found == "partial: true with level 2"
    with pytest.raises(AssessmentError) as info:
        load_assessment(doc(report_back={"level": 3, "partial": True}))
    assert [(p.field, p.found) for p in info.value.problems] == [("answers.report-back.partial",
                                                                  "partial: true with level 3")]


def test_partial_that_is_not_a_boolean_is_refused():
    with pytest.raises(AssessmentError) as info:
        load_assessment(doc(report_back={"level": 1, "partial": "yes"}))
    (p,) = info.value.problems
    assert p.field == "answers.report-back.partial" and p.expected.startswith("true or false")
    assert "remove it" in p.expected and p.found == "'yes'"


def test_every_bad_partial_is_listed_at_once():
    problems = python_problems(BAD[14])
    assert len(problems) == 2
    assert any("by_group.elders.partial" in p and "level 3" in p for p in problems)
    assert any("by_group.youth.partial" in p and "level 0" in p for p in problems)


def test_score_plan_on_a_mapping_checks_partial_too():
    rubric = load_rubric()
    ok = {"answers": {"report-back": {"level": 1, "partial": True}}}
    score_plan(ok, rubric)
    for answers, field, found in [
        ({"report-back": {"level": 2, "partial": True}}, "answers.report-back.partial", "partial: true with level 2"),
        ({"report-back": {"level": 1, "partial": "yes"}}, "answers.report-back.partial", "'yes'"),
        ({"report-back": {"level": 1, "by_group": {"youth": {"level": 0, "partial": True}}}},
         "answers.report-back.by_group.youth.partial", "partial: true with level 0"),
        ({"report-back": Answer(level=2, partial=True)}, "answers.report-back.partial", "partial: true with level 2"),
    ]:
        with pytest.raises(AssessmentError) as info:
            score_plan({"answers": answers}, rubric)
        assert [(p.field, p.found) for p in info.value.problems] == [(field, found)]


def test_retired_answer_keeps_its_partial_in_the_notes():
    old = doc(target_level_chosen={"level": 1, "partial": True, "evidence": "some"})
    old["rubric"] = {"id": "engagement-plan", "version": "1.0"}
    a = load_assessment(old)
    assert "- target-level-chosen (rubric 1.0): level 1; evidence: some; partial: true" in a.notes


PROGRAM = f"""
import {{ readAssessment }} from {json.dumps(UPLOAD.as_uri())};
import {{ normalise }} from {json.dumps(FILE.as_uri())};
let input = ""; for await (const chunk of process.stdin) input += chunk;
const {{ rubric, cases }} = JSON.parse(input);
const out = cases.map((d) => {{
  const r = readAssessment(JSON.stringify(d), rubric, "<data>");
  return r.problems ? {{ problems: r.problems.map(String) }} : {{ saved: normalise(r.data, rubric, "full").answers, notes: r.data.notes ?? "" }};
}});
process.stdout.write(JSON.stringify(out));
"""


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed (needed to run the ES modules)")
def test_page_reader_reads_and_refuses_partial_as_python_does():
    old = doc(target_level_chosen={"level": 1, "partial": True})
    old["rubric"] = {"id": "engagement-plan", "version": "1.0"}
    cases = GOOD + BAD + [old]
    rubric = json.loads(json.dumps(dict(load_rubric().data)))
    done = subprocess.run([NODE, "--input-type=module", "-e", PROGRAM], capture_output=True, text=True, timeout=120,
                          input=json.dumps({"rubric": rubric, "cases": cases}))
    assert done.returncode == 0, done.stderr
    page = json.loads(done.stdout)
    for d, got in zip(cases, page):
        expected = python_problems(d)
        if expected:
            assert got.get("problems") == expected, d["answers"]
        else:
            assert "problems" not in got, (d["answers"], got)
            a = load_assessment(d)
            # The page saves what Python saves (level, partial, evidence, notes, by_group).
            assert got["saved"] == a.to_dict()["answers"], d["answers"]
            assert got["notes"] == a.notes
    assert sum("problems" in g for g in page) == len(BAD)


def test_notebook_widget_load_and_save_keep_partial(tmp_path):
    from widgets import AssessmentWidget

    w = AssessmentWidget(headless=True)
    w.load(GOOD[3])
    path = w.save(tmp_path / "plan.json")
    assert load_assessment(path).answers == load_assessment(GOOD[3]).answers
