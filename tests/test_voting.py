"""Tests for casestudies.voting: hand-built electorates, pref_voting cross-checks, seeding and the notebook."""

from __future__ import annotations

import pathlib

import numpy as np
import pandas as pd
import pytest

from casestudies import voting as v
from notebook_support import executed_notebook

# pref-voting compiles its counting functions with numba the first time a process calls them (about
# 10 s of CPU; the JIT stays on: turning it off once numba is loaded breaks the compiled calls).
# One pytest-xdist worker runs this file, so the compilation is paid once, not on each worker.
pytestmark = pytest.mark.xdist_group("pref-voting")


def test_gini():
    assert v.gini(np.ones(10)) == pytest.approx(0.0)
    assert v.gini(np.array([0, 0, 0, 1.0])) == pytest.approx(0.75)
    assert v.gini(np.zeros(3)) == 0.0


def test_unequal_tokens_give_20_percent_of_people_80_percent_of_tokens():
    el = v.simulate_electorate(v.Scenario(), np.random.default_rng(0))
    tokens = v.tokens_for(el, equal=False)
    assert el.early.mean() == pytest.approx(0.2, abs=0.01)
    assert tokens[el.early].sum() / tokens.sum() == pytest.approx(0.8, abs=0.01)
    assert set(v.tokens_for(el, equal=True)) == {1}


def test_ranked_winner_matches_hand_borda():
    # Options 0, 1, 2. Ballots (weights): 0>1>2 (3), 1>2>0 (2), 2>1>0 (2).
    # Borda (2, 1, 0 points): option 0 = 6, option 1 = 3 + 4 + 2 = 9, option 2 = 2 + 4 = 6.
    u = np.array([[3, 2, 1], [1, 3, 2], [1, 2, 3]], dtype=float)
    winner, tied = v.ranked_winner(u, np.array([3, 2, 2]), "borda")
    assert (winner, tied) == (1, False)
    # Instant runoff on 0>1>2 (4), 1>2>0 (2), 2>1>0 (3): 1 is eliminated, its ballots go to 2,
    # which then beats 0 by 5 to 4.
    assert v.ranked_winner(u, np.array([4, 2, 3]), "irv") == (2, False)
    with pytest.raises(ValueError):
        v.ranked_winner(u, np.array([1, 1, 1]), "approval")


def test_tokens_weight_ranked_ballots():
    u = np.array([[2, 1], [1, 2], [1, 2]], dtype=float)
    assert v.ranked_winner(u, np.array([1, 1, 1]))[0] == 1
    assert v.ranked_winner(u, np.array([5, 1, 1]))[0] == 0


def test_quadratic_votes_respect_the_budget():
    rng = np.random.default_rng(3)
    u = rng.normal(size=(20, 3, 4))
    tokens = rng.integers(1, 17, size=20)
    votes = v.quadratic_votes(u, tokens)
    assert (votes >= 0).all()
    assert np.allclose((votes**2).sum(axis=(1, 2)), tokens)


def test_quadratic_voting_lets_an_intense_minority_win_its_question():
    # Three people mildly prefer X on each of three questions; two people care intensely that
    # question 0 goes to Y and barely care about the rest. Ranked voting on question 0: X wins 3-2.
    # Quadratic voting: the two spend almost their whole budget on question 0, and Y wins it.
    majority = [[1, 0], [1, 0], [1, 0]]
    minority = [[0, 10], [0.1, 0], [0.1, 0]]
    u = np.array([majority] * 3 + [minority] * 2, dtype=float)
    tokens = np.ones(5, dtype=int)
    assert v.ranked_winner(u[:, 0], tokens)[0] == 0
    qv = v.quadratic_votes(u, tokens)
    assert v.quadratic_winner(qv[:, 0])[0] == 1
    assert v.quadratic_winner(qv[:, 1])[0] == 0


def test_design_is_seeded_and_compresses_token_inequality_under_qv():
    a = v.run_design(runs=4, seed=7)
    b = v.run_design(runs=4, seed=7)
    pd.testing.assert_frame_equal(a, b)
    s = v.summarise(a).set_index(["mechanism", "tokens"])
    ranked_share = s.loc[("ranked", "unequal (20/80)"), "early_influence_share"]
    qv_share = s.loc[("quadratic", "unequal (20/80)"), "early_influence_share"]
    assert ranked_share == pytest.approx(0.8, abs=0.01)
    assert qv_share < ranked_share  # cost = votes squared turns 16x tokens into about 4x votes
    assert s.loc[("ranked", "equal"), "influence_gini"] == pytest.approx(0.0)


def test_notebook_executes():
    path = pathlib.Path(__file__).resolve().parents[1] / "casestudies" / "06-voting-mechanisms.md"
    nb = executed_notebook(path, timeout=300)
