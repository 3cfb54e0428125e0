"""Tables for people: how the case studies show a data frame to a reader.

A pandas data frame printed in a notebook is written for the programmer who made
it: row numbers, raw column names, ``True``/``False``, ``NaN``, fractions where a
reader expects percentages, and long text cut to 50 characters with "...".
:func:`table` renders the same frame the way a report would:

* no index column (pass ``index="Label"`` to keep the index as a labelled first column);
* column names from ``labels`` (or, failing that, the name with underscores as spaces);
* columns named in ``percent`` shown as percentages (values are fractions, 0.75 -> "75%");
* booleans as a tick or a cross, each with a word for screen readers;
* missing values as a dash described as "no value", never ``NaN`` or ``None``;
* text never truncated, and always escaped (cell text is data, never markup);
* an optional English gloss under each non-English text cell (``glosses``: original -> English).

The object it returns shows as HTML in Jupyter and on the site, and as plain
text in a terminal, so the notebook download reads the same way.
"""

from __future__ import annotations

import csv
import html
import math
import pathlib
import numbers
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

MISSING_TEXT = "–"
MISSING_LABEL = "no value"
TICK, CROSS = "✓", "✗"


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_value(value, *, percent: bool = False, decimals: int | None = None) -> str:
    """One cell as plain text: percentages, ticks, thousands separators, no NaN."""
    if _is_missing(value):
        return MISSING_TEXT
    if isinstance(value, (bool, np.bool_)):
        return TICK if bool(value) else CROSS
    if percent:
        if not isinstance(value, numbers.Real):
            raise TypeError(f"A percentage column holds {value!r}, which is not a number (expected a fraction such as 0.75)")
        places = 0 if decimals is None else decimals
        return f"{100 * float(value):.{places}f}%"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        number = float(value)
        if decimals is not None:
            return f"{number:,.{decimals}f}"
        if number.is_integer() and abs(number) < 1e15:
            return f"{int(number):,}"
        return f"{number:,.2f}"
    return str(value)


def _spoken(shown: str, said: str) -> str:
    """A symbol for the eye and a word for screen readers."""
    return f'<span aria-hidden="true">{shown}</span><span class="visually-hidden">{said}</span>'


def _label(column) -> str:
    text = str(column).replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else text


class Table:
    """A data frame formatted for readers; see :func:`table`."""

    def __init__(self, frame: pd.DataFrame, *, labels: Mapping, percent: set, decimals: Mapping,
                 glosses: Mapping[str, str], caption: str | None, numeric: set, source_lang: str = "zh-Hant"):
        self.frame = frame
        self.labels = labels
        self.percent = percent
        self.decimals = decimals
        self.glosses = glosses
        self.caption = caption
        self.numeric = numeric
        self.source_lang = source_lang

    # Plain values, used by both renderings and by tests.
    def header(self) -> list[str]:
        return [self.labels.get(c, _label(c)) for c in self.frame.columns]

    def rows(self) -> list[list[str]]:
        out = []
        for record in self.frame.itertuples(index=False, name=None):
            out.append([
                format_value(v, percent=c in self.percent, decimals=self.decimals.get(c))
                for c, v in zip(self.frame.columns, record)
            ])
        return out

    def _cell(self, column, value, text: str, tag: str = "td") -> str:
        classes = ' class="pai-num"' if column in self.numeric else ""
        if text == MISSING_TEXT and _is_missing(value):
            return f"<{tag}{classes}>{_spoken(MISSING_TEXT, MISSING_LABEL)}</{tag}>"
        if text in (TICK, CROSS) and not isinstance(value, str):
            return f'<{tag}{classes}>{_spoken(text, "yes" if text == TICK else "no")}</{tag}>'
        body = html.escape(text)
        gloss = self.glosses.get(text) if isinstance(value, str) else None
        if gloss:
            body = (f'<span lang="{html.escape(self.source_lang)}">{body}</span>'
                    f'<span class="pai-gloss" lang="en">{html.escape(gloss)}</span>')
        return f"<{tag}{classes}>{body}</{tag}>"

    def _repr_html_(self) -> str:
        num = ' class="pai-num"'
        head = "".join(
            f'<th scope="col"{num if c in self.numeric else ""}>{html.escape(h)}</th>'
            for c, h in zip(self.frame.columns, self.header())
        )
        body = []
        for record, texts in zip(self.frame.itertuples(index=False, name=None), self.rows()):
            cells = [self._cell(c, v, t) for c, v, t in zip(self.frame.columns, record, texts)]
            body.append("<tr>" + "".join(cells) + "</tr>")
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return (f'<table class="pai-table">{caption}<thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(body)}</tbody></table>')

    def __repr__(self) -> str:
        header, rows = self.header(), self.rows()
        for row in rows:
            for i, c in enumerate(self.frame.columns):
                gloss = self.glosses.get(row[i])
                if gloss:
                    row[i] = f"{row[i]} ({gloss})"
        widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths))]
        lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)) for r in rows]
        text = "\n".join(line.rstrip() for line in lines)
        return f"{self.caption}\n{text}" if self.caption else text


def table(frame: pd.DataFrame, *, labels: Mapping | None = None, percent: Iterable = (),
          decimals: Mapping | None = None, index: str | None = None,
          glosses: Mapping[str, str] | None = None, caption: str | None = None,
          source_lang: str = "zh-Hant") -> Table:
    """Format ``frame`` for readers (see the module docstring).

    ``labels`` maps column names to the headings shown; ``percent`` names the
    columns holding fractions to show as percentages; ``decimals`` maps a column
    to its number of decimal places; ``index`` keeps the index as a first column
    with that heading (it is dropped otherwise); ``glosses`` maps original text
    to an English gloss shown under it (``source_lang``, a BCP 47 tag, marks the
    original's language for screen readers and fonts). Unknown column names are an error, so a
    renamed column cannot silently lose its formatting.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"table() needs a pandas DataFrame, got {type(frame).__name__}")
    data = frame.copy()
    if index is not None:
        data = data.reset_index(names=[index] if data.index.nlevels == 1 else None)
    data.columns = [c if not isinstance(c, tuple) else " ".join(str(p) for p in c if str(p)) for c in data.columns]
    labels = dict(labels or {})
    decimals = dict(decimals or {})
    percent = set(percent)
    for name, given in (("labels", labels), ("percent", percent), ("decimals", decimals)):
        unknown = [c for c in given if c not in data.columns]
        if unknown:
            raise KeyError(f"table(): {name} names columns that are not in the table: {unknown}; "
                           f"the columns are {list(data.columns)}")
    numeric = {c for c in data.columns
               if pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c])}
    return Table(data, labels=labels, percent=percent, decimals=decimals, glosses=dict(glosses or {}),
                 caption=caption, numeric=numeric, source_lang=source_lang)


#: The columns of a "Reproduces" table and the headings readers see.
REPRODUCES_COLUMNS = {
    "published value": "Published", "published": "Published", "source": "Source",
    "computed value": "Computed here", "computed here": "Computed here",
}


def reproduces(frame: pd.DataFrame, **options) -> Table:
    """A case study's "Reproduces" table: the published value, its source, and what this page computes.

    Needs a published, a source and a computed column (names as in
    ``REPRODUCES_COLUMNS``); every cell is shown whole.
    """
    present = [c for c in frame.columns if c in REPRODUCES_COLUMNS]
    shown = {REPRODUCES_COLUMNS[c] for c in present}
    missing = {"Published", "Source", "Computed here"} - shown
    if missing:
        raise KeyError(f"reproduces(): the table needs published, source and computed columns; "
                       f"missing {sorted(missing)} among {list(frame.columns)}")
    labels = {c: REPRODUCES_COLUMNS[c] for c in present} | dict(options.pop("labels", {}))
    return table(frame, labels=labels, **options)


#: Our English glosses of non-English statements that the case studies show (CC BY 4.0, like the book's text).
GLOSSES_FILE = pathlib.Path(__file__).with_name("glosses.csv")


def glosses(conversation: str) -> dict[int, str]:
    """English glosses of a conversation's statements, by comment id (``casestudies/glosses.csv``).

    The glosses are our own paraphrases, for readers who do not read the
    original; check them with people from the community before quoting them.
    """
    with GLOSSES_FILE.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["conversation"] == conversation]
    if not rows:
        raise KeyError(f"{GLOSSES_FILE.name} has no glosses for the conversation {conversation!r}")
    return {int(r["comment-id"]): r["english"] for r in rows}


def glosses_by_text(conversation: str, comments: pd.DataFrame) -> dict[str, str]:
    """The glosses keyed by the statement's original text, as :func:`table` takes them.

    ``comments`` is the conversation's ``comments.csv`` (``comment-id`` and ``comment-body``).
    """
    text = comments.set_index("comment-id")["comment-body"]
    return {str(text[tid]): gloss for tid, gloss in glosses(conversation).items() if tid in text.index}
