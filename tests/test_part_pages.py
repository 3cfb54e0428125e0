"""Part pages orient a reader: what the part is for, who it is for, and each chapter with one line
and its time to read or do. The Self-assessment, Workshops, Reference and Guardrails part pages were
once one paragraph each; the Workshops page later listed its chapters without a time or a reader."""

from __future__ import annotations

import html
import re

import pytest

from site_pages import toc_docnames

pytestmark = pytest.mark.build

PARTS = ["book/selfassessment/index", "book/workshops/index", "book/reference/index", "book/guardrails/index"]


def _main(built_site, docname: str) -> str:
    page = (built_site / f"{docname}.html").read_text(encoding="utf-8")
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@pytest.mark.parametrize("part", PARTS)
def test_part_page_says_who_it_is_for_and_lists_every_chapter_with_a_time(part, built_site):
    main = _main(built_site, part)
    text = _text(main)
    assert "Who it is for." in text, f"{part} does not say who it is for"
    folder = part.rsplit("/", 1)[0]
    chapters = [d for d in toc_docnames() if d.startswith(folder + "/") and d != part]
    linked = set(re.findall(r'href="([^"#]+)\.html', main))
    missing = [c for c in chapters if c.rsplit("/", 1)[1] not in {h.rsplit("/", 1)[-1] for h in linked}]
    assert not missing, f"{part} does not link to {missing}"
    table = main.split("In this part", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]
    assert rows, f"{part} has no table of its chapters"
    for row in rows:
        cells = [_text(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        assert len(cells) == 3 and all(cells), f"{part}: a chapter without its line or its time: {cells}"
