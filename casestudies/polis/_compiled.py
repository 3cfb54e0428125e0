"""Polis's k-means and silhouette, step for step, compiled with numba.

The functions follow ``math/src/polismath/math/clusters.clj`` of compdemocracy/polis
(commit 314d532): ``init-clusters`` (a cold start takes the first k distinct rows),
``clean-start-clusters`` (a warm start recentres last update's clusters on their
members' new positions, drops clusters none of whose members are left, merges
clusters whose centres are identical, then splits off the most distal point until
there are as many clusters as k or distinct rows allow), ``cluster-step`` (each row to
its nearest centre, empty clusters dropped, weighted means), ``same-clustering?``
(sorted centres within 0.01 of each other, compared pairwise over the shorter list)
and ``silhouette``. Cluster ids are carried as Polis carries them: a cluster keeps its
id through every update, a split-off cluster takes the largest id in use plus one, and
two merged clusters keep the id of the one with more members.

They run once per update of a replay (hundreds of times per conversation), which is
why they are compiled: the same loops in numpy spend most of their time in call
overhead on arrays of 100 rows. ``cache=True`` keeps the compiled code on disk
beside this file, so only the first run on a machine pays for compiling.
"""

from __future__ import annotations

import numpy as np
from numba import njit

SAME_CLUSTERING_THRESHOLD = 0.01  # same-clustering? in clusters.clj


@njit(cache=True)
def _weighted_centers(X, w, lab, n):
    W = np.zeros(n)
    C = np.zeros((n, 2))
    for i in range(len(lab)):
        j = lab[i]
        if j >= 0:
            W[j] += w[i]
            C[j, 0] += w[i] * X[i, 0]
            C[j, 1] += w[i] * X[i, 1]
    for j in range(n):
        if W[j] > 0:
            C[j, 0] /= W[j]
            C[j, 1] /= W[j]
    return C, W


@njit(cache=True)
def _lex_order(C):
    # Clojure's (sort centers) on vectors: by x, then y.
    n = len(C)
    order = np.argsort(C[:, 0], kind="mergesort")
    # insertion sort on ties in x (rare; keeps the sort exact without a lexsort)
    for a in range(1, n):
        b = a
        while b > 0:
            i, j = order[b - 1], order[b]
            if C[i, 0] == C[j, 0] and C[i, 1] > C[j, 1]:
                order[b - 1], order[b] = j, i
                b -= 1
            else:
                break
    return order


@njit(cache=True)
def _same_clustering(C1, C2, threshold):
    o1 = _lex_order(C1)
    o2 = _lex_order(C2)
    for t in range(min(len(C1), len(C2))):
        dx = C1[o1[t], 0] - C2[o2[t], 0]
        dy = C1[o1[t], 1] - C2[o2[t], 1]
        if np.sqrt(dx * dx + dy * dy) >= threshold:
            return False
    return True


@njit(cache=True)
def _nearest(X, C):
    n = len(X)
    lab = np.empty(n, dtype=np.int64)
    dist = np.empty(n)
    for i in range(n):
        best = np.inf
        arg = 0
        for j in range(len(C)):
            dx = X[i, 0] - C[j, 0]
            dy = X[i, 1] - C[j, 1]
            d = dx * dx + dy * dy
            if d < best:
                best = d
                arg = j
        lab[i] = arg
        dist[i] = best
    return lab, dist


@njit(cache=True)
def _first_distinct(X, cap):
    """The first ``cap`` distinct rows of ``X``, in order (fewer if ``X`` has fewer)."""
    seen = np.empty((cap, 2))
    n = 0
    for i in range(len(X)):
        if n == cap:
            break
        new = True
        for j in range(n):
            if seen[j, 0] == X[i, 0] and seen[j, 1] == X[i, 1]:
                new = False
                break
        if new:
            seen[n, 0] = X[i, 0]
            seen[n, 1] = X[i, 1]
            n += 1
    return seen[:n].copy()


@njit(cache=True)
def _init_clusters(X, k):
    # init-clusters: the first k distinct rows, ids 0..k-1.
    centers = _first_distinct(X, k)
    return centers, np.arange(len(centers)).astype(np.int64)


@njit(cache=True)
def _clean_start(X, w, last, k):
    """clean-start-clusters: ``last`` is each row's cluster id in the last update (-1: none)."""
    n = len(X)
    ids = np.unique(last[last >= 0])
    m = len(ids)
    # Members by position in ``ids`` (safe-recenter drops ids with no member left: np.unique lists only present ones).
    member = np.full(n, -1, dtype=np.int64)
    for i in range(n):
        if last[i] >= 0:
            member[i] = np.searchsorted(ids, last[i])
    C, _ = _weighted_centers(X, w, member, m)
    size = np.bincount(member[member >= 0], minlength=m)
    # uniqify-clusters: a cluster whose centre equals an earlier one's merges into it,
    # under the id of the one with more members (the later one on a tie, as max-key picks).
    target = np.arange(m)
    for a in range(m):
        for b in range(a):
            if target[b] == b and C[a, 0] == C[b, 0] and C[a, 1] == C[b, 1]:
                target[a] = b
                if size[a] >= size[b]:
                    ids[b] = ids[a]
                size[b] += size[a]
                break
    keep = np.nonzero(target == np.arange(m))[0]
    slot = np.full(m, -1, dtype=np.int64)
    for t in range(len(keep)):
        slot[keep[t]] = t
    for i in range(n):
        if member[i] >= 0:
            member[i] = slot[target[member[i]]]
    ids = ids[keep].copy()
    n_c = len(ids)
    C, _ = _weighted_centers(X, w, member, n_c)
    possible = min(k, len(_first_distinct(X, k))) if k > n_c else k
    while possible > n_c:
        # most-distal: the row farthest from its nearest centre (the last such row on a tie).
        _, dist = _nearest(X, C)
        far = 0
        for i in range(n):
            if dist[i] >= dist[far]:
                far = i
        if dist[far] <= 0:
            break
        member[far] = n_c
        ids = np.append(ids, ids.max() + 1)
        n_c += 1
        # A cluster emptied by the move is dropped (Polis would average no members).
        counts = np.bincount(member[member >= 0], minlength=n_c)
        if (counts == 0).any():
            rank = np.cumsum(counts > 0) - 1
            for i in range(n):
                if member[i] >= 0:
                    member[i] = rank[member[i]]
            ids = ids[counts > 0].copy()
            n_c = len(ids)
        C, _ = _weighted_centers(X, w, member, n_c)
    return C, ids


@njit(cache=True)
def kmeans(X, w, last, k, max_iters):
    """Polis's ``kmeans``: returns ``(cluster id per row, ids, centres)``.

    ``last`` holds each row's cluster id in the previous update (-1 for none); when no
    row has one, the clustering starts cold from the first ``k`` distinct rows.
    """
    if (last >= 0).any():
        C, ids = _clean_start(X, w, last, k)
    else:
        C, ids = _init_clusters(X, k)
    lab = np.zeros(len(X), dtype=np.int64)
    for it in range(max_iters + 1):
        lab, _ = _nearest(X, C)
        counts = np.bincount(lab, minlength=len(C))
        if (counts == 0).any():  # cluster-step drops clusters with no members
            rank = np.cumsum(counts > 0) - 1
            lab = rank[lab]
            ids = ids[counts > 0].copy()
        C_new, _ = _weighted_centers(X, w, lab, len(ids))
        done = _same_clustering(C, C_new, SAME_CLUSTERING_THRESHOLD)
        C = C_new
        if done:
            break
    return ids[lab], ids, C


@njit(cache=True)
def silhouette(D, lab):
    """Polis's ``silhouette`` of a clustering (labels 0..g-1) on the distance matrix ``D``; a singleton scores 0."""
    n = len(lab)
    g = lab.max() + 1
    if g < 2:
        return -1.0
    sums = np.zeros((n, g))
    size = np.zeros(g)
    for j in range(n):
        size[lab[j]] += 1
    for i in range(n):
        for j in range(n):
            sums[i, lab[j]] += D[i, j]
    total = 0.0
    for i in range(n):
        own = lab[i]
        if size[own] <= 1:
            continue
        a = sums[i, own] / (size[own] - 1)
        b = np.inf
        for h in range(g):
            if h != own and size[h] > 0:
                b = min(b, sums[i, h] / size[h])
        denom = max(a, b)
        if denom > 0:
            total += (b - a) / denom
    return total / n


def warm_up() -> None:
    """Compile (or load from the disk cache) every function once, on a tiny problem."""
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    w = np.ones(4)
    lab, ids, C = kmeans(X, w, np.full(4, -1, dtype=np.int64), 2, 20)
    kmeans(X, w, lab, 3, 20)
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    silhouette(D, np.array([0, 0, 0, 1], dtype=np.int64))
    group_update(X, np.full(4, -1, dtype=np.int64), 3, 100, np.full((6, 1), -1, dtype=np.int64), 5, 20)
    # A 3 x 3 vote history by statement (each statement's votes by participants 0, 1, 2), all votes cast.
    ptr = np.array([0, 3, 6, 9], dtype=np.int64)
    rows = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2], dtype=np.int64)
    vals = np.array([1.0, 1.0, -1.0, -1.0, 1.0, 0.0, 0.0, -1.0, 1.0])
    count = np.full(3, 3, dtype=np.int64)
    pca_update(ptr, rows, vals, count, np.zeros(3), np.ones(3), np.eye(3)[:2].copy(), np.full(3, 3.0), 3.0, 100,
               1e-12, 1e-9)


# --- the replay's PCA -----------------------------------------------------------------------
#
# The vote history is stored once, by statement (``col_*``), each statement's votes in time
# order. The votes cast so far are then a prefix of every column (``col_count``), and a
# product with the centred matrix only walks those prefixes, centring each vote on the fly
# (its value minus its statement's current mean; a statement left out of the math, ``keep``
# 0, contributes nothing). Nothing is rebuilt between updates. Both products walk the
# statements in order, so each participant's sums run in one fixed order (see
# :func:`centred_times`).


@njit(cache=True)
def centred_times(col_ptr, col_rows, col_vals, col_count, center, keep, Q, n_rows):
    """``X @ Q`` for the centred votes so far (rows: participants).

    It walks the votes statement by statement, so every participant's sum runs over their
    statements in one fixed order (the statements' order), whatever order they voted in.
    Two participants with the same votes therefore get bit-for-bit the same projection on
    any CPU and BLAS, as in Polis, which sums each participant's dense row in column order.
    Polis's k-means compares points for exact equality (``init-clusters`` takes the first
    distinct rows, ``uniqify-clusters`` merges identical centres), so a projection that
    depended on the order of voting sent identical voters apart on some machines and not on
    others (benchmarks/POLIS-LOG.md, step 12).
    """
    Y = np.zeros((n_rows, Q.shape[1]))
    for j in range(len(col_count)):
        if keep[j] == 0.0:
            continue
        for p in range(col_ptr[j], col_ptr[j] + col_count[j]):
            d = col_vals[p] - center[j]
            i = col_rows[p]
            for a in range(Q.shape[1]):
                Y[i, a] += d * Q[j, a]
    return Y


@njit(cache=True)
def centred_transpose_times(col_ptr, col_rows, col_vals, col_count, center, keep, Y):
    """``X.T @ Y`` for the centred votes so far (rows of the result: statements)."""
    m = len(col_count)
    Z = np.zeros((m, Y.shape[1]))
    for j in range(m):
        if keep[j] == 0.0:
            continue
        for p in range(col_ptr[j], col_ptr[j] + col_count[j]):
            d = col_vals[p] - center[j]
            i = col_rows[p]
            for a in range(Y.shape[1]):
                Z[j, a] += d * Y[i, a]
    return Z


@njit(cache=True)
def centred_norm(col_ptr, col_vals, col_count, center, keep):
    s = 0.0
    for j in range(len(col_count)):
        if keep[j] == 0.0:
            continue
        for p in range(col_ptr[j], col_ptr[j] + col_count[j]):
            d = col_vals[p] - center[j]
            s += d * d
    return np.sqrt(s)


@njit(cache=True)
def power_iteration(col_ptr, col_rows, col_vals, col_count, center, keep, n_rows, Q, iters, stuck, tol):
    """Subspace iteration with Rayleigh-Ritz for the top components of ``X.T @ X``, from the start ``Q``.

    ``Q`` (columns x p, p >= 2) holds the start vectors, the first two being last update's
    components. Each step multiplies by ``X.T @ X``, orthonormalises, and rotates the
    block onto its Ritz vectors (largest first). It stops when ``1 - |cos|`` between each
    of the top two Ritz vectors and its last value is at most ``tol``, or after ``iters``
    steps. The fixed point is the same as Polis's one-vector-at-a-time power iteration
    with deflation (the top two eigenvectors); the extra vectors only make it converge
    in fewer steps when the second and third eigenvalues are close. Returns ``(Q, ok)``;
    ``ok`` is False when the start carries no variance (the caller restarts it from
    random vectors).
    """
    Q, _ = np.linalg.qr(Q)
    Q = np.ascontiguousarray(Q)
    U_last = Q.copy()
    for _ in range(iters):
        Z = centred_transpose_times(col_ptr, col_rows, col_vals, col_count, center, keep,
                                    centred_times(col_ptr, col_rows, col_vals, col_count, center, keep, Q, n_rows))
        if np.sqrt(np.sum(Z[:, 1] ** 2)) < stuck:
            return Q, False
        # Rayleigh-Ritz on span(Q), reusing Z = X.T X Q: no extra product.
        T = Q.T @ Z
        _, V = np.linalg.eigh((T + T.T) / 2)
        V = np.ascontiguousarray(V[:, ::-1])
        U = np.ascontiguousarray(Q @ V)
        done = True
        for a in range(2):
            cos = 0.0
            for i in range(U.shape[0]):
                cos += U[i, a] * U_last[i, a]
            if abs(abs(cos) - 1.0) > tol:
                done = False
        if done:
            return U, True
        U_last = U
        Qz, _ = np.linalg.qr(np.ascontiguousarray(Z @ V))
        Q = np.ascontiguousarray(Qz)
    Q = U_last
    return Q, True


@njit(cache=True)
def pca_update(col_ptr, col_rows, col_vals, col_count, center, keep, start, n_votes, n_comments, iters, stuck, tol):
    """One update's PCA from the start vectors ``start`` (p x columns, p >= 2; the first two: last components).

    Returns ``(vectors, projections, ok)``: ``vectors`` (p x columns) are the Ritz vectors,
    largest first, the first two being the components, each signed to agree with its
    start vector (the next update's start), and ``projections`` the participants'
    sparsity-aware projections on the two components. ``ok`` is False when the start
    carries no variance (see :func:`power_iteration`).
    """
    Q, ok = power_iteration(col_ptr, col_rows, col_vals, col_count, center, keep, len(n_votes),
                            np.ascontiguousarray(start.T), iters, stuck, tol)
    vecs = np.ascontiguousarray(Q.T)
    for a in range(vecs.shape[0]):
        if vecs[a] @ start[a] < 0:
            vecs[a] = -vecs[a]
    comps = np.ascontiguousarray(vecs[:2].T)
    proj = centred_times(col_ptr, col_rows, col_vals, col_count, center, keep, comps, len(n_votes))
    for i in range(len(proj)):
        s = np.sqrt(n_comments / max(n_votes[i], 1.0))
        proj[i, 0] *= s
        proj[i, 1] *= s
    return vecs, proj, ok


@njit(cache=True)
def group_update(X, base_last, base_k, base_iters, group_last, max_groups, group_iters):
    """One update's clustering, as ``small-conv-update`` in conversation.clj does it.

    Base clusters of the in-conv rows ``X`` (warm-started from ``base_last``, each row's
    base-cluster id in the last update, -1 for none), then for each k in 2..min(max_groups,
    2 + n_base // 12) a weighted k-means over the base-cluster centres, sorted by id
    (weights: members; warm-started from ``group_last[k]``, the group of each base id in
    the last update, -1 for none or a k not computed then), and its silhouette on the
    base-cluster centres. Returns ``(base id per row, base ids, group of each base id per
    k (rows indexed by k; -1 where not computed), silhouette per k (NaN where not computed))``.
    """
    ids_of_row, base_ids, B = kmeans(X, np.ones(len(X)), base_last, base_k, base_iters)
    order = np.argsort(base_ids)
    base_ids = base_ids[order]
    B = np.ascontiguousarray(B[order])
    nb = len(base_ids)
    wts = np.bincount(np.searchsorted(base_ids, ids_of_row), minlength=nb).astype(np.float64)
    D = np.empty((nb, nb))
    for i in range(nb):
        for j in range(nb):
            D[i, j] = np.sqrt((B[i, 0] - B[j, 0]) ** 2 + (B[i, 1] - B[j, 1]) ** 2)
    max_k = min(max_groups, 2 + nb // 12)
    width = base_ids.max() + 1
    groups = np.full((max_groups + 1, width), -1, dtype=np.int64)
    sils = np.full(max_groups + 1, np.nan)
    for k in range(2, max_k + 1):
        last = np.full(nb, -1, dtype=np.int64)
        for t in range(nb):
            if base_ids[t] < group_last.shape[1]:
                last[t] = group_last[k, base_ids[t]]
        gids, gid_list, _ = kmeans(B, wts, last, k, group_iters)
        for t in range(nb):
            groups[k, base_ids[t]] = gids[t]
        dense = np.searchsorted(np.sort(gid_list), gids)
        sils[k] = silhouette(D, dense)
    return ids_of_row, base_ids, groups, sils
