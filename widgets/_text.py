"""The text kernel: one way to put text into Markdown, HTML, CSV and JSON that cannot harm.

Every export of the toolkit (score reports, comparison tables, the rubric, the supply-chain
tools' Markdown, HTML and CSV) goes through these functions, and ``widgets/static/lib/text.js``
is their JavaScript twin for the browser (``tests/test_parity.py`` runs both on the same hostile
strings and requires the same output).

* :func:`escape_markdown`: user or data text shows as typed under CommonMark, GitHub-flavoured
  Markdown and MyST: no markup, HTML, role, math, table cell, list, heading, rule, code block or
  link (bare URLs and e-mail addresses included) can come from it.
* :func:`escape_html`: text and attribute values in HTML.
* :func:`csv_cell` and :func:`csv_text`: spreadsheet-safe cells (no formula can start a cell,
  line breaks stay inside their quoted cell).
* :func:`json_dumps_safe`: JSON whose text cannot reorder or hide what a terminal or an editor
  shows (control, C1 and bidirectional characters escaped), lone surrogates included.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any, Iterable

__all__ = ["escape_markdown", "escape_html", "csv_cell", "csv_text", "json_dumps_safe", "strip_controls"]

# Bidirectional controls: embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069), the
# left-to-right, right-to-left and Arabic letter marks. They can make text read differently from
# what it is, so no output keeps them.
_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
# C0 controls except tab and line breaks, DEL, C1 controls, bidirectional controls.
_CONTROLS = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_BREAK = re.compile("\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")


def strip_controls(text: Any) -> str:
    """``text`` as a string without control or bidirectional characters (tab and line breaks kept);
    lone surrogates, which no encoder can write, become U+FFFD. ``None`` gives ``""``."""
    if text is None:
        return ""
    s = _LINE_BREAK.sub("\n", str(text))
    return _SURROGATE.sub("\ufffd", _CONTROLS.sub("", s))


# ---------------------------------------------------------------------------- Markdown

# ASCII punctuation: a backslash before one of these is an escape (CommonMark), so a typed backslash
# before one, or at the end where the caller's text follows, is doubled.
_MD_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~]|$)")
# Always escaped, wherever they are: code (`), emphasis (*), roles, substitutions and attributes ({}),
# table cells (|), strikethrough and definition lists (~), math ($). Each can pair with a mark the
# escaper cannot see (in another value or in the caller's template), and none is common in prose.
_MD_ALWAYS = re.compile(r"([`*{}|~$])")
# Brackets: a pair with no bracket inside stays as typed when nothing can make it a link, image,
# footnote, span or definition: it is followed by neither "(", "[", "{" nor ":", nor by the end
# (where the caller's text follows), and it is not a task-list box ("[ ]", "[x]") starting the line.
# Every other bracket is escaped, so no link can open here or close one the caller opened.
_MD_BRACKETS = re.compile(r"\[[^\[\]]*\](?![(\[{:]|$)|[\[\]]")
# Underscores inside a word (snake_case) can neither open nor close emphasis; any other run is escaped.
_MD_UNDERSCORES = re.compile(r"_+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_TASK_BOX = re.compile(r"\[[ \txX]\]")
# "#" starts a heading at the start of a line and closes one at its end: a run standing alone between
# spaces (or the start or end) is escaped; "C#" and "#3" stay as typed.
_MD_HASHES = re.compile(r"(?<![^ \t])#+(?![^ \t])")
# "(name)=" is a MyST target; "!" at the end would make an image of a link the caller writes next.
_MD_TARGET = re.compile(r"(?<=\))=")
_MD_BANG_AT_END = re.compile(r"!$")
# At the start of a line, what would begin a block: a bullet or a rule (-, + followed by a space, a tab,
# another mark or the end), a setext underline (=), a MyST colon fence, definition or field (:), a MyST
# comment (%), an ordered-list number (1. or 1) followed by a space or the end).
_MD_LINE_START = re.compile(r"^([ \t]*)([-+=](?=[-+=: \t]|$)|[:%]|[0-9]{1,9}(?=[.)](?:[ \t]|$)))")
# GitHub's autolink extension links bare URLs (scheme://), www. names and e-mail addresses.
_MD_SCHEME = re.compile(r"://")
_MD_WWW = re.compile(r"(?i)(www)\.")


# Spaces and tabs at either end of a one-line value: kept as one space (four would start a code block);
# a byte-order mark before them goes too (renderers drop it, and the tab after it would start code).
_EDGE_SPACE = re.compile(r"^[ \t\ufeff]+|[ \t]+$")


def _md_bracket(m: re.Match) -> str:
    pair = m.group()
    if len(pair) > 1 and not (_TASK_BOX.fullmatch(pair) and not m.string[:m.start()].strip(" \t")):
        return pair
    return pair.replace("[", "\\[").replace("]", "\\]")


def _md_underscores(m: re.Match) -> str:
    s, start, end = m.string, m.start(), m.end()
    inside_word = start > 0 and end < len(s) and _ASCII_WORD.match(s[start - 1]) and _ASCII_WORD.match(s[end])
    return m.group() if inside_word else m.group().replace("_", "\\_")


def _escape_markdown_line(line: str) -> str:
    s = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_BACKSLASH.sub(r"\\\\", s)
    s = _MD_BRACKETS.sub(_md_bracket, s)
    s = _MD_ALWAYS.sub(r"\\\1", s)
    s = _MD_UNDERSCORES.sub(_md_underscores, s)
    s = _MD_HASHES.sub(lambda m: m.group().replace("#", "\\#"), s)
    s = _MD_TARGET.sub(r"\\=", s)
    s = _MD_BANG_AT_END.sub(r"\\!", s)
    s = _MD_SCHEME.sub(r"\\://", s)
    s = _MD_WWW.sub(r"\1\\.", s)
    # A word joiner before "@": GitHub links an address even when its "@" is backslash-escaped.
    s = s.replace("@", "&#8288;@")
    return _MD_LINE_START.sub(lambda m: m.group(1) + (m.group(2) + "\\" if m.group(2)[0].isdigit() else "\\" + m.group(2)), s)


def escape_markdown(text: Any, *, multiline: bool = False) -> str:
    """Escape user or data text for Markdown so that it shows exactly as typed.

    Only what a renderer would read as markup is escaped, so the raw Markdown stays readable:
    ``&``, ``<`` and ``>`` become entities (no HTML, no ``<autolink>``); `` ` * { } | ~ $`` always
    get a backslash; brackets get one unless they are a pair no link can come from; ``_`` unless
    it is inside a word; ``#`` where it could open or close a heading; a backslash where it would
    escape what follows; list, rule, heading, fence, comment and target markers at the start of a
    line are escaped; ``://``, ``www.`` and ``@`` are broken so that GitHub-flavoured rendering
    makes no live link. Parentheses, ``!``, ``+`` and ``#`` in running text stay as typed.
    Control and bidirectional characters are removed.

    The text is taken to start a line (its start is escaped as a line start) and to be followed
    by the caller's Markdown (its end is escaped as if a link could follow).

    By default line breaks become spaces (for a table cell, a list item or a heading) and spaces
    and tabs at either end shrink to one space. With ``multiline=True`` blank lines separate
    paragraphs and each other line break is kept as a hard line break; spaces and tabs around
    each line are dropped (a renderer drops them too). Either way no line becomes a code block.
    """
    s = strip_controls(text)
    if not multiline:
        return _escape_markdown_line(_EDGE_SPACE.sub(" ", s.replace("\n", " ")))
    paragraphs = [p.strip("\n") for p in s.split("\n\n") if p.strip(" \t\n")]
    return "\n\n".join("  \n".join(_escape_markdown_line(line.strip(" \t\ufeff")) for line in p.split("\n"))
                       for p in paragraphs)


# ---------------------------------------------------------------------------- HTML

def escape_html(text: Any) -> str:
    """Escape text for HTML element content and quoted attribute values (``& < > " '``)."""
    s = strip_controls(text)
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#x27;"))


# ---------------------------------------------------------------------------- CSV

# Characters a spreadsheet skips when it decides whether a cell is a formula: whitespace and the
# invisible ones (zero-width space and joiners, word joiner and invisible operators, soft hyphen,
# Mongolian vowel separator, byte-order mark).
_INVISIBLE = "\u200b\u200c\u200d\u2060-\u2064\u00ad\u180e\ufeff"
_LEADING_BLANK = re.compile(f"^[\\s{_INVISIBLE}]*")
# First characters that make a spreadsheet evaluate a cell (ASCII and full-width forms).
_FORMULA_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: Any) -> Any:
    """One CSV cell that a spreadsheet shows as text and never runs as a formula.

    ``None`` becomes ``""`` and numbers stay numbers. Text loses control and bidirectional
    characters, its line breaks become ``\\n`` (so the CSV writer quotes the cell and the break
    never starts a new row), and when its first visible character is ``= + - @`` (after any
    whitespace and invisible characters), or it starts with a tab or a line break, it gets a
    leading apostrophe.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    s = strip_controls(value)
    visible = s[_LEADING_BLANK.match(s).end():]
    if visible.startswith(_FORMULA_START) or s[:1] in ("\t", "\n"):
        return "'" + s
    return s


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """Rows as CSV text (comma, ``"`` quoting when needed, ``\\n`` between rows), every cell
    through :func:`csv_cell`."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return buf.getvalue()


# ---------------------------------------------------------------------------- JSON

# What json.dumps(ensure_ascii=False) leaves raw but should not: DEL, C1 controls, bidirectional
# controls, the line and paragraph separators, and lone surrogates (which no UTF-8 writer accepts).
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_BIDI}\u2028\u2029\ud800-\udfff]")


def json_dumps_safe(obj: Any, **kw: Any) -> str:
    """``json.dumps`` (readable: non-ASCII text kept) with every unsafe character written as a
    ``\\uXXXX`` escape. The result reads back with ``json.loads`` to the same value."""
    kw.setdefault("ensure_ascii", False)
    text = json.dumps(obj, **kw)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
