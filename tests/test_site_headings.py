"""Heading levels never skip, on any page and in every front-end once it shows its results.

axe-core's `heading-order` rule (a moderate finding, which the page-by-page axe check in
test_site_reading.py reports apart from the serious and critical ones) once failed on the vendor checklist ("All vendors side by side"
was an h4 under an h2) and on the assessment pages (theme headings were h3 under the page's h1).
Each front-end now takes its heading levels from the section it is mounted in
(`headingLevelBelow` in widgets/static/lib/dom.js); here the rule runs, at every impact, on the pages
whose front-ends add headings when used. On every page as it loads, the rule runs in
tests/test_site_reading.py, in the same axe-core run as the page's other accessibility checks (one
visit per page).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin

import pytest

from site_pages import ROOT, outline
from widgets._assessment import load_assessment

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
EXAMPLES = ROOT / "widgets" / "examples"


def _open(new_page, server_url, built_site, docname, **options):
    if not (built_site / f"{docname}.html").exists():
        pytest.skip(f"{docname} is not in this build")
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    page = new_page(viewport={"width": 1280, "height": 900}, **options)
    page.goto(urljoin(server_url, f"{docname}.html"), wait_until="load")
    page.wait_for_load_state("networkidle")
    for tool in page.locator("div.pai-widget[data-module]").all():
        tool.evaluate("el => el.dataset.paiMounted || new Promise(done => el.addEventListener('pai-widget-ready', done, {once: true}))")
    return page


def heading_order_problems(page) -> list[str]:
    """axe-core's heading-order findings on the page as it is now, whatever their impact."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['heading-order']})).violations"
        ".flatMap(v => v.nodes.map(n => `${v.impact}: ${n.target.join(' ')} ${n.html.slice(0, 90)}`))")


@pytest.mark.parametrize("docname", ["book/selfassessment/02-short-assessment", "book/selfassessment/03-full-assessment"])
def test_assessment_result_and_print_view_keep_the_outline(docname, server_url, built_site, new_page, tmp_path):
    page = _open(new_page, server_url, built_site, docname)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(load_assessment(EXAMPLES / "participation-washing.yaml").to_dict()))
    page.locator("input[type=file]").set_input_files(str(path))
    page.wait_for_selector(".pai-result .pai-flags")
    assert heading_order_problems(page) == [], outline(page)
    # Themes and the result are siblings one level below the page title; the result's parts below them.
    levels = page.evaluate("() => ({title: document.querySelector('main h1').tagName,"
                           " theme: document.querySelector('.pai-theme-title').tagName,"
                           " result: document.querySelector('.pai-result-title').tagName,"
                           " part: document.querySelector('.pai-result .pai-part-title').tagName})")
    assert levels == {"title": "H1", "theme": "H2", "result": "H2", "part": "H3"}, levels
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert heading_order_problems(page) == [], outline(page)


def test_vendor_checklist_with_vendors_keeps_the_outline(server_url, built_site, new_page):
    page = _open(new_page, server_url, built_site, "book/supplychain/04-vendor-engagement")
    tool = page.locator(".pai-vendor")
    for name in ["Vendor A", "Vendor B"]:
        tool.get_by_label("New vendor name").fill(name)
        tool.get_by_label("New vendor name").press("Enter")
    assert heading_order_problems(page) == [], outline(page)
    # The comparison heading sits one level below the section the checklist is in.
    section, compare = page.evaluate(
        "() => { const w = document.querySelector('.pai-vendor');"
        " const hs = [...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')];"
        " const before = hs.filter(h => !w.contains(h) && (h.compareDocumentPosition(w) & Node.DOCUMENT_POSITION_FOLLOWING)).pop();"
        " const mine = [...w.querySelectorAll('h1, h2, h3, h4, h5, h6')].find(h => h.textContent.includes('side by side'));"
        " return [before.tagName, mine.tagName]; }")
    assert int(compare[1]) == int(section[1]) + 1, (section, compare)


def test_pay_calculator_chart_keeps_the_outline(server_url, built_site, new_page):
    page = _open(new_page, server_url, built_site, "book/supplychain/03-living-wage-pay")
    tool = page.locator(".pai-paycalc")
    tool.get_by_label("Pay model").select_option("per_task")
    fill = {"Pay per task or per hour": "0.5", "Real minutes per task": "2", "Number of tasks per worker": "600",
            "Currency code": "eur", "Living wage per hour where the worker lives": "12"}
    for label, value in fill.items():
        tool.get_by_label(label, exact=True).fill(value)
    tool.locator("svg[role=img]").wait_for()
    assert heading_order_problems(page) == [], outline(page)


def test_groups_and_room_results_keep_the_outline(server_url, built_site, new_page, tmp_path):
    page = _open(new_page, server_url, built_site, "book/workshops/02-roles-and-groups")
    roster = "name,role,organisation,viewpoint\n" + "".join(f"P{i},{['eng', 'design'][i % 2]},org{i % 3},\n" for i in range(12))
    page.locator(".pai-groups-roster").fill(roster)
    page.get_by_role("button", name="Form groups").click()
    page.wait_for_selector("ul.pai-group")
    assert heading_order_problems(page) == [], outline(page)

    page = _open(new_page, server_url, built_site, "book/workshops/05-room-view")
    paths = []
    for example in sorted(EXAMPLES.glob("*.yaml")):
        paths.append(tmp_path / f"{example.stem}.json")
        paths[-1].write_text(json.dumps(load_assessment(example).to_dict()))
    page.locator(".pai-room input[type=file]:not([webkitdirectory])").set_input_files([str(p) for p in paths])
    page.wait_for_selector(".pai-room-heatmap")
    assert heading_order_problems(page) == [], outline(page)
