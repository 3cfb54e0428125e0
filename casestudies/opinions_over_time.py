"""Rerun the Polis opinion-group analysis on growing windows of a timestamped conversation.

Methods for the case study "Opinions over time: when do the opinion groups settle?"
(``casestudies/08-opinions-over-time.md``). The clustering itself is the project's
Polis pipeline (:mod:`casestudies.polis`); this module cuts the vote history into
growing windows, runs the pipeline on each, and measures how far each window's
groups and consensus statements agree with the final ones.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from casestudies.polis.export import has_vote_times

__all__ = [
    "window_cutoffs",
    "conversation_until",
    "label_agreement",
    "consensus_ids",
    "track_windows",
    "settling_window",
]


def window_cutoffs(votes: pd.DataFrame, fractions) -> list[int]:
    """Timestamps at which the given fractions of all votes had been cast (growing windows)."""
    fractions = sorted(float(f) for f in fractions)
    if not fractions or fractions[0] <= 0 or fractions[-1] > 1:
        raise ValueError("Fractions must be in (0, 1].")
    if not has_vote_times(votes):
        raise ValueError(
            "The votes have no usable timestamps; a growing-window analysis needs Polis's votes.csv "
            "(the vote history), not only participants-votes.csv."
        )
    ts = np.sort(votes["timestamp"].to_numpy())
    return [int(ts[max(0, int(np.ceil(f * len(ts))) - 1)]) for f in fractions]


def conversation_until(conversation, cutoff: int):
    """The same conversation as it stood at ``cutoff``: only votes cast at or before it."""
    votes = conversation.votes[conversation.votes["timestamp"] <= cutoff]
    return dataclasses.replace(conversation, votes=votes.reset_index(drop=True))


def label_agreement(labels: pd.Series, reference: pd.Series) -> dict:
    """How well two groupings agree on the participants they share.

    ``ari``: adjusted Rand index (1 = identical up to renaming, about 0 = chance);
    ``same_group``: share of shared participants placed in the matching group
    after the best one-to-one renaming of groups; ``shared``: how many were compared.
    """
    from sklearn.metrics import adjusted_rand_score

    a = labels.dropna().astype(int)
    b = reference.dropna().astype(int)
    common = a.index.intersection(b.index)
    if len(common) == 0:
        return {"ari": float("nan"), "same_group": float("nan"), "shared": 0}
    x, y = a[common].to_numpy(), b[common].to_numpy()
    table = pd.crosstab(x, y).to_numpy()
    rows, cols = linear_sum_assignment(table, maximize=True)
    return {
        "ari": float(adjusted_rand_score(y, x)),
        "same_group": float(table[rows, cols].sum() / len(common)),
        "shared": int(len(common)),
    }


def consensus_ids(result, side: str = "agree") -> list[int]:
    """Comment ids a pipeline result lists as consensus on ``side`` ("agree" or "disagree")."""
    entries = (result.consensus or {}).get(side, []) or []
    return [int(e["tid"]) for e in entries]


def track_windows(
    conversation,
    fractions=(0.05, 0.1, 0.2, 0.45, 0.6, 0.8, 1.0),
    runner: Callable | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Run the opinion-group analysis on growing windows and compare each with the final window.

    ``runner(conversation) -> PolisGroups`` defaults to the project's Polis
    pipeline in a single pass (:func:`casestudies.polis.run` with
    ``use_history=False``), so each window is analysed as if it were the whole
    conversation. Returns one row per window and the per-window results.
    """
    if runner is None:
        from casestudies import polis

        def runner(conv):
            return polis.run(conv, use_history=False)

    cutoffs = window_cutoffs(conversation.votes, fractions)
    results = {}
    for frac, cut in zip(sorted(fractions), cutoffs):
        results[frac] = runner(conversation_until(conversation, cut))
    final = results[max(results)]
    final_agree = set(consensus_ids(final))
    polis_groups = getattr(conversation, "groups", pd.Series(dtype=float))
    rows = []
    for (frac, res), cut in zip(results.items(), cutoffs):
        window = conversation.votes[conversation.votes["timestamp"] <= cut]
        vs_final = label_agreement(res.groups, final.groups)
        vs_polis = label_agreement(res.groups, polis_groups) if len(polis_groups.dropna()) else {"ari": float("nan")}
        agree = consensus_ids(res)
        rows.append(
            {
                "share_of_votes": frac,
                "until": pd.to_datetime(cut, unit="ms", utc=True),
                "votes": int(len(window)),
                "participants": int(window["participant"].nunique()),
                "clustered": int(res.groups.size),
                "groups": int(res.k),
                "ari_vs_final": vs_final["ari"],
                "same_group_vs_final": vs_final["same_group"],
                "ari_vs_polis": vs_polis["ari"],
                "consensus": agree,
                "final_consensus_held": len(final_agree & set(agree)) / len(final_agree) if final_agree else float("nan"),
            }
        )
    return pd.DataFrame(rows), results


def settling_window(table: pd.DataFrame, column: str = "ari_vs_final", threshold: float = 0.8) -> float | None:
    """The smallest share of votes from which ``column`` stays at or above ``threshold`` in every later window."""
    ok = (table[column] >= threshold).to_numpy()
    for i in range(len(ok)):
        if ok[i:].all():
            return float(table["share_of_votes"].iloc[i])
    return None
