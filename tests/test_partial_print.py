"""The "part of level 2" box on paper: the page's printed worksheet and the book's handouts.

A blank worksheet gives every question a second box beside level 1, "part of level 2 is already
in place", with the words the form's box uses (widgets/data/ui-labels.json); the page's print view
(print.js) and the book's worksheet handouts (book/_ext/pai_workshops.py) print the same words in
the same place. A filled assessment prints a ticked answer as level 1 with part of level 2, and its
"Partly in place" part.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from widgets import load_assessment
from widgets._reports import ui_labels
from widgets._scoring import load_rubric

from test_assessment_print import _flat, _wait_for_print_view, printed_text
from test_assessment_reading import EXAMPLES, FULL, SHORT, open_page, upload

ROOT = Path(__file__).resolve().parents[1]


def _level_names():
    return {s["level"]: s["name"] for s in load_rubric().data["scale"]}


def test_the_books_worksheet_has_the_box_beside_level_one_of_every_question():
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    import pai_workshops

    words = ui_labels()["partial"]["worksheet"]
    criteria = [c for c in load_rubric().criteria if c.short]
    lines = pai_workshops.worksheet_markdown(criteria, title="t").splitlines()
    boxed = [i for i, line in enumerate(lines) if words in line]
    assert len(boxed) == len(criteria)
    names = _level_names()
    for i in boxed:
        # Right after the level-1 line, indented under it, with a box to tick.
        assert lines[i - 1].startswith(f"- \u2610 **1 {names[1]}.**"), lines[i - 1]
        assert lines[i].startswith("  - \u2610 ")
    # The rubric chapter's list of levels has no box to tick, and no such line.
    assert words not in pai_workshops.rubric_levels_markdown()


@pytest.mark.browser
@pytest.mark.parametrize("path,short", [(FULL, False), (SHORT, True)], ids=["full", "short"])
def test_the_pages_worksheet_prints_the_box_beside_level_one(new_page, server_url, built_site, path, short):
    page = open_page(new_page, server_url, built_site, path)
    _wait_for_print_view(page)
    text = printed_text(page)
    words = _flat(ui_labels()["partial"]["worksheet"])
    criteria = [c for c in load_rubric().criteria if c.short or not short]
    assert text.count(words) == len(criteria)
    names = _level_names()
    for c in criteria:
        one = _flat(f"1 · {names[1]}: {c.levels[1]}")
        assert re.search(re.escape(one) + r"\s*☐\s*" + re.escape(words) + r"\s*☐\s*2 · ", text), c.id
    # The same words in the same place as the book's handout worksheets.
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    import pai_workshops

    assert pai_workshops.worksheet_markdown(criteria[:1], title="t").count(ui_labels()["partial"]["worksheet"]) == 1


@pytest.mark.browser
def test_a_filled_print_shows_part_of_level_two_and_what_is_partly_in_place(new_page, server_url, built_site, tmp_path):
    doc = load_assessment(EXAMPLES / "participation-washing.yaml").to_dict()
    doc["answers"]["report-back"] = {"level": 1, "partial": True, "evidence": "A summary is promised, with no date."}
    file = tmp_path / "plan.json"
    file.write_text(json.dumps(doc))
    page = open_page(new_page, server_url, built_site, FULL)
    upload(page, file)
    page.wait_for_function("() => !document.querySelector('.pai-print-view .pai-print-question')")
    _wait_for_print_view(page)
    page.wait_for_function("() => document.querySelector('.pai-print-view .pai-partly li') !== null")
    text = printed_text(page)
    rubric = load_rubric()
    assert "Partly in place" in text
    assert _flat(f"1 · {_level_names()[1]}, {ui_labels()['partial']['label'].lower()}") in text
    assert _flat(rubric.red_flags["no-report-back"]["title"]) in text
    assert "☐" not in text
