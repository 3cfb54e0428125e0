"""Which pages the table of contents promises, read from _toc.yml (globs expanded), and the
icon check that the page-reading test and the site-weight test both run on a loaded page."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SUFFIXES = (".md", ".ipynb")
#: Folders whose Markdown files are all book pages (anything else there must be in the TOC).
CONTENT_DIRS = ("book", "casestudies")


def _docnames() -> list[str]:
    names = []
    for folder in CONTENT_DIRS:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in SUFFIXES and ".ipynb_checkpoints" not in path.parts and "_build" not in path.parts:
                names.append(path.relative_to(ROOT).with_suffix("").as_posix())
    return sorted(names)


def toc_docnames(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """Docnames (paths without suffix) of every page the TOC lists, in order."""
    toc = yaml.safe_load(toc_path.read_text())
    available = _docnames()
    found: list[str] = [toc["root"]]

    def walk(items):
        for item in items or []:
            if "file" in item:
                found.append(item["file"])
            if "glob" in item:
                found.extend(sorted(n for n in available if fnmatch.fnmatchcase(n, item["glob"])))
            walk(item.get("sections"))
            walk(item.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return found


def content_docnames() -> list[str]:
    """Every Markdown/notebook file in the content folders."""
    return _docnames()


def outline(page) -> list[str]:
    """The visible headings in the page's main part, in order (shown when the heading order is wrong)."""
    return page.evaluate("() => [...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')]"
                         ".filter(h => h.getClientRects().length).map(h => `${h.tagName} ${h.textContent.trim().slice(0, 40)}`)")


#: Every visible Font Awesome icon on the page: its glyph, the font that draws it and its box; the
#: SVG icons Font Awesome's script would have put in; which Font Awesome webfonts loaded or failed;
#: and whether the page fetched that script at all.
ICON_PROBE = """
async () => {
  await document.fonts.ready;
  const icons = [...document.querySelectorAll('i[class*="fa-"], span[class*="fa-"]')]
    .filter(el => [...el.classList].some(c => c.startsWith('fa-')) && el.getClientRects().length);
  const report = icons.map(el => {
    const before = getComputedStyle(el, '::before');
    const box = el.getBoundingClientRect();
    return {classes: el.className, glyph: before.content, font: before.fontFamily, width: box.width, height: box.height};
  });
  const faces = [...document.fonts].filter(f => f.family.includes('Font Awesome'));
  return {
    icons: report,
    svgIcons: document.querySelectorAll('svg.svg-inline--fa').length,
    loadedFaces: faces.filter(f => f.status === 'loaded').map(f => f.family + ' ' + f.weight),
    failedFaces: faces.filter(f => f.status === 'error').map(f => f.family + ' ' + f.weight),
    fontawesomeScript: performance.getEntriesByType('resource').some(e => e.name.includes('fontawesome.js')),
  };
}
"""


def icon_problems(page) -> list[str]:
    """Why the icons on the loaded ``page`` would not show as a reader expects: drawn from Font
    Awesome 6's webfonts (book/_ext/pai_site.py leaves out the SVG-replacement script), each with
    a glyph and a box, every webfont loaded. Empty when they all show."""
    result = page.evaluate(ICON_PROBE)
    problems = []
    if result["fontawesomeScript"]:
        problems.append("loads Font Awesome's SVG-replacement script (fontawesome.js)")
    if result["svgIcons"]:
        problems.append(f"{result['svgIcons']} icons were replaced by SVG")
    if not result["icons"]:
        problems.append("no visible icon (the theme's header has some)")
    for icon in result["icons"]:
        if icon["glyph"] in ("none", "normal", '""'):
            problems.append(f"icon {icon['classes']!r} has no glyph")
        if "Font Awesome 6" not in icon["font"]:
            problems.append(f"icon {icon['classes']!r} is not drawn with Font Awesome 6 ({icon['font']})")
        if not (icon["width"] > 0 and icon["height"] > 0):
            problems.append(f"icon {icon['classes']!r} takes no space")
    if result["icons"] and not result["loadedFaces"]:
        problems.append("no Font Awesome webfont loaded")
    if result["failedFaces"]:
        problems.append(f"Font Awesome webfonts failed to load: {result['failedFaces']}")
    return problems
