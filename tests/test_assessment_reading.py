"""The self-assessment as a practitioner meets it, on the built static site (headless Chromium).

Each test names a way the page once misled its reader: a short file uploaded on the full page
scored as the short one (progress and result disagreeing, also after a reload and in the saved
file); the text "null" in the result panel; next steps that ignored the level an answer reached;
"1 red flags"; a YAML file refused although the example plans are YAML; an old "Loaded" message
left above a new error.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from widgets._assessment import load_assessment
from widgets._scoring import load_rubric

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SHORT = "book/selfassessment/02-short-assessment.html"
FULL = "book/selfassessment/03-full-assessment.html"
EXAMPLES = ROOT / "widgets" / "examples"
PROGRAMMER_VALUES = re.compile(r"\b(?:null|undefined|NaN)\b")


def open_page(new_page, server_url, built_site, path, **options):
    if not (built_site / path).exists():
        pytest.skip(f"{path} is not in this build")
    page = new_page(accept_downloads=True, viewport={"width": 1280, "height": 900}, **options)
    page.goto(server_url + path)
    page.wait_for_selector(".pai-widget[data-pai-mounted=ready]", timeout=15000)
    return page


def upload(page, path):
    page.locator("input[type=file]").set_input_files(str(path))
    page.wait_for_timeout(300)


def short_file(tmp_path) -> Path:
    """An example plan cut to the short questions and saved as the short page saves it."""
    data = load_assessment(EXAMPLES / "community-led.yaml").to_dict()
    short_ids = {c.id for c in load_rubric().criteria if c.short}
    data["scope"] = "short"
    data["answers"] = {k: v for k, v in data["answers"].items() if k in short_ids}
    path = tmp_path / "short.json"
    path.write_text(json.dumps(data))
    return path


def answered_in_result(page) -> tuple[int, int]:
    live = page.locator(".pai-result .pai-live").text_content()
    found = re.search(r"(\d+) of (\d+) answered", live)
    assert found, live
    return int(found.group(1)), int(found.group(2))


def test_short_file_on_the_full_page_continues_as_the_full_assessment(new_page, server_url, built_site, tmp_path):
    page = open_page(new_page, server_url, built_site, FULL)
    upload(page, short_file(tmp_path))
    status = page.locator(".pai-messages[role=status]").inner_text()
    assert "continues as the full one" in status, status
    n_full = len(load_rubric().criteria)
    answered, in_scope = answered_in_result(page)
    assert in_scope == n_full, f"the result counts {in_scope} questions, the page shows {n_full}"
    # Answer one more question: the result moves with the progress.
    unanswered = page.locator("fieldset.pai-criterion:not(:has(input[type=radio]:checked))").first
    unanswered.locator("input[type=radio]").nth(3).check()
    page.wait_for_timeout(200)
    assert answered_in_result(page) == (answered + 1, n_full)
    page.reload()
    page.wait_for_selector(".pai-widget[data-pai-mounted=ready]")
    assert answered_in_result(page) == (answered + 1, n_full)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download assessment file").click()
    saved = json.loads(Path(info.value.path()).read_text())
    assert saved["scope"] == "full"


def test_result_print_and_report_show_no_programmer_values(new_page, server_url, built_site, tmp_path):
    page = open_page(new_page, server_url, built_site, FULL)
    upload(page, EXAMPLES / "community-led.yaml")  # every guardrail question answered: no unconfirmed flags
    assert "Loaded" in page.locator(".pai-messages[role=status]").inner_text()
    result = page.locator(".pai-result").inner_text()
    assert not PROGRAMMER_VALUES.search(result), PROGRAMMER_VALUES.findall(result)
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    printed = page.locator(".pai-print-view").inner_text()
    assert printed.strip() and not PROGRAMMER_VALUES.search(printed)
    page.emulate_media(media="screen")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download report (Markdown)").click()
    report = Path(info.value.path()).read_text()
    assert not PROGRAMMER_VALUES.search(report)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download assessment file").click()
    assert not PROGRAMMER_VALUES.search(Path(info.value.path()).read_text().replace('"model_type": null', ""))


def test_next_steps_start_from_the_level_reached(new_page, server_url, built_site, tmp_path):
    rubric = load_rubric()
    plan = load_assessment(EXAMPLES / "inform-only.yaml").to_dict()
    at_two = next(c for c in rubric.criteria if c.short and plan["answers"].get(c.id, {}).get("level") == 2)
    page = open_page(new_page, server_url, built_site, SHORT)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    upload(page, path)
    more = page.locator(".pai-result details.pai-more-steps")
    if more.count():
        more.locator("summary").click()
    step = page.locator(f".pai-result li[data-criterion='{at_two.id}']")
    if step.count():
        text = step.inner_text()
        assert at_two.action not in text, f"a question at level 2 is given the level-0 step: {text}"
        assert "to level 3" in text
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert at_two.action not in page.locator(".pai-print-view").inner_text()
    page.emulate_media(media="screen")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download report (Markdown)").click()
    report = Path(info.value.path()).read_text()
    line = next(l for l in report.splitlines() if at_two.question.split()[0] in l and "from level 2 to 3" in l)
    assert at_two.action not in line


def test_yaml_upload_is_read_and_duplicate_keys_refused(new_page, server_url, built_site, tmp_path):
    page = open_page(new_page, server_url, built_site, SHORT)
    upload(page, EXAMPLES / "inform-only.yaml")
    assert "Loaded" in page.locator(".pai-messages[role=status]").inner_text()
    team = yaml.safe_load((EXAMPLES / "inform-only.yaml").read_text())["team"]
    assert page.locator("input[id$='-team']").input_value() == team
    twice = tmp_path / "twice.yaml"
    twice.write_text((EXAMPLES / "inform-only.yaml").read_text() + "\nteam: Someone else\n")
    upload(page, twice)
    alert = page.locator(".pai-messages[role=alert]").inner_text()
    assert "given twice" in alert and "unchanged" in alert
    # The old "Loaded" message does not stay above the new error.
    assert "Loaded" not in page.locator(".pai-messages[role=status]").inner_text()
    assert page.locator("input[id$='-team']").input_value() == team


def test_live_summary_says_1_red_flag(new_page, server_url, built_site, tmp_path):
    plan = load_assessment(EXAMPLES / "community-led.yaml").to_dict()
    plan["answers"]["early-start"] = {"level": 0}  # raises exactly one red flag
    path = tmp_path / "one-flag.json"
    path.write_text(json.dumps(plan))
    page = open_page(new_page, server_url, built_site, FULL)
    upload(page, path)
    assert page.locator(".pai-result .pai-flags li[data-flag]").count() == 1
    live = page.locator(".pai-result .pai-live").text_content()
    assert "1 red flag." in live and "1 red flags" not in live, live


# The element the reader would hit at the centre of the first element matching a selector, when it
# is neither that element nor inside it (None when nothing covers it).
COVERED_JS = """(selector) => {
  const target = document.querySelector(selector); const box = target.getBoundingClientRect();
  const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
  return hit && !target.contains(hit) ? `${hit.tagName.toLowerCase()}.${hit.className}` : null;
}"""


def test_layout_uses_the_page_and_keeps_the_result_in_reach(new_page, server_url, built_site, tmp_path):
    page = open_page(new_page, server_url, built_site, FULL)
    upload(page, EXAMPLES / "inform-only.yaml")
    themes = page.locator(".pai-theme").count()
    assert page.get_by_text("Why this matters:").count() == themes, "'Why this matters' should appear once per theme"
    # Scrolled deep into the questions, the summary is still on screen and links to the full result.
    page.locator(".pai-criterion").nth(30).scroll_into_view_if_needed()
    bar = page.locator(".pai-summary-bar")
    box = bar.bounding_box()
    assert box and 0 <= box["y"] < 900, "the result summary scrolled out of reach"
    assert "red flag" in bar.inner_text()
    # Nothing covers it: the theme's sticky article header once sat over the bar, so a reader saw
    # no summary at all and a click landed on the header.
    covered = page.evaluate(COVERED_JS, ".pai-summary-bar-link")
    assert not covered, f"the summary bar's link is covered by {covered}"
    bar.get_by_role("link", name="See the full result").click()
    page.wait_for_function(
        "() => { const r = document.querySelector('.pai-result h2').getBoundingClientRect();"
        " return r.top >= 0 && r.top < innerHeight; }"
    )
    labels = page.evaluate("""() => [...document.querySelectorAll('.pai-chart svg text')].map(t => {
        const svg = t.ownerSVGElement; const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return parseFloat(getComputedStyle(t).fontSize) * scale; })""")
    assert labels and min(labels) >= 12 - 0.01, f"chart labels at {min(labels):.1f} px"


def test_on_a_phone_a_result_button_is_always_on_screen(new_page, server_url, built_site):
    page = open_page(new_page, server_url, built_site, SHORT, )
    page.set_viewport_size({"width": 390, "height": 800})
    page.locator(".pai-criterion").nth(8).scroll_into_view_if_needed()
    link = page.locator(".pai-summary-bar").get_by_role("link")
    box = link.bounding_box()
    assert box and box["y"] + box["height"] <= 800 and box["y"] > 500, box
    link.click()
    page.wait_for_timeout(300)
    assert 0 <= page.locator(".pai-result h2").bounding_box()["y"] < 800
