"""The "part of level 2 is already in place" box, used as a practitioner would, in headless Chromium.

On the built site (scored by scoring.js): a question answered at level 1 by keyboard, the box
ticked, its red flag moving from the red flags to "Partly in place", the tick saved in the browser
and in the downloaded file, found again after a reload and after an upload; unticked, the flag is
back; at level 2 the box is hidden and the file holds no tick, and back at level 1 the tick is
given back. In the notebook's bundle (scored by the Python widget): a group's row gets its own box.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import serve_folder
from kernel_host import harness_page, open_with_kernel

from widgets import AssessmentWidget
from widgets._reports import ui_labels
from widgets._scoring import load_rubric, score_plan

from test_assessment_reading import FULL, open_page, upload

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
QUESTION = "report-back"
FLAG = "no-report-back"


def _spared_at_one(cid: str) -> set:
    c = load_rubric().by_id[cid]
    return set(c.flags_at(1)) - set(c.flags_at(2))


def _question(page, cid=QUESTION):
    return page.locator(f"fieldset[data-criterion='{cid}']")


def _radio(page, level, cid=QUESTION):
    return _question(page, cid).locator(f":scope > .pai-levels input[value='{level}']")


def _box(page, cid=QUESTION):
    return _question(page, cid).locator(":scope > .pai-levels > .pai-partial")


def _raised(page, flag=FLAG):
    return page.locator(f".pai-result .pai-flags li[data-flag='{flag}']")


def _spared(page, flag=FLAG):
    return page.locator(f".pai-result .pai-partly strong[data-spared='{flag}']")


def _download(page, tmp_path, name):
    with page.expect_download() as info:
        page.locator(".pai-download").click()
    path = tmp_path / name
    info.value.save_as(path)
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_box_spares_the_flag_is_saved_reloaded_and_hidden_at_another_level(new_page, server_url, built_site, tmp_path):
    assert FLAG in _spared_at_one(QUESTION), "the rubric no longer raises this flag at level 1 only: pick another question"
    labels = ui_labels()["partial"]
    page = open_page(new_page, server_url, built_site, FULL)
    # Level 1 by keyboard: the flag is raised, and the box appears under the levels, unticked.
    assert _box(page).is_hidden()
    _radio(page, 1).focus()
    page.keyboard.press("Space")
    _raised(page).wait_for()
    box = _box(page).locator("input[type=checkbox]")
    assert _box(page).is_visible() and not box.is_checked()
    assert labels["label"] in _box(page).inner_text() and labels["hint"] in _box(page).inner_text()
    # Announced: its name says which question it belongs to, its description is the hint.
    question = load_rubric().by_id[QUESTION].question
    name = box.evaluate("(e) => e.labels[0].textContent")
    assert labels["label"] in name and question in name
    assert box.evaluate("(e) => document.getElementById(e.getAttribute('aria-describedby')).textContent") == labels["hint"]
    # Tab from the level goes to the box; Space ticks it; a focus ring shows where the focus is.
    page.keyboard.press("Tab")
    assert box.evaluate("(e) => e === document.activeElement")
    ring = box.evaluate("(e) => { const s = getComputedStyle(e); return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
    assert ring[0] == "solid" and ring[1] >= 2, ring
    page.keyboard.press("Space")
    assert box.is_checked()
    # The flag moves from the red flags to "Partly in place", with the level-2 step as the next step.
    _spared(page).wait_for()
    assert _raised(page).count() == 0
    partly = page.locator(f".pai-result .pai-partly li[data-criterion='{QUESTION}']")
    c = load_rubric().by_id[QUESTION]
    assert "a reviewer should check" in partly.inner_text()
    assert " ".join(c.levels[2].split()) in " ".join(partly.inner_text().split())
    # axe-core on the form with the box shown and ticked, and on the result listing it.
    if AXE.exists():
        page.add_script_tag(path=str(AXE))
        found = page.evaluate("async () => (await axe.run(document.querySelector('.pai-widget'), {resultTypes: ['violations']}))"
                              ".violations.map(v => [v.id, v.impact, v.nodes.length])")
        assert found == [], found
    # Saved in the file, and found again after a reload.
    saved = _download(page, tmp_path, "ticked.json")
    assert saved["answers"][QUESTION]["level"] == 1 and saved["answers"][QUESTION]["partial"] is True
    page.reload()
    page.wait_for_selector(".pai-widget[data-pai-mounted=ready]", timeout=15000)
    assert _box(page).locator("input[type=checkbox]").is_checked()
    _spared(page).wait_for()
    assert _raised(page).count() == 0
    # Unticked: the flag is back among the red flags, and "Partly in place" is gone.
    box = _box(page).locator("input[type=checkbox]")
    box.focus()
    page.keyboard.press("Space")
    _raised(page).wait_for()
    assert _spared(page).count() == 0
    assert "partial" not in _download(page, tmp_path, "unticked.json")["answers"][QUESTION]
    # Ticked again, then level 2: the box is hidden and the file holds no tick ...
    box.focus()
    page.keyboard.press("Space")
    _spared(page).wait_for()
    _radio(page, 1).focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_function("(id) => document.querySelector(`fieldset[data-criterion='${id}'] > .pai-levels input[value='2']`).checked",
                           arg=QUESTION)
    assert _box(page).is_hidden()
    assert _download(page, tmp_path, "level-2.json")["answers"][QUESTION] == {"level": 2}
    assert _spared(page).count() == 0 and _raised(page).count() == 0
    # ... and back at level 1 the tick is given back (hidden, not lost).
    _radio(page, 2).focus()
    page.keyboard.press("ArrowUp")
    _spared(page).wait_for()
    assert _box(page).is_visible() and _box(page).locator("input[type=checkbox]").is_checked()
    # Start over, then upload the ticked file: the tick comes back from the file.
    page.once("dialog", lambda d: d.accept())
    page.locator(".pai-start-over").click()
    page.wait_for_function("(id) => !document.querySelector(`fieldset[data-criterion='${id}'] input[value='1']`).checked", arg=QUESTION)
    assert _box(page).is_hidden()
    # (The page refuses a file whose plan fields are empty, as Python does: fill them in first.)
    rubric = load_rubric()
    complete = {**saved, "team": "Harbour council", "product": "Permit triage",
                "model_type": rubric.model_type_ids[0], "lifecycle_stage": rubric.stage_ids[0]}
    (tmp_path / "complete.json").write_text(json.dumps(complete), encoding="utf-8")
    upload(page, tmp_path / "complete.json")
    _spared(page).wait_for()
    assert _box(page).locator("input[type=checkbox]").is_checked()
    assert page.pai_page_errors == []


@pytest.fixture(scope="module")
def notebook_harness(tmp_path_factory):
    """What a notebook loads: the bundled module (make bundles) and its stylesheet."""
    root = tmp_path_factory.mktemp("partial-kernel-host")
    shutil.copy2(ROOT / "widgets" / "bundles" / "assessment.js", root / "assessment.js")
    shutil.copy2(ROOT / "widgets" / "static" / "assessment.css", root / "assessment.css")
    (root / "index.html").write_text(harness_page(), encoding="utf-8")
    with serve_folder(root) as url:
        yield url + "index.html"


def test_a_groups_row_gets_its_own_box_in_the_notebook_and_python_scores_it(new_page, notebook_harness):
    w = AssessmentWidget(headless=True)
    w.assessment = {**w.assessment, "groups": [{"id": "panel", "label": "Residents' panel", "role": "governance"},
                                               {"id": "visitors", "label": "Drop-in <visitors>", "role": "participants"}]}
    page = open_with_kernel(new_page, notebook_harness, w, viewport={"width": 1280, "height": 900})
    q = _question(page)
    differs = q.locator("input[type=checkbox][id$='-differs']")
    differs.focus()
    page.keyboard.press("Space")
    panel = q.locator("fieldset.pai-group-answer[data-group='panel']")
    visitors = q.locator("fieldset.pai-group-answer[data-group='visitors']")
    panel.locator("input[value='0']").focus()
    page.keyboard.press("Space")
    visitors.locator("input[value='1']").focus()
    page.keyboard.press("Space")
    page.wait_for_function("(id) => window.__model.get('assessment').answers[id]?.by_group?.visitors?.level === 1", arg=QUESTION)
    # Only the row at level 1 shows a box; its name says the group and the question.
    assert panel.locator(".pai-partial").is_hidden()
    box = visitors.locator(".pai-partial input[type=checkbox]")
    assert box.is_visible()
    name = box.evaluate("(e) => e.labels[0].textContent")
    assert "Drop-in <visitors>" in name and load_rubric().by_id[QUESTION].question in name
    page.keyboard.press("Tab")
    assert box.evaluate("(e) => e === document.activeElement")
    page.keyboard.press("Space")
    page.wait_for_function("(id) => window.__model.get('assessment').answers[id].by_group.visitors.partial === true", arg=QUESTION)
    page.wait_for_function("() => document.querySelector('.pai-result .pai-partly li') !== null")
    # The kernel holds the tick and scores it with the reference scorer; the page shows that score.
    assert w.assessment["answers"][QUESTION]["by_group"]["visitors"] == {"level": 1, "partial": True}
    assert w.score == score_plan(w.assessment).to_dict()
    entries = w.score["partly_met"]
    assert [(x["criterion"], x["group"]) for x in entries] == [(QUESTION, "visitors")]
    item = page.locator(f".pai-result .pai-partly li[data-criterion='{QUESTION}'][data-group='visitors']")
    assert "Drop-in <visitors>" in item.inner_text()
    assert item.locator("strong[data-spared]").count() == len(entries[0]["flags"])
    # The other group's answer still raises the flag for that group.
    assert FLAG in [f["id"] for f in w.score["red_flags"]]
    # The answers-per-group table shows "1, part of 2" for the ticked row only.
    cells = page.locator(".pai-groups-levels td").all_text_contents()
    assert any(t.startswith("1, part of 2") for t in cells) and any(t.startswith("0 ") for t in cells)
    # Level 2 for the row: its box hides, and the file the kernel holds has no tick.
    visitors.locator("input[value='1']").focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_function("(id) => window.__model.get('assessment').answers[id].by_group.visitors.level === 2", arg=QUESTION)
    page.wait_for_function("() => window.__syncs >= 1 && !document.querySelector('.pai-result .pai-partly li')")
    assert visitors.locator(".pai-partial").is_hidden()
    assert w.assessment["answers"][QUESTION]["by_group"]["visitors"] == {"level": 2}
    assert w.score["partly_met"] == []
    assert page.pai_page_errors == []
