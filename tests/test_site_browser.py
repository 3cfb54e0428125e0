"""Open every page of the built site in headless Chromium, as a reader with no network would.

For each page in _toc.yml: no request leaves 127.0.0.1, no local request fails,
no JavaScript error, every Altair chart is drawn, every formula is typeset,
every ipywidget renders, and every tool of ours starts and shows no stray
``null``/``undefined``/``NaN``. The sidebar navigation must reach every page. A
screenshot of each page is saved in test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urldefrag

import pytest

from site_pages import toc_docnames

pytestmark = pytest.mark.browser

#: Console errors known to be harmless, each with the reason. Keep this short.
KNOWN_HARMLESS_CONSOLE_ERRORS: list[tuple[str, str]] = [
    (
        r"^Got invalid theme mode: \. Resetting to auto\.$",
        "pydata-sphinx-theme logs this on a first visit, before the reader has chosen light or "
        "dark mode; it then follows the system setting. Nothing fails.",
    ),
]

PAGES = toc_docnames()


def _slug(docname: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", docname).strip("-")


def _visit(new_page, url: str):
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page


@pytest.mark.parametrize("docname", PAGES)
def test_page_works_offline(docname, server_url, new_page, artifacts):
    page = _visit(new_page, urljoin(server_url, f"{docname}.html"))

    charts = page.locator(".pai-vega-chart")
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.locator("svg").first.wait_for(timeout=15000)
        marks = chart.locator("svg g[class*='mark-'] > *").count()
        assert marks > 0, f"Chart {i} on {docname} has an SVG but no marks"
        assert chart.get_attribute("aria-label"), f"Chart {i} on {docname} has no alt text"

    if page.locator("span.math, div.math").count():
        page.locator("mjx-container").first.wait_for(timeout=15000)

    widget_views = page.locator("script[type='application/vnd.jupyter.widget-view+json']")
    if widget_views.count():
        page.locator(".jupyter-widgets, .widget-tab, .widget-box").first.wait_for(timeout=15000)

    tools = page.locator("div.pai-widget[data-module]")
    for i in range(tools.count()):
        tool = tools.nth(i)
        tool.evaluate(
            "el => el.dataset.paiMounted === 'ready' || el.dataset.paiMounted === 'failed' || "
            "new Promise(done => el.addEventListener('pai-widget-ready', done, {once: true}))"
        )
        assert tool.get_attribute("data-pai-mounted") == "ready", f"Widget {i} on {docname} did not start"
        leaked = re.findall(r"\b(?:null|undefined|NaN)\b", tool.inner_text())
        assert not leaked, f"Widget {i} on {docname} shows programming values to readers: {leaked}"

    shots = artifacts / "screenshots"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / f"{_slug(docname)}.png"), full_page=False)

    errors = [
        e for e in page.pai_console_errors + page.pai_page_errors
        if not any(re.search(pattern, e) for pattern, _ in KNOWN_HARMLESS_CONSOLE_ERRORS)
    ]
    assert page.pai_external_requests == [], f"{docname} asked the network for: {page.pai_external_requests}"
    assert page.pai_failed_requests == [], f"{docname} had failed requests: {page.pai_failed_requests}"
    assert errors == [], f"{docname} had JavaScript errors: {errors}"


def test_navigation_reaches_every_page(server_url, new_page):
    page = new_page()
    seen: set[str] = set()
    queue = deque([urljoin(server_url, "book/index.html")])
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        page.goto(url, wait_until="domcontentloaded")
        hrefs = page.eval_on_selector_all(
            "nav.bd-docs-nav a.reference.internal, .bd-sidenav a.reference.internal",
            "els => els.map(a => a.href)",
        )
        for href in hrefs:
            target = urldefrag(href)[0]
            if target.startswith(server_url) and target not in seen:
                queue.append(target)
    reached = {u[len(server_url):].removesuffix(".html") for u in seen}
    missing = [d for d in PAGES if d not in reached]
    assert not missing, f"The navigation never reaches: {missing}"


def test_search_works_offline(server_url, new_page):
    page = new_page()
    page.goto(urljoin(server_url, "search.html?q=participation"), wait_until="load")
    page.locator("#search-results li").first.wait_for(timeout=15000)
    assert page.locator("#search-results li").count() > 0
    assert page.pai_external_requests == []


def test_notebook_pages_offer_launch_and_download(server_url, new_page, built_site):
    notebook_pages = [d for d in PAGES if (built_site / "_sources" / f"{d}.ipynb").exists()]
    if not notebook_pages:
        pytest.skip("No notebook pages yet")
    page = new_page()
    page.goto(urljoin(server_url, f"{notebook_pages[0]}.html"), wait_until="load")
    html = page.content()
    assert "mybinder.org" in html, "Binder launch button missing"
    assert "colab.research.google.com" in html, "Colab launch button missing"
    assert ".ipynb" in html, ".ipynb download missing"
