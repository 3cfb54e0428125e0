"""The Polis pipeline against Polis's own math output (fixtures) and its own group labels (open data)."""

from __future__ import annotations

import os
import pathlib
import platform
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from casestudies import datasets, polis
from casestudies.polis import _compiled, pipeline

SHARED = os.environ.get(datasets.CACHE_ENV, "")
ROOT = pathlib.Path(__file__).resolve().parents[1]

needs_cache = pytest.mark.skipif(
    not SHARED or not pathlib.Path(SHARED).is_dir(),
    reason=f"{datasets.CACHE_ENV} is not set to the shared data folder (the Makefile sets it to ../shared/data)",
)


def _ari(a, b) -> float:
    from sklearn.metrics import adjusted_rand_score

    return adjusted_rand_score(a, b)


# --- small synthetic checks (no data needed) ---------------------------------------------


def _two_camps(n_per=30, n_comments=20, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    camp = np.repeat([0, 1], n_per)
    stance = np.where(np.arange(n_comments) % 2 == 0, 1, -1)
    votes = np.where(camp[:, None] == 0, stance[None, :], -stance[None, :]).astype(float)
    flip = rng.random(votes.shape) < 0.1
    votes[flip] *= -1
    votes[rng.random(votes.shape) < 0.3] = np.nan
    return pd.DataFrame(votes, index=pd.RangeIndex(2 * n_per, name="participant"), columns=range(n_comments)), camp


def test_two_planted_camps_are_recovered():
    m, camp = _two_camps()
    res = polis.run(matrix=m)
    assert res.k == 2
    assert _ari(camp, res.participants["group"].astype(int)) == 1.0


def test_kmeans_starts_from_first_distinct_points():
    X = np.array([[0.0, 0.0], [0.0, 0.0], [10.0, 0.0], [0.1, 0.0], [10.1, 0.0]])
    lab = _compiled.kmeans(X, np.ones(len(X)), np.full(len(X), -1, dtype=np.int64), 2, 20)[0]
    assert lab[0] == lab[1] == lab[3] and lab[2] == lab[4] and lab[0] != lab[2]


def test_silhouette_matches_sklearn_when_no_singletons():
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(0, 1, (20, 2)), rng.normal(5, 1, (15, 2))])
    lab = np.repeat([0, 1], [20, 15])
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    ours = _compiled.silhouette(D, lab.astype(np.int64))
    assert ours == pytest.approx(silhouette_score(X, lab))


def test_in_conversation_threshold_and_greedy_fill():
    m = pd.DataFrame(np.nan, index=range(20), columns=range(10))
    m.iloc[:3, :8] = 1.0  # three people with 8 votes: in by the 7-vote rule
    m.iloc[3:, 0] = 1.0  # everyone else voted once
    inside = polis.in_conversation(m)
    assert {0, 1, 2} <= set(inside) and len(inside) == 15  # topped up to 15


def test_early_joiners_stay_in_with_history():
    # Participant 9 voted on the only comment that existed, then never again: Polis keeps them.
    rows = [(9, 0, 1, 1)]
    t = 2
    for p in range(20):
        for c in range(10):
            rows.append((p, c, 1, t))
            t += 1
    votes = pd.DataFrame(rows, columns=["participant", "comment-id", "vote", "timestamp"]).drop_duplicates(
        ["participant", "comment-id"], keep="first"
    )
    m = votes.pivot(index="participant", columns="comment-id", values="vote")
    m.loc[9] = np.nan
    m.loc[9, 0] = 1
    v = votes[(votes.participant != 9) | (votes["comment-id"] == 0)]
    assert 9 in polis.in_conversation(m, v)


# --- Polis math fixtures: parity with Polis's own output ------------------------------------


def _fixture(name):
    fx = polis.load_polis_fixture(name)
    conv = polis.polis_fixture_conversation(name)
    return fx["math"], conv


@needs_cache
@pytest.mark.parametrize("name", polis.POLIS_FIXTURES)
def test_pca_matches_polis(name):
    math, conv = _fixture(name)
    M = conv.vote_matrix().reindex(columns=math["tids"])
    parts, comments = polis.project(M, math["mod-out"])
    # Polis stores votes with agree = -1 internally, so its centre has the opposite sign.
    # (One fixture's vote file holds a few votes the math run had not seen: allow those columns.)
    diff = np.abs(comments["center"].to_numpy() + np.asarray(math["pca"]["center"]))
    assert np.mean(diff < 1e-9) >= 0.85 and diff.max() < 0.05
    for i, col in enumerate(("pc1", "pc2")):
        r = np.corrcoef(comments[col], math["pca"]["comps"][i])[0, 1]
        assert abs(r) >= 0.999, (col, r)
    bc = math["base-clusters"]
    if all(len(m) == 1 for m in bc["members"]):  # below 100 participants a base cluster is one person
        px = parts.loc[[m[0] for m in bc["members"]]]
        for ours, theirs in ((px["x"], bc["x"]), (px["y"], bc["y"])):
            assert abs(np.corrcoef(ours, theirs)[0, 1]) >= 0.999


@needs_cache
@pytest.mark.parametrize("name", polis.POLIS_FIXTURES)
def test_group_clustering_matches_polis_given_its_base_clusters(name):
    math, _ = _fixture(name)
    bc = math["base-clusters"]
    B = np.c_[bc["x"], bc["y"]]
    got = polis.cluster_base(B, np.asarray(bc["count"], float))
    ref = np.full(len(B), -1)
    pos = {b: i for i, b in enumerate(bc["id"])}
    for g in math["group-clusters"]:
        for b in g["members"]:
            ref[pos[b]] = g["id"]
    assert got["k"] == len(math["group-clusters"])
    assert _ari(ref, got["labels"]) == 1.0


@needs_cache
@pytest.mark.parametrize("name", polis.POLIS_FIXTURES)
def test_representative_comments_consensus_and_gac_match_polis_exactly(name):
    math, conv = _fixture(name)
    M = conv.vote_matrix().reindex(columns=math["tids"])
    stats = polis.comment_stats(M, conv.groups.dropna().astype(int))
    rep = polis.representative_comments(stats, math["mod-out"])
    for g, theirs in math["repness"].items():
        ours = rep[int(g)]
        assert [(c["tid"], c["repful_for"]) for c in ours] == [(c["tid"], c["repful-for"]) for c in theirs]
        np.testing.assert_allclose([c["p_success"] for c in ours], [c["p-success"] for c in theirs], rtol=1e-9)
        np.testing.assert_allclose([c["repness"] for c in ours], [c["repness"] for c in theirs], rtol=1e-9)
    cons = polis.consensus_comments(M, math["mod-out"])
    for side in ("agree", "disagree"):
        assert [c["tid"] for c in cons[side]] == [c["tid"] for c in math["consensus"][side]]
        np.testing.assert_allclose([c["p_test"] for c in cons[side]], [c["p-test"] for c in math["consensus"][side]], rtol=1e-9)
    gac = polis.group_informed_consensus(stats)
    theirs = pd.Series({int(k): v for k, v in math["group-aware-consensus"].items()})
    np.testing.assert_allclose(gac.reindex(theirs.index).to_numpy(), theirs.to_numpy(), rtol=1e-9)


@needs_cache
@pytest.mark.parametrize("name", ["below-100-ptpts", "50ptpt-3gp-strict-no-meta", "25ptpt-3gp-no-strict-with-meta"])
def test_in_conv_matches_polis_with_history(name):
    math, conv = _fixture(name)
    assert set(polis.in_conversation(conv.vote_matrix(), conv.votes)) == set(math["in-conv"])


# --- open data: agreement with Polis's own group labels -------------------------------------


@pytest.fixture(scope="module")
def vtaiwan_run():
    """vTaiwan UberX and our pipeline's result on it (one replay, shared by the tests below)."""
    conv = polis.load_polis_conversation("vtaiwan.uberx")
    return conv, polis.run(conv)


@needs_cache
def test_vtaiwan_finds_polis_number_of_groups_and_labels_the_same_people(vtaiwan_run):
    conv, res = vtaiwan_run
    agr = polis.group_agreement(res, conv.groups)
    assert agr["k"] == agr["k_polis"] == 2
    assert agr["coverage"] >= 0.99


@needs_cache
def test_vtaiwan_groups_agree_with_polis(vtaiwan_run):
    conv, res = vtaiwan_run
    assert polis.group_agreement(res, conv.groups)["ari"] >= 0.8


def test_identical_voters_get_the_same_projection_whatever_order_they_voted_in():
    # Participants 0 and 1 cast the same votes in opposite orders; 2 and 3 differ. Polis's k-means
    # compares points for exact equality, so the twins must land on exactly the same point.
    rng = np.random.default_rng(3)
    m = 12
    twin = rng.choice([-1.0, 1.0, 0.0], size=m)
    rows = [(0, j, twin[j]) for j in range(m)] + [(1, j, twin[j]) for j in reversed(range(m))]
    rows += [(p, j, rng.choice([-1.0, 1.0])) for p in (2, 3) for j in rng.permutation(m)]
    order = rng.permutation(len(rows))  # interleave the participants' votes in time
    r = np.array([rows[i][0] for i in order], dtype=np.int64)
    c = np.array([rows[i][1] for i in order], dtype=np.int64)
    val = np.array([rows[i][2] for i in order])
    hist = pipeline._History(r, c, val, np.zeros(m, bool), 4, m)
    hist.advance(len(r))
    for seed in range(20):
        Q = np.random.default_rng(seed).standard_normal((m, 2)) * 1e3 ** np.random.default_rng(seed).random((m, 2))
        Y = _compiled.centred_times(hist.col_ptr, hist.col_rows, hist.col_vals, hist.col_count, hist.center, hist.keep,
                                    Q, 4)
        assert Y[0].tobytes() == Y[1].tobytes(), f"start {seed}: twins projected apart by {Y[0] - Y[1]}"
    _, proj = pipeline._pca(hist, None)
    assert proj[0].tobytes() == proj[1].tobytes()


@needs_cache
@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="OPENBLAS_CORETYPE names x86 kernels")
def test_vtaiwan_replay_gives_the_same_groups_with_another_blas_kernel(vtaiwan_run, tmp_path):
    # OpenBLAS picks its kernels by CPU, and they round differently. The replay's groups must not depend
    # on that: rerun it with the oldest x86-64 kernel set (Prescott, which every x86-64 CPU runs) and compare.
    _, res = vtaiwan_run
    out = tmp_path / "groups.csv"
    code = ("import sys; from casestudies import polis; "
            "polis.run(polis.load_polis_conversation('vtaiwan.uberx')).groups.to_csv(sys.argv[1])")
    env = {**os.environ, "OPENBLAS_CORETYPE": "Prescott", "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code, str(out)], check=True, env=env, cwd=ROOT, timeout=300)
    other = pd.read_csv(out, index_col=0).iloc[:, 0]
    mine = res.groups
    assert other.index.equals(mine.index)
    assert (other.fillna(-1).to_numpy() == mine.fillna(-1).to_numpy()).all(), "the groups depend on the BLAS kernel"


def test_agreement_ceiling_separates_explainable_from_unexplainable_labels():
    rng = np.random.default_rng(3)
    # A participants table with x, y, as polis.project returns it.
    xy = pd.DataFrame(rng.normal(size=(300, 2)), columns=["x", "y"], index=pd.RangeIndex(300, name="participant"))
    # Labels cut by a straight line on the map: fully explainable by the map.
    straight = pd.Series((xy["x"] + 0.5 * xy["y"] > 0.3).astype(float), index=xy.index)
    full = polis.agreement_ceiling(xy, straight)
    assert full["ceiling"] == pytest.approx(1.0)
    assert full["n"] == 300
    # Labels unrelated to the map: nothing on the map can explain them.
    shuffled = pd.Series(rng.permutation(straight.to_numpy()), index=xy.index)
    assert polis.agreement_ceiling(xy, shuffled)["ceiling"] < 0.1
    # Unlabelled participants (NaN) are left out, not counted as a group.
    partly = straight.copy()
    partly.iloc[:100] = np.nan
    assert polis.agreement_ceiling(xy, partly)["n"] == 200


@needs_cache
def test_agreement_ceiling_on_open_data_bounds_every_pipeline(vtaiwan_run):
    # Our pipeline and red-dwarf both cluster the final map, so neither can beat the ceiling by much.
    conv, ours = vtaiwan_run
    ceiling = polis.agreement_ceiling(ours, conv.groups)["ceiling"]
    assert 0.9 <= ceiling <= 1.0
    assert polis.group_agreement(ours, conv.groups)["ari"] <= ceiling + 0.02


def test_replay_on_a_time_schedule_updates_once_per_window():
    from types import SimpleNamespace

    matrix, camp = _two_camps(n_per=20, n_comments=12)
    votes = matrix.stack().rename("vote").reset_index()
    votes.columns = ["participant", "comment-id", "vote"]
    # Votes arrive in three bursts, one hour apart (timestamps in ms).
    burst = np.repeat([0, 1, 2], int(np.ceil(len(votes) / 3)))[: len(votes)]
    votes["timestamp"] = burst * 3_600_000 + np.arange(len(votes))
    conv = SimpleNamespace(name="bursts", votes=votes, moderated_out=[])
    hourly = polis.replay(conv, update_every=1800)
    assert hourly["n_updates"] == 3
    # One update per second of votes splits the first burst too.
    assert polis.replay(conv, update_every=0.05)["n_updates"] > 3
    # Equal batches ignore the clock.
    assert polis.replay(conv, n_updates=5)["n_updates"] == 5
    # Whatever the schedule, nobody from one camp shares a group with the other camp.
    groups = hourly["labels"].reindex(matrix.index)
    assert not set(groups[camp == 0]) & set(groups[camp == 1])


def test_sparse_single_pass_matches_the_dense_one():
    m, camp = _two_camps(n_per=40, n_comments=30, seed=4)
    votes = m.stack().rename("vote").reset_index().dropna()
    votes.columns = ["participant", "comment-id", "vote"]
    dense = polis.run(matrix=m, moderated_out=[3])
    sparse = polis.run_sparse(votes, moderated_out=[3])
    assert sparse.k == dense.k == 2
    assert _ari(dense.groups, sparse.groups.reindex(dense.groups.index)) == 1.0
    assert _ari(camp, sparse.groups.reindex(m.index)) == 1.0
    # Same map up to the sign of each axis, and the same statements chosen.
    for axis in ("x", "y"):
        assert abs(np.corrcoef(dense.participants[axis], sparse.participants[axis].reindex(m.index))[0, 1]) > 0.999
    assert dense.consensus == sparse.consensus
    assert [c["tid"] for c in dense.repness[0]] == [c["tid"] for c in sparse.repness[0]]
    pd.testing.assert_frame_equal(dense.stats, sparse.stats, check_dtype=False)


def test_in_conv_rules_differ_in_whether_early_joiners_stay():
    from types import SimpleNamespace

    # Participant 99 votes on the first statement while it is the only one, then leaves.
    matrix, camp = _two_camps(n_per=20, n_comments=12)
    votes = matrix.stack().rename("vote").reset_index().dropna()
    votes.columns = ["participant", "comment-id", "vote"]
    votes["timestamp"] = np.arange(len(votes)) + 10
    early = pd.DataFrame({"participant": [99], "comment-id": [0], "vote": [1], "timestamp": [0]})
    conv = SimpleNamespace(name="early", votes=pd.concat([early, votes], ignore_index=True), moderated_out=[])
    sticky = polis.replay(conv, n_updates=40, in_conv_rule="sticky")
    final = polis.replay(conv, n_updates=40, in_conv_rule="final")
    assert 99 in sticky["in_conv"] and 99 not in final["in_conv"]
    full = conv.votes.pivot(index="participant", columns="comment-id", values="vote")
    # Each rule ends where its one-shot form says: the history rule, or the rule on the final votes.
    assert set(sticky["in_conv"]) == set(polis.in_conversation(full, conv.votes))
    assert set(final["in_conv"]) == set(polis.in_conversation(full))
    with pytest.raises(ValueError, match="in_conv_rule"):
        polis.replay(conv, in_conv_rule="everyone")


# --- the incremental replay: the stored history and the compiled steps -------------------------


def _random_history(seed=5, n=40, m=15, n_votes=300):
    rng = np.random.default_rng(seed)
    pairs = rng.choice(n * m, size=n_votes, replace=False)
    r, c = pairs // m, pairs % m
    val = rng.choice([-1.0, 0.0, 1.0], size=n_votes)
    return r.astype(np.int64), c.astype(np.int64), val


def _dense_centred(r, c, val, stop, mod, n, m):
    # Mean imputation the plain way: the votes so far in a dense matrix, NaN elsewhere, centred per column.
    M = np.full((n, m), np.nan)
    M[r[:stop], c[:stop]] = val[:stop]
    M[:, mod] = 0.0  # Polis zeroes moderated-out columns for everyone
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(np.where(np.isnan(M).all(0), 0.0, M), axis=0)
    X = np.where(np.isnan(M), 0.0, M - mean)
    X[:, ~(np.bincount(c[:stop], minlength=m) > 0)] = 0.0
    return X


def test_history_products_equal_the_dense_centred_matrix_at_every_update():
    r, c, val = _random_history()
    n, m = 40, 15
    mod = np.zeros(m, bool)
    mod[3] = True
    hist = pipeline._History(r, c, val, mod, n, m)
    Q = np.random.default_rng(0).standard_normal((m, 2))
    for stop in (10, 120, 121, 300):
        hist.advance(stop)
        X = _dense_centred(r, c, val, stop, mod, n, m)
        X[:, mod] = 0.0
        Y = _compiled.centred_times(hist.col_ptr, hist.col_rows, hist.col_vals, hist.col_count, hist.center, hist.keep,
                                    Q, n)
        np.testing.assert_allclose(Y, X @ Q, atol=1e-12)
        Z = _compiled.centred_transpose_times(hist.col_ptr, hist.col_rows, hist.col_vals, hist.col_count, hist.center,
                                              hist.keep, Y)
        np.testing.assert_allclose(Z, X.T @ (X @ Q), atol=1e-10)
        # Non-missing cells per row: votes so far, plus every moderated-out column seen (zeroed, so not missing).
        seen_mod = int((mod & (np.bincount(c[:stop], minlength=m) > 0)).sum())
        kept = np.bincount(r[:stop], weights=(~mod[c[:stop]]).astype(float), minlength=n)
        np.testing.assert_array_equal(hist.n_votes(), kept + seen_mod)


def test_replay_pca_finds_the_top_two_principal_components():
    r, c, val = _random_history(seed=8, n=60, m=20, n_votes=700)
    hist = pipeline._History(r, c, val, np.zeros(20, bool), 60, 20)
    hist.advance(len(r))
    vecs, proj = pipeline._pca(hist, None)
    X = _dense_centred(r, c, val, len(r), np.zeros(20, bool), 60, 20)
    _, _, Vt = np.linalg.svd(X, full_matrices=False)
    for i in range(2):
        assert abs(vecs[i] @ Vt[i]) == pytest.approx(1.0, abs=1e-6)
    n_votes = np.bincount(r, minlength=60)
    np.testing.assert_allclose(proj, (X @ vecs[:2].T) * np.sqrt(20 / np.maximum(n_votes, 1))[:, None], atol=1e-9)


def test_kmeans_warm_start_keeps_cluster_ids_and_numbers_a_split_after_the_largest():
    X = np.array([[0.0, 0.0], [0.2, 0.0], [5.0, 5.0], [5.2, 5.0], [20.0, 0.0]])
    last = np.array([5, 5, 9, 9, -1], dtype=np.int64)  # the far point is new since the last update
    lab, ids, _ = _compiled.kmeans(X, np.ones(5), last, 3, 20)
    assert list(lab[:4]) == [5, 5, 9, 9]
    assert lab[4] == 10  # split off as the most distal point: the largest id in use plus one
    # With k = 2 there is no room for a third cluster: the new point joins its nearest.
    lab2, ids2, _ = _compiled.kmeans(X, np.ones(5), last, 2, 20)
    assert set(ids2) <= {5, 9} and lab2[0] == lab2[1] and lab2[2] == lab2[3]


# --- coverage: labelling the participants Polis's export labels ----------------------------


def _camps_export(folder: pathlib.Path, *, label_low: bool) -> pathlib.Path:
    """A hand-built export: two camps of 20 who vote on all 12 statements, and three people with 1-2 votes.

    Participants 100 and 101 side with camp 0 and camp 1 on two statements; 102 casts one vote. With
    ``label_low`` the export's ``group-id`` labels the three (as Polis's export does when its math
    clustered them), else leaves them blank (as when they were not in-conv).
    """
    rng = np.random.default_rng(5)
    camp = np.repeat([0, 1], 20)
    stance = np.where(np.arange(12) % 2 == 0, 1.0, -1.0)
    full = np.where(camp[:, None] == 0, stance, -stance) * np.where(rng.random((40, 12)) < 0.1, -1, 1)
    matrix = pd.DataFrame(full, index=range(40), columns=range(12))
    low = pd.DataFrame(np.nan, index=[100, 101, 102], columns=matrix.columns)
    low.loc[100, [0, 1]] = matrix.loc[camp == 0, [0, 1]].iloc[0].to_numpy()
    low.loc[101, [0, 1]] = matrix.loc[camp == 1, [0, 1]].iloc[0].to_numpy()
    low.loc[102, 2] = matrix.loc[camp == 0, 2].iloc[0]
    votes = pd.concat([matrix, low])
    group = np.r_[camp, [0, 1, 0]].astype(float) if label_low else np.r_[camp, [np.nan] * 3]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "comments.csv").write_text("comment-id,comment-body,moderated\n" + "".join(f"{c},statement {c},1\n" for c in votes.columns))
    long = votes.stack().dropna().rename("vote").reset_index()
    long.columns = ["voter-id", "comment-id", "vote"]
    long["timestamp"] = np.arange(len(long)) * 1000 + 1
    long[["timestamp", "comment-id", "voter-id", "vote"]].astype("int64").to_csv(folder / "votes.csv", index=False)
    wide = votes.copy()
    wide.columns = [str(c) for c in wide.columns]
    wide.insert(0, "group-id", pd.Series(group, index=votes.index).map(lambda g: "" if np.isnan(g) else str(int(g))))
    wide.index.name = "participant"
    wide.map(lambda v: v if isinstance(v, str) else ("" if np.isnan(v) else str(int(v)))).to_csv(folder / "participants-votes.csv")
    return folder


def test_participants_the_export_labels_below_the_vote_threshold_are_placed_not_clustered(tmp_path):
    conv = polis.load_polis_conversation(_camps_export(tmp_path / "labelled", label_low=True))
    placed = polis.run(conv, n_updates=20)
    alone = polis.run(conv, n_updates=20, keep_participants=())
    p = placed.participants
    # The in-conv rule (7 votes) leaves the three out; the export says Polis labelled them, so they get a group.
    assert not p.loc[[100, 101, 102], "in_conv"].any()
    assert p.loc[[100, 101, 102], "placed"].all() and not p["placed"].drop([100, 101, 102]).any()
    assert alone.participants.loc[[100, 101, 102], "group"].isna().all()
    assert polis.group_agreement(placed, conv.groups)["coverage"] == 1.0
    assert polis.group_agreement(alone, conv.groups)["coverage"] == pytest.approx(40 / 43)
    # Placing them changes nobody else's group, the group count or the statement statistics.
    clustered = alone.groups.index
    assert (placed.groups.reindex(clustered) == alone.groups).all()
    assert placed.k == alone.k == 2
    pd.testing.assert_frame_equal(placed.stats, alone.stats)
    # Each joins the camp whose votes they share (the nearest base cluster on the map).
    camp_of = placed.groups.reindex(range(40))
    assert p.loc[100, "group"] == camp_of.iloc[0] and p.loc[101, "group"] == camp_of.iloc[20]


def test_nobody_is_placed_when_the_export_labels_only_in_conv_participants(tmp_path):
    conv = polis.load_polis_conversation(_camps_export(tmp_path / "unlabelled", label_low=False))
    res = polis.run(conv, n_updates=20)
    assert not res.participants["placed"].any()
    assert res.participants.loc[[100, 101, 102], "group"].isna().all()
    assert polis.group_agreement(res, conv.groups)["coverage"] == 1.0
    # A single pass places the same way as the replay.
    single = polis.run(polis.load_polis_conversation(_camps_export(tmp_path / "labelled", label_low=True)), use_history=False)
    assert single.participants.loc[[100, 101, 102], "placed"].all()
    assert single.participants.loc[[100, 101, 102], "group"].notna().all()


def test_keep_participants_refuses_what_it_cannot_use():
    matrix, _ = _two_camps()
    with pytest.raises(ValueError, match="needs a loaded conversation"):
        polis.run(matrix=matrix, keep_participants="export")
    with pytest.raises(ValueError, match="'export' or a list"):
        polis.run(matrix=matrix, keep_participants="everyone")
    # A bare matrix places nobody by default, and a list of ids is placed by id.
    assert not polis.run(matrix=matrix).participants["placed"].any()


def test_replay_records_the_k_it_picks_at_every_update():
    from types import SimpleNamespace

    matrix, _ = _two_camps(n_per=20, n_comments=12)
    votes = matrix.stack().dropna().rename("vote").reset_index()
    votes.columns = ["participant", "comment-id", "vote"]
    votes["timestamp"] = np.arange(len(votes)) + 1
    rep = polis.replay(SimpleNamespace(name="camps", votes=votes, moderated_out=[]), n_updates=30)
    assert len(rep["k_path"]) == rep["n_updates"]
    best, smoothed = zip(*rep["k_path"])
    assert all(2 <= k <= polis.MAX_GROUPS for k in best + smoothed)
    # The smoothed k only moves to a k that has just won k_buffer (4) updates in a row.
    for i in range(1, len(smoothed)):
        if smoothed[i] != smoothed[i - 1]:
            assert i >= 3 and set(best[i - 3:i + 1]) == {smoothed[i]}
    assert smoothed[-1] == rep["k"] == 2


def test_agreement_scores_the_placed_participants_apart(tmp_path):
    conv = polis.load_polis_conversation(_camps_export(tmp_path / "labelled", label_low=True))
    placed = polis.run(conv, n_updates=20)
    alone = polis.run(conv, n_updates=20, keep_participants=())
    a, b = polis.group_agreement(placed, conv.groups), polis.group_agreement(alone, conv.groups)
    assert a["n_placed"] == 3 and b["n_placed"] == 0
    # The clustered participants score the same whether or not anyone is placed.
    assert a["ari_clustered"] == pytest.approx(b["ari_clustered"]) == pytest.approx(1.0)
    # The overall score with the placed left out is the score of the run that placed nobody.
    assert a["ari_rule"] == pytest.approx(b["ari"])
    assert a["coverage_rule"] == pytest.approx(b["coverage"]) == pytest.approx(40 / 43)
    # Three placed: 100 and 101 with their camps, 102 (one vote, with camp 0) wherever the map puts it.
    assert not np.isnan(a["ari_placed"]) and np.isnan(b["ari_placed"])
    assert "placed" in placed.extra["placement"] and "alone" in alone.extra["placement"]


def test_an_export_without_group_labels_falls_back_to_the_rule_and_says_so(tmp_path):
    folder = _camps_export(tmp_path / "raw", label_low=True)
    (folder / "participants-votes.csv").unlink()  # a team's raw votes: no group-id anywhere
    conv = polis.load_polis_conversation(folder)
    res = polis.run(conv, n_updates=20)
    assert not res.participants["placed"].any()
    assert res.participants.loc[[100, 101, 102], "group"].isna().all()
    assert "no group-id labels" in res.extra["placement"]


def _camps_history(n_per=25, n_comments=14, seed=8):
    from types import SimpleNamespace

    rng = np.random.default_rng(seed)
    camp = np.repeat([0, 1, 2], n_per)
    stance = rng.choice([-1.0, 1.0], size=(3, n_comments))
    votes = stance[camp].copy()
    votes[rng.random(votes.shape) < 0.25] *= -1
    votes[rng.random(votes.shape) < 0.3] = np.nan
    matrix = pd.DataFrame(votes, index=pd.RangeIndex(len(camp), name="participant"), columns=range(n_comments))
    long = matrix.stack().dropna().rename("vote").reset_index()
    long.columns = ["participant", "comment-id", "vote"]
    long = long.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    long["timestamp"] = np.arange(len(long)) + 1
    return SimpleNamespace(name="camps", votes=long, moderated_out=[])


def test_reload_before_export_reclusters_the_groups_cold_on_the_carried_over_base_clusters():
    conv = _camps_history()
    warm = polis.replay(conv, n_updates=25)
    reloaded = polis.replay(conv, n_updates=25, reload_before_export=True)
    assert not warm["reloaded"] and reloaded["reloaded"]
    assert reloaded["n_updates"] == warm["n_updates"] + 1
    # On this history the warm-started path ends on a different k than a cold start would pick,
    # so the check below tells the two apart.
    assert warm["k"] != reloaded["k"]
    # The PCA and the base clusters carry over the reload (restructure-json-conv keeps them).
    pd.testing.assert_frame_equal(reloaded["map"], warm["map"])
    assert reloaded["base"].equals(warm["base"])
    # The groups: every k's k-means from a cold start over the base-cluster centres in id order,
    # and the k with the best silhouette at once (the smoother starts afresh).
    xy = reloaded["map"].loc[reloaded["base"].index].to_numpy()
    ids = np.sort(reloaded["base"].unique())
    row = np.searchsorted(ids, reloaded["base"].to_numpy())
    centres = np.zeros((len(ids), 2))
    np.add.at(centres, row, xy)
    counts = np.bincount(row, minlength=len(ids)).astype(float)
    centres /= counts[:, None]
    cold = pipeline.cluster_base(centres, counts)
    assert reloaded["k"] == cold["k"]
    best, smoothed = reloaded["k_path"][-1]
    assert best == smoothed == cold["k"]
    expected = pd.Series(cold["labels"][row], index=reloaded["base"].index)
    assert _ari(expected.loc[reloaded["labels"].index], reloaded["labels"]) == 1.0


def test_run_reloads_before_export_by_default_and_not_on_a_single_pass():
    conv = _camps_history()
    from casestudies.polis.export import PolisConversation

    full = PolisConversation("camps", pd.DataFrame({"comment-id": range(14), "moderated": 1}), conv.votes,
                             pd.Series(dtype=float, name="group"), None, None)
    assert polis.DEFAULT_RELOAD_BEFORE_EXPORT is True
    assert polis.run(full, n_updates=20).extra["reloaded"] is True
    assert polis.run(full, n_updates=20, reload_before_export=False).extra["reloaded"] is False
    assert "reloaded" not in polis.run(full, use_history=False).extra


def test_single_pass_groups_everyone_when_a_base_cluster_empties_on_the_way():
    # On these 30 points, Polis's k-means with 12 clusters empties cluster 9 and drops it (cluster-step),
    # so the ids run 0..8, 10, 11: the base clusters must be indexed by position, not by id.
    X = np.random.default_rng(387).normal(size=(30, 2))
    _, ids, _ = _compiled.kmeans(X, np.ones(30), np.full(30, -1, dtype=np.int64), 12, 100)
    assert len(ids) == 11 and ids.max() == 11
    cl = pipeline.cluster_groups(X, base_k=12)
    assert len(cl.base_centers) == len(cl.base_counts) == len(cl.group_of_base) == 11
    assert cl.base_counts.sum() == 30 and (cl.base_counts > 0).all()
    # Each centre is the mean of its members.
    for b in range(11):
        np.testing.assert_allclose(cl.base_centers[b], X[cl.base_labels == b].mean(0))
    assert set(cl.group_of_base[cl.base_labels]) <= set(range(cl.k))
