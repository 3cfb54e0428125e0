"""The front-end module over a kernel-like host: assessment.js in Chromium, AssessmentWidget in Python.

No Jupyter is needed: a harness page gives `render()` a model that behaves like anywidget's
(`save_changes` sends the state to "the kernel" and the score comes back later, asynchronously).
Here the kernel is the real `AssessmentWidget`, reached through Playwright's `expose_function`,
so a click in the page is validated and scored by the Python reference scorer, exactly as in a
notebook.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import serve_folder
from kernel_host import harness_page, open_with_kernel

from widgets import AssessmentWidget
from widgets._scoring import score_plan

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "widgets" / "static"



@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    root = tmp_path_factory.mktemp("kernel-host")
    # What a notebook loads: the module bundled with its imports (make bundles), and its stylesheet.
    shutil.copy2(ROOT / "widgets" / "bundles" / "assessment.js", root / "assessment.js")
    shutil.copy2(STATIC / "assessment.css", root / "assessment.css")
    (root / "index.html").write_text(harness_page(), encoding="utf-8")
    with serve_folder(root) as url:
        yield url + "index.html"


def test_clicks_are_scored_by_the_python_widget(browser, new_page, harness):
    w = AssessmentWidget(version="short", headless=True, team="Harness team")
    page = open_with_kernel(new_page, harness, w)
    group = page.locator("fieldset[data-criterion='early-start']")
    group.locator("input[type=radio]").first.focus()
    page.keyboard.press("Space")  # level 0 raises the decision-already-made flag
    page.wait_for_function("window.__syncs >= 1")
    assert w.answers == {"early-start": 0}
    assert w.score == score_plan(w.assessment).to_dict()
    page.locator(".pai-result .pai-flags li[data-flag='decision-already-made']").wait_for()
    assert page.locator(".pai-result .pai-band-title").get_attribute("data-band") == w.score["band"]["id"]
    # Python changes flow back to the page.
    w.answer("direct-participation", 3)
    page.evaluate("(a) => window.__model.set('assessment', a)", w.assessment)
    assert page.locator("fieldset[data-criterion='direct-participation'] input[value='3']").is_checked()
    assert page.locator("input[id$='-team']").input_value() == "Harness team"
    assert page.pai_page_errors == []


def test_kernel_validation_errors_are_shown(browser, new_page, harness):
    w = AssessmentWidget(version="short", headless=True)
    page = open_with_kernel(new_page, harness, w)
    page.evaluate(
        "() => { const a = JSON.parse(JSON.stringify(window.__model.get('assessment')));"
        " a.answers['no-such-question'] = {level: 2}; window.__model.set('assessment', a);"
        " window.__model.save_changes(); }"
    )
    page.wait_for_function("window.__syncs >= 1")
    alert = page.locator(".pai-messages[role=alert]")
    alert.wait_for()
    assert "no-such-question" in alert.inner_text()
