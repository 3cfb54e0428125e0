"""The self-assessment on the built static site, in headless Chromium (no kernel).

Needs the site built (`make book`, or a private build named by PAI_SITE_DIR); skips with the
reason otherwise (see tests/conftest.py). Covers: keyboard-only filling, autosave across a
reload, download scored identically by Python, malformed upload refused with answers kept,
hostile text shown as text (page, report, print view), axe-core, phone width and 200% zoom.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from widgets._assessment import load_assessment
from widgets._scoring import load_rubric, score_plan

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHORT = "book/selfassessment/02-short-assessment.html"
FULL = "book/selfassessment/03-full-assessment.html"
NOTEBOOK = "book/selfassessment/04-assessment-in-a-notebook.html"
HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


def open_page(new_page, server_url, built_site, path, **options):
    if not (built_site / path).exists():
        pytest.skip(f"{path} is not in this build")
    page = new_page(accept_downloads=True, **options)
    page.goto(server_url + path)
    page.wait_for_selector(".pai-widget[data-pai-mounted=ready]", timeout=15000)
    return page


def assert_clean(page):
    assert page.pai_external_requests == []
    assert page.pai_page_errors == []
    assert [e for e in page.pai_console_errors if "widgets/" in e or "pai" in e.lower()] == []
    assert [r for r in page.pai_failed_requests if "_static/widgets" in r] == []


def shown_score(page) -> dict:
    return {
        "band": page.locator(".pai-result .pai-band-title").get_attribute("data-band"),
        "points": page.locator(".pai-result .pai-points").inner_text(),
        "flags": sorted(page.locator(".pai-result .pai-flags li[data-flag]").evaluate_all("els => els.map(e => e.dataset.flag)")),
    }


def test_keyboard_fill_reload_download_and_python_agrees(new_page, server_url, built_site, tmp_path):
    page = open_page(new_page, server_url, built_site, SHORT)
    # Plan fields by keyboard.
    page.locator("input[id$='-team']").focus()
    page.keyboard.type("Team " + HOSTILE)
    page.keyboard.press("Tab")
    page.keyboard.type("Library search")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # model type: first option
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # lifecycle stage: first option
    # Every question by keyboard: focus the first radio of each group, arrow to a level.
    groups = page.locator("fieldset.pai-criterion")
    n = groups.count()
    assert n == sum(1 for c in load_rubric().criteria if c.short)
    for i in range(n):
        first = groups.nth(i).locator("input[type=radio]").first
        first.focus()
        page.keyboard.press("Space")  # level 0
        for _ in range(i % 4):
            page.keyboard.press("ArrowDown")  # levels 1-3 by arrow keys
    evidence = groups.nth(0).locator("textarea").first
    groups.nth(0).locator("summary").focus()
    page.keyboard.press("Enter")
    evidence.focus()
    page.keyboard.type(HOSTILE)
    page.wait_for_timeout(50)
    before = shown_score(page)
    answered = page.locator("fieldset.pai-criterion input[type=radio]:checked").evaluate_all("els => els.map(e => e.id)")
    assert len(answered) == n

    page.reload()
    page.wait_for_selector(".pai-widget[data-pai-mounted=ready]")
    assert page.locator("fieldset.pai-criterion input[type=radio]:checked").evaluate_all("els => els.map(e => e.id)") == answered
    assert page.locator("input[id$='-team']").input_value() == "Team " + HOSTILE
    assert groups.nth(0).locator("textarea").first.input_value() == HOSTILE
    assert shown_score(page) == before
    # Hostile text stayed text.
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".pai-assessment img, .pai-assessment script").count() == 0

    with page.expect_download() as info:
        page.get_by_role("button", name="Download assessment file").click()
    saved = tmp_path / "plan.json"
    info.value.save_as(saved)
    data = json.loads(saved.read_text())
    score = score_plan(load_assessment(saved)).to_dict()  # the Python reference scorer
    assert data["scope"] == "short"
    assert score["band"]["id"] == before["band"]
    assert f"{score['overall']['earned']} of {score['overall']['answered_max']}" in before["points"]
    assert sorted(f["id"] for f in score["red_flags"]) == before["flags"]

    # Markdown report and print view: user text escaped / as text.
    with page.expect_download() as info:
        page.get_by_role("button", name="Download report (Markdown)").click()
    report = Path(info.value.path()).read_text()
    assert "<img" not in report and "<script" not in report and "&lt;img" in report
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator(".pai-print-view").is_visible()
    assert HOSTILE in page.locator(".pai-print-view").inner_text()
    assert page.locator(".pai-print-view img, .pai-print-view script").count() == 0
    assert_clean(page)


def test_malformed_upload_is_refused_and_answers_kept(new_page, server_url, built_site, tmp_path):
    page = open_page(new_page, server_url, built_site, SHORT)
    page.locator("fieldset.pai-criterion input[type=radio]").nth(2).check()
    before = page.locator("input[type=radio]:checked").evaluate_all("els => els.map(e => e.id)")
    cases = {
        "not-json.json": ("{ this is not json", "not valid JSON"),
        "wrong.json": (json.dumps({"hello": 1}), "format"),
        "bad-level.json": (json.dumps({"format": "pai-assessment", "format_version": 1,
                                       "rubric": {"id": "engagement-plan", "version": load_rubric().version},
                                       "answers": {"early-start": {"level": 7}, "typo-id": {"level": 1}}}),
                           "answers.early-start.level"),
        # Rubric 0.9 and 1.0 files are migrated in the page (tests/test_assessment_migrate.py); a
        # version with no migration path is refused with Python's message.
        "old.json": (json.dumps({"format": "pai-assessment", "format_version": 1,
                                 "rubric": {"id": "engagement-plan", "version": "0.5"}, "answers": {}}),
                     "a version this toolkit can read or migrate"),
    }
    for name, (content, expected) in cases.items():
        path = tmp_path / name
        path.write_text(content)
        page.locator("input[type=file]").set_input_files(str(path))
        alert = page.locator(".pai-messages[role=alert] .pai-error")
        alert.wait_for()
        assert expected in alert.inner_text()
        assert "unchanged" in alert.inner_text()
        assert page.locator("input[type=radio]:checked").evaluate_all("els => els.map(e => e.id)") == before
    # A good file (an example plan, as Python saves it) loads.
    good = tmp_path / "good.json"
    good.write_text(json.dumps(load_assessment(ROOT / "widgets/examples/inform-only.yaml").to_dict()))
    page.locator("input[type=file]").set_input_files(str(good))
    page.locator(".pai-messages[role=status] .pai-message").wait_for()
    assert "Loaded" in page.locator(".pai-messages[role=status]").inner_text()
    page.reload()
    page.wait_for_selector(".pai-widget[data-pai-mounted=ready]")
    assert page.locator("input[id$='-team']").input_value() == load_assessment(good).team
    assert_clean(page)


@pytest.mark.parametrize("path, theme", [(SHORT, "light"), (FULL, "light"), (NOTEBOOK, "light"), (FULL, "dark")])
def test_axe_no_serious_or_critical_violations(new_page, server_url, built_site, path, theme):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    page = open_page(new_page, server_url, built_site, path)
    page.evaluate("(t) => { document.documentElement.dataset.theme = t; document.documentElement.dataset.mode = t; }", theme)
    page.locator("fieldset.pai-criterion input[type=radio]").first.check()
    page.locator("fieldset.pai-criterion details summary").first.click()  # evidence fields open
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document.querySelector('.pai-widget'), {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], len(v["nodes"])) for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == []
    assert_clean(page)


@pytest.mark.parametrize("viewport", [{"width": 360, "height": 740}, {"width": 640, "height": 400}],
                         ids=["phone", "zoom-200"])
def test_fits_phone_width_and_200_percent_zoom(new_page, server_url, built_site, viewport):
    # 200% zoom of a 1280x800 window is a 640x400 CSS-pixel viewport.
    page = open_page(new_page, server_url, built_site, FULL, viewport=viewport)
    overflow = page.evaluate(
        "() => [...document.querySelectorAll('.pai-assessment, .pai-assessment fieldset, .pai-result')]"
        ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.className)"
    )
    assert overflow == []
    radio = page.locator("fieldset.pai-criterion input[type=radio]").first
    radio.focus()
    page.keyboard.press("Space")
    assert radio.is_checked()
    outline = page.evaluate(
        "() => getComputedStyle(document.activeElement.closest('label')).outlineStyle"
    )
    assert outline != "none"  # visible focus on the chosen level


def test_each_page_keeps_its_own_answers(new_page, server_url, built_site):
    page = open_page(new_page, server_url, built_site, SHORT)
    page.locator("fieldset.pai-criterion input[type=radio]").nth(1).check()
    page.goto(server_url + FULL)
    page.wait_for_selector(".pai-widget[data-pai-mounted=ready]")
    assert page.locator("fieldset.pai-criterion input[type=radio]:checked").count() == 0  # the context questions show their defaults
    assert page.locator("fieldset.pai-criterion").count() == len(load_rubric().criteria)
