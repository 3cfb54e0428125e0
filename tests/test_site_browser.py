"""The built site in headless Chromium, as a reader with no network would use it.

The sidebar navigation reaches every page in _toc.yml (read from the built pages, checked against
what Chromium shows on the first), search works offline, and notebook pages
offer their launch and download buttons. What every page must do on its own (no request leaving
127.0.0.1, no failed request or JavaScript error, charts, formulas, ipywidgets and tools drawn) is
checked in tests/test_site_reading.py, in the same visit as its reading and accessibility checks.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urldefrag

import pytest
from bs4 import BeautifulSoup, SoupStrainer

from site_pages import toc_docnames

pytestmark = pytest.mark.browser

PAGES = toc_docnames()


#: The sidebar's links to pages of the book (the theme writes them into every page's HTML).
SIDEBAR_LINKS = "nav.bd-docs-nav a.reference.internal, .bd-sidenav a.reference.internal"


def sidebar_links(built_site: Path, url: str, server_url: str) -> list[str]:
    """The pages the sidebar of the built page at ``url`` links to (absolute, without the part
    after #), in order; empty when no page is there (a browser has nothing to follow on an error page)."""
    path = built_site / url[len(server_url):]
    if not path.is_file():
        return []
    # Only the <nav> elements are built into a tree (the sidebar is one; a third of the parse time).
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser", parse_only=SoupStrainer("nav"))
    return [urldefrag(urljoin(url, a["href"]))[0] for a in soup.select(SIDEBAR_LINKS) if a.has_attr("href")]


def test_navigation_reaches_every_page(server_url, new_page, built_site):
    """Following the sidebar from the book's first page, page to page, reaches every page in
    _toc.yml. The links are read from the built HTML, which is what the browser shows: checked on
    the first page, where Chromium's sidebar must hold exactly the links read from its file (so a
    script that added, moved or removed sidebar links would fail here). Every page's own visit
    (offline, errors, reading, axe) is in tests/test_site_reading.py."""
    start = urljoin(server_url, "book/index.html")
    page = new_page()
    page.goto(start, wait_until="load")
    shown = page.eval_on_selector_all(SIDEBAR_LINKS, "els => els.map(a => a.href)")
    assert shown and [urldefrag(href)[0] for href in shown] == sidebar_links(built_site, start, server_url)
    seen: set[str] = set()
    queue = deque([start])
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        for target in sidebar_links(built_site, url, server_url):
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
