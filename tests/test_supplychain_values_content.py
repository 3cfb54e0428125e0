"""Part II of the book (supply chain, values) and its tools stay in step.

Every chapter has learning objectives, key takeaways and facilitator notes in a dropdown; code
chapters carry a full jupytext header and execute; citations resolve; no chapter repeats a
twelve-word run from the research notes or seeds; the vendor questions and template fields are
never retyped in a chapter (they are generated from the data files); the pages that host a tool
use the data file the Python module reads.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from notebook_support import executed_notebook

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
BIB = BOOK / "references.bib"
SHARED_REFERENCE = Path("/work/shared/reference")
PARTS = [BOOK / "supplychain", BOOK / "values"]
CHAPTERS = sorted(p for d in PARTS for p in d.glob("[0-9]*.md"))
ALL_FILES = sorted(p for d in PARTS for p in d.glob("*.md"))
NOTEBOOKS = [p for p in CHAPTERS if "```{code-cell}" in p.read_text(encoding="utf-8")]
CITE_RE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def test_there_are_chapters():
    assert len(CHAPTERS) >= 8


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_chapter_has_objectives_takeaways_and_facilitator_notes(path):
    text = path.read_text(encoding="utf-8")
    objectives = text.find(":::{admonition} Learning objectives")
    takeaways = text.find(":::{admonition} Key takeaways")
    notes = text.find(":::{admonition} Facilitator notes\n:class: dropdown")
    assert 0 <= objectives < takeaways < notes, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_chapters_have_the_full_jupytext_header(path):
    assert path.read_text(encoding="utf-8").startswith(HEADER)


def test_every_citation_resolves():
    keys = set(re.findall(r"^@\w+\{([^,\s]+),", BIB.read_text(encoding="utf-8"), re.MULTILINE))
    for path in ALL_FILES:
        for group in CITE_RE.findall(path.read_text(encoding="utf-8")):
            for key in group.split(","):
                assert key.strip() in keys, f"{path.name}: unknown citation {key.strip()}"


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _ngrams(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


@pytest.mark.skipif(not SHARED_REFERENCE.exists(), reason="shared research notes are not on this machine")
def test_no_twelve_word_run_copied_from_the_notes_or_seeds():
    grams: set[tuple[str, ...]] = set()
    for path in SHARED_REFERENCE.rglob("*"):
        if path.is_file() and path.suffix in {".md", ".txt"}:
            grams |= _ngrams(_words(path.read_text(encoding="utf-8", errors="replace")), 12)
    data = ROOT / "widgets" / "data"
    for path in ALL_FILES + [data / "vendor-questions.yaml", data / "transparency-template.yaml"]:
        copied = _ngrams(_words(path.read_text(encoding="utf-8")), 12) & grams
        assert not copied, f"{path.name} repeats text from the notes: {' '.join(sorted(copied)[0])!r}"


def test_questions_and_fields_are_not_retyped_in_chapters():
    from widgets import load_transparency_template, load_vendor_questions
    from widgets._vendor import questions

    texts = [q["text"] for q in questions(load_vendor_questions())]
    texts += [f["label"] for s in load_transparency_template()["sections"] for f in s["fields"]]
    for path in ALL_FILES:
        body = " ".join(path.read_text(encoding="utf-8").split())
        for t in texts:
            assert t not in body, f"{path.name} retypes {t!r}; generate it from the data file instead"


def test_tool_pages_use_the_data_files_the_python_modules_read():
    from widgets import _paycalc, _transparency, _vendor

    pages = {
        "03-living-wage-pay.md": ("tools/paycalc.js", "widgets/data/living-wage-sources.yaml"),
        "04-vendor-engagement.md": ("tools/vendor.js", _vendor.QUESTIONS_FILE.relative_to(ROOT).as_posix()),
        "05-transparency-report.md": ("tools/transparency.js", _transparency.TEMPLATE_FILE.relative_to(ROOT).as_posix()),
    }
    assert (ROOT / "widgets/data/living-wage-sources.yaml").is_file() and _paycalc.LIVING_WAGE_SOURCES
    for name, (module, data) in pages.items():
        text = (BOOK / "supplychain" / name).read_text(encoding="utf-8")
        assert f":module: {module}" in text and f":data: {data}" in text, name
        assert (ROOT / "widgets" / "static" / module).is_file()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes(path):
    pytest.importorskip("jupytext")
    pytest.importorskip("nbclient")
    nb = executed_notebook(path, timeout=120)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
