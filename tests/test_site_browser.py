"""The built site in headless Chromium, as a reader with no network would use it.

The sidebar navigation reaches every page in _toc.yml, search works offline, and notebook pages
offer their launch and download buttons. What every page must do on its own (no request leaving
127.0.0.1, no failed request or JavaScript error, charts, formulas, ipywidgets and tools drawn) is
checked in tests/test_site_reading.py, in the same visit as its reading and accessibility checks.
"""

from __future__ import annotations

from collections import deque
from urllib.parse import urljoin, urldefrag

import pytest

from site_pages import toc_docnames

pytestmark = pytest.mark.browser

PAGES = toc_docnames()


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
