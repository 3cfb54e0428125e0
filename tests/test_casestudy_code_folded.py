"""Case studies read as stories: no code stands in front of a reader.

Every code cell of a case-study chapter is either removed from the page (imports and setup,
``remove-cell``) or folded behind "Show code" (``hide-input``); the notebook download keeps it all.
Chapter 01 (Polis opinion groups) once showed the code above every table and chart.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from site_pages import ROOT, toc_docnames

CHAPTERS = sorted(ROOT.glob("casestudies/[0-9][0-9]-*.md"))
HIDDEN = {"hide-input", "hide-cell", "remove-input", "remove-cell"}
CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(?::tags:\s*\[([^\]]*)\])?", re.M)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_code_cell_is_folded_or_removed(chapter):
    cells = CELL.findall(chapter.read_text(encoding="utf-8"))
    assert cells, f"{chapter.name} has no code cells"
    shown = [n for n, tags in enumerate(cells, start=1) if not HIDDEN & {t.strip() for t in tags.split(",")}]
    assert not shown, f"{chapter.name}: code cells {shown} show their code to readers (tag them hide-input)"


class _Inputs(HTMLParser):
    """Counts each cell's code input, and how many of them sit inside a folded <details>."""

    def __init__(self):
        super().__init__()
        self.stack, self.inputs, self.folded = [], 0, 0

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag in ("br", "img", "hr", "input", "meta", "link", "wbr", "col", "source"):
            return
        if "cell_input" in classes:
            self.inputs += 1
            self.folded += any(t == "details" for t, _ in self.stack)
        self.stack.append((tag, classes))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break


@pytest.mark.build
@pytest.mark.parametrize("docname", [d for d in toc_docnames() if d.startswith("casestudies/")])
def test_built_case_study_folds_every_code_input(docname, built_site):
    parser = _Inputs()
    parser.feed((built_site / f"{docname}.html").read_text(encoding="utf-8"))
    assert parser.inputs == parser.folded, f"{docname}: {parser.inputs - parser.folded} code cells shown unfolded"
