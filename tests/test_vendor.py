"""Vendor engagement checklist: question data, answers and gaps, exports, saved files."""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from widgets import _vendor as vd
from widgets._vendor import ToolFileError, VendorChecklist

HOSTILE = '<script>alert("x")</script> [link](javascript:alert(1)) **bold** =HYPERLINK("evil")'


def test_question_file_is_valid_and_complete():
    data = vd.load_vendor_questions()
    assert [p["title"] for p in data["phases"]] == [
        "Vendor vetting", "Contract negotiation", "Project management and monitoring", "Post-project",
    ]
    qs = vd.questions(data)
    assert len(qs) == len({q["id"] for q in qs}) >= 12
    assert all(q["why"] and q["evidence"] for q in qs)
    assert "could not be checked" in data["provenance"]  # the questions are ours, and we say so


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.pop("phases"), "'phases' is a required property"),
        (lambda d: d["phases"][0]["questions"][0].pop("why"), "'why' is a required property"),
        (lambda d: d["phases"][0]["questions"][0].update(critical="yes"), "is not of type 'boolean'"),
        (lambda d: d["phases"][1]["questions"][0].update(id="vet-living-wage"), "used twice"),
        (lambda d: d.update(format="other"), "format"),
    ],
)
def test_bad_question_files_are_clear_errors(tmp_path, mutate, message):
    data = yaml.safe_load(vd.QUESTIONS_FILE.read_text())
    mutate(data)
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ToolFileError, match=message):
        vd.load_vendor_questions(path)


def test_malformed_yaml_is_a_clear_error(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("phases: [unclosed")
    with pytest.raises(ToolFileError, match="not valid YAML"):
        vd.load_vendor_questions(path)


def filled() -> VendorChecklist:
    c = VendorChecklist(title="Q3 labelling vendors")
    for q in vd.questions():
        c.record("Vendor A", q["id"], "yes", evidence="Pay data by location, 2025")
    c.record("Vendor B", "vet-living-wage", "yes", evidence="")  # claim without evidence
    c.record("Vendor B", "vet-unpaid-time", "no", note="Training unpaid")
    c.record("Vendor B", "vet-subcontracting", "partly", evidence="List of two sub-contractors")
    return c


def test_gaps_by_kind():
    c = filled()
    assert c.gaps("Vendor A") == []
    gaps = {g.question_id: g for g in c.gaps("Vendor B")}
    assert gaps["vet-living-wage"].kind == "no evidence"
    assert gaps["vet-unpaid-time"].kind == "not met"
    assert gaps["vet-subcontracting"].kind == "not met"
    assert gaps["post-report"].kind == "not asked"
    assert gaps["vet-living-wage"].critical is True
    s = c.summary("Vendor B")
    total = len(vd.questions())
    assert s == {"vendor": "Vendor B", "questions": total, "answered": 3, "met": 0, "gaps": total,
                 "critical_gaps": sum(q["critical"] for q in vd.questions())}


def test_gap_kind_rules():
    statuses = {s["id"]: s for s in vd.load_vendor_questions()["statuses"]}
    assert vd.gap_kind(None, statuses) == "not asked"
    assert vd.gap_kind({"status": ""}, statuses) == "not asked"
    assert vd.gap_kind({"status": "unknown", "evidence": "x"}, statuses) == "not met"
    assert vd.gap_kind({"status": "yes", "evidence": "  "}, statuses) == "no evidence"
    assert vd.gap_kind({"status": "yes", "evidence": "contract p.3"}, statuses) is None


def test_bad_answers_are_clear_errors():
    c = VendorChecklist()
    with pytest.raises(KeyError, match="Unknown question 'nope'"):
        c.record("A", "nope", "yes")
    with pytest.raises(ValueError, match="Unknown status 'maybe'"):
        c.record("A", "vet-living-wage", "maybe")
    with pytest.raises(ValueError, match="Vendor name is empty"):
        c.record("  ", "vet-living-wage", "yes")
    with pytest.raises(KeyError, match="No vendor called"):
        c.gaps("Z")


def test_compare_side_by_side():
    table = filled().compare()
    assert list(table.columns) == ["phase", "critical", "Vendor A", "Vendor B"]
    row = table.loc[vd.load_vendor_questions()["phases"][0]["questions"][0]["text"]]
    assert row["Vendor A"] == "Yes"
    assert row["Vendor B"] == "Yes (no evidence)"


def test_no_cell_claims_evidence_that_was_not_given():
    c = vd.VendorChecklist()
    c.record("B", "vet-living-wage", "yes")  # a yes with no evidence offered
    for cell in c.compare()["B"]:
        assert not ("with evidence" in cell and "no evidence" in cell), cell


def test_markdown_escapes_user_text_and_flags_gaps():
    c = filled()
    c.record(HOSTILE, "vet-living-wage", "no", evidence=HOSTILE, note=HOSTILE)
    md = c.to_markdown()
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "[link](javascript" not in md and "\\[link\\](javascript" in md
    assert "**Gap: not met (critical).**" in md
    assert "## Vendor A" in c.to_markdown("Vendor A") and "## Vendor B" not in c.to_markdown("Vendor A")


def test_csv_export_one_row_per_answer_and_no_formulas():
    c = filled()
    c.record(HOSTILE, "vet-living-wage", "no", evidence="=1+1", note="@SUM(A1)")
    rows = list(csv.DictReader(io.StringIO(c.to_csv())))
    assert len(rows) == 3 * len(vd.questions())
    bad = [r for r in rows if r["question_id"] == "vet-living-wage" and r["status"] == "no"][0]
    assert bad["evidence"] == "'=1+1" and bad["note"] == "'@SUM(A1)" and bad["gap"] == "not met"
    assert bad["vendor"] == HOSTILE  # starts with "<": not a formula, kept as typed


def test_round_trip_is_lossless():
    c = filled()
    c.record(HOSTILE, "post-review", "partly", evidence="Ünïcødé ✓\nsecond line", note=HOSTILE)
    text = c.save_json()
    data = json.loads(text)
    assert data["format"] == "pai-vendor-checklist" and data["format_version"] == 1
    assert data["questions_version"] == 1
    again = vd.load_vendor_checklist(text)
    assert again.vendors == c.vendors and again.title == c.title
    assert again.save_json() == text


def test_answers_to_retired_questions_are_kept():
    data = json.loads(filled().save_json())
    data["vendors"][0]["answers"]["old-question"] = {"status": "yes", "evidence": "kept", "note": ""}
    c = vd.load_vendor_checklist(json.dumps(data))
    assert c.orphaned("Vendor A") == {"old-question": {"status": "yes", "evidence": "kept", "note": ""}}
    assert json.loads(c.save_json()) == data
    assert "no longer in the question set" in c.to_markdown("Vendor A")


@pytest.mark.parametrize(
    "text, message",
    [
        ("{", "not valid JSON"),
        ('{"format": "pai-paycalc", "format_version": 1}', "not a vendor-checklist file"),
        ('{"format": "pai-vendor-checklist", "format_version": 7, "vendors": []}', "newer than this toolkit"),
        ('{"format": "pai-vendor-checklist", "format_version": "1", "vendors": []}', "no valid format_version"),
        ('{"format": "pai-vendor-checklist", "format_version": 1}', "no list of vendors"),
        ('{"format": "pai-vendor-checklist", "format_version": 1, "vendors": [{"name": ""}]}', "has no name"),
        ('{"format": "pai-vendor-checklist", "format_version": 1, "vendors": [{"name": "A", "answers": {"vet-living-wage": {"status": "perhaps"}}}]}', "unknown status"),
        ('{"format": "pai-vendor-checklist", "format_version": 1, "vendors": [{"name": "A", "answers": {"vet-living-wage": {"status": "yes", "evidence": 3}}}]}', "evidence must be text"),
    ],
)
def test_bad_files_are_clear_errors(text, message):
    with pytest.raises(ToolFileError, match=message):
        vd.load_vendor_checklist(text)


texts = st.text(max_size=40)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=12).filter(str.strip), st.lists(
    st.tuples(st.sampled_from([q["id"] for q in vd.questions()]), st.sampled_from(["yes", "partly", "no", "unknown"]), texts, texts),
    max_size=5), max_size=3))
def test_round_trip_property(entries):
    c = VendorChecklist()
    for vendor, answers in entries.items():
        c.add_vendor(vendor)
        for qid, status, evidence, note in answers:
            c.record(vendor, qid, status, evidence, note)
    again = vd.load_vendor_checklist(c.save_json())
    assert again.vendors == c.vendors


def test_notebook_widget_round_trips():
    c = filled()
    w = vd.vendor_checklist_widget(c)
    assert str(w._esm) and w.questions["format"] == "pai-vendor-questions"
    assert w.checklist().vendors == c.vendors
    assert vd.vendor_checklist_widget().checklist().vendors == {}
