"""Bridging-based ranking: Remesh's min-over-segments score and the matrix-factorisation models."""

from __future__ import annotations

import os
import pathlib

import numpy as np
import pandas as pd
import pytest

from casestudies import bridging as br
from casestudies import collective_dialogues as cd
from casestudies import datasets

SHARED = os.environ.get(datasets.CACHE_ENV, "")
needs_cache = pytest.mark.skipif(
    not SHARED or not pathlib.Path(SHARED).is_dir(),
    reason=f"{datasets.CACHE_ENV} is not set to the shared data folder (the Makefile sets it to ../shared/data)",
)


def test_min_over_segments_on_a_tiny_block():
    text = '''"Name","t"

"Question ID","Question Type","Question","Star","Responses","Sentiment","All(10)","O3: Male (5)","O3: Female (5)","O4: Democrat (4)","O4: Republican (3)","O4: Independant (3)"
"q","Ask Opinion","What should the AI do?","","Be honest","","80%","90%","70%","85%","60%","80%"
"q","Ask Opinion","What should the AI do?","","Take sides","","50%","50%","50%","90%","10%","50%"
'''
    block = cd.read_remesh(text).blocks[0]
    s = br.segment_bridging(block).set_index("response")
    assert s.loc["Be honest", "bridging"] == pytest.approx(0.6)
    assert s.loc["Take sides", "bridging"] == pytest.approx(0.1)
    assert s.loc["Take sides", "polarisation"] == pytest.approx(0.8)


@needs_cache
@pytest.mark.parametrize("topic", ["conflict", "vax"])
def test_evidence_bridging_support_reproduced(topic):
    export = cd.read_remesh(datasets.fetch(f"collective-dialogues/CD1_{topic}.csv"))
    cands = pd.read_csv(datasets.fetch(f"collective-dialogues/policy_candidates_{topic}.csv"))
    m = br.match_policy_candidates(export, cands)
    found = m.dropna(subset=["computed"])
    assert len(found) >= 0.7 * len(m)
    # The public export lacks some of the team's segments (their ids 48-54), so the
    # recomputed minimum can only be at or above the published one.
    assert (found["difference"] >= 0).all()
    assert (found["difference"] == 0).mean() >= 0.45
    assert (found["difference"] <= 0.02).mean() >= 0.9


def _fit(s):
    return br.fit_community_notes(s.raters, s.items, s.ratings, n_raters=s.n_raters, n_items=s.n_items)


def test_community_notes_model_recovers_planted_bridging_items():
    s = br.synthetic_ratings(seed=3)
    m = _fit(s)
    assert np.corrcoef(m.item_intercept, s.item_intercept)[0, 1] >= 0.9
    n = np.bincount(s.items, minlength=s.n_items)
    status = br.community_notes_status(m, n)
    helpful = status == "helpful"
    assert (s.kind[helpful] == "bridging").all()  # nothing polarising or weak is rated helpful
    assert helpful[s.kind == "bridging"].mean() >= 0.8
    k = int((s.kind == "bridging").sum())
    by_intercept = s.kind[np.argsort(-m.item_intercept)[:k]]
    raw = np.bincount(s.items, weights=s.ratings, minlength=s.n_items) / np.maximum(n, 1)
    by_majority = s.kind[np.argsort(-raw)[:k]]
    assert (by_intercept == "bridging").mean() >= 0.9
    assert (by_majority == "polarising").sum() > (by_intercept == "polarising").sum()  # majority vote picks polarising items


def test_aligned_variant_fits_and_flags_by_its_rule():
    s = br.synthetic_ratings(n_raters=300, n_items=60, n_ratings=8000, seed=4)
    m = br.fit_aligned(s.raters, s.items, s.ratings, n_raters=s.n_raters, n_items=s.n_items)
    assert m.history[-1] <= m.history[0]
    assert np.corrcoef(m.item_intercept, s.item_intercept)[0, 1] >= 0.7
    n = np.bincount(s.items, minlength=s.n_items)
    raw = np.bincount(s.items, weights=s.ratings, minlength=s.n_items) / np.maximum(n, 1)
    acc = br.aligned_accepts(m, n, raw)
    assert not acc[s.kind == "other"].any()


def test_factor_sign_is_oriented():
    s = br.synthetic_ratings(n_raters=300, n_items=60, n_ratings=8000, seed=5)
    m = _fit(s)
    assert np.median(m.rater_factor) >= 0


@needs_cache
def test_polis_intercepts_track_group_informed_consensus():
    from scipy.stats import spearmanr

    from casestudies import polis

    conv = datasets.load_polis_conversation("vtaiwan.uberx")
    r, i, y, _, tids = br.polis_ratings(conv)
    m = br.fit_community_notes(r, i, y)
    res = polis.run(conv, use_history=False)
    gac = res.comments.loc[tids, "group_informed_consensus"]
    assert spearmanr(m.item_intercept, gac).correlation >= 0.6
