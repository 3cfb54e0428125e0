"""Every page as a reader meets it, offline, at desktop (1280 px) and phone (390 px) width.

For each page in _toc.yml, in headless Chromium, one browser context: the page loads at 1280 px
with no request leaving 127.0.0.1, no local request failing and no JavaScript error; every Altair
chart is drawn (with marks and alt text), every formula typeset, every ipywidget rendered, and every
tool of ours starts and shows no stray ``null``/``undefined``/``NaN``. At each width (the page is
narrowed to 390 px in place, as a reader turning a phone or narrowing a window does) nothing runs
off the content column sideways (wide tables
and charts scroll inside it, a chart wider than its column with the reader script's "Scroll
sideways" cue above it, and only then); no chart draws text smaller than 12 CSS pixels or cuts a label with
an ellipsis; the text shows no internal detail (file-system paths, issue numbers, benchmark files,
Python reprs, tracebacks); every Chinese statement has an English gloss beside it; every visible
icon is drawn from Font Awesome 6's webfonts, with a glyph and a box (site_pages.icon_problems,
as tests/test_site_weight.py checks the two pages the TOC does not list). At 1280 px
axe-core finds no serious or critical accessibility violation on the whole page, the theme's parts
included, and, in the same run, no heading that skips a level (its ``heading-order`` rule at any
impact). (One load per page checks everything: loading a page is a large part of the cost.)

With ``PAI_SCREENSHOTS=1`` (``make screenshots``) a full-page screenshot (JPEG) of each page at each
width lands in test-artifacts/reading/ for people to look at; no assertion reads them, so
``make test`` does not take them.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import artifact_screenshot
from site_pages import ROOT, icon_problems, outline, toc_docnames

pytestmark = pytest.mark.browser

#: Console errors known to be harmless, each with the reason. Keep this short.
KNOWN_HARMLESS_CONSOLE_ERRORS: list[tuple[str, str]] = [
    (
        r"^Got invalid theme mode: \. Resetting to auto\.$",
        "pydata-sphinx-theme logs this on a first visit, before the reader has chosen light or "
        "dark mode; it then follows the system setting. Nothing fails. (sphinx-book-theme does "
        "not accept the `default_mode` option that would silence it: the strict build refuses it.)",
    ),
]

PAGES = toc_docnames()
WIDTHS = {"desktop": 1280, "phone": 390}
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
MIN_CHART_TEXT_PX = 12

#: Text a reader must never see: where our machines keep files, tracking numbers, Python internals.
LEAKS = re.compile(
    r"(?:/tmp/|/work/|/home/|/Users/|site-packages|\.venv\b|\b_build/|benchmarks/|\bissue \d+|"
    r"#\d{2,}\b|object at 0x|Traceback \(most recent call last\)|\bPosixPath\(|\bNaN\b|\bNaT\b)"
)

OVERFLOW_JS = """() => {
  const col = document.querySelector('.bd-article-container') || document.querySelector('main');
  const limit = col.getBoundingClientRect().right + 1;
  const scrolls = el => { for (let p = el.parentElement; p && p !== col; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; }
    return false; };
  const out = [];
  for (const el of col.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > limit && !scrolls(el) && getComputedStyle(el).position !== 'fixed') {
      out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} right edge ${Math.round(r.right)} > ${Math.round(limit)}`);
      if (out.length > 4) break;
    }
  }
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) out.push(`the page is ${doc.scrollWidth} px wide in a ${doc.clientWidth} px window`);
  return out;
}"""

CHART_TEXT_JS = """(min) => {
  const out = [];
  for (const svg of document.querySelectorAll('.pai-vega-chart svg, .pai-widget svg')) {
    const box = svg.getBoundingClientRect();
    const vb = svg.viewBox && svg.viewBox.baseVal;
    const drawn = (vb && vb.width) || (svg.width && svg.width.baseVal && svg.width.baseVal.value);
    const scale = drawn ? box.width / drawn : 1;
    for (const t of svg.querySelectorAll('text')) {
      const text = (t.textContent || '').trim();
      if (!text || getComputedStyle(t).visibility === 'hidden' || Number(getComputedStyle(t).opacity) === 0) continue;
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (px < min - 0.01) out.push(`"${text.slice(0, 40)}" at ${px.toFixed(1)} px`);
      if (text.endsWith('…')) out.push(`"${text.slice(0, 60)}" is cut`);
      const r = t.getBoundingClientRect();
      if (r.width && (r.right > box.right + 1 || r.left < box.left - 1)) out.push(`"${text.slice(0, 60)}" runs past the chart's edge`);
    }
  }
  return out.slice(0, 8);
}"""


#: Text in Chinese (the vTaiwan statements) that carries no English gloss beside it.
UNGLOSSED_JS = """() => [...document.querySelectorAll('main td, main th, main li, main p')]
  .filter(el => /[\\u3400-\\u9fff]/.test(el.innerText) && !el.querySelector('.pai-gloss') && !el.closest('.pai-gloss'))
  .map(el => el.innerText.slice(0, 40)).slice(0, 5)"""


#: True once every output that scrolls sideways carries the reader script's mark (and, so that a
#: page with none does not pass before the script has run, the load event is 0.45 s past).
SCROLLERS_MARKED_JS = """() => {
  const loaded = performance.getEntriesByType('navigation')[0];
  if (!loaded || !loaded.loadEventEnd || performance.now() - loaded.loadEventEnd < 450) return false;
  return [...document.querySelectorAll('.bd-article .cell_output .output, .bd-article .pai-vega-chart')]
    .every(el => el.scrollWidth <= el.clientWidth + 1 || el.hasAttribute('data-pai-scroll'));
}"""


def _slug(docname: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", docname).strip("-")


def _open(new_page, server_url, docname, width):
    page = new_page(viewport={"width": width, "height": 900})
    _load(page, server_url, docname)
    return page


def _load(page, server_url, docname):
    """Load the page and wait until its charts, formulas, ipywidgets and tools have drawn."""
    page.goto(urljoin(server_url, f"{docname}.html"), wait_until="load")
    page.wait_for_load_state("networkidle")
    for chart in page.locator(".pai-vega-chart").all():
        chart.locator("svg").first.wait_for(timeout=15000)
    if page.locator("span.math, div.math").count():
        page.locator("mjx-container").first.wait_for(timeout=15000)
    if page.locator("script[type='application/vnd.jupyter.widget-view+json']").count():
        page.locator(".jupyter-widgets, .widget-tab, .widget-box").first.wait_for(timeout=15000)
    for tool in page.locator("div.pai-widget[data-module]").all():
        tool.evaluate("el => el.dataset.paiMounted === 'ready' || el.dataset.paiMounted === 'failed' || "
                      "new Promise(done => el.addEventListener('pai-widget-ready', done, {once: true}))")
    # The reader script (book/_ext/static/pai-reader.js) marks the outputs that scroll sideways
    # shortly after load: wait until it has (at most 5 s; if it never does, axe-core reports the
    # unmarked region as not keyboard-focusable).
    try:
        page.wait_for_function(SCROLLERS_MARKED_JS, timeout=5000)
    except PlaywrightTimeout:
        pass


def _relayout(page):
    """After a change of viewport: wait until the page has drawn at the new width (two frames, so
    the charts that follow their column's width have drawn again) and the reader script has marked
    what now scrolls sideways (at most 5 s, as after a load)."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    try:
        page.wait_for_function(SCROLLERS_MARKED_JS, timeout=5000)
    except PlaywrightTimeout:
        pass


def _drawing_problems(page) -> list[str]:
    """Charts without marks or alt text, tools that did not start or show programming values."""
    problems = []
    charts = page.locator(".pai-vega-chart")
    for i in range(charts.count()):
        chart = charts.nth(i)
        if chart.locator("svg g[class*='mark-'] > *").count() == 0:
            problems.append(f"chart {i} has an SVG but no marks")
        if not chart.get_attribute("aria-label"):
            problems.append(f"chart {i} has no alt text")
    tools = page.locator("div.pai-widget[data-module]")
    for i in range(tools.count()):
        tool = tools.nth(i)
        if tool.get_attribute("data-pai-mounted") != "ready":
            problems.append(f"widget {i} did not start")
        leaked = re.findall(r"\b(?:null|undefined|NaN)\b", tool.inner_text())
        if leaked:
            problems.append(f"widget {i} shows programming values to readers: {leaked}")
    return problems


def _offline_problems(page) -> list[str]:
    errors = [
        e for e in page.pai_console_errors + page.pai_page_errors
        if not any(re.search(pattern, e) for pattern, _ in KNOWN_HARMLESS_CONSOLE_ERRORS)
    ]
    problems = []
    if page.pai_external_requests:
        problems.append(f"asked the network for: {page.pai_external_requests}")
    if page.pai_failed_requests:
        problems.append(f"had failed requests: {page.pai_failed_requests}")
    if errors:
        problems.append(f"had JavaScript errors: {errors}")
    return problems


#: Each chart box on the page: whether it is wider than its column, and whether the reader script's
#: "Scroll sideways" cue is on screen above it and describes it.
CHART_BOXES_JS = """() => [...document.querySelectorAll('.bd-article .pai-vega-chart')].map((box) => {
    const cue = box.previousElementSibling;
    const shown = !!cue && cue.classList.contains('pai-scroll-cue') && !cue.hidden && cue.getClientRects().length > 0
      && cue.getBoundingClientRect().right <= innerWidth && cue.textContent.includes('Scroll sideways');
    return { id: box.id, wide: box.scrollWidth > box.clientWidth + 1, cue: shown,
             scroll: box.scrollWidth, client: box.clientWidth,
             described: (box.getAttribute('aria-describedby') || '').split(' ').includes(cue && cue.id) };
})"""


def _chart_cue_problems(page) -> list[str]:
    """A chart either fits its column or says, just above it, that it scrolls sideways (and only then)."""
    if not page.locator(".bd-article .pai-vega-chart").count():
        return []
    # The reader script checks each box once it has drawn: give it a moment to show or hide the cues.
    try:
        page.wait_for_function(f"() => ({CHART_BOXES_JS})().every(b => b.wide === b.cue)", timeout=5000)
    except PlaywrightTimeout:  # reported below, box by box
        pass
    problems = []
    for box in page.evaluate(CHART_BOXES_JS):
        if box["wide"] and not (box["cue"] and box["described"]):
            problems.append(f"chart {box['id']} is wider than its column, with no cue that it scrolls")
        if not box["wide"] and box["cue"]:
            problems.append(f"chart {box['id']} says it scrolls sideways, but fits")
    return problems


def _desktop_chart_fit_problems(page, width) -> list[str]:
    """On a desktop screen every chart fits its column: a reader there never scrolls a chart sideways.

    Reads the chart boxes of the page as loaded (its charts have drawn; no wait or load of its own)."""
    if width < WIDTHS["desktop"] or not page.locator(".bd-article .pai-vega-chart").count():
        return []
    return [f"chart {box['id']} is {box['scroll']} px wide in a {box['client']} px column"
            for box in page.evaluate(CHART_BOXES_JS) if box["wide"]]


def _reading_problems(page, docname, width, shots) -> list[str]:
    """What a reader at ``width`` px would trip on (and, with PAI_SCREENSHOTS=1, the page as it is
    now screenshot into ``shots``)."""
    # Before any full-page screenshot: Chromium lays the page out again for it, and a chart of
    # width="container" measures its box then and stays wider than the column afterwards.
    unfit = _desktop_chart_fit_problems(page, width)
    # JPEG: a full-page PNG of a long page costs Chromium three times as long to encode.
    artifact_screenshot(page, shots / f"{_slug(docname)}-{width}.jpg", full_page=True, type="jpeg", quality=80)
    problems = []
    overflow = page.evaluate(OVERFLOW_JS)
    if overflow:
        problems.append(f"content runs off the column: {overflow}")
    small = page.evaluate(CHART_TEXT_JS, MIN_CHART_TEXT_PX)
    if small:
        problems.append(f"chart text too small or cut: {small}")
    text = page.locator("main").inner_text()
    leaks = sorted({m.group(0) for m in LEAKS.finditer(text)})
    if leaks:
        problems.append(f"internal details shown to readers: {leaks}")
    unglossed = page.evaluate(UNGLOSSED_JS)
    if unglossed:
        problems.append(f"non-English text without an English gloss: {unglossed}")
    problems += _chart_cue_problems(page)
    problems += unfit
    problems += [f"icons: {problem}" for problem in icon_problems(page)]
    return [f"at {width} px: {problem}" for problem in problems]


def _axe_findings(page) -> tuple[list[str], list[str]]:
    """One axe-core run on the whole page: its serious and critical violations, and its
    ``heading-order`` findings at any impact (headings must never skip a level; see
    tests/test_site_headings.py for the same rule after the front-ends add their headings)."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        "async () => { const found = (await axe.run(document, {resultTypes: ['violations']})).violations;"
        " return [found.filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`),"
        " found.filter(v => v.id === 'heading-order')"
        ".flatMap(v => v.nodes.map(n => `${v.impact}: ${n.target.join(' ')} ${n.html.slice(0, 90)}`))]; }"
    )


@pytest.mark.parametrize("docname", PAGES)
def test_page_works_offline_reads_well_at_both_widths_and_passes_axe(docname, server_url, new_page, artifacts):
    shots = artifacts / "reading"
    page = _open(new_page, server_url, docname, WIDTHS["desktop"])
    problems = [f"at {WIDTHS['desktop']} px: {p}" for p in _drawing_problems(page)]
    problems += _reading_problems(page, docname, WIDTHS["desktop"], shots)
    problems += [f"at {WIDTHS['desktop']} px: {p}" for p in _offline_problems(page)]
    if AXE.exists():
        violations, heading_order = _axe_findings(page)
        if violations:
            problems.append(f"axe-core (serious or critical): {violations}")
        if heading_order:
            problems.append(f"headings skip a level (axe-core heading-order): {heading_order}; outline: {outline(page)}")
    # axe-core fetches the page's stylesheets itself (and asks for one @import at a wrong address):
    # its requests are not the page's, so the record starts again for the phone width.
    for record in (page.pai_external_requests, page.pai_failed_requests, page.pai_console_errors, page.pai_page_errors):
        record.clear()
    # The same page, narrowed to phone width rather than loaded again: what is drawn at load (charts,
    # formulas, tools) is drawn already, and the theme's layout (CSS), the charts that fill their
    # column (Vega listens to the window's resize) and the reader script's marks and cues (it
    # checks again on resize) follow the new width. No script of ours or the theme's lays the page
    # out from the window's width at load only; a wide element at phone width still fails below.
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 900})
    _relayout(page)
    problems += _reading_problems(page, docname, WIDTHS["phone"], shots)
    problems += [f"at {WIDTHS['phone']} px: {p}" for p in _offline_problems(page)]
    assert not problems, f"{docname}: " + "; ".join(problems)
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci): every other check passed, axe-core did not run")
