"""Balanced (Monroe) assignment, balanced justified representation and committee-rule comparisons.

These are the methods behind the case study "Generative social choice: does a
five-statement slate represent everyone?" (``casestudies/04-generative-social-choice.md``).
Everything works on a utilities matrix: one row per participant, one column per
statement, entries on the pilot's 0-4 scale (0 = "not at all", 4 = "perfectly").
"""

from __future__ import annotations

import math
import pathlib
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

__all__ = [
    "LIKERT_LABELS",
    "RatingsError",
    "GSCRatings",
    "BalancedAssignment",
    "BJRViolation",
    "read_gsc_ratings",
    "short_statement",
    "slot_sizes",
    "balanced_assignment",
    "level_counts",
    "bjr_violations",
    "approval_profile",
    "committee_rules_table",
    "COMMITTEE_RULES",
]

#: The pilot's rating scale ("To what extent does this statement represent your view?").
LIKERT_LABELS = {0: "not at all", 1: "poorly", 2: "somewhat", 3: "mostly", 4: "perfectly"}

#: abcvoting rules compared in the chapter, with an exact algorithm that needs no
#: commercial solver (brute force is exact and instant with a handful of candidates).
COMMITTEE_RULES = {
    "pav": ("Proportional Approval Voting (PAV)", "brute-force"),
    "equal-shares": ("Method of Equal Shares", "standard-fractions"),
    "cc": ("Chamberlin-Courant", "brute-force"),
    "monroe": ("Monroe", "brute-force"),
    "greedy-monroe": ("Greedy Monroe", "standard"),
}


class RatingsError(ValueError):
    """A ratings table is missing columns or holds values outside the rating scale."""


@dataclass(frozen=True)
class GSCRatings:
    """The validation participants' ratings of the slate, and the published matching."""

    utilities: pd.DataFrame  # index: participant id; columns: statement text; values 0-4
    published_statement: pd.Series  # statement each participant was matched to in the release
    published_utility: pd.Series  # that participant's rating of the matched statement


def read_gsc_ratings(path: str | pathlib.Path) -> GSCRatings:
    """Read ``ratings_and_matching.csv`` from the chatbot-personalisation pilot.

    The file has a ``user_id`` column, one column per slate statement (ratings
    0-4), and the released matching in ``assignments`` / ``utility``.
    """
    path = pathlib.Path(path)
    try:
        df = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise RatingsError(f"Could not read ratings file {path}: {exc}. Check it is the CSV from the pilot's repository.") from exc
    needed = {"user_id", "assignments", "utility"}
    missing = needed - set(df.columns)
    if missing:
        raise RatingsError(
            f"{path.name} lacks the column(s) {sorted(missing)}; expected the pilot's "
            "ratings_and_matching.csv (user_id, one column per statement, assignments, utility)."
        )
    statements = [c for c in df.columns if c not in needed]
    if not statements:
        raise RatingsError(f"{path.name} has no statement columns.")
    util = df.set_index("user_id")[statements]
    check_utilities(util)
    unknown = set(df["assignments"]) - set(statements)
    if unknown:
        raise RatingsError(f"{path.name}: 'assignments' names statements that are not columns: {sorted(unknown)[:2]}")
    return GSCRatings(
        utilities=util.astype(int),
        published_statement=df.set_index("user_id")["assignments"],
        published_utility=df.set_index("user_id")["utility"].astype(int),
    )


def check_utilities(util: pd.DataFrame | np.ndarray, scale: tuple[int, int] = (0, 4)) -> None:
    """Raise :class:`RatingsError` unless every entry is a whole number on ``scale``."""
    arr = np.asarray(util, dtype=float)
    if arr.ndim != 2 or arr.size == 0:
        raise RatingsError("Utilities must be a non-empty table: one row per participant, one column per statement.")
    if np.isnan(arr).any():
        raise RatingsError("Some ratings are missing; every participant must rate every statement.")
    lo, hi = scale
    if (arr < lo).any() or (arr > hi).any() or (arr != np.round(arr)).any():
        raise RatingsError(f"Ratings must be whole numbers from {lo} to {hi}.")


def short_statement(text: str, width: int = 60) -> str:
    """A short label for a slate statement: its rule, without the shared preamble."""
    core = text.split("chatbot personalization is to ", 1)[-1].split(".")[0].strip()
    core = core[:1].upper() + core[1:]
    return core if len(core) <= width else core[: width - 1].rstrip() + "…"


def slot_sizes(n: int, k: int) -> list[int]:
    """Balanced group sizes: ``n`` participants over ``k`` statements, sizes differ by at most one."""
    if k <= 0 or n < k:
        raise ValueError(f"Need at least as many participants ({n}) as statements ({k}) and k > 0.")
    base, extra = divmod(n, k)
    return [base + 1 if j < extra else base for j in range(k)]


@dataclass(frozen=True)
class BalancedAssignment:
    """Who is matched to which statement, and how well each person rated their match."""

    statement: np.ndarray  # column index of the matched statement, per participant
    utility: np.ndarray  # participant's rating of their matched statement
    group_sizes: np.ndarray  # participants per statement

    @property
    def total(self) -> int:
        return int(self.utility.sum())


def balanced_assignment(utilities: pd.DataFrame | np.ndarray, slate: list[int] | None = None) -> BalancedAssignment:
    """Optimal balanced (Monroe) assignment of participants to the statements in ``slate``.

    Each statement gets floor(n/k) or ceil(n/k) participants and the sum of
    matched ratings is as large as possible. Solved exactly as a rectangular
    linear assignment (scipy's Hungarian-type solver): every statement is copied
    into ceil(n/k) slots, and the first floor(n/k) copies carry a bonus larger
    than any possible gain elsewhere, so they are always filled and the
    assignment is balanced. Chapter: "Generative social choice".
    """
    u = np.asarray(utilities, dtype=float)
    if u.ndim != 2 or u.size == 0 or not np.isfinite(u).all():
        raise RatingsError("Utilities must be a complete numeric table: one row per participant, one column per statement.")
    n, m = u.shape
    slate = list(range(m)) if slate is None else list(slate)
    k = len(slate)
    if len(set(slate)) != k or any(not 0 <= j < m for j in slate):
        raise ValueError(f"Slate must list distinct statement columns between 0 and {m - 1}.")
    lo, hi = math.floor(n / k), math.ceil(n / k)
    bonus = (u.max() - u.min()) * n + 1.0
    cols, owner = [], []
    for j in slate:
        for copy in range(hi):
            cols.append(u[:, j] + (bonus if copy < lo else 0.0))
            owner.append(j)
    gain = np.column_stack(cols)
    rows, picked = linear_sum_assignment(gain, maximize=True)
    statement = np.empty(n, dtype=int)
    statement[rows] = np.asarray(owner)[picked]
    matched = u[np.arange(n), statement].astype(int)
    sizes = np.array([(statement == j).sum() for j in slate])
    return BalancedAssignment(statement=statement, utility=matched, group_sizes=sizes)


def level_counts(matched_utility: np.ndarray | pd.Series, levels=LIKERT_LABELS) -> pd.Series:
    """Number of participants at each rating level of their matched statement (all levels listed)."""
    counts = pd.Series(np.asarray(matched_utility)).value_counts()
    return pd.Series({lvl: int(counts.get(lvl, 0)) for lvl in levels}, name="participants")


@dataclass(frozen=True)
class BJRViolation:
    """A group that deserves a statement it rates at least ``threshold`` but is matched below it."""

    statement: int
    threshold: int
    coalition: tuple[int, ...] = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.coalition)


def bjr_violations(
    utilities: pd.DataFrame | np.ndarray,
    matched: np.ndarray,
    k: int,
    candidates: list[int] | None = None,
) -> list[BJRViolation]:
    """Every (statement, threshold) at which balanced justified representation fails.

    Following Fish et al.'s definition, a slate of ``k`` statements with balanced
    assignment fails BJR if some coalition S of at least n/k participants, some
    statement alpha and some threshold theta have u_i(alpha) >= theta and
    u_i(matched_i) < theta for everyone in S. For fixed (alpha, theta) the
    largest such S is everyone meeting both conditions, so checking that set's
    size is exact. ``matched`` holds each participant's rating of their matched
    statement; ``candidates`` are the statements (columns) alpha may be drawn
    from (default: all columns). An empty list means BJR holds.
    """
    u = np.asarray(utilities)
    matched = np.asarray(matched)
    n, m = u.shape
    if matched.shape != (n,):
        raise ValueError(f"Need one matched rating per participant ({n}), got shape {matched.shape}.")
    quota = Fraction(n, k)
    candidates = range(m) if candidates is None else candidates
    found = []
    for alpha in candidates:
        for theta in sorted(set(np.unique(u[:, alpha]).tolist())):
            members = np.flatnonzero((u[:, alpha] >= theta) & (matched < theta))
            if len(members) >= quota:
                found.append(BJRViolation(int(alpha), int(theta), tuple(int(i) for i in members)))
    return found


def approval_profile(utilities: pd.DataFrame | np.ndarray, threshold: int = 3):
    """An abcvoting approval profile: each participant approves statements rated >= ``threshold``."""
    from abcvoting.preferences import Profile

    u = np.asarray(utilities)
    profile = Profile(u.shape[1])
    profile.add_voters([np.flatnonzero(row >= threshold).tolist() for row in u])
    return profile


def committee_rules_table(
    utilities: pd.DataFrame | np.ndarray,
    committee_sizes: list[int],
    threshold: int = 3,
    rules: dict = COMMITTEE_RULES,
) -> pd.DataFrame:
    """Run abcvoting's committee rules on thresholded approvals and check JR/EJR.

    For each rule and committee size k: the chosen statements, whether the
    committee satisfies JR and EJR (abcvoting's checks, brute force), and how
    many participants the optimal balanced assignment to that committee leaves
    at "mostly" (3) or better on the original ratings.
    """
    from abcvoting import abcrules, properties
    from abcvoting.output import output, WARNING

    output.set_verbosity(WARNING)
    u = np.asarray(utilities)
    profile = approval_profile(u, threshold)
    rows = []
    for k in committee_sizes:
        for rule_id, (name, algorithm) in rules.items():
            committee = sorted(abcrules.compute(rule_id, profile, k, algorithm=algorithm, resolute=True)[0])
            fit = balanced_assignment(u, committee)
            rows.append(
                {
                    "k": k,
                    "rule": name,
                    "statements": committee,
                    "JR": bool(properties.check_JR(profile, committee)),
                    "EJR": bool(properties.check_EJR(profile, committee, algorithm="brute-force")),
                    "mostly_or_better": int((fit.utility >= 3).sum()),
                    "mean_matched_rating": float(fit.utility.mean()),
                }
            )
    return pd.DataFrame(rows)
