"""Tests for casestudies.social_choice: balanced assignment, BJR, committee rules, and the GSC pilot figure."""

from __future__ import annotations

import itertools
import os
import pathlib

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from casestudies import social_choice as sc
from notebook_support import executed_notebook

DATA = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data"
os.environ.setdefault("PAI_DATA_CACHE", str(DATA))


def _networkx_total(u: np.ndarray, slate: list[int]) -> float:
    """Maximum total utility of a balanced assignment, by max-weight matching (networkx)."""
    n = u.shape[0]
    g = nx.Graph()
    bonus = (u.max() - u.min()) * n + 1.0
    # Same slot construction as the module would be circular; here every statement gets
    # ceil(n/k) slots and the mandatory floor(n/k) ones carry a bonus, but the graph is
    # solved by a different algorithm (blossom) and the totals must agree.
    lo, hi = n // len(slate), -(-n // len(slate))
    for j in slate:
        for c in range(hi):
            for i in range(n):
                g.add_edge(("p", i), ("s", j, c), weight=float(u[i, j]) + (bonus if c < lo else 0.0))
    matching = nx.max_weight_matching(g, maxcardinality=True)
    total = 0.0
    for a, b in matching:
        person, slot = (a, b) if a[0] == "p" else (b, a)
        total += u[person[1], slot[1]]
    return total


def _brute_force_total(u: np.ndarray, slate: list[int]) -> float:
    """Exhaustive search over balanced assignments (tiny instances only)."""
    n, k = u.shape[0], len(slate)
    best = -np.inf
    for labels in itertools.product(range(k), repeat=n):
        counts = np.bincount(labels, minlength=k)
        if counts.max() - counts.min() > 1:
            continue
        best = max(best, sum(u[i, slate[labels[i]]] for i in range(n)))
    return best


def test_slot_sizes_are_balanced():
    assert sc.slot_sizes(100, 5) == [20] * 5
    assert sc.slot_sizes(100, 3) == [34, 33, 33]
    with pytest.raises(ValueError):
        sc.slot_sizes(2, 3)


def test_assignment_is_balanced_and_optimal_on_a_small_case():
    u = np.array([[4, 0, 1], [4, 1, 0], [3, 4, 0], [0, 4, 2], [1, 0, 4], [2, 2, 3]])
    a = sc.balanced_assignment(u)
    assert sorted(a.group_sizes) == [2, 2, 2]
    assert a.total == _brute_force_total(u, [0, 1, 2])


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(min_value=3, max_value=7),
    k=st.integers(min_value=2, max_value=3),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_assignment_matches_exhaustive_search(n, k, seed):
    rng = np.random.default_rng(seed)
    u = rng.integers(0, 5, size=(n, 4))
    slate = sorted(rng.choice(4, size=k, replace=False).tolist())
    a = sc.balanced_assignment(u, slate)
    assert a.group_sizes.max() - a.group_sizes.min() <= 1
    assert set(a.statement) <= set(slate)
    assert a.total == _brute_force_total(u, slate)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_assignment_matches_networkx_matching(seed):
    rng = np.random.default_rng(seed)
    u = rng.integers(0, 5, size=(23, 5))
    for slate in ([0, 1, 2, 3, 4], [1, 3], [0, 2, 4]):
        assert sc.balanced_assignment(u, slate).total == pytest.approx(_networkx_total(u, slate))


def test_bad_input_is_named():
    with pytest.raises(sc.RatingsError):
        sc.balanced_assignment(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError):
        sc.balanced_assignment(np.ones((4, 2)), slate=[0, 0])


# --- balanced justified representation on hand-built profiles ---------------------------


def test_bjr_holds_when_each_group_gets_its_statement():
    # Two like-minded pairs, a slate with each pair's favourite: nobody is under-served.
    u = np.array([[4, 0], [4, 0], [0, 4], [0, 4]])
    a = sc.balanced_assignment(u)
    assert sc.bjr_violations(u, a.utility, k=2) == []


def test_bjr_fails_when_a_quota_sized_group_is_left_out():
    # Participants 0 and 1 (n/k = 2 of 4) both rate statement 2 "perfectly" but the slate
    # {0, 1} gives them nothing they rate above "not at all".
    u = np.array([[0, 0, 4], [0, 0, 4], [4, 4, 0], [4, 4, 0]])
    a = sc.balanced_assignment(u, slate=[0, 1])
    violations = sc.bjr_violations(u, a.utility, k=2)
    assert any(v.statement == 2 and v.threshold == 4 and set(v.coalition) == {0, 1} for v in violations)
    # Restricted to the slate's own statements, the balanced assignment is fine.
    assert sc.bjr_violations(u, a.utility, k=2, candidates=[0, 1]) == []


def test_bjr_fails_for_a_bad_assignment_of_a_good_slate():
    u = np.array([[4, 0], [4, 0], [0, 4], [0, 4]])
    swapped = np.array([0, 0, 0, 0])  # everyone matched to the statement they rate 0
    violations = sc.bjr_violations(u, swapped, k=2)
    assert {(v.statement, v.threshold) for v in violations} >= {(0, 4), (1, 4)}


def test_bjr_needs_a_full_quota():
    # One person alone (less than n/k = 2) cannot claim a statement.
    u = np.array([[0, 0, 4], [4, 4, 0], [4, 4, 0], [4, 4, 0]])
    a = sc.balanced_assignment(u, slate=[0, 1])
    assert sc.bjr_violations(u, a.utility, k=2) == []


# --- committee rules ---------------------------------------------------------------------


def test_committee_rules_on_a_party_list_profile():
    # 9 voters: 6 approve statements 0-2, 3 approve statements 3-4. With k = 3 a proportional
    # rule gives the larger group 2 seats and the smaller 1 (approval voting would give 3 + 0).
    u = np.array([[4, 4, 4, 0, 0]] * 6 + [[0, 0, 0, 4, 4]] * 3)
    table = sc.committee_rules_table(u, [3], threshold=3)
    assert set(table["rule"]) == {name for name, _ in sc.COMMITTEE_RULES.values()}
    for name in ("Proportional Approval Voting (PAV)", "Method of Equal Shares", "Monroe"):
        committee = table.loc[table["rule"] == name, "statements"].iloc[0]
        assert sum(c <= 2 for c in committee) == 2 and sum(c >= 3 for c in committee) == 1, name
    assert table["JR"].all() and table["EJR"].all()


# --- the published pilot figure ------------------------------------------------------------


@pytest.fixture(scope="module")
def pilot():
    from casestudies import datasets

    return sc.read_gsc_ratings(datasets.fetch("generative-social-choice/ratings_and_matching.csv"))


def test_reproduces_93_of_100_mostly_or_perfectly(pilot):
    # Published: 93 of 100 validation participants felt "mostly" or "perfectly" represented
    # (generative-social-choice/chatbot_personalization README, Nov 2023 pilot).
    a = sc.balanced_assignment(pilot.utilities)
    assert len(a.utility) == 100 and list(a.group_sizes) == [20] * 5
    assert int((a.utility >= 3).sum()) == 93
    assert a.total == int(pilot.published_utility.sum())
    counts = sc.level_counts(a.utility)
    assert counts[4] == 75 and counts[3] == 18


def test_pilot_assignment_matches_networkx(pilot):
    u = pilot.utilities.to_numpy()
    assert sc.balanced_assignment(u).total == pytest.approx(_networkx_total(u, list(range(5))))


def test_pilot_slate_satisfies_bjr(pilot):
    a = sc.balanced_assignment(pilot.utilities)
    assert sc.bjr_violations(pilot.utilities, a.utility, k=5) == []


def test_read_gsc_ratings_rejects_wrong_file(tmp_path):
    bad = tmp_path / "ratings.csv"
    bad.write_text("user_id,statement\nu1,9\n")
    with pytest.raises(sc.RatingsError, match="assignments"):
        sc.read_gsc_ratings(bad)


def test_notebook_executes():
    """The chapter runs top to bottom on the cached data (as in the book build)."""
    path = pathlib.Path(__file__).resolve().parents[1] / "casestudies" / "04-generative-social-choice.md"
    nb = executed_notebook(path, timeout=120)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "BJR holds" in text
