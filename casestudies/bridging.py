"""Bridging-based ranking: which statements win support across groups, not just from the most people.

Two families of method, both explained in the chapter "Bridging-based ranking"
(``casestudies/03-bridging-ranking.md``):

* **Min over segments** (Remesh, used by the Collective Dialogues team): a
  response's bridging score is the lowest agreement it gets in any segment.
* **Matrix factorisation** (X's Community Notes, adapted by Energize AI's Aligned
  platform): each rating is modelled as a global mean plus a rater intercept plus an
  item intercept plus the product of a rater factor and an item factor. The factor
  absorbs agreement explained by viewpoint, so a high *item intercept* means support
  that viewpoint does not explain. Community Notes' reference scorer is written in
  PyTorch; PyTorch is not part of this project, so the model here is fitted with
  numpy and scipy.sparse (alternating exact ridge updates for the smooth Community
  Notes loss, proximal gradient descent for Aligned's L1-penalised loss). The
  benchmark ``benchmarks/_mf_bench.py`` runs our fit beside a PyTorch
  re-implementation of the reference's training loop on the same ratings.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

__all__ = [
    "BRIDGING_SEGMENTS",
    "segment_bridging",
    "match_policy_candidates",
    "MFResult",
    "fit_community_notes",
    "fit_aligned",
    "community_notes_status",
    "aligned_accepts",
    "synthetic_ratings",
    "SyntheticRatings",
    "polis_ratings",
]

# --- Remesh: min over segments ----------------------------------------------------------

#: Segments the team's notebook used that the public exports contain: everyone, gender
#: (male, female) and party (Democrat, Republican, Independent). Their notebook also used
#: segment ids 48-54, which are not among the public exports' columns.
BRIDGING_SEGMENTS = (("All", "All"), ("O3", "Male"), ("O3", "Female"), ("O4", "Democrat"), ("O4", "Republican"), ("O4", "Independent"))


def segment_bridging(block, segments=BRIDGING_SEGMENTS) -> pd.DataFrame:
    """Bridging and polarisation of every response in one Remesh "Ask Opinion" block.

    ``bridging = min_j a_j`` and ``polarisation = max_j a_j - min_j a_j`` over the
    segments' agreement shares ``a_j``. Returns one row per response with the
    segment shares, ``all`` (overall agreement), ``bridging`` and ``polarisation``.
    """
    cols = []
    for group, label in segments:
        col = block.segment_column(label, None if group == "All" else group)
        if col is None:
            raise KeyError(f"Segment {group}:{label} is not in the block '{block.question[:60]}'.")
        cols.append((f"{label}", col))
    out = pd.DataFrame({"response": block.table["response"]})
    for name, col in cols:
        out[name] = block.table[col].to_numpy()
    shares = out[[n for n, _ in cols]]
    out["all"] = out["All"]
    out["bridging"] = shares.min(axis=1, skipna=False)
    out["polarisation"] = shares.max(axis=1, skipna=False) - shares.min(axis=1, skipna=False)
    out["question"] = block.question
    return out


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().strip('"').lower()


def match_policy_candidates(export, candidates: pd.DataFrame, segments=BRIDGING_SEGMENTS) -> pd.DataFrame:
    """Recompute "Evidence bridging support" for each policy candidate from the CD1 export.

    Each candidate cites one participant response as evidence; we find it among the
    session's "Ask Opinion" responses (whitespace- and case-insensitive) and compute
    its min-over-segments score. Rows whose evidence cannot be found get NaN.
    """
    scored = pd.concat(
        [segment_bridging(b, segments) for b in export.blocks if b.question_type == "Ask Opinion" and b.segment_column("All") is not None],
        ignore_index=True,
    )
    scored["key"] = scored["response"].map(_norm)
    lookup = scored.drop_duplicates("key").set_index("key")
    rows = []
    for _, c in candidates.iterrows():
        key = _norm(c["Evidence Response"])
        hit = lookup.loc[key] if key in lookup.index else None
        rows.append(
            {
                "policy": str(c["Policy"]).split(":")[0],
                "published": float(c["Evidence bridging support"]),
                "computed": float(hit["bridging"]) if hit is not None else np.nan,
                "overall agreement": float(hit["all"]) if hit is not None else np.nan,
                "polarisation": float(hit["polarisation"]) if hit is not None else np.nan,
            }
        )
    out = pd.DataFrame(rows)
    out["difference"] = (out["computed"] - out["published"]).round(2)
    return out


# --- matrix factorisation -------------------------------------------------------------


@dataclass
class MFResult:
    """A fitted rating model: ``rating ~ mu + rater_intercept + item_intercept + rater_factor * item_factor``."""

    mu: float
    rater_intercept: np.ndarray
    item_intercept: np.ndarray
    rater_factor: np.ndarray
    item_factor: np.ndarray
    loss: float
    iterations: int
    seconds: float
    method: str
    history: list = field(default_factory=list)

    def predict(self, raters, items) -> np.ndarray:
        return self.mu + self.rater_intercept[raters] + self.item_intercept[items] + self.rater_factor[raters] * self.item_factor[items]


def _orient(result: MFResult) -> MFResult:
    # The factor's sign is arbitrary; fix it so that most raters sit on the positive side.
    if np.median(result.rater_factor) < 0:
        result.rater_factor = -result.rater_factor
        result.item_factor = -result.item_factor
    return result


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    # A plain loop rather than BLAS: on vectors this short a threaded BLAS dot product
    # costs more than it saves, and on a busy machine its waiting threads slowed the
    # whole fit four-fold in our benchmark.
    return float(np.einsum("i,i->", a, b))


def fit_community_notes(
    raters: np.ndarray,
    items: np.ndarray,
    ratings: np.ndarray,
    *,
    n_raters: int | None = None,
    n_items: int | None = None,
    intercept_lambda: float = 0.15,
    factor_lambda: float = 0.03,
    max_iter: int = 500,
    tol: float = 1e-6,
    seed: int = 0,
    callback=None,
) -> MFResult:
    """Fit the Community Notes model (one factor) by alternating exact ridge updates.

    Loss, as in the reference scorer's code: mean squared error over ratings plus
    ``intercept_lambda * (mean(i_u^2) + mean(i_n^2) + mu^2)`` plus
    ``factor_lambda * (mean(f_u^2) + mean(f_n^2))``; the reference's values are 0.15
    (0.03 x 5) and 0.03. With the items fixed, each rater's ``(i_u, f_u)`` is a
    two-parameter ridge regression with a closed-form solution, and likewise for the
    items, then ``mu``; so the fit alternates exact block updates (every step lowers
    the loss) until no parameter moves by more than ``tol`` in a sweep. (Stopping on
    the loss instead is premature: near the minimum the loss is flat while the
    intercepts still drift by up to 1e-3.) The reference minimises the same loss with
    full-batch Adam and stops when one step changes the loss by at most 1e-7, close to
    but short of the minimum; ``benchmarks/_mf_bench.py`` runs both on the same ratings.
    ``callback(iteration, loss)`` is called after each sweep (for progress bars on long
    fits).
    """
    raters = np.asarray(raters, dtype=np.int64)
    items = np.asarray(items, dtype=np.int64)
    y = np.asarray(ratings, dtype=float)
    U = int(n_raters if n_raters is not None else raters.max() + 1)
    V = int(n_items if n_items is not None else items.max() + 1)
    N = len(y)
    if N == 0 or not (len(raters) == len(items) == N):
        raise ValueError(f"Need one rater and one item code per rating and at least one rating; got {len(raters)}, {len(items)} and {N}.")
    rng = np.random.default_rng(seed)
    mu = float(y.mean())
    iu, iv = np.zeros(U), np.zeros(V)
    fu, fv = rng.normal(0, 0.1, U), rng.normal(0, 0.1, V)
    t0 = time.perf_counter()
    # Every sum over one rater's (or one item's) ratings that the updates and the loss
    # need is a product of the count matrix C (how often u rated n) or the rating-sum
    # matrix Y with a short vector, so one sweep is four passes over the ratings
    # instead of a dozen scatters and gathers of rating-length arrays.
    C = sparse.csr_matrix((np.ones(N), (raters, items)), shape=(U, V))
    Y = sparse.csr_matrix((y, (raters, items)), shape=(U, V))
    Y.eliminate_zeros()  # ratings of 0 add nothing to Y's sums
    Ct, Yt = C.T.tocsr(), Y.T.tocsr()
    nu, nv = np.asarray(C.sum(axis=1)).ravel(), np.asarray(Ct.sum(axis=1)).ravel()
    yu, yv = np.asarray(Y.sum(axis=1)).ravel(), np.asarray(Yt.sum(axis=1)).ravel()
    sum_y, sum_yy = float(y.sum()), _dot(y, y)
    # Penalties on the summed (not averaged) squared error.
    a_u, b_u = N * intercept_lambda / U, N * factor_lambda / U
    a_v, b_v = N * intercept_lambda / V, N * factor_lambda / V

    def block(counts, sums, other_i, other_f, n, ysum, a, b):
        # Minimise sum (y - mu - i' - i - f f')^2 + a i^2 + b f^2 per row, (i', f') the other side's.
        s_f, s_ff, s_i, s_if = (counts @ np.column_stack([other_f, other_f * other_f, other_i, other_i * other_f])).T
        y_f = sums @ other_f
        st = ysum - mu * n - s_i  # sum of (y - mu - i')
        stf = y_f - mu * s_f - s_if  # sum of (y - mu - i') f'
        A, B, D = n + a, s_f, s_ff + b
        det = A * D - B * B
        return (D * st - B * stf) / det, (A * stf - B * st) / det, (s_f, s_ff, s_i, s_if, y_f)

    history: list = []
    it = 0
    for it in range(1, max_iter + 1):
        before = (iu, fu, iv, fv, mu)
        iu, fu, _ = block(C, Y, iv, fv, nu, yu, a_u, b_u)
        iv, fv, (q_f, q_ff, q_i, q_if, y_f) = block(Ct, Yt, iu, fu, nv, yv, a_v, b_v)
        # Sums over all ratings, from the item-side sums just computed with the new raters.
        s_fufv = _dot(fv, q_f)
        mu = (sum_y - _dot(nu, iu) - _dot(nv, iv) - s_fufv) / (N + N * intercept_lambda)
        s_yp = mu * sum_y + _dot(iu, yu) + _dot(iv, yv) + _dot(fv, y_f)
        s_pp = (N * mu * mu + _dot(nu, iu * iu) + _dot(nv, iv * iv) + _dot(fv * fv, q_ff)
                + 2 * mu * (_dot(nu, iu) + _dot(nv, iv) + s_fufv) + 2 * (_dot(iv, q_i) + _dot(fv, q_if) + _dot(iv * fv, q_f)))
        sse = sum_yy - 2 * s_yp + s_pp
        loss = float(sse / N + intercept_lambda * (_dot(iu, iu) / U + _dot(iv, iv) / V + mu * mu) + factor_lambda * (_dot(fu, fu) / U + _dot(fv, fv) / V))
        history.append(loss)
        if callback is not None:
            callback(it, loss)
        moved = max(abs(mu - before[4]), *(np.abs(new - old).max() for new, old in zip((iu, fu, iv, fv), before[:4])))
        if moved <= tol:
            break
    return _orient(
        MFResult(
            mu=float(mu),
            rater_intercept=iu,
            item_intercept=iv,
            rater_factor=fu,
            item_factor=fv,
            loss=history[-1],
            iterations=it,
            seconds=time.perf_counter() - t0,
            method="Community Notes loss, alternating exact ridge updates (numpy and scipy.sparse)",
            history=history,
        )
    )


def fit_aligned(
    raters: np.ndarray,
    items: np.ndarray,
    ratings: np.ndarray,
    *,
    n_raters: int | None = None,
    n_items: int | None = None,
    intercept_lambda: float = 0.15,
    factor_lambda: float = 0.03,
    lr: float = 0.5,
    min_iter: int = 100,
    max_iter: int = 10_000,
    tol: float = 1e-8,
    seed: int = 0,
) -> MFResult:
    """Fit Energize AI's Aligned variant: frequency-weighted L2 on intercepts, L1 on factors.

    Loss: ``[sum (r - r_hat)^2 + intercept_lambda * (sum_u n_u i_u^2 + sum_g n_g i_g^2 + N mu^2)
    + factor_lambda * (sum_u n_u |f_u| + sum_g n_g |f_g|)] / N`` with binary ratings.
    Aligned used plain full-batch gradient descent (learning rate 0.1, at least 100
    iterations, stop when the loss changes by less than 1e-8, at most 10,000). We keep
    the loss, the stopping rule and the initialisation (uniform on [0, 1)) but scale
    each parameter's step by ``lr`` x N / (its number of ratings) and apply the L1 term by
    soft-thresholding (proximal gradient): the same optimum, reached in far fewer
    iterations and without the oscillation a subgradient causes.
    """
    raters = np.asarray(raters, dtype=np.int64)
    items = np.asarray(items, dtype=np.int64)
    y = np.asarray(ratings, dtype=float)
    U = int(n_raters if n_raters is not None else raters.max() + 1)
    V = int(n_items if n_items is not None else items.max() + 1)
    N = len(y)
    nu = np.bincount(raters, minlength=U).astype(float)
    nv = np.bincount(items, minlength=V).astype(float)
    rng = np.random.default_rng(seed)
    mu, iu, iv = 0.0, np.zeros(U), np.zeros(V)
    fu, fv = rng.uniform(0.0, 1.0, U), rng.uniform(0.0, 1.0, V)  # uniform on [0, 1), like jax.random.uniform
    t0 = time.perf_counter()
    prev = np.inf
    history = []
    it = 0
    for it in range(1, max_iter + 1):
        err = mu + iu[raters] + iv[items] + fu[raters] * fv[items] - y
        smooth = (err @ err + intercept_lambda * (nu @ iu**2 + nv @ iv**2 + N * mu * mu)) / N
        loss = smooth + factor_lambda * (nu @ np.abs(fu) + nv @ np.abs(fv)) / N
        history.append(float(loss))
        if not np.isfinite(loss):
            raise FloatingPointError(f"The Aligned fit diverged at iteration {it}; lower lr (now {lr}).")
        if it > min_iter and abs(prev - loss) < tol:
            break
        prev = loss
        e2 = 2.0 * err / N
        g_mu = e2.sum() + 2 * intercept_lambda * mu
        g_iu = np.bincount(raters, weights=e2, minlength=U) + 2 * intercept_lambda * nu * iu / N
        g_iv = np.bincount(items, weights=e2, minlength=V) + 2 * intercept_lambda * nv * iv / N
        g_fu = np.bincount(raters, weights=e2 * fv[items], minlength=U)
        g_fv = np.bincount(items, weights=e2 * fu[raters], minlength=V)
        # Per-parameter steps lr * N / n_j: each parameter moves as if its own ratings
        # were the whole data set (the loss divides by N, so plain steps of lr would
        # shrink with the number of raters and items). Same loss, same optimum.
        su, sv = lr * N / np.maximum(nu, 1), lr * N / np.maximum(nv, 1)
        mu -= lr * g_mu / 2
        iu -= su * g_iu / 2
        iv -= sv * g_iv / 2
        fu = fu - su * g_fu / 2
        fv = fv - sv * g_fv / 2
        # Proximal step for the L1 penalty: shrink each factor towards 0.
        fu = np.sign(fu) * np.maximum(np.abs(fu) - su / 2 * factor_lambda * nu / N, 0.0)
        fv = np.sign(fv) * np.maximum(np.abs(fv) - sv / 2 * factor_lambda * nv / N, 0.0)
    return _orient(
        MFResult(mu, iu, iv, fu, fv, float(history[-1]), it, time.perf_counter() - t0, "Aligned loss, proximal gradient descent", history)
    )


def community_notes_status(result: MFResult, n_ratings: np.ndarray, *, min_ratings: int = 5) -> np.ndarray:
    """Community Notes' core status rule per item.

    "helpful" if the item intercept is at least 0.40 and the item factor's magnitude
    is below 0.50; "not helpful" if the intercept is below -0.05 - 0.8 |factor|;
    otherwise (or with fewer than ``min_ratings`` ratings) "needs more ratings".
    """
    i, f = result.item_intercept, result.item_factor
    status = np.full(len(i), "needs more ratings", dtype=object)
    enough = np.asarray(n_ratings) >= min_ratings
    status[enough & (i >= 0.40) & (np.abs(f) < 0.50)] = "helpful"
    status[enough & (i < -0.05 - 0.8 * np.abs(f))] = "not helpful"
    return status


def aligned_accepts(result: MFResult, n_ratings: np.ndarray, raw_helpful: np.ndarray) -> np.ndarray:
    """Aligned's acceptance rule: intercept above 0.375, at least 5 ratings, and at least 80% raw helpful."""
    return (result.item_intercept > 0.375) & (np.asarray(n_ratings) >= 5) & (np.asarray(raw_helpful) >= 0.8)


# --- synthetic ratings with planted items ------------------------------------------------


@dataclass
class SyntheticRatings:
    """Ratings drawn from a known two-camp model, with each item's planted kind."""

    raters: np.ndarray
    items: np.ndarray
    ratings: np.ndarray
    kind: np.ndarray  # per item: "bridging", "polarising" or "other"
    item_intercept: np.ndarray  # planted
    item_factor: np.ndarray  # planted
    rater_camp: np.ndarray  # +1 majority camp, -1 minority camp

    @property
    def n_raters(self) -> int:
        return len(self.rater_camp)

    @property
    def n_items(self) -> int:
        return len(self.kind)


def synthetic_ratings(
    n_raters: int = 2000,
    n_items: int = 400,
    n_ratings: int = 60_000,
    *,
    majority_share: float = 0.8,
    bridging_share: float = 0.1,
    polarising_share: float = 0.2,
    seed: int = 0,
) -> SyntheticRatings:
    """Binary helpfulness ratings from two camps of raters, with planted bridging and polarising items.

    Raters belong to a majority camp (share ``majority_share``) or a minority camp,
    with viewpoint ``f_u`` near +1 or -1. Items have an intercept and a factor:
    *bridging* items a high intercept and a factor near 0 (both camps like them);
    *polarising* items a factor near +/-1.3 and a middling intercept (one camp likes
    them, the other does not); the rest a low intercept. A rating is helpful with
    probability ``sigmoid(4 * (i_n + f_u f_n) - 1)``. Each rater rates random items.
    """
    rng = np.random.default_rng(seed)
    camp = np.where(rng.random(n_raters) < majority_share, 1.0, -1.0)
    fu = camp * rng.normal(1.0, 0.2, n_raters)
    kinds = rng.permutation(
        np.array(["bridging"] * int(bridging_share * n_items) + ["polarising"] * int(polarising_share * n_items)
                 + ["other"] * (n_items - int(bridging_share * n_items) - int(polarising_share * n_items)), dtype=object)
    )
    iv = np.where(kinds == "bridging", rng.normal(0.6, 0.05, n_items), np.where(kinds == "polarising", rng.normal(0.3, 0.05, n_items), rng.normal(0.0, 0.15, n_items)))
    fv = np.where(kinds == "polarising", rng.choice([-1.3, 1.3], n_items) * rng.normal(1.0, 0.1, n_items), rng.normal(0, 0.1, n_items))
    r = rng.integers(0, n_raters, n_ratings)
    v = rng.integers(0, n_items, n_ratings)
    pair = np.unique(r.astype(np.int64) * n_items + v)
    r, v = (pair // n_items).astype(np.int64), (pair % n_items).astype(np.int64)
    p = 1 / (1 + np.exp(-(4 * (iv[v] + fu[r] * fv[v]) - 1)))
    y = (rng.random(len(r)) < p).astype(float)
    return SyntheticRatings(r, v, y, kinds, iv, fv, camp)


def polis_ratings(conversation, moderated_out=True) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index, pd.Index]:
    """A Polis conversation's votes as ratings: agree = 1, disagree = 0 (passes left out).

    Returns ``(raters, items, ratings, participant_ids, comment_ids)`` with 0-based codes.
    """
    v = conversation.votes
    v = v[v["vote"] != 0]
    if moderated_out:
        v = v[~v["comment-id"].isin(conversation.moderated_out)]
    pids = pd.Index(np.sort(v["participant"].unique()))
    tids = pd.Index(np.sort(v["comment-id"].unique()))
    return (
        pids.get_indexer(v["participant"]),
        tids.get_indexer(v["comment-id"]),
        (v["vote"] == 1).to_numpy(dtype=float),
        pids,
        tids,
    )
