"""A page that runs the self-assessment front-end over a kernel-like model, for the browser tests.

`render()` gets a model that behaves like anywidget's (`save_changes` sends the state to "the
kernel" and the score comes back later, asynchronously); the kernel is a real `AssessmentWidget`
reached through Playwright's `expose_function`, so every click is validated and scored by the
Python reference scorer. Used by tests/test_widget_frontend.py (the bundled module a notebook
loads) and tests/test_assessment_groups_browser.py (the modules as the site serves them).
"""

from __future__ import annotations

import json

_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>kernel host</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{css}"></head><body><main><h1>Kernel host harness</h1>
<div id="w"></div></main>
<script type="module">
import widget from "./{module}";
// A model like anywidget's: local set/get/on, save_changes syncs with the kernel asynchronously.
const state = await window.kernelState();
const listeners = {{}};
const emit = (name, value) => (listeners[name] || []).forEach((cb) => cb(model, value));
const model = {{
  get: (k) => state[k],
  set: (k, v) => {{ state[k] = v; emit(`change:${{k}}`, v); }},
  on: (n, cb) => {{ (listeners[n] ||= []).push(cb); }},
  off: (n, cb) => {{ listeners[n] = (listeners[n] || []).filter((f) => f !== cb); }},
  save_changes: () => {{
    window.kernelSync(JSON.stringify(state.assessment)).then((reply) => {{
      const {{ score, errors }} = JSON.parse(reply);
      model.set("errors", errors);
      model.set("score", score);
      window.__syncs = (window.__syncs || 0) + 1;
    }});
  }},
  send: () => {{}},
}};
window.__model = model;
widget.render({{ model, el: document.getElementById("w") }});
document.body.dataset.ready = "1";
</script></body></html>
"""


def harness_page(module: str = "assessment.js", css: str = "assessment.css") -> str:
    """The harness HTML, importing `module` and linking `css` (paths relative to the page)."""
    return _PAGE.format(module=module, css=css)


def open_with_kernel(new_page, url, widget, **options):
    """Open the harness with `widget` (an AssessmentWidget) as its kernel."""
    page = new_page(accept_downloads=True, **options)
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
