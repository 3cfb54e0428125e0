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
DEFAULT_N_UPDATES = 200
DEFAULT_IN_CONV_RULE = "final"
DEFAULT_K_BUFFER = 4
IN_CONV_RULES = ("sticky", "final")


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
    for k in ks:
        lab = _polis_kmeans(B, k, None, weights=w)
        labs[k] = lab
        sils[k] = _silhouette_clusters(D, [np.nonzero(lab == g)[0] for g in range(lab.max() + 1)])
    best = max(sils, key=lambda k: sils[k])
    return {"labels": labs[best], "k": int(labs[best].max() + 1), "silhouettes": sils}


def cluster_groups(xy: np.ndarray, *, base_k: int = BASE_K, max_groups: int = MAX_GROUPS, force_k: int | None = None) -> _Clustering:
    """Base clusters (Polis k-means with ``base_k`` clusters), then :func:`cluster_base` over them."""
    base_labels = _polis_kmeans(xy, base_k, None, max_iters=100)
    n = base_labels.max() + 1
    centers = _centers_of(xy, np.ones(len(xy)), base_labels, n)
    counts = np.bincount(base_labels, minlength=n).astype(float)
    g = cluster_base(centers, counts, max_groups=max_groups, force_k=force_k)
    return _Clustering(centers, base_labels, counts, g["k"], g["labels"], g["silhouettes"])


# --- replaying Polis's history ----------------------------------------------------------
#
# Polis does not cluster a conversation once: it updates its math each time new votes
# arrive, and each update starts from the previous one (base clusters and groups are
# warm-started, k changes only after winning 4 updates in a row). The export holds the
# final state of that history, so matching it means replaying the history. The helpers
# below follow the Clojure code (math/src/polismath/math/clusters.clj, conversation.clj).


def _same_clustering(c1: np.ndarray, c2: np.ndarray, threshold: float = 0.01) -> bool:
    if len(c1) != len(c2):
        return False
    a = c1[np.lexsort(c1.T[::-1])]
    b = c2[np.lexsort(c2.T[::-1])]
    return bool(np.all(np.linalg.norm(a - b, axis=1) < threshold))


def _centers_of(X: np.ndarray, w: np.ndarray, lab: np.ndarray, n: int) -> np.ndarray:
    W = np.bincount(lab, weights=w, minlength=n)
    cx = np.bincount(lab, weights=w * X[:, 0], minlength=n)
    cy = np.bincount(lab, weights=w * X[:, 1], minlength=n)
    return np.column_stack([cx, cy]) / np.maximum(W, 1e-300)[:, None]


def _as_points(X: np.ndarray) -> np.ndarray:
    """Rows of an (n, 2) array as complex numbers: np.unique on them sorts and matches like np.unique(axis=0), faster."""
    return X[:, 0] + 1j * X[:, 1]


def _sqdist(X: np.ndarray, C: np.ndarray) -> np.ndarray:
    # |x - c|^2 without the (n, k, 2) temporary; clipped at 0 against rounding.
    return np.maximum((X * X).sum(1)[:, None] - 2.0 * X @ C.T + (C * C).sum(1)[None, :], 0.0)


def _polis_kmeans(
    X: np.ndarray,
    k: int,
    last: np.ndarray | None,
    *,
    weights: np.ndarray | None = None,
    max_iters: int = 20,
    n_distinct: int | None = None,
    round_distinct: bool = False,
) -> np.ndarray:
    """One Polis k-means run on rows ``X``; returns a cluster label per row (0..k'-1).

    ``last`` gives each row's cluster in the previous update (-1 for rows that are
    new), or is None for a cold start from the first ``k`` distinct rows.
    """
    n = len(X)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if last is not None and (last >= 0).any():
        # clean-start-clusters: recenter the old clusters on their members' new positions,
        # merge identical ones, then split off the most distal points until there are k.
        lab = np.full(n, -1)
        ids = np.unique(last[last >= 0])
        lab[last >= 0] = np.searchsorted(ids, last[last >= 0])
        m = lab >= 0
        centers = _centers_of(X[m], w[m], lab[m], len(ids))
        _, first, inv = np.unique(_as_points(np.round(centers, 12)), return_index=True, return_inverse=True)
        if len(first) < len(centers):
            lab[m] = inv.ravel()[lab[m]]
            centers = _centers_of(X[m], w[m], lab[m], len(first))
        # Counting distinct rows costs a sort; it only matters when there are fewer centres than k.
        if k > len(centers):
            possible = min(k, n_distinct if n_distinct is not None else len(np.unique(_as_points(np.round(X, 12) if round_distinct else X))))
        else:
            possible = k
        while possible > len(centers):
            d = _sqdist(X, centers).min(1)
            far = int(d.argmax())
            if d[far] <= 0:
                break
            lab[far] = len(centers)
            m = lab >= 0
            used, lab[m] = np.unique(lab[m], return_inverse=True)
            centers = _centers_of(X[m], w[m], lab[m], len(used))
    else:
        _, first = np.unique(_as_points(X), return_index=True)
        centers = X[np.sort(first)[:k]].copy()
    lab = None
    for _ in range(max_iters + 1):
        lab = _sqdist(X, centers).argmin(1)
        counts = np.bincount(lab, minlength=len(centers))
        n_used = len(centers)
        if not counts.all():  # drop empty clusters, keeping the others in order
            rank = np.cumsum(counts > 0) - 1
            lab = rank[lab]
            n_used = int(rank[-1]) + 1
        new_centers = _centers_of(X, w, lab, n_used)
        done = _same_clustering(centers, new_centers)
        centers = new_centers
        if done:
            break
    return lab


def _silhouette_clusters(D: np.ndarray, clusters: list) -> float:
    """Polis's silhouette on a distance matrix (a member alone in its cluster scores 0)."""
    if len(clusters) < 2:
        return -1.0
    n = len(D)
    lab = np.full(n, -1)
    for j, m in enumerate(clusters):
        lab[m] = j
    onehot = np.zeros((n, len(clusters)))
    onehot[np.arange(n), lab] = 1.0
    sizes = onehot.sum(0)
    sums = D @ onehot  # distance from each point to all members of each cluster
    own = sizes[lab]
    a = np.where(own > 1, sums[np.arange(n), lab] / np.maximum(own - 1, 1), 0.0)
    other = sums / np.maximum(sizes, 1)
    other[np.arange(n), lab] = np.inf
    b = other.min(1)
    denom = np.maximum(a, b)
    s = np.where((own > 1) & (denom > 0), (b - a) / np.where(denom > 0, denom, 1), 0.0)
    return float(s.mean())


@dataclass
class _State:
    next_base_id: int = 0
    last_k: int | None = None
    last_k_count: int = 0
    smoothed_k: int | None = None
    comps: np.ndarray | None = None


def _pca(X, n_votes: np.ndarray, start: np.ndarray | None, iters: int = 100):
    """Two-component PCA of the mean-imputed, centred votes by power iteration, as Polis computes it.

    ``X`` is the centred vote matrix (scipy CSR: a vote minus its statement's mean; unseen
    cells, which mean imputation puts on the mean, are zero and not stored), ``n_votes``
    each row's number of non-missing cells. ``start`` (2 x n_comments) warm-starts the
    iteration from the previous update's components, which also keeps their signs;
    returns ``(comps, projections)`` with Polis's sparsity-aware scaling.
    """
    m = X.shape[1]
    XT = X.T.tocsr()
    if start is None or not np.any(start):
        Q = np.linalg.qr(np.random.default_rng(0).standard_normal((m, 2)))[0]
    else:
        Q = np.linalg.qr(start.T)[0]
    rng = np.random.default_rng(0)
    stuck = 1e-12 * max(1.0, float(np.sqrt(X.data @ X.data)))
    for _ in range(iters):
        Z = XT @ (X @ Q)
        if np.sqrt(Z[:, 1] @ Z[:, 1]) < stuck:
            # The start vectors carry no variance (e.g. they sit on moderated-out
            # statements): restart from random vectors rather than stay stuck at zero.
            Q = np.linalg.qr(Q + rng.standard_normal(Q.shape))[0]
            Z = XT @ (X @ Q)
        Q_new = np.linalg.qr(Z)[0]
        if np.all(np.abs(np.abs(np.einsum("ij,ij->j", Q_new, Q)) - 1.0) <= 1e-10 + 1e-5):  # np.allclose's tolerance
            Q = Q_new
            break
        Q = Q_new
    T = Q.T @ (XT @ (X @ Q))
    _, V = np.linalg.eigh(T)
    comps = (Q @ V[:, ::-1]).T
    if start is not None and np.any(start):
        for i in range(2):
            if comps[i] @ start[i] < 0:
                comps[i] = -comps[i]
    proj = (X @ comps.T) * np.sqrt(m / np.maximum(n_votes, 1))[:, None]
    return comps, proj


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


def replay(
    conversation,
    *,
    n_updates: int = 200,
    update_every: float | None = None,
    base_k: int = BASE_K,
    max_groups: int = MAX_GROUPS,
    k_buffer: int = 4,
    in_conv_rule: str = "sticky",
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
    instead of kept (the state a cold restart of Polis's math worker leaves).
    """
    import scipy.sparse as sp

    if in_conv_rule not in IN_CONV_RULES:
        raise ValueError(f"in_conv_rule must be one of {', '.join(IN_CONV_RULES)}, not {in_conv_rule!r}.")
    v = conversation.votes
    v = v[v["vote"].notna()].sort_values("timestamp", kind="stable").reset_index(drop=True)  # NaN: not seen
    pids, r = np.unique(v["participant"].to_numpy(), return_inverse=True)
    tids, c = np.unique(v["comment-id"].to_numpy(), return_inverse=True)
    mod_mask = np.isin(tids, np.asarray(list(conversation.moderated_out), dtype=tids.dtype))
    val = v["vote"].to_numpy(dtype=float)
    row_seen = np.zeros(len(pids), bool)
    col_seen = np.zeros(len(tids), bool)
    if update_every is None:
        bounds = np.unique(np.linspace(0, len(v), n_updates + 1).astype(int))[1:]
    else:
        bounds = _time_bounds(v, update_every)
    # No update before there is a map to draw (earlier batches join the next update).
    bounds = bounds[bounds >= min(_first_update(v), len(v))]
    st = _State()
    sticky = in_conv_rule == "sticky"
    entry = _entry_index(v) if sticky else {}
    entry_rows = np.searchsorted(pids, np.array(list(entry.keys()), dtype=pids.dtype))
    entry_pos = np.array(list(entry.values()), dtype=np.int64)
    # State kept between updates, by participant row and by base-cluster id.
    in_mask = np.zeros(len(pids), bool)
    base_of = np.full(len(pids), -1, dtype=np.int64)  # base-cluster id of each in-conv participant
    group_of: dict[int, np.ndarray] = {}  # k -> group label by base-cluster id (-1: none)
    it = bounds
    if progress:
        try:
            from tqdm.auto import tqdm

            it = tqdm(bounds, desc=f"replaying {conversation.name}", leave=False)
        except ImportError:
            pass
    start = 0
    sils: dict = {}
    for stop in it:
        row_seen[r[start:stop]] = True
        col_seen[c[start:stop]] = True
        start = stop
        rows = np.nonzero(row_seen)[0]
        cols = np.nonzero(col_seen)[0]
        # The votes so far as a sparse matrix over the rows and columns seen, centred on each
        # statement's mean; moderated-out statements are zeroed for everyone, so they count as
        # seen in every row's scaling and add nothing to the components.
        ri = (np.cumsum(row_seen) - 1)[r[:stop]]
        ci = (np.cumsum(col_seen) - 1)[c[:stop]]
        vv = val[:stop]
        modc = mod_mask[cols]
        counts = np.bincount(ci, minlength=len(cols))
        center = np.bincount(ci, weights=vv, minlength=len(cols)) / np.maximum(counts, 1)
        center[modc] = 0.0
        data = vv - center[ci]
        data[modc[ci]] = 0.0
        X = sp.csr_matrix((data, (ri, ci)), shape=(len(rows), len(cols)))
        n_seen = np.bincount(ri, minlength=len(rows))
        n_votes = np.bincount(ri, weights=(~modc[ci]).astype(float), minlength=len(rows)) + modc.sum()
        start_vec = st.comps[:, cols] if st.comps is not None else None
        comps, proj = _pca(X, n_votes, start_vec)
        st.comps = np.zeros((2, len(tids)))
        st.comps[:, cols] = comps
        if sticky:
            in_mask[entry_rows[entry_pos < stop]] = True
        else:
            chosen = n_seen >= min(MIN_VOTES, len(cols))
            # Fewer than GREEDY_N qualify: add the most active voters, as Polis's greedy top-up does.
            for i in np.argsort(-n_seen, kind="stable")[: GREEDY_N]:
                if chosen.sum() >= GREEDY_N:
                    break
                chosen[i] = True
            in_mask[:] = False
            in_mask[rows[chosen]] = True
        ic_rows = np.nonzero(in_mask)[0]
        X = proj[np.searchsorted(rows, ic_rows)]
        prev_base = base_of[ic_rows]
        lab = _polis_kmeans(X, base_k, prev_base if (base_of >= 0).any() else None, max_iters=100,
                            round_distinct=True)
        # Keep base-cluster ids stable: a cluster keeps the id of the old cluster it shares
        # most members with (Polis keeps ids through warm starts).
        n_new = lab.max() + 1
        ids = np.full(n_new, -1)
        has = prev_base >= 0
        if has.any():
            # Distinct (new cluster, old id) pairs in lexicographic order, as np.unique(axis=0) gives them.
            span = int(prev_base[has].max()) + 1
            codes, cnt = np.unique(lab[has].astype(np.int64) * span + prev_base[has], return_counts=True)
            pairs = np.column_stack([codes // span, codes % span])
            taken = set()
            for j, old_id, _n in sorted(zip(pairs[:, 0], pairs[:, 1], cnt), key=lambda t: (t[0], -t[2])):
                if ids[j] < 0 and old_id not in taken:
                    ids[j] = old_id
                    taken.add(old_id)
        for j in range(n_new):
            if ids[j] < 0:
                ids[j] = st.next_base_id
                st.next_base_id += 1
        st.next_base_id = max(st.next_base_id, int(ids.max()) + 1)
        base_of[:] = -1
        base_of[ic_rows] = ids[lab]
        order = np.argsort(ids)
        base_ids = ids[order]
        B = _centers_of(X, np.ones(len(X)), lab, n_new)[order]
        wts = np.bincount(lab, minlength=n_new).astype(float)[order]
        D = np.sqrt(((B[:, None] - B[None]) ** 2).sum(-1))
        max_k = min(max_groups, 2 + len(B) // 12)
        sils = {}
        for k in range(2, max_k + 1):
            prev = group_of.get(k)
            if prev is not None:
                last_g = np.where(base_ids < len(prev), prev[np.minimum(base_ids, len(prev) - 1)], -1)
            else:
                last_g = None
            glab = _polis_kmeans(B, k, last_g, weights=wts, max_iters=20)
            mapping = np.full(st.next_base_id, -1, dtype=np.int64)
            mapping[base_ids] = glab
            group_of[k] = mapping
            sils[k] = _silhouette_clusters(D, [np.nonzero(glab == g)[0] for g in range(glab.max() + 1)])
        this_k = max(sils, key=lambda k: sils[k])  # first k wins ties, like max-key over sorted keys
        st.last_k_count = st.last_k_count + 1 if st.last_k == this_k else 1
        st.last_k = this_k
        if st.last_k_count >= k_buffer or st.smoothed_k is None:
            st.smoothed_k = this_k
    # Final labels.
    k = st.smoothed_k if st.smoothed_k in group_of else max(group_of)
    gmap = group_of[k]
    ic_rows = np.nonzero(in_mask)[0]
    bases = base_of[ic_rows]
    known = (bases >= 0) & (bases < len(gmap))
    known[known] = gmap[bases[known]] >= 0
    return {
        "labels": pd.Series(gmap[bases[known]], index=pids[ic_rows[known]], name="group", dtype="int64").sort_index(),
        "base": pd.Series(bases, index=pids[ic_rows], name="base_cluster", dtype="int64").sort_index(),
        "k": int(len(np.unique(gmap[gmap >= 0]))),
        "silhouettes": sils,
        "in_conv": pids[ic_rows].tolist(),
        "n_updates": len(bounds),
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

    A bare ``matrix`` carries no history, so it gets a single pass; load an export
    folder with :func:`~casestudies.polis.export.load_polis_conversation` to replay its
    vote times.
    """
    t0 = time.perf_counter()
    n_updates = DEFAULT_N_UPDATES if n_updates is None else n_updates
    n_updates_no_history = n_updates if n_updates_no_history is None else n_updates_no_history
    in_conv_rule = DEFAULT_IN_CONV_RULE if in_conv_rule is None else in_conv_rule
    k_buffer = DEFAULT_K_BUFFER if k_buffer is None else k_buffer
    if conversation is not None:
        matrix = conversation.vote_matrix()
        moderated_out = conversation.moderated_out
    if matrix is None:
        raise ValueError("run() needs a conversation or a vote matrix.")
    moderated_out = [c for c in moderated_out if c in matrix.columns]
    participants, comments = project(matrix, moderated_out)
    has_times = conversation is not None and has_vote_times(conversation.votes)
    history = use_history and conversation is not None
    extra: dict = {}
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
            progress=progress,
        )
        inside = pd.Index(rep["in_conv"])
        participants["in_conv"] = participants.index.isin(inside)
        participants["group"] = rep["labels"].reindex(participants.index)
        participants["base_cluster"] = rep["base"].reindex(participants.index)
        k, sils = rep["k"], rep["silhouettes"]
        base_centers = base_counts = None
        extra["n_updates"] = rep["n_updates"]
        inside = participants.index[participants["group"].notna()]
    else:
        inside = in_conversation(matrix, None)
        participants["in_conv"] = participants.index.isin(inside)
        xy = participants.loc[inside, ["x", "y"]].to_numpy()
        cl = cluster_groups(xy, base_k=base_k, max_groups=max_groups, force_k=force_k)
        participants["base_cluster"] = pd.Series(cl.base_labels, index=inside)
        participants["group"] = pd.Series(cl.group_of_base[cl.base_labels], index=inside)
        k, sils = cl.k, cl.silhouettes
        base_centers, base_counts = cl.base_centers, cl.base_counts
    method = ("casestudies.polis (history replay)" if has_times else "casestudies.polis (participant-order replay)") if history \
        else "casestudies.polis (single pass)"
    return _with_statements(participants, comments, matrix, inside, moderated_out, pick_max, k=k, silhouettes=sils,
                            base_centers=base_centers, base_counts=base_counts, t0=t0, method=method, extra=extra)


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
