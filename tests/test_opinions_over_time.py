"""Tests for casestudies.opinions_over_time: windows, label agreement, and a planted two-camp conversation."""

from __future__ import annotations

import os
import pathlib

import numpy as np
import pandas as pd
import pytest

from casestudies import opinions_over_time as oot
from notebook_support import executed_notebook

DATA = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data"
os.environ.setdefault("PAI_DATA_CACHE", str(DATA))


def _planted(n=160, m=24, seed=0):
    """Two camps that disagree on most comments and all agree with comments 0 and 1, arriving over time."""
    from casestudies.polis import PolisConversation

    rng = np.random.default_rng(seed)
    camp = np.arange(n) % 2
    rows = []
    for p in range(n):
        arrival = 1_000_000 + p * 60_000
        for c in range(m):
            if c < 2:
                vote = 1
            else:
                vote = 1 if (c % 2 == camp[p]) else -1
            if rng.random() < 0.1:
                vote = -vote
            rows.append({"participant": p, "comment-id": c, "vote": vote, "timestamp": arrival + c * 1000})
    votes = pd.DataFrame(rows)
    comments = pd.DataFrame({"comment-id": range(m), "comment-body": [f"statement {c}" for c in range(m)], "moderated": 0})
    groups = pd.Series(camp.astype(float), index=pd.RangeIndex(n, name="participant"), name="group-id")
    return PolisConversation(name="planted", comments=comments, votes=votes, groups=groups)


def test_window_cutoffs_grow_and_validate():
    votes = pd.DataFrame({"timestamp": np.arange(100)})
    cuts = oot.window_cutoffs(votes, [0.1, 0.5, 1.0])
    assert cuts == [9, 49, 99]
    with pytest.raises(ValueError):
        oot.window_cutoffs(votes, [0.0, 1.0])
    with pytest.raises(ValueError, match="timestamps"):
        oot.window_cutoffs(pd.DataFrame({"timestamp": [0, 0]}), [1.0])


def test_conversation_until_keeps_earlier_votes_only():
    conv = _planted(n=10, m=4)
    cut = int(conv.votes["timestamp"].median())
    early = oot.conversation_until(conv, cut)
    assert early.votes["timestamp"].max() <= cut
    assert len(early.votes) < len(conv.votes)
    assert len(conv.votes) == 40  # original untouched


def test_label_agreement_ignores_group_names():
    a = pd.Series([0, 0, 1, 1, 2], index=list("abcde"))
    b = pd.Series([5, 5, 3, 3], index=list("abcd"))
    out = oot.label_agreement(a, b)
    assert out == {"ari": pytest.approx(1.0), "same_group": pytest.approx(1.0), "shared": 4}
    c = pd.Series([0, 1, 0, 1], index=list("abcd"))
    assert oot.label_agreement(c, b)["same_group"] == pytest.approx(0.5)


def test_settling_window():
    table = pd.DataFrame({"share_of_votes": [0.1, 0.2, 0.5, 1.0], "ari_vs_final": [0.9, 0.5, 0.85, 1.0]})
    assert oot.settling_window(table, threshold=0.8) == 0.5
    assert oot.settling_window(table, threshold=1.1) is None


def test_planted_camps_are_recovered_and_settle():
    conv = _planted()
    table, results = oot.track_windows(conv, fractions=(0.25, 0.5, 1.0))
    final = table.iloc[-1]
    assert final["groups"] == 2
    assert final["ari_vs_polis"] > 0.9  # the planted camps
    assert oot.settling_window(table, threshold=0.8) is not None
    assert set(table.iloc[-1]["consensus"][:2]) & {0, 1}


def test_notebook_executes():
    path = pathlib.Path(__file__).resolve().parents[1] / "casestudies" / "08-opinions-over-time.md"
    nb = executed_notebook(path, timeout=300)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "CC BY 4.0" in text
