"""The notebook host of the self-assessment, driven headless (no browser, no kernel)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from widgets import AssessmentWidget
from widgets._assessment import AssessmentError, load_assessment
from widgets._scoring import load_rubric, score_plan

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "widgets" / "examples").glob("*.yaml"))
HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3))'
PLAN = dict(team="Team A", product="Product B", model_type="narrow", lifecycle_stage="data", date="2026-11-24")


@pytest.fixture
def widget():
    return AssessmentWidget(version="short", headless=True, **PLAN)


def test_front_end_is_the_shared_module():
    """The notebook loads the site's module, bundled with its imports by esbuild (make bundles)."""
    static = ROOT / "widgets" / "static"
    assert str(AssessmentWidget._esm) == (ROOT / "widgets" / "bundles" / "assessment.js").read_text(encoding="utf-8")
    assert str(AssessmentWidget._css) == (static / "assessment.css").read_text(encoding="utf-8")
    # Self-contained: anywidget loads the module from a string, so it cannot import siblings.
    assert "\nimport " not in str(AssessmentWidget._esm)


def test_answers_from_python_rescore_with_reference_scorer(widget):
    widget.answer("early-start", 0, evidence="Launch date fixed before the first session")
    widget.answer("stakeholder-map", 2)
    expected = score_plan(widget.assessment, load_rubric()).to_dict()
    assert widget.score == expected == widget.result.to_dict()
    assert widget.score["scope"] == "short"
    assert [f["id"] for f in widget.score["red_flags"]] == ["decision-already-made"]
    assert widget.score["band"]["id"] == "non-participation"
    assert widget.answers == {"early-start": 0, "stakeholder-map": 2}
    widget.answer("early-start", None)  # clear: evidence kept, level gone
    assert "early-start" not in widget.answers
    assert widget.assessment["answers"]["early-start"]["evidence"].startswith("Launch")


def test_change_from_the_front_end_rescores(widget):
    """The front-end writes the whole `assessment` trait, as a click does in the notebook."""
    doc = json.loads(json.dumps(widget.assessment))
    doc["answers"]["pay-participants"] = {"level": 0}
    widget.assessment = doc
    assert "unpaid-participation" in [f["id"] for f in widget.score["red_flags"]]
    assert widget.errors == []


def test_invalid_answers_are_reported_not_scored(widget):
    doc = json.loads(json.dumps(widget.assessment))
    doc["answers"]["early-start"] = {"level": 9}
    widget.assessment = doc
    assert any("early-start" in e for e in widget.errors)
    assert widget.score["completeness"]["answered"] == 0
    widget.assessment = dict(doc, answers={"no-such-question": {"level": 2}, "direct-participation": {"level": 2}})
    assert any("no-such-question" in e for e in widget.errors)
    assert widget.score["completeness"]["answered"] == 1


def test_bad_scope_from_the_front_end_is_reported_not_fatal(widget):
    widget.assessment = dict(widget.assessment, scope="medium")
    assert any(e.startswith("scope") for e in widget.errors)
    assert widget.score["scope"] == "short"


def test_bad_calls_raise_clear_errors(widget):
    with pytest.raises(ValueError, match="unknown criterion"):
        widget.answer("nope", 1)
    with pytest.raises(ValueError, match="level must be"):
        widget.answer("early-start", 4)
    with pytest.raises(ValueError, match="n/a"):
        widget.answer("early-start", "n/a")  # a guardrail that applies to every plan
    with pytest.raises(ValueError, match="version"):
        AssessmentWidget(version="medium", headless=True)
    with pytest.raises(ValueError, match="unknown criterion"):
        AssessmentWidget(criteria=["early-start", "typo"], headless=True)


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_save_and_load_round_trip(widget, tmp_path, suffix):
    widget.answer("early-start", 2, evidence=HOSTILE, notes="two\nlines")
    widget.answer("stakeholder-map", 3)
    path = widget.save(tmp_path / f"plan{suffix}")
    loaded = load_assessment(path)  # the package's own loader accepts the file
    assert loaded.answers["early-start"].evidence == HOSTILE
    again = AssessmentWidget(path, headless=True)
    assert again.version == "short"
    assert again.score == widget.score
    assert again.assessment["answers"] == widget.assessment["answers"]


def test_save_refuses_incomplete_plan_and_keeps_answers(tmp_path):
    w = AssessmentWidget(headless=True)
    w.answer("early-start", 2)
    with pytest.raises(AssessmentError) as err:
        w.save(tmp_path / "x.json")
    assert "team" in str(err.value) and "model_type" in str(err.value)
    assert not (tmp_path / "x.json").exists()
    assert w.answers == {"early-start": 2}


def test_load_malformed_file_keeps_current_answers(widget, tmp_path):
    widget.answer("early-start", 3)
    before = json.loads(json.dumps(widget.assessment))
    bad = tmp_path / "bad.json"
    for content in ["{not json", json.dumps({"format": "pai-assessment", "answers": []}), json.dumps([1, 2])]:
        bad.write_text(content)
        with pytest.raises(AssessmentError):
            widget.load(bad)
        assert widget.assessment == before


def test_old_rubric_version_is_migrated_on_load(tmp_path):
    fixture = ROOT / "tests" / "fixtures" / "assessments" / "rubric-0.9.yaml"
    if not fixture.exists():
        pytest.skip("no rubric 0.9 fixture")
    w = AssessmentWidget(fixture, headless=True)
    assert w.assessment["rubric"]["version"] == load_rubric().version
    assert w.assessment.get("migrations")


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_examples_load_and_score_like_the_cli(path):
    w = AssessmentWidget(path, headless=True)
    assert w.score == score_plan(load_assessment(path)).to_dict()
    frame = w.to_dataframe()
    assert len(frame) == len(w.in_view())
    assert {"criterion", "question", "level", "points", "flag_raised", "evidence", "next_step"} <= set(frame.columns)
    assert frame["points"].sum() == w.score["overall"]["earned"]


def test_report_is_markdown_with_user_text_escaped(widget):
    widget.set_plan(team=HOSTILE)
    widget.answer("early-start", 0, evidence=HOSTILE)
    report = widget.report()
    assert report.startswith("# Engagement-plan self-assessment: ")
    assert "<script" not in report and "<img" not in report
    assert "&lt;script&gt;" in report
    assert "## Red flags" in report and "Consulting on a decision already taken" in report
    assert "## Next steps" in report


def test_subset_widget_reports_only_its_questions():
    w = AssessmentWidget(criteria=["early-start", "stakeholder-map"], headless=True)
    assert [c.id for c in w.in_view()] == ["early-start", "stakeholder-map"]
    w.answer("early-start", 1)
    report = w.report()
    assert "## Next steps" in report
    steps = report.split("## Next steps")[1].split("## Answers")[0]
    assert steps.count("\n1. ") == 1 and "\n3. " not in steps


def test_headless_widget_sends_nothing():
    w = AssessmentWidget(headless=True)
    assert type(w.comm).__name__ == "DummyComm"
