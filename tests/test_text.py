"""The text kernel (widgets/_text.py): what each function promises, checked with real renderers
and readers on hostile and generated text. Its JavaScript twin is pinned to it in test_parity.py."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from widgets._text import csv_cell, csv_text, escape_html, escape_markdown, json_dumps_safe, strip_controls

from hostile_text import HOSTILE_STRINGS

# Text built from the characters that matter: markup punctuation, line breaks, digits, letters,
# the invisible and control characters, and anything else.
PIECES = list("\\`*_{}[]()#+-=!|~$<>&:./@ \t\n\r0123456789wWaz") + [
    "www.", "http://", "https://", "a@b.co", "    ", "\u202e", "\u200b", "\x00", "\x1b", "\x85", "\u2028", "\ufeff",
    "\ud800", "é"]
MARKUP = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
ANY_TEXT = st.one_of(MARKUP, st.text(max_size=40))


def _gfm(text: str) -> str:
    # Raw HTML allowed, so that any HTML the escaper lets through would show in the output.
    return cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)


def _commonmark(text: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).render(text)


def _visible(rendered: str) -> str:
    """The text a reader sees in rendered HTML (tags dropped, entities decoded, word joiners gone)."""
    return _invisible_gone(html.unescape(re.sub(r"<[^>]+>", "", rendered)))


def _invisible_gone(text: str) -> str:
    # The escaper adds word joiners; renderers drop a byte-order mark at the start of a document.
    return text.replace("\u2060", "").replace("\ufeff", "")


def _only_paragraphs(rendered: str) -> bool:
    return set(re.findall(r"</?([a-z0-9]+)", rendered)) <= {"p", "br"}


def _expected_inline(text: str) -> str:
    return " ".join(_invisible_gone(strip_controls(text)).replace("\n", " ").split())


def _check_markdown_inline(text: str) -> None:
    out = escape_markdown(text)
    assert "\n" not in out
    for render in (_gfm, _commonmark):
        rendered = render(out)
        assert _only_paragraphs(rendered), (text, out, rendered)
        assert " ".join(_visible(rendered).split()) == _expected_inline(text), (text, out, rendered)


def _check_markdown_multiline(text: str) -> None:
    out = escape_markdown(text, multiline=True)
    expected = [" ".join(_invisible_gone(line).split()) for line in strip_controls(text).split("\n")]
    for render in (_gfm, _commonmark):
        rendered = render(out)
        assert _only_paragraphs(rendered), (text, out, rendered)
        seen = [" ".join(line.split()) for line in re.split(r"<br />|<p>|</p>", _visible_keep_breaks(rendered))]
        assert [x for x in seen if x] == [x for x in expected if x], (text, out, rendered)


def _visible_keep_breaks(rendered: str) -> str:
    rendered = rendered.replace("<br />", "\x00BR\x00").replace("</p>", "\x00BR\x00")
    return _visible(rendered).replace("\x00BR\x00", "<br />")


@pytest.mark.parametrize("text", HOSTILE_STRINGS)
def test_markdown_shows_hostile_text_as_typed(text):
    _check_markdown_inline(text)
    _check_markdown_multiline(text)


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_markdown_shows_any_text_as_typed(text):
    _check_markdown_inline(text)
    _check_markdown_multiline(text)


def test_markdown_makes_no_live_link_under_github_rendering():
    text = "see https://example.com, www.example.org, me@example.org and mailto:a@b.co"
    rendered = _gfm(escape_markdown(text))
    assert "<a " not in rendered and "example.com" in rendered


def test_markdown_block_syntax_in_multiline_values_stays_text():
    text = "intro\n- not a list\n---\n# not a heading\n    not code\n```\n1. not ordered\n> not a quote"
    rendered = _gfm(escape_markdown(text, multiline=True))
    for tag in ("<ul", "<ol", "<hr", "<h1", "<h2", "<pre", "<code", "<blockquote"):
        assert tag not in rendered


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_html_escape_round_trips_and_has_no_markup(text):
    out = escape_html(text)
    assert not set(out) & set("<>\"'")
    assert html.unescape(out) == strip_controls(text)
    out.encode("utf-8")


FORMULA = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _first_visible(cell: str) -> str:
    return re.sub(r"^[\s\u200b\u200c\u200d\u2060-\u2064\u00ad\u180e\ufeff]*", "", cell)[:1]


@settings(max_examples=300, deadline=None)
@given(st.lists(ANY_TEXT, min_size=1, max_size=4))
def test_csv_rows_read_back_one_row_with_no_formula(cells):
    text = csv_text([cells])
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 1 and len(rows[0]) == len(cells)
    for typed, read in zip(cells, rows[0]):
        assert read == csv_cell(typed)
        assert read.startswith("'") or _first_visible(read) not in FORMULA
        assert read.removeprefix("'") == strip_controls(typed) or read == strip_controls(typed)
    text.encode("utf-8")


@pytest.mark.parametrize("cell", ["=1+1", " =1", "\u200b=1", "\ufeff@x", "\u202e=1", "\t-1", "\uff1d1",
                                  "safe\r=cmd|' /C calc'!A0"])
def test_csv_neutralises_formulas_and_keeps_line_breaks_in_the_cell(cell):
    (row,) = list(csv.reader(io.StringIO(csv_text([[cell, "next"]]), newline="")))
    assert row[1] == "next"
    assert row[0].startswith("'") or _first_visible(row[0]) not in FORMULA
    assert "\r" not in row[0]


def test_csv_keeps_numbers_and_empty_cells():
    assert csv_cell(None) == "" and csv_cell(3) == 3 and csv_cell(2.5) == 2.5
    assert csv_text([["a", None, 3]]) == "a,,3\n"


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | ANY_TEXT,
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3),
                           max_leaves=10)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_json_round_trips_with_no_raw_unsafe_character(value):
    text = json_dumps_safe(value, indent=2)
    assert json.loads(text) == value
    text.encode("utf-8")
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029]",
                         text.replace("\n", ""))
