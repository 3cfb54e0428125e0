"""Seeded simulation of ranked versus quadratic voting under equal and unequal token distributions.

The model behind the case study "Voting mechanisms: who wins when some care more,
and some hold more tokens?" (``casestudies/06-voting-mechanisms.md``). It mirrors
the published 2x2 design of the Inclusive.AI experiment (aggregation: ranked vs
quadratic; decision power: equal vs about 20% of people holding about 80% of
tokens) with synthetic voters. Everything here is simulation, not the team's data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "OPTIONS",
    "Scenario",
    "Electorate",
    "simulate_electorate",
    "tokens_for",
    "ranked_winner",
    "quadratic_votes",
    "quadratic_winner",
    "gini",
    "run_design",
    "summarise",
]

OPTIONS = ("A", "B", "C", "D")


@dataclass(frozen=True)
class Scenario:
    """Synthetic electorate voting on several questions with one shared token budget.

    Question 0 is contested: a larger group mildly prefers A and ranks D last,
    while a smaller group strongly prefers D and cares more about this question
    than about the others. On the remaining questions both groups share mild
    preferences. Individual preference strength varies from person to person
    and question to question. The defaults size the electorate like the
    published experiment (177 people).
    """

    n_voters: int = 177
    n_questions: int = 3
    minority_share: float = 0.3
    early_share: float = 0.2  # share of people in the token-rich "early" group
    early_tokens: int = 16  # with 1 token for everyone else, 20% of people hold ~80% of tokens
    other_tokens: int = 1
    majority_means: tuple[float, ...] = (0.6, 0.5, 0.3, 0.2)
    minority_means: tuple[float, ...] = (0.0, 0.2, 0.4, 1.0)
    minority_intensity: float = 3.0  # how much more the minority cares about question 0
    strength_sigma: float = 0.5  # spread of individual preference strength (log scale)
    noise: float = 0.15  # individual deviation from the group's mean utilities


@dataclass(frozen=True)
class Electorate:
    utilities: np.ndarray  # voters x questions x options, larger is better
    minority: np.ndarray  # bool per voter
    early: np.ndarray  # bool per voter: in the token-rich group when tokens are unequal
    scenario: Scenario = field(repr=False)


def simulate_electorate(scenario: Scenario, rng: np.random.Generator) -> Electorate:
    """Draw one synthetic electorate. Early (token-rich) membership is independent of opinion."""
    n, q = scenario.n_voters, scenario.n_questions
    m = len(scenario.majority_means)
    n_min = int(round(scenario.minority_share * n))
    minority = np.zeros(n, dtype=bool)
    minority[rng.choice(n, size=n_min, replace=False)] = True
    means = np.broadcast_to(np.asarray(scenario.majority_means, dtype=float), (n, q, m)).copy()
    means[minority, 0, :] = scenario.minority_means
    strength = rng.lognormal(0.0, scenario.strength_sigma, size=(n, q))
    strength[minority, 0] *= scenario.minority_intensity
    utilities = strength[:, :, None] * (means + rng.normal(0.0, scenario.noise, size=(n, q, m)))
    early = np.zeros(n, dtype=bool)
    early[rng.choice(n, size=int(round(scenario.early_share * n)), replace=False)] = True
    return Electorate(utilities=utilities, minority=minority, early=early, scenario=scenario)


def tokens_for(electorate: Electorate, equal: bool) -> np.ndarray:
    """Tokens per voter: everyone the same, or the early group holding most of them."""
    s = electorate.scenario
    if equal:
        return np.full(len(electorate.early), s.other_tokens, dtype=int)
    return np.where(electorate.early, s.early_tokens, s.other_tokens).astype(int)


def ranked_winner(utilities: np.ndarray, tokens: np.ndarray, method: str = "borda") -> tuple[int, bool]:
    """Winner of one token-weighted ranked vote, computed with pref_voting; returns (option, was_tied).

    ``utilities`` is voters x options. Each voter submits a sincere ranking
    that counts as many times as they hold tokens. Ties are broken towards the
    earlier option and reported.
    """
    from pref_voting.iterative_methods import instant_runoff
    from pref_voting.profiles import Profile
    from pref_voting.scoring_methods import borda, plurality

    methods = {"borda": borda, "irv": instant_runoff, "plurality": plurality}
    if method not in methods:
        raise ValueError(f"Unknown ranked method {method!r}; choose one of {sorted(methods)}.")
    tokens = np.asarray(tokens, dtype=int)
    if tokens.shape != (len(utilities),) or (tokens < 0).any():
        raise ValueError("Need one non-negative whole number of tokens per voter.")
    rankings = np.argsort(-np.asarray(utilities), axis=1, kind="stable")
    # Identical ballots are pooled (with summed tokens) so the profile stays small.
    unique, inverse = np.unique(rankings, axis=0, return_inverse=True)
    weights = np.bincount(inverse.ravel(), weights=tokens, minlength=len(unique)).astype(int)
    keep = weights > 0
    profile = Profile([list(map(int, r)) for r in unique[keep]], rcounts=[int(w) for w in weights[keep]])
    winners = sorted(methods[method](profile))
    return winners[0], len(winners) > 1


def quadratic_votes(utilities: np.ndarray, tokens: np.ndarray) -> np.ndarray:
    """Votes each voter buys under quadratic voting with a budget equal to their tokens.

    ``utilities`` is voters x questions x options (or voters x options for a
    single question). A vote costs the square of the number of votes, so a
    budget ``B`` buys a vote vector of length at most sqrt(B) across all
    questions and options. We model voters who spread it in proportion to how
    much more they value each option than their least liked option on the same
    question (votes proportional to value, the usual large-electorate
    approximation). Votes are non-negative, as on a ballot where credits are
    spread across options. A voter who cares little about a question therefore
    keeps budget for the questions they care about.
    """
    u = np.asarray(utilities, dtype=float)
    single = u.ndim == 2
    if single:
        u = u[:, None, :]
    gain = u - u.min(axis=2, keepdims=True)
    norm = np.sqrt((gain**2).sum(axis=(1, 2), keepdims=True))
    direction = np.divide(gain, norm, out=np.zeros_like(gain), where=norm > 0)
    votes = np.sqrt(np.asarray(tokens, dtype=float))[:, None, None] * direction
    return votes[:, 0, :] if single else votes


def quadratic_winner(votes_for_question: np.ndarray) -> tuple[int, bool]:
    """Option with the most quadratic votes on one question (voters x options); returns (option, was_tied)."""
    totals = np.asarray(votes_for_question).sum(axis=0)
    best = np.flatnonzero(np.isclose(totals, totals.max()))
    return int(best[0]), len(best) > 1


def gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative amounts (0 = equal, towards 1 = concentrated)."""
    x = np.sort(np.asarray(x, dtype=float))
    if x.size == 0 or x.sum() == 0:
        return 0.0
    n = x.size
    cum = np.cumsum(x)
    return float((n + 1 - 2 * (cum / cum[-1]).sum()) / n)


def run_design(scenario: Scenario = Scenario(), runs: int = 200, seed: int = 2024, ranked_method: str = "borda") -> pd.DataFrame:
    """Run the 2x2 design ``runs`` times on fresh synthetic electorates (seeded).

    One row per run and arm, about the contested question 0: the winner,
    whether it is the smaller group's or the larger group's favourite, the
    smaller group's and everyone's welfare (mean utility of the winner as a
    share of the best achievable), welfare over all questions, and how
    concentrated influence is (Gini over voters; share held by the token-rich
    group). Influence is tokens for ranked ballots and votes cast for
    quadratic voting.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for run in range(runs):
        el = simulate_electorate(scenario, rng)
        u = el.utilities
        q = u.shape[1]
        mean_u = u.mean(axis=0)  # questions x options
        min_u = u[el.minority, 0].mean(axis=0)
        min_fav = int(np.argmax(min_u))
        maj_fav = int(np.argmax(u[~el.minority, 0].mean(axis=0)))
        for equal in (True, False):
            tokens = tokens_for(el, equal)
            qv = quadratic_votes(u, tokens)
            for mechanism in ("ranked", "quadratic"):
                winners, ties = [], []
                for k in range(q):
                    if mechanism == "ranked":
                        w, t = ranked_winner(u[:, k], tokens, ranked_method)
                    else:
                        w, t = quadratic_winner(qv[:, k])
                    winners.append(w)
                    ties.append(t)
                influence = qv.sum(axis=(1, 2)) if mechanism == "quadratic" else tokens.astype(float)
                w0 = winners[0]
                rows.append(
                    {
                        "run": run,
                        "mechanism": mechanism,
                        "tokens": "equal" if equal else "unequal (20/80)",
                        "winner": OPTIONS[w0],
                        "tied": ties[0],
                        "minority_favourite_wins": w0 == min_fav,
                        "majority_favourite_wins": w0 == maj_fav,
                        "minority_welfare": float(min_u[w0] / min_u.max()),
                        "overall_welfare": float(mean_u[0, w0] / mean_u[0].max()),
                        "all_questions_welfare": float(
                            sum(mean_u[k, winners[k]] for k in range(q)) / mean_u.max(axis=1).sum()
                        ),
                        "influence_gini": gini(influence),
                        "early_influence_share": float(influence[el.early].sum() / influence.sum()),
                    }
                )
    return pd.DataFrame(rows)


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    """Average each outcome over runs for every arm of the 2x2 design."""
    cols = [
        "minority_favourite_wins",
        "majority_favourite_wins",
        "minority_welfare",
        "overall_welfare",
        "all_questions_welfare",
        "influence_gini",
        "early_influence_share",
    ]
    return results.groupby(["mechanism", "tokens"])[cols].mean().reset_index()
