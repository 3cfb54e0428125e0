"""Tests for casestudies.moral_graph: edge statistics, filter, PageRank (vs networkx) and survey figures."""

from __future__ import annotations

import os
import pathlib

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from casestudies import moral_graph as mg
from notebook_support import executed_notebook

DATA = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data"
os.environ.setdefault("PAI_DATA_CACHE", str(DATA))


def test_entropy_includes_impressions_as_in_the_export():
    # Counts (wiser 3, not wiser 0, less wise 0, unsure 1, impressions 4): exported entropy 1.40564.
    assert mg.edge_entropy([3, 0, 0, 1, 4]) == pytest.approx(1.4056390622295665)
    assert mg.edge_entropy([0, 0, 0, 0, 0]) == 0.0


def test_wiser_likelihood():
    assert mg.wiser_likelihood(3, 0, 0, 1) == pytest.approx(0.75)
    assert mg.wiser_likelihood(2, 1, 1, 0) == pytest.approx(0.25)
    assert mg.wiser_likelihood(0, 0, 0, 0) == 0.0


def _edges(rows):
    return pd.DataFrame(rows, columns=["source", "wiser", "wiser_likelihood"])


def test_pagerank_drop_matches_hand_computation():
    # A -> B. A only ever gets the base (1-d)/N; B gets base + d * A.
    pr = mg.weighted_pagerank(["A", "B"], _edges([("A", "B", 1.0)]))
    assert pr["A"] == pytest.approx(0.075)
    assert pr["B"] == pytest.approx(0.075 + 0.85 * 0.075)


def test_pagerank_splits_by_weight():
    pr = mg.weighted_pagerank(["A", "B", "C"], _edges([("A", "B", 0.75), ("A", "C", 0.25)]), iterations=1)
    base = 0.15 / 3
    assert pr["B"] == pytest.approx(base + 0.85 * (1 / 3) * 0.75)
    assert pr["C"] == pytest.approx(base + 0.85 * (1 / 3) * 0.25)


@pytest.mark.parametrize("seed", [0, 1])
def test_pagerank_uniform_matches_networkx(seed):
    rng = np.random.default_rng(seed)
    nodes = list(range(30))
    pairs = {(int(a), int(b)) for a, b in rng.integers(0, 30, size=(80, 2)) if a != b}
    edges = _edges([(a, b, float(rng.uniform(0.33, 1))) for a, b in sorted(pairs)])
    ours = mg.weighted_pagerank(nodes, edges, dangling="uniform", iterations=300)
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_weighted_edges_from(edges.itertuples(index=False, name=None))
    theirs = pd.Series(nx.pagerank(g, alpha=0.85, weight="weight", tol=1e-13, max_iter=2000))
    assert np.abs(ours - theirs[ours.index]).max() < 1e-9


def test_bad_export_is_named(tmp_path):
    bad = tmp_path / "graph.json"
    bad.write_text('{"values": []}')
    with pytest.raises(mg.MoralGraphError, match="values"):
        mg.read_moral_graph(bad)
    bad.write_text('{"values": [{"id": 1, "title": "x"}], "edges": [{"sourceValueId": 1}]}')
    with pytest.raises(mg.MoralGraphError, match="counts"):
        mg.read_moral_graph(bad)


# --- the published graph and survey ----------------------------------------------------------


@pytest.fixture(scope="module")
def graph():
    from casestudies import datasets

    g = mg.read_moral_graph(datasets.fetch("moral-graph/moral-graph-all-participants.json"))
    return g, mg.edge_stats(g.edges)


def test_recomputed_summaries_match_the_export(graph):
    g, edges = graph
    assert np.allclose(edges["wiser_likelihood"], edges["exported_likelihood"])
    assert np.allclose(edges["entropy"], edges["exported_entropy"])


def test_published_filter_keeps_the_published_graph(graph):
    # The export is the filtered graph: 60 values and 69 edges, all passing the filter.
    g, edges = graph
    assert len(g.values) == 60
    assert len(mg.filter_edges(edges, **mg.PUBLISHED_FILTER)) == 69


def test_real_graph_pagerank_matches_networkx(graph):
    g, edges = graph
    kept = mg.filter_edges(edges)
    ours = mg.weighted_pagerank(g.values["id"], kept, dangling="uniform")
    nxg = nx.DiGraph()
    nxg.add_nodes_from(g.values["id"])
    nxg.add_weighted_edges_from(zip(kept["source"], kept["wiser"], kept["wiser_likelihood"]))
    theirs = pd.Series(nx.pagerank(nxg, alpha=0.85, weight="weight", tol=1e-13, max_iter=2000))
    assert np.abs(ours - theirs[ours.index]).max() < 1e-8
    # The published variant (no redistribution from values nobody upgraded) ranks the top five the same.
    published = mg.weighted_pagerank(g.values["id"], kept)
    assert list(published.nlargest(5).index) == list(theirs.nlargest(5).index)


@pytest.fixture(scope="module")
def survey():
    from casestudies import datasets

    return mg.read_survey(datasets.fetch("moral-graph/survey-responses.csv"))


def test_survey_drops_test_rows(survey):
    assert len(survey) == 301


def test_reproduces_71_percent_clarified(survey):
    # Published (MAI, "OpenAI x DFT: The First Moral Graph"): 71% said the process clarified their thinking.
    k, n, share = mg.top_box_share(survey[mg.survey_question(survey, "clarify what was important")])
    assert (k, n) == (213, 301)
    assert round(100 * share) == 71


def test_reproduces_75_percent_gained_respect(survey):
    # Published: 75% gained substantial respect for people across the political divide.
    k, n, share = mg.top_box_share(survey[mg.survey_question(survey, "gain respect")])
    assert (k, n) == (228, 301)
    assert abs(share - 0.75) < 0.01


def test_notebook_executes():
    path = pathlib.Path(__file__).resolve().parents[1] / "casestudies" / "05-moral-graph.md"
    nb = executed_notebook(path, timeout=120)
