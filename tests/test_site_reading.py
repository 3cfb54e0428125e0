"""Every page as a reader meets it, at desktop (1280 px) and phone (390 px) width.

For each page in _toc.yml, in headless Chromium: a full-page screenshot at each
width lands in test-artifacts/reading/ (look at them); nothing runs off the
content column sideways (wide tables and charts scroll inside it); no chart
draws text smaller than 12 CSS pixels or cuts a label with an ellipsis; the
text shows no internal detail (file-system paths, issue numbers, benchmark
files, Python reprs, tracebacks); every Chinese statement has an English gloss
beside it; and axe-core finds no serious or critical
accessibility violation on the whole page, the theme's parts included.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import pytest

from site_pages import ROOT, toc_docnames

pytestmark = pytest.mark.browser

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


def _slug(docname: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", docname).strip("-")


def _open(new_page, server_url, docname, width):
    page = new_page(viewport={"width": width, "height": 900})
    page.goto(urljoin(server_url, f"{docname}.html"), wait_until="load")
    page.wait_for_load_state("networkidle")
    for chart in page.locator(".pai-vega-chart").all():
        chart.locator("svg").first.wait_for(timeout=15000)
    for tool in page.locator("div.pai-widget[data-module]").all():
        tool.evaluate("el => el.dataset.paiMounted || new Promise(done => el.addEventListener('pai-widget-ready', done, {once: true}))")
    page.wait_for_timeout(500)  # the reader script marks scrolling regions after load
    return page


@pytest.mark.parametrize("width_name", list(WIDTHS))
@pytest.mark.parametrize("docname", PAGES)
def test_page_reads_well(docname, width_name, server_url, new_page, artifacts):
    page = _open(new_page, server_url, docname, WIDTHS[width_name])
    shots = artifacts / "reading"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / f"{_slug(docname)}-{WIDTHS[width_name]}.png"), full_page=True)

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
    assert not problems, f"{docname} at {WIDTHS[width_name]} px: " + "; ".join(problems)


@pytest.mark.parametrize("docname", PAGES)
def test_page_has_no_serious_accessibility_violation(docname, server_url, new_page):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    page = _open(new_page, server_url, docname, WIDTHS["desktop"])
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document)).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)"
    )
    assert violations == [], f"{docname}: {violations}"
