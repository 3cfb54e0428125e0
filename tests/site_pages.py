"""Which pages the table of contents promises, read from _toc.yml (globs expanded)."""

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
