"""The Markdown escaper (widgets._text.escape_markdown) escapes only what a renderer would read as
markup: a report stays readable as plain text (no "\\(" around every parenthesis) and still shows
every value exactly as typed, in the places the reports put values, under GitHub-flavoured
Markdown, CommonMark and MyST with the book's extensions. Its JavaScript twin is pinned to it by
test_parity.py (which runs the hostile strings of hostile_text.py through both)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from widgets import load_assessment, score_plan
from widgets._reports import report_markdown
from widgets._text import escape_markdown, strip_controls

from hostile_text import HOSTILE_STRINGS

ROOT = Path(__file__).resolve().parents[1]

# The book's MyST extensions (_config.yml) except linkify, whose fuzzy links ("example.com") no
# backslash can stop; it only ever renders the rubric's and the chapters' own text.
MYST = create_md_parser(MdParserConfig(enable_extensions={
    "colon_fence", "deflist", "dollarmath", "amsmath", "substitution", "tasklist", "attrs_inline", "html_image"}),
    RendererHTML)

# Prose as the rubric, the examples and teams write it: nothing here is markup.
PROSE = [
    "Growth squad, Northwind Apps (fictional)",
    "Range (unanswered at 0 or 3)",
    "the IAP2 level reached (No level reached), the red flag",
    "Question 3 [Clears a red flag] (from level 0 to 2). Reach level 2",
    "Can input change things that matter - scope, data, metrics, launch - and not only minor features?",
    "We paid 18+ participants! Sessions ran in C# and R, issue #3 of the zine, team_alpha's notes.",
    "Pay at least a living wage (local), including preparation.",
]


@pytest.mark.parametrize("text", PROSE)
def test_prose_punctuation_stays_as_typed(text):
    assert escape_markdown(text) == text
    assert escape_markdown(text, multiline=True) == text


def _examples():
    return sorted((ROOT / "widgets" / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", _examples(), ids=lambda p: p.stem)
def test_report_of_each_example_has_no_needless_escape(path):
    a = load_assessment(path)
    md = report_markdown(score_plan(a), a)
    needless = re.findall(r".{0,30}\\[()!+].{0,10}", md)
    assert not needless, needless[:5]
    # The labels of next steps read as typed: "[Clears a red flag]", not "\[Clears a red flag\]".
    assert not re.search(r"\\\[[A-Z][a-z]", md), re.search(r".{0,20}\\\[[A-Z][a-z].{0,20}", md).group()


# ---------------------------------------------------------------- every value shows as typed, in place

# Where the reports and exports put an escaped value: alone, in a list item, a heading, a table cell,
# a link's text, after a bold label, before a bold part, after a number in an ordered list.
CONTEXTS = ["{}", "- {}", "# {}", "| {} | x |\n|---|---|", "[{}](https://example.org/p)", "**Label:** {}",
            "{} **label**", "1. {}", "> {}"]
PLACEHOLDER = "Zqxv"

PIECES = list("\\`*_{}[]()#+-=!|~$%<>&:./@^ \t\n0123456789xXaz") + [
    "www.", "http://", "[ ]", "[x]", "](", ")=", "+++", "a@b.co", "    ", "\u200b", "é", "C#"]
MARKUP = st.lists(st.sampled_from(PIECES), max_size=24).map("".join)


def _gfm(text: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)


def _commonmark(text: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).render(text)


def _visible(rendered: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", rendered))
    return " ".join(text.replace("\u2060", "").replace("\ufeff", "").split())


def _tags(rendered: str) -> list[str]:
    return re.findall(r"<[^>]+>", rendered)


def _myst_shape(source: str) -> tuple[list[str], str]:
    """MyST's tokens (adjacent text merged) and the text they show."""
    shape, shown = [], []
    for tok in MYST.parse(source):
        for t in [tok, *(tok.children or [])]:
            if t.type in ("inline",):
                continue
            kind = "text" if t.type in ("text", "text_special", "softbreak") else t.type
            if not (kind == "text" and shape and shape[-1] == "text"):
                shape.append(kind)
            shown.append(t.content if kind == "text" else " ")
    return shape, " ".join("".join(shown).replace("\u2060", "").replace("\ufeff", "").split())


def _expected(text: str) -> str:
    return " ".join(strip_controls(text).replace("\ufeff", "").split())


def _check_in_place(text: str, context: str) -> None:
    out = escape_markdown(text)
    typed = _expected(text)
    if not typed:
        return  # nothing to show: an empty value is the caller's to leave out
    for render in (_gfm, _commonmark):
        want = render(context.format(PLACEHOLDER))
        got = render(context.format(out))
        assert _tags(got) == _tags(want), (text, context, out, got)
        assert _visible(got) == _visible(want).replace(PLACEHOLDER, typed).strip(), (text, context, out, got)
    want_shape, want_shown = _myst_shape(context.format(PLACEHOLDER))
    got_shape, got_shown = _myst_shape(context.format(out))
    assert got_shape == want_shape, (text, context, out, got_shape)
    assert got_shown == " ".join(want_shown.replace(PLACEHOLDER, typed).split()), (text, context, out, got_shown)


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("text", HOSTILE_STRINGS + PROSE)
def test_hostile_and_plain_text_show_as_typed_in_every_context(text, context):
    _check_in_place(text, context)


@settings(max_examples=400, deadline=None)
@given(MARKUP, st.sampled_from(CONTEXTS))
def test_generated_text_shows_as_typed_in_every_context(text, context):
    _check_in_place(text, context)


@pytest.mark.parametrize("text", HOSTILE_STRINGS + PROSE)
def test_multiline_text_is_paragraphs_under_myst(text):
    shape, _ = _myst_shape(escape_markdown(text, multiline=True))
    assert set(shape) <= {"paragraph_open", "paragraph_close", "text", "hardbreak"}, (text, shape)
