"""Raking (iterative proportional fitting) of a sample to population margins, and the design effect.

Methods for the case study "Unrepresentative samples: how far does reweighting
move a headline figure?" (``casestudies/07-unrepresentative-samples.md``). A small,
tested implementation, used because the maintained ``balance`` package could
not be installed alongside the book's pinned numpy, pandas and scipy.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = [
    "RakingError",
    "rake",
    "weighted_margins",
    "kish_design_effect",
    "effective_sample_size",
    "weighted_share",
]


class RakingError(ValueError):
    """The sample and the population margins cannot be matched (missing groups, bad shares, no convergence)."""


def _check_margins(sample: pd.DataFrame, margins: dict[str, dict]) -> dict[str, pd.Series]:
    checked = {}
    for var, target in margins.items():
        if var not in sample.columns:
            raise RakingError(f"The sample has no column '{var}' to rake on.")
        target = pd.Series(target, dtype=float)
        if (target < 0).any() or not np.isfinite(target).all() or target.sum() <= 0:
            raise RakingError(f"Population shares for '{var}' must be non-negative numbers with a positive total.")
        target = target / target.sum()
        present = set(sample[var].dropna().unique())
        missing_in_sample = [lvl for lvl in target.index if target[lvl] > 0 and lvl not in present]
        if missing_in_sample:
            raise RakingError(
                f"Nobody in the sample has {var} = {missing_in_sample}; weighting cannot create people who were not "
                "recruited. Recruit them, or merge that group with a neighbouring one in both the sample and the margins."
            )
        unknown = sorted(map(str, present - set(target.index)))
        if unknown or sample[var].isna().any():
            raise RakingError(
                f"Sample values of '{var}' without a population share: {unknown or ['missing values']}. "
                "Recode or drop them before raking."
            )
        checked[var] = target
    return checked


def rake(
    sample: pd.DataFrame,
    margins: dict[str, dict],
    base_weights: pd.Series | np.ndarray | None = None,
    max_iter: int = 1000,
    tol: float = 1e-10,
) -> pd.Series:
    """Weights that make the sample's weighted shares match every population margin.

    Raking (Deming and Stephan's iterative proportional fitting) adjusts the
    weights to one variable's margin at a time, cycling until all match. The
    weights returned average 1 over the sample. ``margins`` maps a column name
    to ``{level: population share}``; shares are normalised to sum to 1.
    """
    targets = _check_margins(sample, margins)
    n = len(sample)
    w = np.ones(n) if base_weights is None else np.asarray(base_weights, dtype=float).copy()
    if w.shape != (n,) or (w <= 0).any():
        raise RakingError("Base weights must be positive, one per sample row.")
    codes = {var: sample[var].to_numpy() for var in targets}
    for _ in range(max_iter):
        worst = 0.0
        for var, target in targets.items():
            col = codes[var]
            total = w.sum()
            for level, share in target.items():
                mask = col == level
                current = w[mask].sum() / total
                worst = max(worst, abs(current - share))
                if current > 0:
                    w[mask] *= share / current
        if worst < tol:
            break
    else:
        raise RakingError(f"Raking did not converge in {max_iter} rounds; the margins may be inconsistent with the sample.")
    return pd.Series(w * n / w.sum(), index=sample.index, name="weight")


def weighted_margins(sample: pd.DataFrame, weights, variables) -> pd.DataFrame:
    """Unweighted and weighted shares of each level of ``variables`` (long format)."""
    w = pd.Series(np.asarray(weights, dtype=float), index=sample.index)
    rows = []
    for var in variables:
        for level, count in sample[var].value_counts().items():
            mask = sample[var] == level
            rows.append({"variable": var, "level": level, "sample": count / len(sample), "weighted": w[mask].sum() / w.sum()})
    return pd.DataFrame(rows)


def kish_design_effect(weights) -> float:
    """Kish's design effect from unequal weights: n * sum(w^2) / (sum w)^2 (1 means no loss)."""
    w = np.asarray(weights, dtype=float)
    return float(len(w) * (w**2).sum() / w.sum() ** 2)


def effective_sample_size(weights) -> float:
    """How many equally weighted respondents the weighted sample is worth: (sum w)^2 / sum(w^2)."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w**2).sum())


def weighted_share(flag, weights=None, z: float = 1.96) -> dict:
    """Weighted share of True in ``flag`` with a normal-approximation interval using the effective sample size."""
    y = np.asarray(flag, dtype=float)
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float)
    p = float((w * y).sum() / w.sum())
    n_eff = effective_sample_size(w)
    half = z * math.sqrt(p * (1 - p) / n_eff)
    return {"share": p, "low": max(0.0, p - half), "high": min(1.0, p + half), "n": len(y), "n_effective": n_eff}
