"""What each Polis opinion group says: statement statistics, representative statements, consensus.

Polis's report ranks statements per group with a one-proportion test (does the group
lean one way more than chance?) and a two-proportion test (more than everyone else?);
the rule follows ``math/src/polismath/math/repness.clj`` in compdemocracy/polis. The
tests themselves come from red-dwarf (``reddwarf.utils.stats``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "Z_90",
    "comment_stats",
    "representative_comments",
    "consensus_comments",
    "group_informed_consensus",
]

#: The one-sided 90% z threshold Polis uses for both tests (repness.clj).
Z_90 = 1.2816


def _group_counts(matrix, labels: pd.Series):
    """Per group (rows, in sorted order) and comment: agrees, disagrees and votes seen.

    ``matrix`` is a participants x comments data frame (NaN where unseen) or a
    :class:`~casestudies.polis.sparse.SparseVotes`; only the participants in ``labels`` count.
    """
    groups = sorted(labels.unique())
    if hasattr(matrix, "group_counts"):
        na, nd, ns = matrix.group_counts(labels, groups)
        return matrix.tids, groups, na, nd, ns
    M = matrix.loc[labels.index].to_numpy(dtype=float)
    lab = labels.to_numpy()
    A, D, S = (M == 1), (M == -1), ~np.isnan(M)
    na = np.array([A[lab == g].sum(0) for g in groups], dtype=float)
    nd = np.array([D[lab == g].sum(0) for g in groups], dtype=float)
    ns = np.array([S[lab == g].sum(0) for g in groups], dtype=float)
    return matrix.columns, groups, na, nd, ns


def comment_stats(matrix, labels: pd.Series) -> pd.DataFrame:
    """Per group and comment: agrees ``na``, disagrees ``nd``, seen ``ns`` and Polis's tests.

    ``pa = (na + 1)/(ns + 2)``; ``pat`` the one-proportion test; ``ra``/``rat`` the
    representativeness ratio and two-proportion test against everyone outside the
    group (and the same for disagree). ``matrix`` is a participants x comments data
    frame or a :class:`~casestudies.polis.sparse.SparseVotes`.
    """
    from reddwarf.utils.stats import one_prop_test, two_prop_test

    tids, groups, NA, ND, NS = _group_counts(matrix, labels)
    tot_a, tot_d, tot_s = NA.sum(0), ND.sum(0), NS.sum(0)
    rows = []
    for gi, g in enumerate(groups):
        na, nd, ns = NA[gi], ND[gi], NS[gi]
        oa, od, os_ = tot_a - na, tot_d - nd, tot_s - ns
        pa, pd_ = (na + 1) / (ns + 2), (nd + 1) / (ns + 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            rows.append(
                pd.DataFrame(
                    {
                        "group": g,
                        "tid": tids,
                        "na": na,
                        "nd": nd,
                        "ns": ns,
                        "pa": pa,
                        "pd": pd_,
                        "pat": one_prop_test(na, ns),
                        "pdt": one_prop_test(nd, ns),
                        "ra": pa / ((oa + 1) / (os_ + 2)),
                        "rd": pd_ / ((od + 1) / (os_ + 2)),
                        "rat": two_prop_test(na, oa, ns, os_),
                        "rdt": two_prop_test(nd, od, ns, os_),
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def _finalize(r) -> dict:
    agree = r["rat"] > r["rdt"]
    return {
        "tid": int(r["tid"]),
        "repful_for": "agree" if agree else "disagree",
        "n_success": int(r["na"] if agree else r["nd"]),
        "n_trials": int(r["ns"]),
        "p_success": float(r["pa"] if agree else r["pd"]),
        "p_test": float(r["pat"] if agree else r["pdt"]),
        "repness": float(r["ra"] if agree else r["rd"]),
        "repness_test": float(r["rat"] if agree else r["rdt"]),
    }


def _metric(c: dict) -> float:
    return c["repness"] * c["repness_test"] * c["p_success"] * c["p_test"]


def _beats_best_agree(r, best) -> bool:
    if r["na"] == 0 and r["nd"] == 0:
        return False
    if best is not None and best["ra"] > 1.0:
        return r["ra"] * r["rat"] * r["pa"] * r["pat"] > best["ra"] * best["rat"] * best["pa"] * best["pat"]
    if best is not None:
        return r["pa"] * r["pat"] > best["pa"] * best["pat"]
    return bool(r["pat"] > Z_90 or (r["ra"] > 1.0 and r["pa"] > 0.5))


def representative_comments(stats: pd.DataFrame, moderated_out=(), pick_max: int = 5, z: float = Z_90) -> dict:
    """Each group's representative comments, by Polis's rule (repness.clj, ``select-rep-comments``).

    A comment qualifies for a group when the group agrees (or disagrees) with it
    both more than chance (one-proportion test ``pat > z``) and more than everyone
    else (two-proportion test ``rat > z``); it counts as "agree" if ``rat > rdt``.
    Qualifiers are ranked by ``ra * rat * pa * pat`` (or the disagree analogue).
    The group's best agreed comment goes first, the top ``pick_max`` are kept, and
    agrees are listed before disagrees. A group with no qualifier keeps its best
    agreed comment, or failing that its most representative one.
    """
    out = {}
    mod = set(int(t) for t in moderated_out)
    for g, df in stats.groupby("group", sort=True):
        sufficient: list = []
        best = None
        best_agree = None
        # Plain dicts, one per row: the same values as iterrows' Series at a fraction of the cost.
        for r in df.sort_values("tid").to_dict("records"):
            if int(r["tid"]) in mod:
                continue
            if (r["rat"] > z and r["pat"] > z) or (r["rdt"] > z and r["pdt"] > z):
                sufficient.append(_finalize(r))
            if not sufficient and (best is None or max(r["rat"], r["rdt"]) > best["repness_test"]):
                best = _finalize(r)
            if _beats_best_agree(r, best_agree):
                best_agree = r
        head = {**_finalize(best_agree), "best_agree": True} if best_agree is not None else None
        if not sufficient:
            chosen = [head] if head is not None else ([best] if best is not None else [])
        else:
            rest = [c for c in sufficient if head is None or c["tid"] != head["tid"]]
            rest.sort(key=lambda c: -_metric(c))  # stable, like Clojure's sort-by
            chosen = ([head] if head is not None else []) + rest
            chosen = chosen[:pick_max]
            chosen = [c for c in chosen if c["repful_for"] == "agree"] + [c for c in chosen if c["repful_for"] == "disagree"]
        out[int(g)] = chosen
    return out


def consensus_comments(matrix, moderated_out=(), pick_max: int = 5, z: float = Z_90) -> dict:
    """Comments most participants agree (or disagree) with: ``p > 0.5`` and ``p-test > z``, top by ``p * p-test``.

    Counts every participant in ``matrix`` (a data frame or a :class:`~casestudies.polis.sparse.SparseVotes`).
    """
    from reddwarf.utils.stats import one_prop_test

    mod = set(moderated_out)
    if hasattr(matrix, "column_counts"):
        n_agree, n_disagree, n_seen = matrix.column_counts()
        all_tids = list(matrix.tids)
    else:
        M = matrix.to_numpy(dtype=float)
        n_agree, n_disagree, n_seen = (M == 1).sum(0), (M == -1).sum(0), (~np.isnan(M)).sum(0)
        all_tids = list(matrix.columns)
    keep = np.array([t not in mod for t in all_tids], dtype=bool)
    tids = [t for t, k in zip(all_tids, keep) if k]
    ns = np.asarray(n_seen)[keep]
    out = {}
    for side, count in (("agree", n_agree), ("disagree", n_disagree)):
        n = np.asarray(count)[keep]
        p = (n + 1) / (ns + 2)
        t = one_prop_test(n, ns)
        ok = (p > 0.5) & (t > z)
        order = sorted(np.nonzero(ok)[0], key=lambda i: -p[i] * t[i])[:pick_max]
        out[side] = [
            {"tid": int(tids[i]), "n_success": int(n[i]), "n_trials": int(ns[i]), "p_success": float(p[i]), "p_test": float(t[i])}
            for i in order
        ]
    return out


def group_informed_consensus(stats: pd.DataFrame) -> pd.Series:
    """Group-informed consensus per comment: the product over groups of ``(A_g + 1)/(S_g + 2)``."""
    return stats.groupby("tid")["pa"].prod().rename("group_informed_consensus")
