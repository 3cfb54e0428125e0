"""Printing the self-assessment, as Chromium prints it to PDF (text read back with pypdf).

A blank assessment once printed only the page's introduction; it now prints a worksheet: every
question in view with its level descriptors, a box to tick and lines to write on. A filled one once
printed its band, flags and next steps but no theme profile, IAP2 level or confidence; it now prints
the result as the panel shows it.
"""

from __future__ import annotations

import io
import json
import re
import sys
import unicodedata
from pathlib import Path

import pytest

from widgets import load_assessment, score_plan
from widgets._reports import ui_labels
from widgets._scoring import load_rubric

pytestmark = pytest.mark.browser

from test_assessment_reading import EXAMPLES, FULL, SHORT, open_page, upload  # noqa: E402


def printed_text(page) -> str:
    """The page printed to PDF, as text with whitespace and ligatures normalised."""
    from pypdf import PdfReader

    page.emulate_media(media="print")
    pdf = PdfReader(io.BytesIO(page.pdf()))
    text = " ".join(p.extract_text() for p in pdf.pages)
    text = re.sub(r"(?<=\w)-\n(?=\w)", "-", text)  # a hyphenated word broken at the end of a line
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _wait_for_print_view(page):
    page.wait_for_function("() => document.querySelector('.pai-print-view').childElementCount > 0")


@pytest.mark.parametrize("path,short", [(FULL, False), (SHORT, True)], ids=["full", "short"])
def test_blank_assessment_prints_a_worksheet_of_every_question(new_page, server_url, built_site, path, short):
    page = open_page(new_page, server_url, built_site, path)
    _wait_for_print_view(page)
    text = printed_text(page)
    rubric = load_rubric()
    criteria = [c for c in rubric.criteria if c.short or not short]
    missing = [c.id for c in criteria if _flat(c.question) not in text]
    assert not missing, f"questions not printed: {missing}"
    names = {s["level"]: s["name"] for s in rubric.data["scale"]}
    for c in criteria:
        for level in range(4):
            assert _flat(f"{level} · {names[level]}: {c.levels[level]}") in text, (c.id, level)
    # A box to tick for each level (and "does not apply" where offered), one more beside level 1
    # (part of level 2 in place), and room to write.
    boxes = sum(5 + bool(c.not_applicable_if) for c in criteria)
    assert text.count("☐") == boxes
    assert text.count("Evidence and notes:") == len(criteria)
    lines = page.locator(".pai-print-view .pai-print-line")
    assert lines.count() == 3 * len(criteria) and lines.first.bounding_box()["height"] > 15
    assert "Band:" not in text, "a blank assessment has no result to print"


def test_filled_assessment_prints_its_result_with_profile_iap2_and_confidence(new_page, server_url, built_site, tmp_path):
    example = EXAMPLES / "participation-washing.yaml"
    file = tmp_path / "plan.json"
    file.write_text(json.dumps(load_assessment(example).to_dict()))
    page = open_page(new_page, server_url, built_site, FULL)
    upload(page, file)
    _wait_for_print_view(page)
    text = printed_text(page)
    rubric = load_rubric()
    score = score_plan(load_assessment(example)).to_dict()
    iap2 = rubric.iap2_levels[score["iap2"]["level"]]["title"]
    assert _flat(f"IAP2 level reached: {iap2}") in text
    assert _flat(f"Confidence: {ui_labels()['confidence'][score['completeness']['confidence']]}") in text
    assert "Profile by theme" in text
    for theme in score["themes"]:
        if theme["percent"] is None:
            continue
        title = _flat(rubric.themes[theme["id"]]["title"])
        shown = f"{theme['earned']}/{theme['answered_max']} {theme['percent']:g}%"
        assert re.search(re.escape(title) + r"\s+" + re.escape(shown), text), (title, shown)
    assert "☐" not in text, "a filled assessment prints its answers, not a blank worksheet"


def _dated_line(text: str) -> str:
    """The part of a printed header from "Date:" on (up to the next field or the end of the line)."""
    found = re.search(r"Date:\s*(\S+)", text)
    assert found, f"no Date field in {text[:200]!r}"
    return found.group(1)


def test_blank_worksheet_leaves_the_date_to_write_and_a_filled_print_keeps_its_date(new_page, server_url, built_site, tmp_path):
    """A worksheet printed days before a workshop carries a line for the date, not the print date;
    the book's printable worksheets (book/_ext/pai_workshops.py) do the same."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
    import pai_workshops

    page = open_page(new_page, server_url, built_site, FULL)
    _wait_for_print_view(page)
    today = page.evaluate("() => new Date().toISOString().slice(0, 10)")
    # The form dates a new assessment today: the page's own field holds the date the sheet is printed on.
    assert page.locator(".pai-widget input[type=date]").first.input_value() == today
    header = page.locator(".pai-print-view p").first.inner_text()
    assert re.fullmatch(r"_{6,}", _dated_line(header)), f"the blank worksheet's header: {header!r}"
    assert today not in page.locator(".pai-print-view").inner_text()
    python_header = pai_workshops.worksheet_markdown(load_rubric().criteria[:1], title="t").splitlines()[0]
    assert re.fullmatch(r"_{6,}", _dated_line(python_header)), f"the book's worksheet header: {python_header!r}"

    example = EXAMPLES / "participation-washing.yaml"
    file = tmp_path / "plan.json"
    file.write_text(json.dumps(load_assessment(example).to_dict()))
    upload(page, file)
    page.wait_for_function("() => !document.querySelector('.pai-print-view .pai-print-question')")
    _wait_for_print_view(page)
    date = load_assessment(example).to_dict()["date"]
    assert f"Date: {date}" in page.locator(".pai-print-view").inner_text()
