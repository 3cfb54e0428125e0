"""Sphinx extension: the site as readers meet it (accessibility, layout, fonts).

The book uses sphinx-book-theme unchanged; this extension corrects what the
theme and the HTML writer emit, in our own template and stylesheet:

* Accessibility (axe-core, WCAG 2.1 AA). The theme's sidebar toggles are
  ``<summary>`` elements holding only an icon, so screen readers announce them
  with no name: each gets ``aria-label="Show or hide the pages of <part>"``. The
  primary sidebar (site title, search button, navigation) is a labelled
  landmark, so no content sits outside one. Bibliography entries carry the
  deprecated ``doc-biblioentry`` role inside ``role="list"``, which assistive
  technology cannot read as a list: they become list items. The corner cell of
  a pandas table (above the row labels) is an empty header cell: it becomes a
  plain cell. Inactive ipywidgets tab labels are drawn darker than the widget
  library's grey, which failed WCAG contrast (3.85:1).
* Layout. Wide tables, charts and code outputs scroll inside the content
  column instead of running off it (``static/pai-reader.css``); the reader
  script makes each such box keyboard-focusable and, above a chart wider than
  the column (a phone), shows "Scroll sideways to see the whole chart", since a
  chart's cut edge alone does not tell that it scrolls (``static/pai-reader.js``).
* Chinese text. Statements from the vTaiwan conversation are in traditional
  Chinese. The site serves Noto Sans TC (``@fontsource/noto-sans-tc``, from npm
  at build time, never committed) as the last font in the stack: its files are
  split by Unicode range, so a browser downloads only the pieces holding
  characters a page shows, and only when the reader's system has no CJK font.

The page fixes go through ``templates/layout.html``, which renders the theme's
``content`` block unchanged and passes it to :func:`fix_page`; when the theme
stops emitting what a fix expects, the build warns instead of silently
shipping an inaccessible page.
"""

from __future__ import annotations

import html as html_lib
import re
import shutil
from pathlib import Path

from markupsafe import Markup
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util import logging

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
STYLESHEET = "pai-reader.css"
SCRIPT = "pai-reader.js"

#: The CJK font: npm package, weight, and where it is served (relative to _static).
CJK_PACKAGE = "@fontsource/noto-sans-tc"
CJK_WEIGHT = "400"
CJK_SERVED = "vendor/fonts/noto-sans-tc"

#: A sidebar entry with children: its link, then the theme's icon-only <summary>.
TOGGLE = re.compile(
    r'(<a class="[^"]*reference internal[^"]*" href="[^"]*">(?P<title>(?:(?!</a>).)*?)</a>\s*<details[^>]*>\s*)<summary>'
)
SIDEBAR = '<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar'
BIBLIOENTRY = 'role="doc-biblioentry"'
#: An empty header cell in a table head (pandas' corner cell above the row labels).
EMPTY_HEAD_CELL = re.compile(r"<th(\s[^>]*)?>\s*</th>")
THEAD = re.compile(r"<thead>.*?</thead>", re.S)
TAGS = re.compile(r"<[^>]+>")

_warned: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        logger.warning(message)


def _name_toggles(html: str) -> str:
    def label(match: re.Match) -> str:
        title = html_lib.unescape(TAGS.sub("", match.group("title"))).strip()
        name = html_lib.escape(f"Show or hide the pages of {title}", quote=True)
        return f'{match.group(1)}<summary aria-label="{name}">'

    return TOGGLE.sub(label, html)


def fix_page(html: str) -> str:
    """Apply the accessibility fixes described in the module docstring to a page's HTML."""
    if "<summary>" in html and "toctree-toggle" in html:
        html = _name_toggles(html)
        if re.search(r"<summary>\s*<span class=\"toctree-toggle\"", html):
            _warn_once("pai_reader: a sidebar toggle kept no accessible name; check book/_ext/pai_reader.py")
    if SIDEBAR in html:
        html = html.replace(SIDEBAR, '<div role="region" aria-label="Book navigation"' + SIDEBAR[4:], 1)
    elif "bd-sidebar-primary" in html:
        _warn_once("pai_reader: the theme's primary sidebar changed; it is no longer a landmark (book/_ext/pai_reader.py)")
    html = html.replace(BIBLIOENTRY, 'role="listitem"')
    html = THEAD.sub(lambda m: EMPTY_HEAD_CELL.sub(lambda c: f"<td{c.group(1) or ''}></td>", m.group(0)), html)
    return html


def _provide_fixer(app: Sphinx, pagename, templatename, context, doctree) -> None:
    context["pai_fix_page"] = lambda html: Markup(fix_page(str(html)))


def cjk_font_css(package_css: str) -> str:
    """The package's @font-face rules, pointing at the copied .woff2 files only."""
    css = re.sub(r",\s*url\(\./files/[^)]+\.woff\) format\('woff'\)", "", package_css)
    return css.replace("url(./files/", "url(./")


def _copy_font(app: Sphinx, config) -> None:
    root = Path(app.confdir)
    source = root / "node_modules" / CJK_PACKAGE
    css_file = source / f"{CJK_WEIGHT}.css"
    if not css_file.exists():
        raise ConfigError(
            f"The Chinese font {CJK_PACKAGE} is missing from node_modules. "
            "Run `npm ci` in the repository root (`make book` does this for you)."
        )
    target = root / "_assets" / CJK_SERVED
    target.mkdir(parents=True, exist_ok=True)
    for font in (source / "files").glob(f"*-{CJK_WEIGHT}-normal.woff2"):
        dest = target / font.name
        if not dest.exists() or dest.stat().st_size != font.stat().st_size:
            shutil.copy2(font, dest)
    (target / "font.css").write_text(cjk_font_css(css_file.read_text(encoding="utf-8")), encoding="utf-8")


def _register_static(app: Sphinx, config) -> None:
    if str(STATIC_DIR) not in config.html_static_path:
        config.html_static_path.append(str(STATIC_DIR))


def _add_assets(app: Sphinx) -> None:
    app.add_css_file(f"{CJK_SERVED}/font.css")
    app.add_css_file(STYLESHEET)
    app.add_js_file(SCRIPT, loading_method="defer")


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _copy_font, priority=100)
    app.connect("config-inited", _register_static)
    app.connect("builder-inited", _add_assets)
    app.connect("html-page-context", _provide_fixer)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
