"""Rubric 2.0 in the self-assessment front-end, in headless Chromium, scored by the Python widget.

A harness page (tests/kernel_host.py) serves the front-end modules as the site does (unbundled ES
modules) and gives `render()` a model whose "kernel" is a real `AssessmentWidget`, so every click
is scored by the reference scorer: the page must show what Python computes. Covers: the plan context and a groups editor filled by keyboard only, per-group
answers ("differs by group"), questions that stop applying shown with their reason and kept in
the file, the result (band, ladder, groups, flags per group, what would change, what holds it
down), the print view and the blank worksheet, a 1.0 file uploaded and migrated with its message,
axe-core; with ``PAI_SCREENSHOTS=1`` (``make screenshots``), screenshots at 1280 and 390 px in
test-artifacts/assessment-2.0/ to look at (no assertion reads them).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import artifact_screenshot, serve_folder
from kernel_host import harness_page, open_with_kernel

from widgets import AssessmentWidget
from widgets._assessment import load_assessment
from widgets._scoring import score_plan

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "test-artifacts" / "assessment-2.0"
FIXTURE_1_0 = ROOT / "tests" / "fixtures" / "assessments" / "rubric-1.0.yaml"



@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    root = tmp_path_factory.mktemp("rubric-2-host")
    shutil.copytree(ROOT / "widgets" / "static", root / "w" / "static")
    shutil.copytree(ROOT / "widgets" / "data", root / "w" / "data")
    (root / "w" / "vendor").mkdir()
    shutil.copy2(ROOT / "node_modules" / "js-yaml" / "dist" / "js-yaml.mjs", root / "w" / "vendor" / "js-yaml.mjs")
    (root / "index.html").write_text(harness_page("w/static/assessment.js", "w/static/assessment.css"), encoding="utf-8")
    with serve_folder(root) as url:
        yield url + "index.html"


def settle(page, widget):
    """Wait until the page shows the score of the widget's current answers."""
    page.wait_for_function(
        "(band) => (document.querySelector('.pai-result .pai-band-title')?.dataset.band || '') === band",
        arg=widget.score["band"]["id"] or "",
    )
    page.wait_for_timeout(50)


def tab_to(page, selector, limit=400):
    """Press Tab until the focused element matches `selector` (keyboard only, as a person would)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_plan_with_groups_filled_by_keyboard_and_scored_as_python(new_page, harness, tmp_path):
    w = AssessmentWidget(headless=True)
    page = open_with_kernel(new_page, harness, w)
    # Plan details.
    page.locator("input[id$='-team']").focus()
    page.keyboard.type("Harbour council")
    page.keyboard.press("Tab")
    page.keyboard.type("Parking permits triage")
    # Context: a single decision, by a public body (arrow keys move within a radio group).
    tab_to(page, "input[name$='-ctx-process']")
    page.keyboard.press("ArrowDown")
    tab_to(page, "input[name$='-ctx-convener']")
    page.keyboard.press("ArrowDown")
    page.wait_for_function("window.__model.get('assessment').context?.convener === 'public-body'")
    assert w.assessment["context"] == {"process": "single-decision", "convener": "public-body"}
    # Two groups by keyboard: a governance panel and wider participants.
    tab_to(page, "input[id$='-new-group']")
    page.keyboard.type("Residents' panel")
    page.keyboard.press("Tab")
    page.keyboard.press("Home")  # first role: governance
    assert page.locator("select[id$='-new-group-role']").input_value() == "governance"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Add group"; the focus returns to the name field
    page.wait_for_function("document.activeElement.id.endsWith('-new-group')")
    page.keyboard.type("Drop-in visitors")
    page.keyboard.press("Enter")  # Enter in the name field adds the group (role: wider participants)
    page.wait_for_function("(window.__model.get('assessment').groups || []).length === 2")
    assert w.assessment["groups"] == [
        {"id": "residents-panel", "label": "Residents' panel", "role": "governance"},
        {"id": "drop-in-visitors", "label": "Drop-in visitors", "role": "participants"},
    ]
    # The question about several lifecycle stages drops out for a single decision, with its reason.
    stages = page.locator("fieldset[data-criterion='several-stages']")
    assert "Does not apply" in stages.locator(".pai-na-reason").inner_text()
    assert stages.locator("input[type=radio]").first.is_disabled()
    # A per-group question: pay differs by group.
    pay = page.locator("fieldset[data-criterion='pay-participants']")
    pay.locator("input[value='3']").first.focus()
    page.keyboard.press("Space")
    differs = pay.locator("input[type=checkbox][id$='-differs']")
    differs.focus()
    page.keyboard.press("Space")
    visitors = pay.locator("fieldset.pai-group-answer[data-group='drop-in-visitors']")
    visitors.locator("input[type=radio]").first.focus()
    page.keyboard.press("Space")  # level 0 for the visitors ...
    page.keyboard.press("ArrowDown")  # ... then 1: a token payment
    page.wait_for_function(
        "window.__model.get('assessment').answers['pay-participants']?.by_group?.['drop-in-visitors']?.level === 1")
    # The questions that carry the band, by keyboard: input reaches the decision, the panel decides.
    for cid, level in [("open-and-fixed-stated", 2), ("input-traced", 2), ("report-back", 2),
                       ("input-changes-substance", 2), ("community-decides", 3)]:
        radio = page.locator(f"fieldset[data-criterion='{cid}'] > .pai-levels input[value='{level}']")
        radio.focus()
        page.keyboard.press("Space")
    page.wait_for_function("Object.keys(window.__model.get('assessment').answers).length >= 6")
    settle(page, w)
    score = w.score
    assert score == score_plan(w.assessment).to_dict()
    # The result shows Python's score: band, ladder, flags with their groups, what would change.
    assert page.locator(".pai-result .pai-band-title").get_attribute("data-band") == score["band"]["id"]
    assert page.locator(".pai-result .pai-iap2").get_attribute("data-level") == score["iap2"]["level"]
    met = page.locator(".pai-result .pai-ladder-steps li.pai-met").evaluate_all("els => els.map(e => e.dataset.step)")
    assert met == score["iap2"]["steps_met"]
    shown_flags = page.locator(".pai-result .pai-flags li[data-flag]").evaluate_all("els => els.map(e => e.dataset.flag)")
    assert shown_flags == [f["id"] for f in score["red_flags"]]
    assert "unpaid-participation" in shown_flags
    flag = page.locator(".pai-result .pai-flags li[data-flag='unpaid-participation']")
    assert "Drop-in visitors" in flag.locator(".pai-flag-groups").inner_text()
    rows = page.locator(".pai-result .pai-groups-list li").evaluate_all("els => els.map(e => e.dataset.group)")
    assert rows == ["residents-panel", "drop-in-visitors"]
    change = score["what_would_change"]
    moves = page.locator(".pai-result .pai-moves li").evaluate_all("els => els.map(e => [e.dataset.criterion, e.dataset.group || null])")
    assert moves == [[m["criterion"], m["group"]] for m in change["moves"]]
    assert change["reachable"] and moves, "the test plan should have a way up"
    # A move links to its question, and following the link by keyboard reaches it.
    link = page.locator(".pai-result .pai-moves li a.pai-goto").first
    target = link.get_attribute("href")
    link.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == target
    holding = page.locator(".pai-result .pai-holding li")
    assert holding.count() == len(change["holding_down"])
    # The ladder counts the steps met: the page says that any one more of the named steps raises it.
    ladder = page.locator(".pai-result .pai-holding-ladder")
    assert ladder.count() == (1 if any(x["kind"] == "ladder" for x in change["holding_down"]) else 0)

    # Nothing typed is lost: the context turns to inform-only and back, the answers stay.
    before = json.loads(json.dumps(w.assessment["answers"]))
    tab_to(page, "input[name$='-ctx-participants']:checked")
    page.keyboard.press("ArrowDown")
    page.wait_for_function("window.__model.get('assessment').context.participants === 'inform-only'")
    assert "nobody outside the team" in pay.locator(".pai-na-reason").inner_text()
    assert w.assessment["answers"] == before
    page.keyboard.press("ArrowUp")
    page.wait_for_function("window.__model.get('assessment').context.participants === 'people-take-part'")
    assert w.assessment["answers"] == before

    # Rename keeps the id; the file Python saves loads and scores the same.
    label = page.locator("li.pai-group[data-group='drop-in-visitors'] input[type=text]")
    label.fill("Visitors to the drop-in sessions")
    page.wait_for_function("window.__model.get('assessment').groups[1].label.startsWith('Visitors')")
    assert w.assessment["groups"][1]["id"] == "drop-in-visitors"
    w.set_plan(model_type="narrow", lifecycle_stage="deployment")
    saved = w.save(tmp_path / "plan.json")
    assert score_plan(load_assessment(saved)).to_dict()["band"] == w.score["band"]

    # Removing a group keeps its answers, word for word, in the questions' notes.
    page.locator("li.pai-group[data-group='drop-in-visitors'] button.pai-remove-group").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("(window.__model.get('assessment').groups || []).length === 1")
    kept = w.assessment["answers"]["pay-participants"]
    assert "by_group" not in kept and "Visitors to the drop-in sessions" in kept["notes"] and "level 1" in kept["notes"]
    assert w.errors == []
    assert page.pai_page_errors == []


def test_print_view_and_blank_worksheet(new_page, harness):
    w = AssessmentWidget(headless=True)
    page = open_with_kernel(new_page, harness, w)
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    sheet = page.locator(".pai-print-view")
    assert sheet.is_visible()
    text = sheet.inner_text()
    # A blank assessment prints as a worksheet: every question with its four descriptors.
    rubric = w.rubric
    for c in rubric["criteria"][:5] + rubric["criteria"][-3:]:
        assert c["question"] in text
        for level in ("0", "1", "2", "3"):
            assert c["levels"][level] in text
    for q in rubric["context"]:
        assert q["question"] in text
    assert sheet.locator("[data-criterion]").count() == len(rubric["criteria"])
    # With answers, it prints the result: the band, the ladder and what would change.
    w.load(ROOT / "widgets" / "examples" / "vendor-labelling.yaml")
    page.evaluate("(s) => { window.__model.set('assessment', s.a); window.__model.set('score', s.s); }",
                  {"a": w.assessment, "s": w.score})
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    text = sheet.inner_text()
    bands = {b["id"]: b["title"] for b in rubric["bands"]}
    assert bands[w.score["band"]["id"]] in text
    assert "What would change my result" in text and "What holds it down" in text
    assert "The vendor's annotators" in text
    assert page.pai_page_errors == []


def test_a_1_0_upload_is_migrated_with_its_message(new_page, harness, tmp_path):
    w = AssessmentWidget(headless=True)
    page = open_with_kernel(new_page, harness, w)
    page.locator("input[type=file]").set_input_files(str(FIXTURE_1_0))
    status = page.locator(".pai-messages[role=status] .pai-message")
    status.wait_for()
    message = status.inner_text()
    python = load_assessment(FIXTURE_1_0)
    assert "rubric 1.0" in message and "2.0" in message
    todo = [c for c in w.rubric["criteria"] if python.answers.get(c["id"]) is None or python.answers[c["id"]].level is None]
    assert f"{len(todo)} question" in message
    page.wait_for_function("window.__model.get('assessment').rubric.version === '2.0'")
    assert w.assessment["answers"] == {cid: a.to_dict() for cid, a in python.answers.items()}
    assert w.assessment["migrations"] == list(python.migrations)
    assert page.pai_page_errors == []


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_and_axe(new_page, harness, width):
    w = AssessmentWidget(ROOT / "widgets" / "examples" / "vendor-labelling.yaml", headless=True)
    page = open_with_kernel(new_page, harness, w, viewport={"width": width, "height": 900})
    page.locator("fieldset[data-criterion='pay-unconditional'] input[id$='-differs']").wait_for(state="attached")
    artifact_screenshot(page.locator(".pai-plan-setup"), SHOTS / f"plan-setup-{width}.png")
    artifact_screenshot(page.locator("fieldset[data-criterion='living-wage']"), SHOTS / f"per-group-{width}.png")
    artifact_screenshot(page.locator(".pai-result"), SHOTS / f"result-{width}.png")
    overflow = page.evaluate(
        "() => [...document.querySelectorAll('.pai-assessment, .pai-assessment fieldset, .pai-result')]"
        ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.className)")
    assert overflow == []
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document.querySelector('#w'), {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == []
    assert page.pai_page_errors == []


STORED_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Stored answers</title>
<link rel="stylesheet" href="w/static/assessment.css"></head><body><main><h1>Self-assessment</h1>
<div id="w"></div></main>
<script type="module">
import widget from "./w/static/assessment.js";
import { createStorageModel } from "./w/static/static-host.js";
import { derive } from "./w/static/scoring.js";
const rubric = await (await fetch("rubric.json")).json();
const model = createStorageModel({ key: "pai:stored-test", initial: { rubric, version: "full" }, persist: ["assessment"], derive });
window.__model = model;
widget.render({ model, el: document.getElementById("w") });
document.body.dataset.ready = "1";
</script></body></html>
"""


def test_answers_kept_by_the_1_0_page_are_migrated_once_with_a_message(new_page, tmp_path):
    """The static site's storage host and scorer: answers the 1.0 page kept in this browser (an
    unfinished draft) are migrated as Python migrates them, saved and scored, and the page says
    which questions are new."""
    from widgets._assessment import migrate
    from widgets._files import load_file

    draft = load_file(FIXTURE_1_0)
    draft.update(team="", model_type=None)
    w = AssessmentWidget(headless=True)
    folder = tmp_path / "site"
    shutil.copytree(ROOT / "widgets" / "static", folder / "w" / "static")
    shutil.copytree(ROOT / "widgets" / "data", folder / "w" / "data")
    (folder / "rubric.json").write_text(json.dumps(w.rubric), encoding="utf-8")
    (folder / "index.html").write_text(STORED_PAGE, encoding="utf-8")
    stored = json.dumps({"format": "pai-static-model", "format_version": 1, "saved_at": "2026-11-30T10:00:00Z",
                         "values": {"assessment": draft}})
    with serve_folder(folder) as url:
        page = new_page()
        page.add_init_script(f"if (!sessionStorage.getItem('seeded')) {{ localStorage.setItem('pai:stored-test', {json.dumps(stored)}); sessionStorage.setItem('seeded', '1'); }}")
        page.goto(url + "index.html")
        page.wait_for_selector("body[data-ready='1']")
        status = page.locator(".pai-messages[role=status] .pai-message")
        status.wait_for()
        message = status.inner_text()
        assert "kept" in message and "rubric 1.0" in message and "please answer the" in message
        saved = page.evaluate("JSON.parse(localStorage.getItem('pai:stored-test')).values.assessment")
        doc, notes = migrate(json.loads(json.dumps(draft)))
        assert saved == {**doc, "migrations": notes}
        # The page scores the migrated answers (scoring.js) as Python does.
        assert page.evaluate("window.__model.get('score')") == score_plan(saved).to_dict()
        assert page.evaluate("window.__model.get('host_error')") is None
        # The migrated answers are on the form, and a reload does not migrate again.
        assert page.locator("fieldset[data-criterion='accountable-decision-holder'] > .pai-levels input:checked").count() == 1
        page.reload()
        page.wait_for_selector("body[data-ready='1']")
        page.wait_for_timeout(200)
        assert "rubric 1.0" not in page.locator(".pai-messages[role=status]").inner_text()
        assert page.evaluate("JSON.parse(localStorage.getItem('pai:stored-test')).values.assessment") == saved
        assert page.pai_page_errors == []
