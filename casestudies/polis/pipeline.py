"""The Polis math pipeline, recomputed: who is clustered, where they sit, which groups form.

This reproduces the Polis math (compdemocracy/polis, ``math/``) on an exported
conversation, built on red-dwarf (polis-community/red-dwarf, MPL-2.0) where red-dwarf
already does the job (mean imputation, PCA, sparsity-aware scaling) and adding the
parts red-dwarf leaves out: the history-aware choice of who is clustered, base
clusters (k = 100) and group clustering over the weighted base clusters with k chosen
by silhouette, and the replay of Polis's incremental updates. What each group says is
in :mod:`casestudies.polis.statements`; the comparison with Polis's own output and with
red-dwarf in :mod:`casestudies.polis.evaluation`. The case-study chapter "Polis opinion
groups" (``casestudies/01-polis-opinion-groups.md``) explains each step.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from casestudies.polis import _compiled
from casestudies.polis.export import PolisConversation, has_vote_times
from casestudies.polis.statements import comment_stats, consensus_comments, group_informed_consensus, representative_comments

__all__ = [
    "PolisGroups",
    "in_conversation",
    "project",
    "cluster_base",
    "replay",
    "cluster_groups",
    "run",
    "run_sparse",
    "MIN_VOTES",
    "GREEDY_N",
    "DEFAULT_N_UPDATES",
    "DEFAULT_IN_CONV_RULE",
    "DEFAULT_K_BUFFER",
    "DEFAULT_KEEP_PARTICIPANTS",
    "DEFAULT_RELOAD_BEFORE_EXPORT",
    "IN_CONV_RULES",
    "BASE_K",
    "MAX_GROUPS",
]

#: Polis's defaults (math/src/polismath/math/conversation.clj).
MIN_VOTES = 7
GREEDY_N = 15
BASE_K = 100
MAX_GROUPS = 5

#: Defaults of :func:`run` that Polis's code does not fix, chosen on the development
#: conversations only (``benchmarks/_polis_bench.py``, ``choose_defaults``; the chapter
#: lists the development and check sets): the number of equal vote batches the replay
#: runs one update after, whether in-conv is "sticky" (once in, always in, as in
#: Polis's code) or "final" (recomputed from each update's votes), and how many
#: updates in a row a new k must win before it is adopted (Polis's group-k-buffer).
DEFAULT_N_UPDATES = 100
DEFAULT_IN_CONV_RULE = "final"
DEFAULT_K_BUFFER = 4
IN_CONV_RULES = ("sticky", "final")
#: Who else gets a group: ``"export"`` places every participant the export's ``group-id``
#: column labels but whom the in-conv rule leaves out (see :func:`_kept`), so the result
#: labels the participants Polis labelled; ``()`` places nobody. Chosen on the development
#: conversations (benchmarks/POLIS-LOG.md, round 2).
DEFAULT_KEEP_PARTICIPANTS = "export"
#: Whether the replay ends with one more update on a conversation reloaded from its stored
#: state, as Polis's exporter and a restarted math worker run it. Polis stores an update's
#: results through ``prep-main`` and reloads them through ``restructure-json-conv``
#: (math/src/polismath/conv_man.clj, compdemocracy/polis at 6bc54ba): the reload keeps the
#: PCA, base clusters, in-conv and the chosen ``:group-clusters``, but not the per-k
#: ``:group-clusterings`` nor the ``:group-k-smoother``. ``get-export-data``
#: (math/src/polismath/darwin/export.clj at 7e0c6bf) loads the conversation that way and,
#: asked to update the math, runs ``conv-update`` on it; ``load-or-init`` (conv_man.clj)
#: does the same when a worker restarts. That update's group clusterings start cold
#: (``init-clusters``: the first k distinct base-cluster centres) and its k is the best by
#: silhouette at once. The export does not say whether its math ran after such a reload, so
#: the default was chosen on the development conversations (benchmarks/POLIS-LOG.md, round 3).
DEFAULT_RELOAD_BEFORE_EXPORT = True
#: The replay's PCA stops when each component's ``1 - |cos|`` with its last value is at
#: most this (an angle of about 4.5e-5 rad), or after 100 steps. Polis's
#: ``power-iteration`` (math/src/polismath/math/pca.clj, compdemocracy/polis at 7850848)
#: runs until the eigenvalue repeats exactly, or 100 steps: a converged answer. The map
#: error this leaves (about 1e-4 of a coordinate) is two orders below the 0.01 at which
#: Polis's k-means calls two clusterings the same. The earlier 1e-5 (an angle of 4.5e-3)
#: left errors of that size; benchmarks/POLIS-LOG.md has the effect of the change.
PCA_TOL = 1e-9
#: Vectors iterated together (the two components and two more, which only speed convergence).
PCA_BLOCK = 4


# --- who is clustered -----------------------------------------------------------------


def _entry_index(votes: pd.DataFrame, *, min_votes: int = MIN_VOTES, greedy_n: int = GREEDY_N) -> dict:
    """For each participant, the position (in time order) of the vote after which Polis puts them in-conv.

    Replays the rule vote by vote: in once they have voted on ``min(min_votes,
    n_comments so far)`` comments; while fewer than ``greedy_n`` are in, the most
    active voters are added; once in, always in.
    """
    v = votes.sort_values("timestamp", kind="stable")
    who = v["participant"].to_numpy()
    n_at = np.cumsum((~v["comment-id"].duplicated()).to_numpy())
    k_at = v.groupby("participant").cumcount().to_numpy() + 1  # votes so far
    reached = k_at >= np.minimum(min_votes, n_at)
    entry: dict = {}
    for i in np.nonzero(reached)[0]:
        entry.setdefault(who[i], int(i))
    # The greedy top-up only matters while fewer than greedy_n qualify: replay that phase.
    running: dict = {}
    n_reached = 0
    for i in range(len(v)):
        p = who[i]
        running[p] = running.get(p, 0) + 1
        n_reached += bool(reached[i] and entry.get(p) == i)
        inside = {q for q, e in entry.items() if e <= i}
        if len(inside) >= greedy_n:
            break
        for q in sorted(running, key=lambda q: -running[q]):
            if len(inside) >= greedy_n:
                break
            if q not in inside:
                inside.add(q)
                entry[q] = min(entry.get(q, i), i)
    return entry


def in_conversation(
    matrix: pd.DataFrame,
    votes: pd.DataFrame | None = None,
    *,
    min_votes: int = MIN_VOTES,
    greedy_n: int = GREEDY_N,
) -> pd.Index:
    """Participants Polis clusters ("in-conv").

    A participant joins once they have voted on ``min(min_votes, n_comments)``
    comments, and stays in. With a vote history (``votes`` with a ``timestamp``
    column) the rule is replayed in time order (:func:`_entry_index`), so people
    who joined early, while the conversation had fewer than ``min_votes`` comments
    or fewer than ``greedy_n`` voters, are kept as Polis keeps them. Without
    history it is applied to the final matrix, topped up to ``greedy_n`` with the
    most active voters.
    """
    counts = matrix.notna().sum(axis=1)
    inside = set(counts.index[counts >= min(min_votes, matrix.shape[1])])
    if votes is not None and has_vote_times(votes):
        inside |= set(_entry_index(votes, min_votes=min_votes, greedy_n=greedy_n))
    inside &= set(matrix.index)
    if len(inside) < greedy_n:
        extra = counts.drop(index=list(inside)).sort_values(ascending=False, kind="stable")
        inside |= set(extra.index[: greedy_n - len(inside)])
    return pd.Index(sorted(inside), name=matrix.index.name)


# --- where they sit ---------------------------------------------------------------------


def project(matrix: pd.DataFrame, moderated_out=()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PCA with mean imputation and sparsity-aware scaling (red-dwarf's reducer).

    Moderated-out comments are zeroed for everyone, as Polis does. Returns
    ``(participants, comments)``: participants with ``x, y`` (projection scaled
    by sqrt(n_comments / n_votes)); comments with ``center, pc1, pc2`` and the
    projection ``x, y`` of a single agree vote.
    """
    from reddwarf.utils.matrix import simple_filter_matrix
    from reddwarf.utils.reducer.base import run_reducer

    zeroed = simple_filter_matrix(matrix, mod_out_statement_ids=[c for c in moderated_out if c in matrix.columns])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        X_p, X_c, pca = run_reducer(vote_matrix=zeroed.to_numpy(dtype=float), reducer="pca")
    participants = pd.DataFrame(X_p, index=matrix.index, columns=["x", "y"])
    participants["n_votes"] = matrix.notna().sum(axis=1)
    comments = pd.DataFrame(X_c, index=matrix.columns, columns=["x", "y"])
    comments["center"] = pca.mean_
    comments["pc1"] = pca.components_[0]
    comments["pc2"] = pca.components_[1]
    return participants, comments


# --- which groups form ------------------------------------------------------------------


@dataclass
class _Clustering:
    base_centers: np.ndarray
    base_labels: np.ndarray  # per participant
    base_counts: np.ndarray
    k: int
    group_of_base: np.ndarray
    silhouettes: dict[int, float]


def cluster_base(base_centers: np.ndarray, base_counts: np.ndarray, *, max_groups: int = MAX_GROUPS, force_k: int | None = None) -> dict:
    """Group clustering over base clusters, as one Polis update does it from a cold start.

    For each k in 2..min(max_groups, 2 + n_base // 12), weighted k-means over the
    base-cluster centres (weights = member counts, start from the first k distinct
    centres); the k with the best silhouette (on the unweighted base centres) wins.
    Returns ``{"labels", "k", "silhouettes"}`` with a group label per base cluster.
    """
    B = np.asarray(base_centers, dtype=float)
    w = np.asarray(base_counts, dtype=float)
    D = np.sqrt(((B[:, None] - B[None]) ** 2).sum(-1))
    max_k = min(max_groups, 2 + len(B) // 12)
    ks = [force_k] if force_k else list(range(2, max(2, max_k) + 1))
    sils, labs = {}, {}
    cold = np.full(len(B), -1, dtype=np.int64)
    for k in ks:
        lab = _compiled.kmeans(B, w, cold, k, 20)[0]  # cold start: ids 0..k-1
        labs[k] = np.unique(lab, return_inverse=True)[1]
        sils[k] = _compiled.silhouette(D, labs[k].astype(np.int64))
    best = max(sorted(sils), key=lambda k: (sils[k], k))  # max-key: the larger k on a tie
    return {"labels": labs[best], "k": int(labs[best].max() + 1), "silhouettes": sils}


def cluster_groups(xy: np.ndarray, *, base_k: int = BASE_K, max_groups: int = MAX_GROUPS, force_k: int | None = None) -> _Clustering:
    """Base clusters (Polis k-means with ``base_k`` clusters), then :func:`cluster_base` over them."""
    xy = np.ascontiguousarray(xy, dtype=float)
    base_ids, ids, centers = _compiled.kmeans(xy, np.ones(len(xy)), np.full(len(xy), -1, dtype=np.int64), base_k, 100)
    # kmeans returns cluster ids; a cluster emptied on the way is dropped (cluster-step), so the ids can skip
    # a number: index the centres by position.
    base_labels = np.searchsorted(ids, base_ids)
    counts = np.bincount(base_labels, minlength=len(centers)).astype(float)
    g = cluster_base(centers, counts, max_groups=max_groups, force_k=force_k)
    return _Clustering(centers, base_labels, counts, g["k"], g["labels"], g["silhouettes"])


# --- replaying Polis's history ----------------------------------------------------------
#
# Polis does not cluster a conversation once: it updates its math each time new votes
# arrive, and each update starts from the previous one (base clusters and groups are
# warm-started, k changes only after winning 4 updates in a row). The export holds the
# final state of that history, so matching it means replaying the history. The helpers
# below follow the Clojure code (math/src/polismath/math/clusters.clj, conversation.clj).


def _sqdist(X: np.ndarray, C: np.ndarray) -> np.ndarray:
    # |x - c|^2 without the (n, k, 2) temporary; clipped at 0 against rounding.
    return np.maximum((X * X).sum(1)[:, None] - 2.0 * X @ C.T + (C * C).sum(1)[None, :], 0.0)


@dataclass
class _State:
    next_base_id: int = 0
    last_k: int | None = None
    last_k_count: int = 0
    smoothed_k: int | None = None
    comps: np.ndarray | None = None


def _pca(hist: "_History", start: np.ndarray | None, iters: int = 100):
    """Two-component PCA of the mean-imputed, centred votes so far, iterated from the last update's, as Polis computes it.

    Unseen cells, which mean imputation puts on their statement's mean, are zero once
    centred, so only the votes cast so far enter (``hist``, a :class:`_History`); columns
    not seen yet get zero components. ``start`` (:data:`PCA_BLOCK` x columns: the last
    update's two components, then two more vectors that only speed convergence)
    warm-starts the iteration, which also keeps the components' signs, as ``wrapped-pca``
    does with ``:start-vectors`` (math/src/polismath/math/pca.clj, compdemocracy/polis at
    7850848); the iteration runs to :data:`PCA_TOL` (see
    :func:`casestudies.polis._compiled.power_iteration`). Returns ``(vectors,
    projections)``: the next update's start vectors, components first, and the
    participants' projections with Polis's sparsity-aware scaling
    (``sparsity-aware-project-ptpt``: ``sqrt(n_comments / max(n_votes, 1))``,
    ``n_comments`` being the statements seen so far).
    """
    m = len(hist.col_count)
    if start is None or not np.any(start[:2]):
        start = np.random.default_rng(0).standard_normal((PCA_BLOCK, m))
    stuck = 1e-12 * max(1.0, float(_compiled.centred_norm(hist.col_ptr, hist.col_vals, hist.col_count, hist.center, hist.keep)))
    rng = np.random.default_rng(0)
    vecs = np.ascontiguousarray(start, dtype=float)
    for _ in range(3):
        vecs, proj, ok = _compiled.pca_update(hist.col_ptr, hist.col_rows, hist.col_vals, hist.col_count, hist.center,
                                               hist.keep, vecs, hist.n_votes(), float(hist.cols_seen.sum()), iters,
                                               stuck, PCA_TOL)
        if ok:
            break
        # The start vectors carry no variance (e.g. they sit on moderated-out statements):
        # restart from random vectors rather than stay stuck at zero.
        vecs = np.ascontiguousarray(vecs + rng.standard_normal(vecs.shape))
    return vecs, proj


def _time_bounds(v: pd.DataFrame, every_s: float) -> np.ndarray:
    """Batch ends for updates spaced ``every_s`` seconds apart (timestamps in ms)."""
    t = v["timestamp"].to_numpy(dtype="int64")
    step = int(every_s * 1000)
    bounds, start = [], t[0]
    for i in range(1, len(t)):
        if t[i] - start >= step:
            bounds.append(i)
            start = t[i]
    bounds.append(len(t))
    return np.array(bounds)


def _first_update(v: pd.DataFrame) -> int:
    """The smallest batch end at which a map can be drawn: two statements and three participants have votes."""
    new_c = np.cumsum(~v["comment-id"].duplicated().to_numpy())
    new_p = np.cumsum(~v["participant"].duplicated().to_numpy())
    return max(int(np.searchsorted(new_c, 2)), int(np.searchsorted(new_p, 3))) + 1


class _History:
    """The whole vote history, stored once; each update only adds its batch to running counts.

    Votes are kept by statement (``col_*``), each statement's votes in time order, so the
    votes cast so far are a prefix of every column (``col_count``; ``row_count`` counts each
    participant's votes so far); the compiled products in :mod:`casestudies.polis._compiled`
    walk those prefixes, statement by statement, and centre each vote on its statement's
    current mean (``center``) as they go. :meth:`advance` costs O(batch):
    nothing is rebuilt, re-sorted or rewritten per update.
    """

    def __init__(self, r, c, val, mod_mask, n_rows, n_cols):
        self.r, self.c, self.val, self.mod_mask = r, c, val, mod_mask
        by_col = np.argsort(c, kind="stable")  # votes are in time order: stable keeps it within a column
        self.col_ptr = np.concatenate([[0], np.cumsum(np.bincount(c, minlength=n_cols))]).astype(np.int64)
        self.col_rows, self.col_vals = r[by_col].astype(np.int64), val[by_col]
        self.keep = (~mod_mask).astype(float)  # statements left out of the math are zeroed, as Polis zeroes them
        self.col_sum = np.zeros(n_cols)
        self.col_count = np.zeros(n_cols, dtype=np.int64)
        self.row_count = np.zeros(n_rows, dtype=np.int64)  # votes so far, passes and moderated-out ones included
        self.row_kept = np.zeros(n_rows)  # votes so far on statements still in the math
        self.center = np.zeros(n_cols)
        self.stop = 0

    def advance(self, stop: int) -> None:
        b = slice(self.stop, stop)
        rb, cb, vb = self.r[b], self.c[b], self.val[b]
        n_rows, n_cols = len(self.row_count), len(self.col_count)
        self.col_sum += np.bincount(cb, weights=vb, minlength=n_cols)
        self.col_count += np.bincount(cb, minlength=n_cols)
        self.row_count += np.bincount(rb, minlength=n_rows)
        self.row_kept += np.bincount(rb, weights=(~self.mod_mask[cb]).astype(float), minlength=n_rows)
        self.stop = stop
        center = self.col_sum / np.maximum(self.col_count, 1)
        center[self.mod_mask] = 0.0
        self.center = center

    @property
    def cols_seen(self) -> np.ndarray:
        return self.col_count > 0

    @property
    def rows_seen(self) -> np.ndarray:
        return self.row_count > 0

    def n_votes(self) -> np.ndarray:
        """Each row's non-missing cells in Polis's rating matrix: moderated-out columns are zeroed, so count for everyone."""
        return self.row_kept + int((self.mod_mask & self.cols_seen).sum())


def _place(xy_in: np.ndarray, group_in: np.ndarray, base_in: np.ndarray, xy_out: np.ndarray) -> np.ndarray:
    """Group of the nearest base-cluster centre (centres from the clustered participants) for each row of ``xy_out``."""
    if len(xy_out) == 0:
        return np.zeros(0, dtype=np.int64)
    ids, inv = np.unique(base_in, return_inverse=True)
    centres = np.zeros((len(ids), 2))
    np.add.at(centres, inv, xy_in)
    centres /= np.bincount(inv, minlength=len(ids))[:, None]
    group_of = np.zeros(len(ids), dtype=np.int64)
    group_of[inv] = group_in
    return group_of[_sqdist(np.asarray(xy_out, float), centres).argmin(1)]


def _greedy_in_conv(counts: np.ndarray, seen: np.ndarray, n_comments: int, min_votes: int = MIN_VOTES) -> np.ndarray:
    """In-conv from the votes so far: ``min(min_votes, n_comments)`` votes, topped up to 15 with the most active voters."""
    chosen = seen & (counts >= min(min_votes, n_comments))
    missing = GREEDY_N - int(chosen.sum())
    if missing > 0:
        rest = np.nonzero(seen & ~chosen)[0]
        chosen[rest[np.argsort(-counts[rest], kind="stable")[:missing]]] = True
    return chosen


def replay(
    conversation,
    *,
    n_updates: int = DEFAULT_N_UPDATES,
    update_every: float | None = None,
    base_k: int = BASE_K,
    max_groups: int = MAX_GROUPS,
    k_buffer: int = 4,
    in_conv_rule: str = "sticky",
    min_votes: int = MIN_VOTES,
    keep=(),
    reload_before_export: bool = False,
    progress: bool = False,
) -> dict:
    """Replay Polis's math updates over the vote history and return the final state.

    The votes are cut, in time order, into ``n_updates`` batches of equal size (the
    real update times are not in the export), or, with ``update_every`` (seconds), into
    batches that each start a new update once that much time has passed since the
    last one, as a polling server would; after each batch the update runs as
    Polis runs it: zero moderated-out comments, PCA (signs kept from the last update),
    sparsity-aware projection, in-conv (``min(7, n_comments)`` votes, then greedy 15;
    once in, always in), base clusters warm-started from the last update, group
    clusterings for every k warm-started per k, silhouettes on base-cluster centres,
    and the k-smoother (a new k is adopted after winning ``k_buffer`` updates in a row).
    With ``in_conv_rule="final"`` in-conv is recomputed from each update's votes
    instead of kept. That is not Polis's rule: a reload keeps ``:in-conv``
    (``restructure-json-conv`` in math/src/polismath/conv_man.clj at 6bc54ba), so Polis's
    in-conv is sticky; "final" is the default because it was chosen on the development
    conversations (benchmarks/POLIS-LOG.md, steps 4 and 8).

    With ``reload_before_export``, one more update runs on all the votes after the last
    batch, as on a conversation reloaded from Polis's stored state (see
    :data:`DEFAULT_RELOAD_BEFORE_EXPORT`): the PCA, base clusters and in-conv carry over,
    the group clusterings for every k start cold and the k smoother starts afresh.

    Each update is incremental: the vote matrix is built once and each batch only
    updates counts and values (:class:`_History`), and the PCA, base clusters and groups
    start from the previous update's, as in Polis. Besides the labels, the result holds
    the final map (``x``, ``y`` by participant) and the final components.
    """
    if in_conv_rule not in IN_CONV_RULES:
        raise ValueError(f"in_conv_rule must be one of {', '.join(IN_CONV_RULES)}, not {in_conv_rule!r}.")
    v = conversation.votes
    v = v[v["vote"].notna()].sort_values("timestamp", kind="stable").reset_index(drop=True)  # NaN: not seen
    pids, r = np.unique(v["participant"].to_numpy(), return_inverse=True)
    tids, c = np.unique(v["comment-id"].to_numpy(), return_inverse=True)
    mod_mask = np.isin(tids, np.asarray(list(conversation.moderated_out), dtype=tids.dtype))
    val = v["vote"].to_numpy(dtype=float)
    hist = _History(r, c, val, mod_mask, len(pids), len(tids))
    if update_every is None:
        bounds = np.unique(np.linspace(0, len(v), n_updates + 1).astype(int))[1:]
    else:
        bounds = _time_bounds(v, update_every)
    # No update before there is a map to draw (earlier batches join the next update).
    bounds = bounds[bounds >= min(_first_update(v), len(v))]
    st = _State()
    sticky = in_conv_rule == "sticky"
    entry = _entry_index(v, min_votes=min_votes) if sticky else {}
    entry_rows = np.searchsorted(pids, np.array(list(entry.keys()), dtype=pids.dtype))
    entry_pos = np.array(list(entry.values()), dtype=np.int64)
    # State kept between updates, by participant row and by base-cluster id.
    in_mask = np.zeros(len(pids), bool)
    base_of = np.full(len(pids), -1, dtype=np.int64)  # base-cluster id of each in-conv participant
    group_last = np.full((max_groups + 1, 1), -1, dtype=np.int64)  # [k, base id] -> group id (-1: none)
    it = bounds
    if progress:
        try:
            from tqdm.auto import tqdm

            it = tqdm(bounds, desc=f"replaying {conversation.name}", leave=False)
        except ImportError:
            pass
    sils: dict = {}
    k_path = []  # (best k by silhouette, smoothed k) at each update
    proj = np.zeros((len(pids), 2))
    n_batches = len(bounds)
    if reload_before_export and n_batches:
        it = [*it, bounds[-1]]  # the same votes again: hist.advance adds nothing
    for step, stop in enumerate(it):
        if step == n_batches:
            # restructure-json-conv keeps :group-clusters but drops :group-clusterings and
            # :group-k-smoother: every k's k-means starts from init-clusters, the smoother afresh.
            group_last = np.full((max_groups + 1, 1), -1, dtype=np.int64)
            st.last_k, st.last_k_count, st.smoothed_k = None, 0, None
        seen_before = hist.cols_seen
        hist.advance(stop)
        n_cols = int(hist.cols_seen.sum())
        if st.comps is not None:
            # power-iteration pads the start vector with 1s for statements new since the last update.
            st.comps[:, hist.cols_seen & ~seen_before] = 1.0
        st.comps, proj = _pca(hist, st.comps)  # the components and the extra start vectors
        if sticky:
            in_mask[entry_rows[entry_pos < stop]] = True
        else:
            in_mask = _greedy_in_conv(hist.row_count, hist.rows_seen, n_cols, min_votes)
        ic_rows = np.nonzero(in_mask)[0]
        X = np.ascontiguousarray(proj[ic_rows])
        # Base clusters warm-started from the last update's (each keeps its id, as in Polis), then the
        # group clusterings for every k, each from the last update's clustering for that k.
        ids_of_row, base_ids, groups, sil_by_k = _compiled.group_update(X, base_of[ic_rows], base_k, 100, group_last,
                                                                        max_groups, 20)
        base_of[:] = -1
        base_of[ic_rows] = ids_of_row
        group_last = groups  # only the last update's clusterings are kept: a k not computed then starts cold
        sils = {k: float(sil_by_k[k]) for k in range(2, max_groups + 1) if not np.isnan(sil_by_k[k])}
        # (apply max-key silhouettes ks) over k = 2, 3, ...: on a tie Clojure's max-key returns the last, the larger k.
        this_k = max(sorted(sils), key=lambda k: (sils[k], k))
        st.last_k_count = st.last_k_count + 1 if st.last_k == this_k else 1
        st.last_k = this_k
        if st.last_k_count >= k_buffer or st.smoothed_k is None:
            st.smoothed_k = this_k
        k_path.append((this_k, st.smoothed_k))
    # Final labels.
    k = st.smoothed_k if st.smoothed_k in sils else max(sils)
    gmap = group_last[k]
    ic_rows = np.nonzero(in_mask)[0]
    bases = base_of[ic_rows]
    known = (bases >= 0) & (bases < len(gmap))
    known[known] = gmap[bases[known]] >= 0
    # Participants to place (``keep``) who are not in-conv here: each goes to the group of the nearest
    # base-cluster centre on the final map, the assignment step of Polis's k-means. Nobody else moves.
    out_rows = np.nonzero(np.isin(pids, np.asarray(list(keep), dtype=pids.dtype)) & ~in_mask & hist.rows_seen)[0]
    placed = _place(proj[ic_rows[known]], gmap[bases[known]], bases[known], proj[out_rows])
    return {
        "labels": pd.Series(gmap[bases[known]], index=pids[ic_rows[known]], name="group", dtype="int64").sort_index(),
        "placed": pd.Series(placed, index=pids[out_rows], name="group", dtype="int64").sort_index(),
        "base": pd.Series(bases, index=pids[ic_rows], name="base_cluster", dtype="int64").sort_index(),
        "k": int(len(np.unique(gmap[gmap >= 0]))),
        "silhouettes": sils,
        "in_conv": pids[ic_rows].tolist(),
        "n_updates": len(k_path),
        "reloaded": bool(reload_before_export and n_batches),
        "k_path": k_path,
        "map": pd.DataFrame(proj, index=pd.Index(pids, name="participant"), columns=["x", "y"]),
        "comps": st.comps[:2],
        "center": hist.center,
        "tids": tids,
        "n_comments": int(hist.cols_seen.sum()),
    }


# --- the whole pipeline -------------------------------------------------------------------


@dataclass
class PolisGroups:
    """Output of :func:`run` (or :func:`run_reddwarf`): the Polis report's numbers, recomputed."""

    participants: pd.DataFrame  # x, y, n_votes, in_conv, base_cluster, group (NaN if not clustered)
    comments: pd.DataFrame  # center, pc1, pc2, x, y, moderated_out, group_informed_consensus
    k: int
    silhouettes: dict
    repness: dict
    consensus: dict
    stats: pd.DataFrame
    base_centers: np.ndarray | None = None
    base_counts: np.ndarray | None = None
    seconds: float = 0.0
    method: str = "casestudies.polis"
    extra: dict = field(default_factory=dict)

    @property
    def groups(self) -> pd.Series:
        """Group label per clustered participant."""
        return self.participants["group"].dropna().astype(int)


def _relabel_by_size(labels: np.ndarray) -> np.ndarray:
    # Polis numbers groups 0..k-1 in no meaningful order; sort by size for stable charts.
    uniq, counts = np.unique(labels, return_counts=True)
    order = uniq[np.argsort(-counts, kind="stable")]
    remap = {old: new for new, old in enumerate(order)}
    return np.array([remap[x] for x in labels])


def run(
    conversation=None,
    *,
    matrix: pd.DataFrame | None = None,
    moderated_out=(),
    use_history: bool = True,
    base_k: int = BASE_K,
    max_groups: int = MAX_GROUPS,
    force_k: int | None = None,
    pick_max: int = 5,
    n_updates: int | None = None,
    n_updates_no_history: int | None = None,
    update_every: float | None = None,
    in_conv_rule: str | None = None,
    k_buffer: int | None = None,
    min_votes: int = MIN_VOTES,
    keep_participants=None,
    reload_before_export: bool | None = None,
    progress: bool = False,
) -> PolisGroups:
    """Run the Polis pipeline on a :class:`~casestudies.polis.export.PolisConversation` (or a matrix).

    Steps: who is clustered (:func:`in_conversation`, replaying the vote history
    when the export has one and ``use_history``; without vote times, participants
    are replayed joining in the order of their ids, in ``n_updates_no_history``
    batches), projection (:func:`project`),
    base clusters and groups (:func:`cluster_groups`), then representative
    comments, consensus and group-informed consensus on the clustered participants.

    ``n_updates``, ``in_conv_rule`` and ``k_buffer`` default to :data:`DEFAULT_N_UPDATES`,
    :data:`DEFAULT_IN_CONV_RULE` and :data:`DEFAULT_K_BUFFER`, chosen on the development
    conversations only; ``n_updates_no_history`` defaults to ``n_updates``.

    ``min_votes`` is the in-conv threshold (Polis's 7). ``keep_participants`` (default
    :data:`DEFAULT_KEEP_PARTICIPANTS` for a loaded export, nobody for a bare matrix):
    participants to label although the in-conv rule leaves them out, ``"export"`` for those
    the export's ``group-id`` labels, or a list of ids. They do not enter the clustering
    (nobody else's group changes): each joins the group of the nearest base-cluster centre
    on the final map, and ``participants["placed"]`` marks them. Statement statistics use
    the clustered participants only.

    ``reload_before_export`` (default :data:`DEFAULT_RELOAD_BEFORE_EXPORT`): the replay ends
    with one update on the conversation as Polis reloads it from its stored state (group
    clusterings cold, k smoother afresh; see :func:`replay`). No effect on a single pass.

    A bare ``matrix`` carries no history, so it gets a single pass; load an export
    folder with :func:`~casestudies.polis.export.load_polis_conversation` to replay its
    vote times.
    """
    t0 = time.perf_counter()
    n_updates = DEFAULT_N_UPDATES if n_updates is None else n_updates
    n_updates_no_history = n_updates if n_updates_no_history is None else n_updates_no_history
    in_conv_rule = DEFAULT_IN_CONV_RULE if in_conv_rule is None else in_conv_rule
    k_buffer = DEFAULT_K_BUFFER if k_buffer is None else k_buffer
    reload_before_export = DEFAULT_RELOAD_BEFORE_EXPORT if reload_before_export is None else reload_before_export
    history = use_history and conversation is not None
    if conversation is not None:
        # The replay never needs the dense participants x statements matrix: its statement
        # statistics read the sparse votes (memory grows with the votes, not with the cells).
        if history:
            from casestudies.polis.sparse import SparseVotes

            matrix = SparseVotes.from_votes(conversation.votes[conversation.votes["vote"].notna()])
        else:
            matrix = conversation.vote_matrix()
        moderated_out = conversation.moderated_out
    if matrix is None:
        raise ValueError("run() needs a conversation or a vote matrix.")
    columns = set((matrix.tids if history else matrix.columns).tolist())
    moderated_out = [c for c in moderated_out if c in columns]
    has_times = conversation is not None and has_vote_times(conversation.votes)
    if keep_participants is None:
        keep_participants = DEFAULT_KEEP_PARTICIPANTS if conversation is not None else ()
    keep, placement = _kept(keep_participants, conversation)
    if not history:
        participants, comments = project(matrix, moderated_out)
    extra: dict = {"placement": placement}
    if history:
        # Replay Polis's updates: groups depend on the path the conversation took.
        source = conversation
        if not has_times:
            # No vote times (e.g. only participants-votes.csv): Polis numbers participants
            # in the order they joined, so replay them joining in that order.
            v = conversation.votes.copy()
            v["timestamp"] = v["participant"].astype("int64") * 1_000_000 + v["comment-id"].astype("int64")
            source = PolisConversation(conversation.name, conversation.comments, v, conversation.groups, conversation.summary, conversation.source)
        rep = replay(
            source,
            n_updates=n_updates if has_times else n_updates_no_history,
            update_every=update_every if has_times else None,
            base_k=base_k,
            max_groups=max_groups,
            k_buffer=k_buffer,
            in_conv_rule=in_conv_rule,
            min_votes=min_votes,
            keep=keep,
            reload_before_export=reload_before_export,
            progress=progress,
        )
        # The map is the last update's, as in Polis: no second PCA of the final votes.
        participants, comments = _map_of_replay(rep, matrix)
        inside = pd.Index(rep["in_conv"])
        participants["in_conv"] = participants.index.isin(inside)
        participants["group"] = rep["labels"].reindex(participants.index)
        participants["placed"] = participants.index.isin(rep["placed"].index)
        participants.loc[rep["placed"].index, "group"] = rep["placed"]
        participants["base_cluster"] = rep["base"].reindex(participants.index)
        k, sils = rep["k"], rep["silhouettes"]
        base_centers = base_counts = None
        extra["n_updates"] = rep["n_updates"]
        extra["k_path"] = rep["k_path"]
        extra["reloaded"] = rep["reloaded"]
        inside = participants.index[participants["group"].notna() & participants["in_conv"]]
    else:
        inside = in_conversation(matrix, None, min_votes=min_votes)
        participants["in_conv"] = participants.index.isin(inside)
        xy = participants.loc[inside, ["x", "y"]].to_numpy()
        cl = cluster_groups(xy, base_k=base_k, max_groups=max_groups, force_k=force_k)
        participants["base_cluster"] = pd.Series(cl.base_labels, index=inside)
        participants["group"] = pd.Series(cl.group_of_base[cl.base_labels], index=inside)
        out = pd.Index(keep).intersection(matrix.index).difference(inside)
        participants["placed"] = participants.index.isin(out)
        participants.loc[out, "group"] = _place(xy, cl.group_of_base[cl.base_labels], cl.base_labels,
                                                participants.loc[out, ["x", "y"]].to_numpy())
        k, sils = cl.k, cl.silhouettes
        base_centers, base_counts = cl.base_centers, cl.base_counts
    method = ("casestudies.polis (history replay)" if has_times else "casestudies.polis (participant-order replay)") if history \
        else "casestudies.polis (single pass)"
    return _with_statements(participants, comments, matrix, inside, moderated_out, pick_max, k=k, silhouettes=sils,
                            base_centers=base_centers, base_counts=base_counts, t0=t0, method=method, extra=extra)


def _kept(keep_participants, conversation) -> tuple[list, str]:
    """Participants to label although the in-conv rule leaves them out, and a note saying where they come from.

    ``keep_participants`` is a list of ids, or ``"export"``: everyone the export's
    ``group-id`` column places in a group. Why that column says whom Polis clustered:
    Polis's export writes a group only for participants in its last update's base
    clusters (``participants-votes-table`` and ``flatten-clusters`` in
    math/src/polismath/darwin/export.clj, compdemocracy/polis at 7e0c6bf;
    ``createGroupIdResolver`` in server/src/report.ts, at 34eed00, returns nothing for a
    participant outside ``in-conv`` or outside every base cluster), and base clusters are
    drawn over in-conv participants only (``:base-clusters`` in
    math/src/polismath/math/conversation.clj at 19af664). So a labelled participant was
    in-conv at Polis's last update, whatever rule that math ran with. The group numbers
    are not used. How they are placed (:func:`_place`, the nearest base cluster's group)
    is this project's approximation: Polis clustered them in a state the export does not
    hold, and gives no rule for anyone it did not cluster. An export without ``group-id``
    labels (a team's raw votes, or a conversation whose math never ran) places nobody:
    the in-conv rule alone decides, and the note says so.
    """
    if isinstance(keep_participants, str):
        if keep_participants != "export":
            raise ValueError(f"keep_participants must be 'export' or a list of participant ids, not {keep_participants!r}.")
        if conversation is None:
            raise ValueError("keep_participants='export' needs a loaded conversation (its participants-votes.csv group-id column).")
        labelled = conversation.groups.dropna().index.astype("int64").tolist()
        if not labelled:
            return [], "the export has no group-id labels: the in-conv rule alone decides who is grouped"
        return labelled, "participants the export's group-id labels but the in-conv rule leaves out are placed (nearest base cluster)"
    ids = [int(p) for p in keep_participants]
    return ids, ("the listed participants the in-conv rule leaves out are placed (nearest base cluster)" if ids
                 else "nobody is placed: the in-conv rule alone decides who is grouped")


def _map_of_replay(rep: dict, votes) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(participants, comments)`` as :func:`project` returns them, from the last update of :func:`replay`.

    A statement's ``x, y`` is the projection of a single agree vote on it, scaled as
    Polis scales a participant with one vote (``pca-project-cmnts`` in
    math/src/polismath/math/pca.clj, compdemocracy/polis at 7850848).
    """
    pids = pd.Index(votes.pids, name="participant")
    participants = rep["map"].reindex(pids)
    participants["n_votes"] = votes.n_votes().astype("int64")
    comps, center = rep["comps"], rep["center"]
    scale = np.sqrt(max(rep["n_comments"], 1))
    comments = pd.DataFrame({"x": (1.0 - center) * comps[0] * scale, "y": (1.0 - center) * comps[1] * scale,
                             "center": center, "pc1": comps[0], "pc2": comps[1]}, index=rep["tids"])
    comments = comments.reindex(pd.Index(votes.tids, name="comment-id"))
    return participants, comments


def _with_statements(participants, comments, votes, inside, moderated_out, pick_max, *, t0, **fields) -> PolisGroups:
    """Statement statistics, representative and consensus statements for the grouped participants; the result."""
    labels = participants.loc[inside, "group"].astype(int)
    stats = comment_stats(votes, labels)
    comments["moderated_out"] = comments.index.isin(moderated_out)
    comments["group_informed_consensus"] = group_informed_consensus(stats)
    return PolisGroups(
        participants=participants,
        comments=comments,
        repness=representative_comments(stats, moderated_out, pick_max),
        consensus=consensus_comments(votes, moderated_out, pick_max),
        stats=stats,
        seconds=time.perf_counter() - t0,
        **fields,
    )


def run_sparse(
    votes,
    *,
    moderated_out=(),
    base_k: int = BASE_K,
    max_groups: int = MAX_GROUPS,
    pick_max: int = 5,
    min_votes: int = MIN_VOTES,
    greedy_n: int = GREEDY_N,
) -> PolisGroups:
    """A single pass of the Polis pipeline on sparse votes, for conversations too large for a dense matrix.

    ``votes`` is a :class:`~casestudies.polis.sparse.SparseVotes`, a long data frame
    (``participant``, ``comment-id``, ``vote``) or a loaded conversation. The steps are
    those of :func:`run` with ``use_history=False``: in-conv (``min(min_votes,
    n_comments)`` votes, topped up to ``greedy_n``), the map (:func:`~casestudies.polis.sparse.project_sparse`),
    base clusters and groups, statement statistics, representative and consensus
    statements; memory grows with the number of votes, not participants x statements.
    """
    from casestudies.polis.sparse import SparseVotes, project_sparse

    t0 = time.perf_counter()
    if isinstance(votes, PolisConversation):
        moderated_out = votes.moderated_out
        votes = votes.votes
    sv = votes if isinstance(votes, SparseVotes) else SparseVotes.from_votes(votes)
    moderated_out = [c for c in moderated_out if c in set(sv.tids.tolist())]
    participants, comments = project_sparse(sv, moderated_out)
    counts = participants["n_votes"]
    inside = counts.index[counts >= min(min_votes, sv.shape[1])]
    if len(inside) < greedy_n:
        extra = counts.drop(index=inside).sort_values(ascending=False, kind="stable")
        inside = inside.append(extra.index[: greedy_n - len(inside)]).sort_values()
    participants["in_conv"] = participants.index.isin(inside)
    cl = cluster_groups(participants.loc[inside, ["x", "y"]].to_numpy(), base_k=base_k, max_groups=max_groups)
    participants["base_cluster"] = pd.Series(cl.base_labels, index=inside)
    participants["group"] = pd.Series(cl.group_of_base[cl.base_labels], index=inside)
    return _with_statements(participants, comments, sv, inside, moderated_out, pick_max, k=cl.k, silhouettes=cl.silhouettes,
                            base_centers=cl.base_centers, base_counts=cl.base_counts, t0=t0,
                            method="casestudies.polis (single pass, sparse)")
