"""The built site stays light without losing anything a reader sees.

book/_ext/pai_site.py leaves out Font Awesome's SVG-replacement script (icons come from the
webfonts the theme's stylesheet declares), loads the search index only on the search page, and
loads MathJax only on pages with math; widgets/_sphinx.py mounts our tools from one head module
script, before the theme's deferred scripts. The static checks read the built HTML; the browser
checks (marked ``browser``) open pages in headless Chromium, as tests/test_site_browser.py does.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest

from site_pages import icon_problems, toc_docnames

PAGES = toc_docnames()
#: Font Awesome classes that are not icons (style prefixes and modifiers).
FA_MODIFIERS = {"fa-solid", "fa-regular", "fa-brands", "fa-lg", "fa-fw", "fa-xs", "fa-sm", "fa-xl", "fa-2x"}
THEME_CSS = "_static/styles/pydata-sphinx-theme.css"
#: Pages whose icons are checked here, at 1280 and 700 px: the site's root (a redirect) and the
#: search page, which the TOC does not list. The reading test (tests/test_site_reading.py) runs
#: the same check, site_pages.icon_problems, on every TOC page at 1280 and 390 px: the title, part
#: pages, tools, notebooks (launch buttons) and Jupyter widgets (whose manager brings Font Awesome
#: 5's CSS) among them.
ICON_PAGES = [
    "index.html",
    "search.html",
]


def _html(site, docname: str) -> str:
    return (site / f"{docname}.html").read_text(encoding="utf-8")


def _main(html: str) -> str:
    start = html.find("<main")
    return html[start : html.find("</main>", start)] if start >= 0 else html


def test_no_page_loads_the_font_awesome_script(built_site):
    loading = [d for d in PAGES if "scripts/fontawesome.js" in _html(built_site, d)]
    assert not loading, f"Pages still loading Font Awesome's 1.5 MB script: {loading}"


def test_one_search_field_per_page_in_the_sidebar(built_site):
    # pydata-sphinx-theme 0.17 would add a header bar holding a second search field above the
    # book's own (book/_ext/pai_site.py turns that off); the sidebar's field and Ctrl+K remain.
    def header(html: str) -> str:
        start = html.find('id="pst-header"')
        return html[start : html.find("</header>", start)] if start >= 0 else ""

    doubled = [d for d in PAGES if "search" in header(_html(built_site, d)) or "navbar-persistent--" in _html(built_site, d)]
    assert not doubled, f"Pages with the theme's extra header search bar: {doubled}"
    missing = [d for d in PAGES if "search-button-field" not in _html(built_site, d).split('class="bd-sidebar-primary', 1)[-1]]
    assert not missing, f"Pages without the sidebar search field: {missing}"


def test_only_the_search_page_loads_the_search_index(built_site):
    loading = [d for d in PAGES if re.search(r'<script src="[^"]*searchindex\.js"', _html(built_site, d))]
    assert not loading, f"Pages loading the search index outside the search page: {loading}"
    assert re.search(r'<script src="[^"]*searchindex\.js"', (built_site / "search.html").read_text(encoding="utf-8"))


def test_mathjax_only_on_pages_with_math(built_site):
    wrong = []
    for docname in PAGES:
        html = _html(built_site, docname)
        main = _main(html)
        has_math = 'class="math' in main
        # TeX in raw HTML cell output is typeset too, so such a page may keep MathJax.
        raw_tex = "output" in main and re.search(r"\\\(|\\\[|\$\$", main)
        loads = "vendor/mathjax/" in html
        if (has_math and not loads) or (loads and not has_math and not raw_tex):
            wrong.append(f"{docname} (math: {has_math}, MathJax: {loads})")
    assert not wrong, "MathJax must load on the pages with math and only there: " + ", ".join(wrong)
    assert any("vendor/mathjax/" in _html(built_site, d) for d in PAGES), "no page with math in this build"


def test_every_icon_class_has_a_webfont_rule(built_site):
    css = (built_site / THEME_CSS).read_text(encoding="utf-8")
    used = set()
    for docname in [*PAGES, "search", "genindex"]:
        path = built_site / f"{docname}.html"
        if path.exists():
            for classes in re.findall(r'class="([^"]*)"', path.read_text(encoding="utf-8")):
                used |= {c for c in classes.split() if c.startswith("fa-")}
    missing = sorted(c for c in used - FA_MODIFIERS if not re.search(rf"\.{re.escape(c)}(?::before|[,{{])", css))
    assert used, "no Font Awesome icon found in the built pages"
    assert not missing, f"Icons with no rule in the theme's Font Awesome CSS (they would be blank): {missing}"


def test_tool_pages_import_their_modules_and_data_from_one_head_script(built_site):
    html = (built_site / "book/selfassessment/03-full-assessment.html").read_text(encoding="utf-8")
    head = html[: html.find("</head>")]
    script = re.search(r'<script type="module" data-pai-mount="page">(.*?)</script>', head, re.S)
    assert script, "the page's mount script is missing from <head>"
    for path in ("static-host.js", "assessment.js", "scoring.js", "data/rubric.js"):
        assert f'_static/widgets/{path}"' in script.group(1)
        assert f'rel="modulepreload" href="../../_static/widgets/{path}"' in head
    assert "data/rubric.json" in script.group(1)  # handed over under the name the container asks for


# --- in the browser -------------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 700])
@pytest.mark.parametrize("path", ICON_PAGES)
def test_icons_render_from_the_webfonts(path, width, server_url, new_page, built_site):
    page = new_page(viewport={"width": width, "height": 900})
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(urljoin(server_url, path), wait_until="load")
    # The site's root page is a meta refresh to the book's front page: probe the page the reader
    # lands on, once the refresh has happened (probing earlier races the navigation).
    refresh = re.search(r'http-equiv="Refresh"\s+content="\d+;\s*url=([^"]+)"',
                        (built_site / path).read_text(encoding="utf-8"), re.I)
    if refresh:
        page.wait_for_url(urljoin(urljoin(server_url, path), refresh.group(1)), wait_until="load")
    page.wait_for_load_state("networkidle")
    assert not [u for u in requested if "fontawesome.js" in u]
    assert icon_problems(page) == [], path
    assert page.pai_failed_requests == [] and page.pai_external_requests == []


@pytest.mark.browser
def test_a_part_page_whose_chapters_have_math_loads_no_mathjax(server_url, new_page, built_site):
    html = (built_site / "casestudies/index.html").read_text(encoding="utf-8")
    if 'class="math' in _main(html):
        pytest.skip("casestudies/index has math of its own in this build")
    page = new_page()
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(urljoin(server_url, "casestudies/index.html"), wait_until="load")
    page.wait_for_load_state("networkidle")
    assert [u for u in requested if "mathjax" in u] == []
    assert page.evaluate("typeof window.MathJax") == "undefined"
    assert page.pai_page_errors == [] and page.pai_failed_requests == []


READY_ORDER = """
window.__paiOrder = [];
document.addEventListener('pai-widget-ready', () => window.__paiOrder.push('ready'), true);
document.addEventListener('DOMContentLoaded', () => window.__paiOrder.push('DOMContentLoaded'), true);
"""


@pytest.mark.browser
@pytest.mark.parametrize("path", ["book/selfassessment/02-short-assessment.html", "book/selfassessment/03-full-assessment.html"])
def test_assessment_is_ready_before_the_page_finishes_loading_scripts(path, server_url, new_page):
    # The head module script runs before the theme's deferred scripts and DOMContentLoaded, and the
    # mount then needs no further fetch: the data came with the module graph.
    page = new_page()
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.add_init_script(READY_ORDER)
    page.goto(urljoin(server_url, path), wait_until="load")
    page.wait_for_selector(".pai-widget[data-pai-mounted=ready]")
    assert page.evaluate("window.__paiOrder") == ["ready", "DOMContentLoaded"]
    assert not [u for u in requested if u.endswith("data/rubric.json")]
    assert page.pai_page_errors == [] and page.pai_failed_requests == []
