"""casestudies.display: data frames shown to readers, not programmers."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from casestudies.display import CROSS, MISSING_TEXT, TICK, format_value, table

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
os.environ.setdefault("PAI_DATA_CACHE", str(DATA))

PROGRAMMER_VALUES = re.compile(r"\b(?:True|False|NaN|nan|None|NaT|<NA>)\b")


def frame():
    return pd.DataFrame({
        "share_agree": [0.7531, np.nan, 0.05],
        "matches_published": [True, False, np.nan],
        "n": [1234, 5, 0],
        "statement": ["A long statement " * 10, "x < y & <b>bold</b>", None],
    }, index=[10, 11, 12])


def test_no_index_no_raw_names_no_programmer_values():
    t = table(frame(), percent=["share_agree"], labels={"n": "People"})
    html = t._repr_html_()
    text = re.sub(r"<[^>]+>", " ", html)
    assert t.header() == ["Share agree", "Matches published", "People", "Statement"]
    assert not PROGRAMMER_VALUES.search(text), text
    assert ">10<" not in html and ">11<" not in html  # the index is gone
    assert "share_agree" not in html
    assert t.rows()[0][:3] == ["75%", TICK, "1,234"]
    assert t.rows()[1][:2] == [MISSING_TEXT, CROSS]
    assert t.rows()[2][1] == MISSING_TEXT


def test_long_text_is_never_truncated_and_markup_is_escaped():
    t = table(frame())
    html = t._repr_html_()
    assert ("A long statement " * 10).strip() in html
    assert "..." not in html and "…" not in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert ("A long statement " * 10).strip() in repr(t)


def test_ticks_and_dashes_have_words_for_screen_readers():
    html = table(frame())._repr_html_()
    assert '<span class="visually-hidden">yes</span>' in html
    assert '<span class="visually-hidden">no</span>' in html
    assert '<span class="visually-hidden">no value</span>' in html


def test_index_kept_as_a_labelled_column_when_asked():
    t = table(pd.DataFrame({"support": [0.8]}, index=pd.Index(["All"], name="segment")), index="Segment",
              percent=["support"])
    assert t.header() == ["Segment", "Support"]
    assert t.rows() == [["All", "80%"]]


def test_gloss_shown_under_the_original_with_languages_marked():
    t = table(pd.DataFrame({"statement": ["我覺得很好", "plain"]}), glosses={"我覺得很好": "I think it is good"})
    html = t._repr_html_()
    assert '<span lang="zh-Hant">我覺得很好</span><span class="pai-gloss" lang="en">I think it is good</span>' in html
    assert "I think it is good" in repr(t)


def test_unknown_columns_are_refused_with_the_columns_named():
    with pytest.raises(KeyError, match=r"percent names columns that are not in the table: \['shares'\]"):
        table(frame(), percent=["shares"])
    with pytest.raises(TypeError, match="not a number"):
        format_value("75", percent=True)
    with pytest.raises(TypeError, match="DataFrame"):
        table([1, 2])


def test_decimals_and_numpy_types():
    assert format_value(np.float64(2.5)) == "2.50"
    assert format_value(np.int64(12000)) == "12,000"
    assert format_value(np.bool_(True)) == TICK
    assert format_value(0.12345, percent=True, decimals=1) == "12.3%"
    assert format_value(3.14159, decimals=3) == "3.142"


@given(st.lists(st.one_of(st.none(), st.booleans(), st.floats(allow_nan=True, allow_infinity=False, width=32),
                          st.integers(-10**6, 10**6), st.text(max_size=30)), min_size=1, max_size=8))
def test_no_programmer_value_ever_reaches_the_reader(values):
    t = table(pd.DataFrame({"value": pd.Series(values, dtype=object)}))
    for row in t.rows():
        for cell in row:
            if cell not in {str(v) for v in values if isinstance(v, str)}:
                assert not PROGRAMMER_VALUES.search(cell), cell


def test_reproduces_table_keeps_every_cell_whole_under_reader_headings():
    from casestudies.display import reproduces
    long = "computed " * 40
    t = reproduces(pd.DataFrame([{"published value": "75-81%", "source": "Konya et al. 2023", "computed here": long}]))
    assert t.header() == ["Published", "Source", "Computed here"]
    assert long.strip() in t._repr_html_()
    with pytest.raises(KeyError, match="missing"):
        reproduces(pd.DataFrame([{"published value": "x", "computed value": "y"}]))


def test_every_vtaiwan_gloss_names_a_real_statement_and_is_english():
    from casestudies import datasets
    from casestudies.display import glosses, glosses_by_text

    comments = pd.read_csv(datasets.fetch("polis-opendata/vtaiwan.uberx/comments.csv"))
    found = glosses("vtaiwan.uberx")
    assert set(found) <= set(comments["comment-id"]), "a gloss names a statement the conversation does not have"
    assert all(not re.search(r"[\u3400-\u9fff]", g) and len(g.split()) >= 4 for g in found.values())
    by_text = glosses_by_text("vtaiwan.uberx", comments)
    assert len(by_text) == len(found)
    with pytest.raises(KeyError, match="no glosses"):
        glosses("no.such.conversation")


def test_chart_labels_wrap_instead_of_being_cut():
    from widgets.charts import LABEL_LINES, wrap_label

    long = "Give users control over the extent of personalization and the data it uses, at any time"
    wrapped = wrap_label(long, 30)
    assert wrapped.replace("\n", " ") == long and all(len(line) <= 30 for line in wrapped.split("\n"))
    assert "split(datum.label" in LABEL_LINES
