"""The front-end module over a kernel-like host: assessment.js in Chromium, AssessmentWidget in Python.

No Jupyter is needed: a harness page gives `render()` a model that behaves like anywidget's
(`save_changes` sends the state to "the kernel" and the score comes back later, asynchronously).
Here the kernel is the real `AssessmentWidget`, reached through Playwright's `expose_function`,
so a click in the page is validated and scored by the Python reference scorer, exactly as in a
notebook.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import serve_folder

from widgets import AssessmentWidget
from widgets._scoring import score_plan

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "widgets" / "static"

HARNESS = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>kernel host</title>
<link rel="stylesheet" href="assessment.css"></head><body><main><h1>Kernel host harness</h1>
<div id="w"></div></main>
<script type="module">
import widget from "./assessment.js";
// A model like anywidget's: local set/get/on, save_changes syncs with the kernel asynchronously.
const state = await window.kernelState();
const listeners = {};
const emit = (name, value) => (listeners[name] || []).forEach((cb) => cb(model, value));
const model = {
  get: (k) => state[k],
  set: (k, v) => { state[k] = v; emit(`change:${k}`, v); },
  on: (n, cb) => { (listeners[n] ||= []).push(cb); },
  off: (n, cb) => { listeners[n] = (listeners[n] || []).filter((f) => f !== cb); },
  save_changes: () => {
    window.kernelSync(JSON.stringify(state.assessment)).then((reply) => {
      const { score, errors } = JSON.parse(reply);
      model.set("errors", errors);
      model.set("score", score);
      window.__syncs = (window.__syncs || 0) + 1;
    });
  },
  send: () => {},
};
window.__model = model;
widget.render({ model, el: document.getElementById("w") });
document.body.dataset.ready = "1";
</script></body></html>
"""


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    root = tmp_path_factory.mktemp("kernel-host")
    # What a notebook loads: the module bundled with its imports (make bundles), and its stylesheet.
    shutil.copy2(ROOT / "widgets" / "bundles" / "assessment.js", root / "assessment.js")
    shutil.copy2(STATIC / "assessment.css", root / "assessment.css")
    (root / "index.html").write_text(HARNESS, encoding="utf-8")
    with serve_folder(root) as url:
        yield url + "index.html"


def open_with_kernel(new_page, url, widget):
    page = new_page(accept_downloads=True)
    page.expose_function("kernelState", lambda: {
        "rubric": widget.rubric, "assessment": widget.assessment, "score": widget.score,
        "version": widget.version, "criteria": widget.criteria, "links": {}, "errors": widget.errors,
        "host": "kernel",
    })

    def sync(assessment_json: str) -> str:
        widget.assessment = json.loads(assessment_json)  # what anywidget does on save_changes
        return json.dumps({"score": widget.score, "errors": widget.errors})

    page.expose_function("kernelSync", sync)
    page.goto(url)
    page.wait_for_selector("body[data-ready='1']")
    return page


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
