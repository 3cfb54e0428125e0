"""Moral-graph edge statistics, edge filters, weighted PageRank and the post-process survey.

Methods for the case study "The moral graph: which values do people judge wiser?"
(``casestudies/05-moral-graph.md``), following the Democratic Fine-Tuning team's
published description of how their graph is summarised and ranked.
"""

from __future__ import annotations

import json
import math
import pathlib
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "COUNT_FIELDS",
    "PUBLISHED_FILTER",
    "MoralGraphError",
    "MoralGraph",
    "read_moral_graph",
    "wiser_likelihood",
    "edge_entropy",
    "edge_stats",
    "filter_edges",
    "weighted_pagerank",
    "bridging_paths",
    "read_survey",
    "survey_question",
    "top_box_share",
    "read_demographics",
]

#: The five vote counts the team exports for each edge, in the order used for the entropy.
COUNT_FIELDS = ("markedWiser", "markedNotWiser", "markedLessWise", "markedUnsure", "impressions")

#: Published edge filter: at least 2 "wiser" votes, wiser-likelihood >= 0.33, entropy <= 1.69.
PUBLISHED_FILTER = {"min_wiser": 2, "min_likelihood": 0.33, "max_entropy": 1.69}


class MoralGraphError(ValueError):
    """A moral-graph export or survey file does not have the expected structure."""


@dataclass(frozen=True)
class MoralGraph:
    values: pd.DataFrame  # one row per values card: id, title, instructionsShort, ...
    edges: pd.DataFrame  # one row per edge: source, wiser, context, the five counts, exported summary


def read_moral_graph(path: str | pathlib.Path) -> MoralGraph:
    """Read a moral-graph JSON export (``{"values": [...], "edges": [...]}``)."""
    path = pathlib.Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MoralGraphError(f"Could not read the moral-graph export {path}: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("values"), list) or not isinstance(raw.get("edges"), list):
        raise MoralGraphError(f"{path.name} is not a moral-graph export: expected an object with 'values' and 'edges' lists.")
    values = pd.DataFrame(raw["values"])
    if values.empty or not {"id", "title"} <= set(values.columns):
        raise MoralGraphError(f"{path.name}: every value needs an 'id' and a 'title'.")
    rows = []
    for i, e in enumerate(raw["edges"]):
        try:
            counts = e["counts"]
            row = {
                "source": int(e["sourceValueId"]),
                "wiser": int(e["wiserValueId"]),
                "context": "; ".join(e.get("contexts") or []),
                **{f: int(counts[f]) for f in COUNT_FIELDS},
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise MoralGraphError(f"{path.name}: edge {i} lacks source/wiser ids or one of the counts {COUNT_FIELDS}.") from exc
        summary = e.get("summary") or {}
        row["exported_likelihood"] = summary.get("wiserLikelihood", np.nan)
        row["exported_entropy"] = summary.get("entropy", np.nan)
        rows.append(row)
    edges = pd.DataFrame(rows)
    unknown = (set(edges["source"]) | set(edges["wiser"])) - set(values["id"]) if len(edges) else set()
    if unknown:
        raise MoralGraphError(f"{path.name}: edges refer to values that are not in the export: {sorted(unknown)[:5]}")
    return MoralGraph(values=values.set_index("id", drop=False), edges=edges)


def wiser_likelihood(wiser, not_wiser, less_wise, unsure):
    """(wiser - less wise) / all judgements of the pair; 0 when nobody judged it."""
    total = np.asarray(wiser) + np.asarray(not_wiser) + np.asarray(less_wise) + np.asarray(unsure)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (np.asarray(wiser) - np.asarray(less_wise)) / total
    return np.where(total > 0, out, 0.0)


def edge_entropy(counts) -> float:
    """Shannon entropy (bits) of the five exported counts, impressions included.

    Including the impressions count is how the team's code computes it (it
    reproduces their exported values, e.g. 1.40564 for counts 3, 0, 0, 1, 4),
    so we keep it for the sake of reproducing their filter.
    """
    c = np.asarray(counts, dtype=float)
    t = c.sum()
    if t <= 0:
        return 0.0
    p = c[c > 0] / t
    return float(-(p * np.log2(p)).sum())


def edge_stats(edges: pd.DataFrame) -> pd.DataFrame:
    """Add recomputed ``wiser_likelihood`` and ``entropy`` columns to an edge table."""
    out = edges.copy()
    out["wiser_likelihood"] = wiser_likelihood(out["markedWiser"], out["markedNotWiser"], out["markedLessWise"], out["markedUnsure"])
    out["entropy"] = [edge_entropy(row) for row in out[list(COUNT_FIELDS)].to_numpy()]
    return out


def filter_edges(edges: pd.DataFrame, min_wiser: int = 2, min_likelihood: float = 0.33, max_entropy: float = 1.69) -> pd.DataFrame:
    """Keep the edges that pass the published filter (needs :func:`edge_stats` columns)."""
    keep = (edges["markedWiser"] >= min_wiser) & (edges["wiser_likelihood"] >= min_likelihood) & (edges["entropy"] <= max_entropy)
    return edges[keep]


def weighted_pagerank(
    nodes,
    edges: pd.DataFrame,
    damping: float = 0.85,
    iterations: int = 100,
    dangling: str = "drop",
    weight: str = "wiser_likelihood",
) -> pd.Series:
    """PageRank where each node passes its score to the values judged wiser than it.

    Each node starts at 1/N and receives (1 - d)/N each round plus d times the
    score flowing in along its incoming edges; a node splits what it passes on
    in proportion to the edges' ``weight`` (wiser-likelihood). ``dangling``
    says what happens to the score of nodes with no outgoing edge: "drop" (as
    the team's description has it: the score is not passed on, so totals can
    fall below 1) or "uniform" (spread over all nodes, the textbook variant that
    networkx implements). Fixed ``iterations`` rounds, as published.
    """
    if dangling not in {"drop", "uniform"}:
        raise ValueError("dangling must be 'drop' or 'uniform'.")
    nodes = list(dict.fromkeys(nodes))
    index = {v: i for i, v in enumerate(nodes)}
    n = len(nodes)
    if n == 0:
        return pd.Series(dtype=float)
    src = np.array([index[s] for s in edges["source"]], dtype=int)
    dst = np.array([index[t] for t in edges["wiser"]], dtype=int)
    w = np.asarray(edges[weight], dtype=float)
    if (w < 0).any():
        raise ValueError("Edge weights must be non-negative.")
    out_weight = np.bincount(src, weights=w, minlength=n)
    share = np.divide(w, out_weight[src], out=np.zeros_like(w), where=out_weight[src] > 0)
    is_dangling = out_weight == 0
    rank = np.full(n, 1.0 / n)
    for _ in range(iterations):
        flow = np.bincount(dst, weights=rank[src] * share, minlength=n)
        new = (1.0 - damping) / n + damping * flow
        if dangling == "uniform":
            new += damping * rank[is_dangling].sum() / n
        rank = new
    return pd.Series(rank, index=nodes, name="pagerank")


def bridging_paths(bridging: pd.DataFrame, edges: pd.DataFrame) -> pd.DataFrame:
    """Distinct cross-party paths (Republican's card A, Democrat's card B, both judged less wise than C).

    ``bridging`` is the team's query result (columns a_id, a_title, b_id,
    b_title, c_id, c_title); each path is checked against the graph's edges.
    """
    need = {"a_id", "a_title", "b_id", "b_title", "c_id", "c_title"}
    if not need <= set(bridging.columns):
        raise MoralGraphError(f"Bridging table needs the columns {sorted(need)}.")
    paths = bridging[sorted(need)].drop_duplicates(["a_id", "b_id", "c_id"]).reset_index(drop=True)
    pairs = set(zip(edges["source"], edges["wiser"]))
    paths["A_to_C_in_graph"] = [(a, c) in pairs for a, c in zip(paths["a_id"], paths["c_id"])]
    paths["B_to_C_in_graph"] = [(b, c) in pairs for b, c in zip(paths["b_id"], paths["c_id"])]
    return paths


_PROLIFIC_ID = re.compile(r"[0-9a-f]{24}")


def read_survey(path: str | pathlib.Path) -> pd.DataFrame:
    """Read the post-process survey and drop the organisers' test rows.

    A row is a real response when its ID contains a Prolific participant id
    (24 hexadecimal characters); rows such as "testing" are the team's trials.
    The column ``participant`` holds the id found.
    """
    path = pathlib.Path(path)
    try:
        df = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise MoralGraphError(f"Could not read the survey file {path}: {exc}") from exc
    if "Prolific ID" not in df.columns:
        raise MoralGraphError(f"{path.name} has no 'Prolific ID' column; expected the team's survey-responses.csv.")
    found = df["Prolific ID"].astype(str).str.lower().str.extract(f"({_PROLIFIC_ID.pattern})", expand=False)
    df = df.assign(participant=found)
    return df[df["participant"].notna()].reset_index(drop=True)


def survey_question(survey: pd.DataFrame, words: str) -> str:
    """The one survey column whose question contains ``words`` (case-insensitive)."""
    hits = [c for c in survey.columns if words.lower() in c.lower()]
    if len(hits) != 1:
        raise MoralGraphError(f"Expected one survey question containing {words!r}, found {len(hits)}.")
    return hits[0]


def top_box_share(answers: pd.Series, top=(4, 5)) -> tuple[int, int, float]:
    """(number answering in ``top``, number of respondents, share); blanks count as respondents not in the top box."""
    a = pd.to_numeric(answers, errors="coerce")
    k = int(a.isin(top).sum())
    n = int(len(a))
    return k, n, (k / n if n else math.nan)


_PARTIES = ("Democrat", "Republican", "Independent")


def read_demographics(path: str | pathlib.Path) -> pd.DataFrame:
    """Prolific demographics of the participants, limited to people whose data may be used.

    Drops rows where consent was revoked or the data expired, keeps those with
    a recorded sex, age and US party affiliation, and adds ``age_group``
    ("18 to 64" / "65 and over") and ``party`` columns.
    """
    path = pathlib.Path(path)
    try:
        df = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise MoralGraphError(f"Could not read the demographics file {path}: {exc}") from exc
    need = {"Participant id", "Age", "Sex", "U.s. political affiliation"}
    if not need <= set(df.columns):
        raise MoralGraphError(f"{path.name} lacks the columns {sorted(need - set(df.columns))}; expected Prolific's demographic export.")
    df = df.rename(columns={"U.s. political affiliation": "party"})
    df["age"] = pd.to_numeric(df["Age"], errors="coerce")
    usable = df["party"].isin(_PARTIES) & df["Sex"].isin(["Female", "Male"]) & df["age"].between(18, 120)
    df = df[usable].copy()
    df["age_group"] = np.where(df["age"] >= 65, "65 and over", "18 to 64")
    df["participant"] = df["Participant id"].astype(str).str.lower()
    return df.reset_index(drop=True)
