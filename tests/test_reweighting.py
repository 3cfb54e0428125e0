"""Tests for casestudies.reweighting: raking, design effect, clear errors, and the notebook."""

from __future__ import annotations

import os
import pathlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from casestudies import reweighting as rw
from notebook_support import executed_notebook

DATA = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data"
os.environ.setdefault("PAI_DATA_CACHE", str(DATA))


def _sample():
    # 2x2 sample whose joint table is the product of its margins (60/40 by 30/70).
    rows = [("f", "young")] * 18 + [("f", "old")] * 42 + [("m", "young")] * 12 + [("m", "old")] * 28
    return pd.DataFrame(rows, columns=["sex", "age"])


def test_single_margin_is_post_stratification():
    s = _sample()
    w = rw.rake(s, {"sex": {"f": 0.5, "m": 0.5}})
    assert w[s.sex == "f"].iloc[0] == pytest.approx(0.5 / 0.6)
    assert w[s.sex == "m"].iloc[0] == pytest.approx(0.5 / 0.4)
    assert w.mean() == pytest.approx(1.0)


def test_independent_table_gives_product_weights():
    # When the sample's joint table factorises, raking converges to the product of the one-way ratios.
    s = _sample()
    w = rw.rake(s, {"sex": {"f": 0.5, "m": 0.5}, "age": {"young": 0.5, "old": 0.5}})
    expected = {("f", "young"): (0.5 / 0.6) * (0.5 / 0.3), ("m", "old"): (0.5 / 0.4) * (0.5 / 0.7)}
    for (sex, age), value in expected.items():
        assert w[(s.sex == sex) & (s.age == age)].iloc[0] == pytest.approx(value)


@settings(max_examples=30, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=1, max_value=40), min_size=6, max_size=6),
    a=st.floats(min_value=0.1, max_value=0.9),
    b=st.floats(min_value=0.1, max_value=0.8),
)
def test_raked_weights_match_every_margin(counts, a, b):
    cells = [(x, y) for x in ("p", "q") for y in ("r", "s", "t")]
    s = pd.DataFrame([c for c, k in zip(cells, counts) for _ in range(k)], columns=["x", "y"])
    margins = {"x": {"p": a, "q": 1 - a}, "y": {"r": b, "s": (1 - b) / 2, "t": (1 - b) / 2}}
    w = rw.rake(s, margins)
    table = rw.weighted_margins(s, w, ["x", "y"]).set_index(["variable", "level"])["weighted"]
    for var, target in margins.items():
        for level, share in target.items():
            assert table[(var, level)] == pytest.approx(share, abs=1e-8)


def test_design_effect():
    assert rw.kish_design_effect(np.ones(10)) == pytest.approx(1.0)
    w = np.array([1.0, 1.0, 2.0, 2.0])
    assert rw.kish_design_effect(w) == pytest.approx(4 * 10 / 36)
    assert rw.effective_sample_size(w) == pytest.approx(3.6)


def test_weighted_share_interval_widens_with_unequal_weights():
    y = np.array([1, 0] * 50)
    flat = rw.weighted_share(y)
    uneven = rw.weighted_share(y, np.tile([1.0, 1.0, 3.0, 3.0], 25))
    assert flat["share"] == pytest.approx(0.5)
    assert (uneven["high"] - uneven["low"]) > (flat["high"] - flat["low"])


def test_errors_name_the_problem():
    s = _sample()
    with pytest.raises(rw.RakingError, match="Nobody in the sample"):
        rw.rake(s, {"sex": {"f": 0.4, "m": 0.4, "x": 0.2}})
    with pytest.raises(rw.RakingError, match="without a population share"):
        rw.rake(s, {"sex": {"f": 1.0}})
    with pytest.raises(rw.RakingError, match="no column"):
        rw.rake(s, {"region": {"north": 1.0}})
    with pytest.raises(rw.RakingError, match="non-negative"):
        rw.rake(s, {"sex": {"f": -1, "m": 2}})


def test_notebook_executes():
    path = pathlib.Path(__file__).resolve().parents[1] / "casestudies" / "07-unrepresentative-samples.md"
    nb = executed_notebook(path, timeout=120)
