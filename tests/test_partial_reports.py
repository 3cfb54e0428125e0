"""Answers at level 1 with "part of level 2 already in place" in every report of a score.

A partial answer keeps its level-1 points, and the red flags it spares are listed in the score's
`partly_met`. The reports (Markdown, HTML, Word from Python; Markdown from the page, the twin in
widgets/static/lib/report.js) show such an answer as "1, part of 2" and give a section "Partly in
place": the question, the group, the flags not raised (a reviewer should check them) and the rest
of level 2 as the next step. The JSON report carries `partly_met`; the comparison (CSV, JSON,
Markdown, Word) lists it per assessment. User text is escaped, CSV cells are safe to open.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import sys
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from hostile_text import HOSTILE
from widgets import AssessmentWidget, compare_report, load_assessment, report_docx, report_html, report_markdown, score_plan
from widgets._reports import report_json
from widgets._scoring import load_rubric
from widgets._widget import markdown_report

from test_parity import REPORT_JS, NODE, run_node
from test_reports_docx import docx_blocks, markdown_blocks

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "widgets" / "examples"
INJECTION = "=cmd|' /C calc'!A0"


def _plain_case() -> dict:
    """Participation-washing with two answers moved to level 1, part of level 2 in place."""
    doc = load_assessment(EXAMPLES / "participation-washing.yaml").to_dict()
    doc["answers"]["report-back"] = {"level": 1, "partial": True, "evidence": "A summary is promised, with no date."}
    doc["answers"]["claims-match-mechanisms"] = {"level": 1, "partial": True}
    return doc


def _group_case() -> dict:
    """Vendor labelling: report-back differs by group, the annotators' row at level 1 with part of 2."""
    doc = load_assessment(EXAMPLES / "vendor-labelling.yaml").to_dict()
    doc["answers"]["report-back"] = {"level": 2, "by_group": {"annotators": {"level": 1, "partial": True},
                                                              "users": {"level": 0}}}
    return doc


def _section(markdown: str, heading: str) -> str:
    """The text of one `## heading` section of a Markdown report ("" when it is not there)."""
    parts = markdown.split(f"\n## {heading}\n", 1)
    return parts[1].split("\n## ", 1)[0] if len(parts) == 2 else ""


def _answer_cell(markdown: str, question: str) -> str:
    for line in _section(markdown, "Answers: how each number was reached").splitlines():
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        if cells and cells[0].replace("\\", "") == question:
            return cells[3]
    raise AssertionError(f"no answers row for {question!r}")


def test_plain_partial_answers_get_a_section_and_show_as_one_part_of_two():
    rubric = load_rubric()
    doc = _plain_case()
    a = load_assessment(doc)
    s = score_plan(a)
    result = s.to_dict()
    spared = {x["criterion"]: x for x in result["partly_met"]}
    assert set(spared) == {"report-back", "claims-match-mechanisms"}
    md = report_markdown(s, a)
    part = _section(md, "Partly in place")
    assert part, "no Partly in place section"
    for cid, entry in spared.items():
        c = rubric.by_id[cid]
        item = next(line for line in part.splitlines() if line.startswith(f"- **{c.question}"))
        assert "level 1, part of 2" in item
        assert entry["next_step"] == c.levels[2]
        assert f"reach all of level 2: {c.levels[2]}" in item.replace("\\", "")
        for fid in entry["flags"]:
            assert rubric.red_flags[fid]["title"] in item.replace("\\", "")
        if entry["flags"]:
            assert "not raised because you said part of level 2 is in place: a reviewer should check this" in item
        # A spared flag is not among the red flags raised by this answer.
        assert not set(entry["flags"]) & {f["id"] for f in result["red_flags"] if cid in f["raised_by"]}
    assert "no-report-back" in spared["report-back"]["flags"]
    assert rubric.red_flags["no-report-back"]["title"] not in _section(md, "Red flags")
    assert _answer_cell(md, rubric.by_id["report-back"].question).startswith("1, part of 2")
    # The same answers without the tick: no section, the flag raised, plain "1".
    for cid in spared:
        doc["answers"][cid].pop("partial")
    b = load_assessment(doc)
    plain = report_markdown(score_plan(b), b)
    assert "## Partly in place" not in plain
    assert rubric.red_flags["no-report-back"]["title"] in _section(plain, "Red flags")
    assert _answer_cell(plain, rubric.by_id["report-back"].question).startswith("1")
    assert not _answer_cell(plain, rubric.by_id["report-back"].question).startswith("1, part")


def test_a_groups_partial_row_is_named_with_its_group():
    rubric = load_rubric()
    doc = _group_case()
    a = load_assessment(doc)
    s = score_plan(a)
    entries = s.to_dict()["partly_met"]
    assert [(x["criterion"], x["group"]) for x in entries] == [("report-back", "annotators")]
    md = report_markdown(s, a)
    label = next(g["label"] for g in doc["groups"] if g["id"] == "annotators")
    part = _section(md, "Partly in place")
    assert f"(for {label})" in part.replace("\\", "")
    # The other group's answer still raises the flag, for that group.
    assert rubric.red_flags["no-report-back"]["title"] in _section(md, "Red flags")
    cell = _answer_cell(md, rubric.by_id["report-back"].question).replace("\\", "")
    assert "1, part of 2" in cell and "0" in cell


def _hostile(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    doc["team"] = INJECTION
    for g in doc.get("groups") or []:
        g["label"] = HOSTILE[:200]
    for answer in doc["answers"].values():
        answer["evidence"] = HOSTILE
    return doc


@pytest.mark.parametrize("case", [_plain_case, _group_case], ids=["plain", "per-group"])
def test_page_and_python_reports_are_the_same_escaped_text(case):
    """The page's Markdown report (report.js) and Python's, character for character, with hostile text."""
    if not Path(NODE).exists():
        pytest.skip("Node.js is not installed (runs report.js)")
    rubric = load_rubric()
    cases = []
    for doc in (case(), _hostile(case())):
        a = load_assessment(doc)
        cases.append({"assessment": a.to_dict(), "score": score_plan(a).to_dict(), "links": {}, "criteriaIds": None})
    cases.append({**cases[-1], "criteriaIds": ["report-back", "early-start"]})
    js = run_node(REPORT_JS, {"rubric": rubric.data, "cases": cases})
    py = [markdown_report(rubric, c["assessment"], c["score"], c["links"], c["criteriaIds"]) for c in cases]
    assert js == py
    assert all("## Partly in place" in r for r in js)
    hostile = js[1]
    html = cmarkgfm.github_flavored_markdown_to_html(hostile, options=Options.CMARK_OPT_UNSAFE)
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html


def test_html_and_word_reports_carry_the_section_and_escape_user_text():
    for doc in (_hostile(_plain_case()), _hostile(_group_case())):
        a = load_assessment(doc)
        s = score_plan(a)
        html = report_html(s, a)
        assert "<h2>Partly in place</h2>" in html
        assert "<script" not in html and "&lt;script&gt;" in html
        md = report_markdown(s, a)
        word = docx_blocks(report_docx(s, a))
        assert word == markdown_blocks(md)
        heading = word.index(("h2", "Partly in place"))
        assert word[heading + 1][0] == "p" and word[heading + 2][0] == "ul"
        assert "a reviewer should check this" in word[heading + 2][1] or not s.to_dict()["partly_met"][0]["flags"]


def test_json_report_and_comparison_list_partly_met_and_csv_cells_are_safe():
    doc = _hostile(_group_case())
    a = load_assessment(doc)
    s = score_plan(a)
    report = json.loads(report_json(s, a))
    assert report["score"]["partly_met"] == s.to_dict()["partly_met"]
    assert report["assessment"]["answers"]["report-back"]["by_group"]["annotators"]["partial"] is True
    pairs = [(a, s), (load_assessment(_plain_case()), score_plan(load_assessment(_plain_case())))]
    rows = list(csv.DictReader(io.StringIO(compare_report(pairs, "csv"))))
    by_team = {r["team"]: r for r in rows}
    assert by_team["'" + INJECTION]["partly_met"] == "report-back/annotators (no-report-back)"
    plain = next(r for r in rows if r["team"] != "'" + INJECTION)["partly_met"].split("; ")
    assert any(x.startswith("report-back") and "no-report-back" in x for x in plain)
    # Every cell of the export is safe to open in a spreadsheet (the text kernel's guard).
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    compared = json.loads(compare_report(pairs, "json"))["rows"]
    assert [x["group"] for r in compared for x in r["partly_met"] if r["team"] == INJECTION] == ["annotators"]
    head = compare_report(pairs, "md").splitlines()[0]
    assert "| Red flags | Partly in place |" in head


def test_the_notebook_widget_answers_with_the_tick_and_drops_it_off_level_one():
    w = AssessmentWidget(headless=True)
    w.answer("report-back", 1, partial=True, evidence="A summary is promised, with no date.")
    assert w.assessment["answers"]["report-back"] == {"level": 1, "partial": True,
                                                      "evidence": "A summary is promised, with no date."}
    assert [x["criterion"] for x in w.score["partly_met"]] == ["report-back"]
    assert "## Partly in place" in w.report()
    frame = w.to_dataframe().set_index("criterion")
    assert bool(frame.loc["report-back", "partial"]) and not frame["partial"].drop("report-back").any()
    w.answer("report-back", 2)
    assert "partial" not in w.assessment["answers"]["report-back"]
    assert w.score["partly_met"] == []
    w.answer("report-back", 1, partial=True)
    w.answer_many({"report-back": 0})
    assert "partial" not in w.assessment["answers"]["report-back"]
    with pytest.raises(ValueError, match="partial is only for level 1"):
        w.answer("report-back", 2, partial=True)
    with pytest.raises(ValueError, match="True or False"):
        w.answer("report-back", 1, partial="yes")

