"""The Polis pipeline against Polis itself and against red-dwarf.

:func:`group_agreement` scores a result against Polis's own ``group-id`` labels
(adjusted Rand index, and coverage: the share of Polis's labelled participants we
label); :func:`agreement_ceiling` bounds what any clustering of the final map can
reach; :func:`fixture_parity` checks each step against Polis's math fixtures;
:func:`run_reddwarf` runs red-dwarf's pipeline with the same output shape, and
:func:`compare_with_reddwarf` puts the two side by side.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from casestudies.polis import export
from casestudies.polis.pipeline import PolisGroups, _sqdist, cluster_base, in_conversation, project, run
from casestudies.polis.statements import comment_stats, consensus_comments, group_informed_consensus, representative_comments

__all__ = ["DEVELOPMENT_CONVERSATIONS", "CHECK_CONVERSATIONS", "run_reddwarf", "group_agreement", "agreement_ceiling",
           "fixture_parity", "compare_with_reddwarf"]

#: Development set: the six open conversations the pipeline was first built and tuned on.
#: Every default of :func:`~casestudies.polis.pipeline.run` that Polis's code leaves open is
#: chosen on these alone (``choose_defaults`` in ``benchmarks/_polis_bench.py``).
DEVELOPMENT_CONVERSATIONS = ("15-per-hour-seattle", "american-assembly.bowling-green", "brexit-consensus",
                             "london.youth.policing", "scoop-hivemind.ubi", "vtaiwan.uberx")
#: Check set: the seven open conversations added later. Nothing is chosen on them.
CHECK_CONVERSATIONS = ("austria-climate.2vkxcncppn.2022-07-07", "austria-climate.5twd2jsnkf.2022-08-08",
                       "austria-climate.7z7ejpbmv5.2022-08-08", "scoop-hivemind.affordable-housing",
                       "scoop-hivemind.freshwater", "scoop-hivemind.taxes", "ssis.land-bank-farmland.2rumnecbeh.2021-08-01")


def run_reddwarf(conversation, *, random_state: int | None = 0) -> PolisGroups:
    """red-dwarf 0.4.0's ``run_pipeline`` with its defaults (moderated-out comments zeroed), same output shape."""
    from reddwarf.implementations.polis import run_pipeline

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = run_pipeline(votes=conversation.vote_records(), mod_out_statement_ids=conversation.moderated_out, random_state=random_state)
    seconds = time.perf_counter() - t0
    p = r.participants_df.copy()
    p["in_conv"] = p["to_cluster"]
    p["group"] = p["cluster_id"].astype("float")
    s = r.statements_df
    comments = s[["x", "y"]].copy()
    for col in ("mean", "pc1", "pc2"):
        if col in s:
            comments["center" if col == "mean" else col] = s[col]
    return PolisGroups(
        participants=p[["x", "y", "in_conv", "group"]],
        comments=comments,
        k=int(p["group"].nunique()),
        silhouettes={},
        repness=r.repness,
        consensus=r.consensus,
        stats=r.group_comment_stats,
        seconds=seconds,
        method="red-dwarf 0.4.0",
    )


def group_agreement(result: PolisGroups, polis_groups: pd.Series) -> dict:
    """Agreement of ``result``'s groups with Polis's own ``group-id`` labels.

    ``ari``: adjusted Rand index over every participant Polis placed in a group
    (a participant we left unclustered counts as its own "unclustered" class, so
    missing people lower the score); ``coverage``: share of those we label.
    Participants the pipeline placed rather than clustered (``participants["placed"]``,
    see :func:`~casestudies.polis.pipeline.run`) are also scored apart, so placement can
    neither hide nor inflate anything: ``ari_clustered`` over Polis's labelled participants
    we clustered, ``ari_placed`` over those we placed (NaN below two), ``ari_rule`` the
    overall score with the placed left unclustered (the in-conv rule alone), ``coverage_rule``
    the coverage of the clustering alone, and ``n_placed``.
    """
    from sklearn.metrics import adjusted_rand_score

    ref = polis_groups.dropna().astype(int)
    ours = result.participants["group"].reindex(ref.index)
    placed_flag = result.participants["placed"] if "placed" in result.participants else pd.Series(False, index=result.participants.index)
    placed = placed_flag.reindex(ref.index, fill_value=False).astype(bool)
    coverage = float(ours.notna().mean()) if len(ref) else float("nan")
    ari = adjusted_rand_score(ref.to_numpy(), ours.fillna(-1).astype(int).to_numpy())
    clustered = ours.notna() & ~placed
    # The same score with the placed participants left unclustered, as the in-conv rule alone leaves them.
    ari_rule = adjusted_rand_score(ref.to_numpy(), ours.where(~placed).fillna(-1).astype(int).to_numpy())

    def _ari_on(mask) -> float:
        if int(mask.sum()) < 2:
            return float("nan")
        return float(adjusted_rand_score(ref[mask].to_numpy(), ours[mask].astype(int).to_numpy()))

    return {
        "ari": float(ari),
        "coverage": coverage,
        "ari_clustered": _ari_on(clustered),
        "ari_placed": _ari_on(ours.notna() & placed),
        "ari_rule": float(ari_rule),
        "coverage_rule": float(clustered.mean()) if len(ref) else float("nan"),
        "n_placed": int((ours.notna() & placed).sum()),
        "k": int(result.k),
        "k_polis": int(ref.nunique()),
        "n_polis": int(len(ref)),
    }


def agreement_ceiling(result, polis_groups: pd.Series) -> dict:
    """How much of Polis's labelling the final map can explain at all.

    Polis's groups are unions of k-means cells, so in the map Polis used they are
    split by straight boundaries. We fit the best straight boundaries to Polis's own
    labels on *our* final map (multinomial logistic regression on ``x, y`` of every
    participant Polis labelled) and report the adjusted Rand index of that fit with
    Polis's labels. No method that clusters the final map can do much better than
    this: a low ceiling means Polis's labels come from a map the export no longer
    holds (an earlier state of the conversation), not from a flaw in the clustering.
    ``ceiling`` is that ARI; ``nearest_centre`` reassigns everyone to the nearest
    centre of Polis's groups on our map (1 when Polis's partition is a settled k-means
    solution on our map). ``result`` is a :class:`PolisGroups` or a data frame of
    participants with ``x, y`` (as :func:`project` returns).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import adjusted_rand_score

    ref = polis_groups.dropna().astype(int)
    table = result.participants if hasattr(result, "participants") else result
    xy = table[["x", "y"]].reindex(ref.index)
    keep = xy.notna().all(axis=1)
    X, y = xy[keep].to_numpy(dtype=float), ref[keep].to_numpy()
    if len(np.unique(y)) < 2:
        return {"ceiling": float("nan"), "nearest_centre": float("nan"), "n": int(len(y))}
    scale = X.std(axis=0)
    Z = (X - X.mean(axis=0)) / np.where(scale > 0, scale, 1.0)
    fit = LogisticRegression(C=1e4, max_iter=5000).fit(Z, y)
    groups = np.unique(y)
    centres = np.array([X[y == g].mean(axis=0) for g in groups])
    nearest = groups[_sqdist(X, centres).argmin(1)]
    return {
        "ceiling": float(adjusted_rand_score(y, fit.predict(Z))),
        "nearest_centre": float(adjusted_rand_score(y, nearest)),
        "n": int(len(y)),
    }


def fixture_parity(name: str, *, full: bool = True) -> dict:
    """Compare this module with Polis's own math output on one Polis API fixture.

    Returns, for the fixture ``name``: the correlation of our PCA components and
    participant projections with Polis's (sign-free), whether our in-conv set is
    Polis's, whether group clustering over Polis's own base clusters gives Polis's
    groups (ARI), whether representative comments, consensus and group-informed
    consensus are identical, and (with ``full``) the ARI of the full pipeline (ours
    and red-dwarf's) with Polis's groups when both start from the votes alone (so the
    pipeline places nobody from the fixture's labels: ``keep_participants=()``).
    """
    from sklearn.metrics import adjusted_rand_score

    math = export.load_polis_fixture(name)["math"]
    conv = export.polis_fixture_conversation(name)
    M = conv.vote_matrix().reindex(columns=math["tids"])
    parts, comments = project(M, math["mod-out"])
    out: dict = {"fixture": name, "participants": int(M.shape[0]), "comments": int(M.shape[1])}
    out["pca_r"] = float(min(abs(np.corrcoef(comments[c], math["pca"]["comps"][i])[0, 1]) for i, c in enumerate(("pc1", "pc2"))))
    bc = math["base-clusters"]
    if all(len(m) == 1 for m in bc["members"]):
        px = parts.loc[[m[0] for m in bc["members"]]]
        out["projection_r"] = float(min(abs(np.corrcoef(px[a], bc[a])[0, 1]) for a in ("x", "y")))
    else:
        out["projection_r"] = float("nan")  # above 100 participants Polis exports only base-cluster centres
    out["in_conv_equal"] = set(in_conversation(M, conv.votes)) == set(math["in-conv"])
    B = np.c_[bc["x"], bc["y"]]
    got = cluster_base(B, np.asarray(bc["count"], float))
    ref = np.full(len(B), -1)
    pos = {b: i for i, b in enumerate(bc["id"])}
    for g in math["group-clusters"]:
        for b in g["members"]:
            ref[pos[b]] = g["id"]
    out["k_polis"] = len(math["group-clusters"])
    out["groups_from_polis_base_ari"] = float(adjusted_rand_score(ref, got["labels"]))
    stats = comment_stats(M, conv.groups.dropna().astype(int))
    rep = representative_comments(stats, math["mod-out"])
    out["repness_identical"] = all(
        [(c["tid"], c["repful_for"]) for c in rep[int(g)]] == [(c["tid"], c["repful-for"]) for c in theirs]
        for g, theirs in math["repness"].items()
    )
    cons = consensus_comments(M, math["mod-out"])
    out["consensus_identical"] = all(
        [c["tid"] for c in cons[s]] == [c["tid"] for c in math["consensus"][s]] for s in ("agree", "disagree")
    )
    gac = group_informed_consensus(stats)
    theirs = pd.Series({int(k): v for k, v in math["group-aware-consensus"].items()})
    out["gac_max_abs_diff"] = float((gac.reindex(theirs.index) - theirs).abs().max())
    if full:
        # From the votes alone: nobody is placed from the fixture's labels (they are Polis's state).
        ours = group_agreement(run(conv, keep_participants=()), conv.groups)
        out["pipeline_ari"], out["pipeline_k"] = ours["ari"], ours["k"]
        out["reddwarf_ari"] = group_agreement(run_reddwarf(conv), conv.groups)["ari"]
    return out


def compare_with_reddwarf(conversation, **run_kwargs) -> tuple[pd.DataFrame, PolisGroups, PolisGroups]:
    """Run this pipeline and red-dwarf on one conversation; one row each: ARI, coverage, k, seconds."""
    ours = run(conversation, **run_kwargs)
    rd = run_reddwarf(conversation)
    rows = []
    for res in (ours, rd):
        agr = group_agreement(res, conversation.groups)
        rows.append(
            {
                "conversation": conversation.name,
                "method": res.method,
                "adjusted Rand index": round(agr["ari"], 3),
                "coverage": round(agr["coverage"], 3),
                "groups found": agr["k"],
                "groups in Polis": agr["k_polis"],
                "seconds": round(res.seconds, 2),
            }
        )
    return pd.DataFrame(rows), ours, rd
