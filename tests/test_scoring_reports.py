"""Reports escape every piece of user text; the rubric chapter's generated Markdown only links to
labels that the book defines and cites keys that the bibliography has."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from widgets import load_assessment, load_rubric, score_plan
from widgets._reports import report_html, report_markdown, rubric_csv, rubric_markdown, compare_report
from widgets._text import escape_markdown

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "widgets" / "examples" / "vendor-labelling.yaml"
EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)> {ref}`x` [a](javascript:alert(1)) $x$ \x1b[31m'


@pytest.fixture
def evil_pair():
    doc = load_assessment(EXAMPLE).to_dict()
    doc["team"] = EVIL
    doc["product"] = EVIL
    doc["answers"]["credit"] = {"level": 1, "evidence": EVIL, "notes": EVIL + "\n| table | break |"}
    a = load_assessment(doc)
    return a, score_plan(a)


def test_html_report_escapes_user_text(evil_pair):
    a, s = evil_pair
    out = report_html(s, a)
    assert "<script>" not in out and "<img" not in out and "\x1b" not in out
    assert "&lt;script&gt;" in out
    assert "http://" not in out and "https://" not in out, "standalone: no external resources"


def test_markdown_report_escapes_user_text(evil_pair):
    a, s = evil_pair
    out = report_markdown(s, a)
    assert "\x1b" not in out
    product = next(ln for ln in out.splitlines() if ln.startswith("- **Product:** "))[len("- **Product:** "):]
    # The answers table names each row by its question (readers do not know the criterion ids).
    from widgets._scoring import load_rubric
    from widgets._text import escape_markdown
    question = escape_markdown(load_rubric().by_id["credit"].question)
    (row,) = [ln for ln in out.splitlines() if ln.startswith(f"| {question} |")]
    assert row.count(" | ") == 5, "user text cannot break the table"
    evidence = row.split(" | ")[-1]
    # In CommonMark a backslash makes the next punctuation mark literal: no unescaped markup remains.
    # A "(" is markup only as a link's destination, right after an unescaped "]".
    for user_text in (product, evidence):
        for mark in ("<", ">", "[", "]", "`", "{", "$", "*", "|"):
            assert not re.search(r"(?<!\\)" + re.escape(mark), user_text.rstrip(" |")), (mark, user_text)
        assert not re.search(r"(?<!\\)\]\(", user_text), user_text


def test_compare_and_csv_are_safe(evil_pair):
    a, s = evil_pair
    assert "<script>" not in compare_report([(a, s)], "md")
    doc = a.to_dict()
    doc["team"] = "=HYPERLINK(\"http://x\")"
    b = load_assessment(doc)
    csv_text = compare_report([(b, score_plan(b))], "csv")
    assert ",'=HYPERLINK" in csv_text or "\"'=HYPERLINK" in csv_text


def test_json_report_keeps_user_text_verbatim(evil_pair):
    a, s = evil_pair
    from widgets._reports import report_json
    back = json.loads(report_json(s, a))
    assert back["assessment"]["team"] == EVIL
    assert back["score"] == s.to_dict()


def test_md_escape_neutralises_markup():
    # One escaper for every report: HTML-significant characters become entities, the rest backslashed.
    assert escape_markdown("*a* <b> [c](d) `e`") == r"\*a\* &lt;b&gt; \[c\](d) \`e\`"


def test_generated_chapter_only_uses_known_labels_and_keys():
    text = "\n".join(rubric_markdown(myst=True, part=p) for p in ("scale", "bands", "flags", "criteria"))
    refs = set(re.findall(r"\{ref\}`([^`]+)`", text))
    rubric = load_rubric()
    labels = {t["explained_in"] for t in rubric.themes.values()} | {f["explained_in"] for f in rubric.red_flags.values()}
    labels |= {c.explained_in for c in rubric.criteria}
    assert refs == labels
    assert {f"guardrail-{g}" for g in ("unpaid-participation", "decision-already-made", "synthetic-stand-ins",
                                       "no-consent-withdrawal", "no-report-back", "below-living-wage",
                                       "unsupported-harmful-exposure")} <= refs
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"^@\w+\{([^,\s]+),", bib, flags=re.M))
    cited = {k for group in re.findall(r"\{cite:p\}`([^`]+)`", text) for k in group.split(",")}
    assert cited and cited <= keys
    assert "#" not in [line[:1] for line in text.splitlines()], "no headings in cell output (myst-nb)"


def test_labels_exist_in_the_book():
    """Every label the generated chapter links to is defined somewhere in the book."""
    text = rubric_markdown(myst=True, part="criteria") + rubric_markdown(myst=True, part="flags")
    refs = set(re.findall(r"\{ref\}`([^`]+)`", text))
    defined = set()
    for md in (ROOT / "book").rglob("*.md"):
        defined |= set(re.findall(r"^\(([a-z0-9-]+)\)=\s*$", md.read_text(encoding="utf-8"), flags=re.M))
    assert refs <= defined, sorted(refs - defined)


def test_rubric_csv_has_every_criterion_once():
    lines = rubric_csv().strip().splitlines()
    assert len(lines) == 1 + 59


def test_report_says_what_holds_the_band_down_for_every_unmet_step():
    # Inform met, nothing else: the band counts the steps met, so the report must name every unmet
    # step's questions and say that any one more step raises the band, beside the suggested move.
    a = {"scope": "full", "team": "T", "product": "P",
         "answers": {"open-and-fixed-stated": {"level": 2}, "input-traced": {"level": 0},
                     "input-changes-substance": {"level": 1}}}
    s = score_plan(a)
    md = report_markdown(s)
    part = md.split("## What holds it down", 1)[1].split("\n## ", 1)[0]
    assert "meeting any one more of the steps named below raises it by one band" in part
    rubric = load_rubric()
    for step in ("consult", "involve", "collaborate", "empower"):
        assert f'The ladder step "{rubric.iap2_levels[step]["title"]}" needs' in part, step
    for x in s.to_dict()["what_would_change"]["holding_down"]:
        assert escape_markdown(rubric.by_id[x["criterion"]].question) in part
    assert "(or another of its questions)" in part  # Consult is met by either of its questions
