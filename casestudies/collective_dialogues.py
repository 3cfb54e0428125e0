"""Read Remesh exports from the Collective Dialogues project and measure support by segment.

Remesh exports one CSV per session: a few ``key,value`` header lines, then one
block per question, each with its own header naming the segments and their sizes
(``All(882)``, ``O4: Democrat (308)``...) and one row per response option, with
the share of each segment choosing it. This module parses that format, finds the
policy-support questions, and computes support overall and by party with
confidence intervals. The chapter "Collective dialogues: cross-party support"
(``casestudies/02-collective-dialogues-support.md``) uses it.
"""

from __future__ import annotations

import csv
import io
import math
import pathlib
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "RemeshFormatError",
    "RemeshBlock",
    "RemeshExport",
    "read_remesh",
    "wilson_interval",
    "PARTIES",
    "policy_support_questions",
    "support_by_party",
    "clause_support",
    "POLICY_FILES",
    "policy_support_table",
    "load_policy_exports",
    "FINAL_POLICY_FILES",
    "count_policy_clauses",
    "support_all_segments",
]

#: Party segments in the order reported, with the exports' own spelling mapped to ours.
PARTIES = ("Democrat", "Republican", "Independent", "Other")
_PARTY_ALIASES = {"Independant": "Independent"}  # [sic] in the Remesh exports
_SEGMENT = re.compile(r"^\s*(?:(All)|(O\d+):\s*(.*?))\s*\((\d+)\)\s*$")
_POLICY_YES = "Yes - I support this policy"
_CLAUSE_YES = "Yes - I support this policy clause"


class RemeshFormatError(ValueError):
    """The file is not a Remesh export this parser understands."""


@dataclass
class RemeshBlock:
    """One question of a Remesh session.

    ``table`` has one row per response (``response`` column) and one column per
    segment holding the share (0-1) of that segment choosing or agreeing with it
    (NaN where Remesh printed " - "). ``segments`` describes each segment column:
    its ``group`` ("All", "O1", "O4"...), ``label`` and size ``n`` for this question.
    """

    question_id: str
    question_type: str
    question: str
    table: pd.DataFrame
    segments: pd.DataFrame

    def segment_column(self, label: str, group: str | None = None) -> str | None:
        """The column for a segment label ("All", "Democrat", "Independent"...), or None."""
        seg = self.segments
        hit = seg[(seg["label"] == label) & ((seg["group"] == group) if group else True)]
        return None if hit.empty else str(hit.index[0])


@dataclass
class RemeshExport:
    """A parsed Remesh export: the session's header fields and its question blocks."""

    meta: dict
    blocks: list[RemeshBlock] = field(default_factory=list)
    source: str = ""

    @property
    def participants(self) -> int | None:
        try:
            return int(self.meta.get("Participants", ""))
        except ValueError:
            return None


def _share(value: str) -> float:
    v = (value or "").strip()
    if v in ("", "-"):
        return float("nan")
    if v.endswith("%"):
        v = v[:-1]
    try:
        return float(v) / 100.0
    except ValueError:
        return float("nan")


def _parse_segments(header: list[str]) -> pd.DataFrame:
    rows = []
    for col in header:
        m = _SEGMENT.match(col)
        if m:
            if m.group(1):
                group, label = "All", "All"
            else:
                group, label = m.group(2), _PARTY_ALIASES.get(m.group(3), m.group(3))
            rows.append({"column": col, "group": group, "label": label, "n": int(m.group(4))})
    return pd.DataFrame(rows, columns=["column", "group", "label", "n"]).set_index("column")


def read_remesh(path_or_text) -> RemeshExport:
    """Parse a Remesh CSV export (a path, or the text itself).

    Raises :class:`RemeshFormatError` naming the problem when the file is not in
    Remesh's block format (no ``Question ID`` header rows, or blocks without
    segment columns).
    """
    is_path = isinstance(path_or_text, pathlib.Path) or (
        isinstance(path_or_text, str) and "\n" not in path_or_text and len(path_or_text) < 4096
    )
    if is_path and not pathlib.Path(str(path_or_text)).is_file():
        raise FileNotFoundError(f"No Remesh export at {path_or_text}. Fix: check the path, or pass the file's text.")
    if is_path:
        text = pathlib.Path(path_or_text).read_text(encoding="utf-8-sig")
        source = str(path_or_text)
    else:
        text = str(path_or_text).lstrip("\ufeff")
        source = "<text>"
    rows = list(csv.reader(io.StringIO(text)))
    meta: dict = {}
    blocks: list[RemeshBlock] = []
    header: list[str] | None = None
    current: list[list[str]] = []

    def flush():
        if header is None or not current:
            return
        segs = _parse_segments(header)
        if segs.empty:
            raise RemeshFormatError(
                f"{source}: a question block has no segment columns such as 'All(900)'. "
                "Fix: export the session from Remesh with segment breakdowns included."
            )
        qcol = {name: i for i, name in enumerate(header)}
        by_question: dict = {}
        for r in current:
            r = r + [""] * (len(header) - len(r))
            key = (r[qcol["Question ID"]], r[qcol["Question Type"]], r[qcol["Question"]])
            rec = {"response": r[qcol["Responses"]] if "Responses" in qcol else ""}
            for extra in ("Star", "Sentiment"):
                if extra in qcol:
                    rec[extra.lower()] = r[qcol[extra]]
            for col in segs.index:
                rec[col] = _share(r[qcol[col]])
            by_question.setdefault(key, []).append(rec)
        for (qid, qtype, q), recs in by_question.items():
            blocks.append(RemeshBlock(qid, qtype, q, pd.DataFrame(recs), segs.copy()))

    for r in rows:
        if r and r[0] == "Question ID":
            flush()
            header, current = r, []
        elif not r or not any(cell.strip() for cell in r):
            flush()
            current = []
        elif header is None:
            if len(r) >= 2:
                meta[r[0]] = r[1]
        else:
            current.append(r)
    flush()
    if not blocks:
        raise RemeshFormatError(
            f"{source}: no question blocks found (no row starting with 'Question ID'). "
            "Fix: pass an unmodified Remesh session export (CSV)."
        )
    return RemeshExport(meta=meta, blocks=blocks, source=source)


def wilson_interval(successes, n, z: float = 1.959964) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion (95% by default); works on arrays."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return centre - half, centre + half


def policy_support_questions(export: RemeshExport) -> list[RemeshBlock]:
    """The blocks asking whether the participant supports the whole policy, in session order.

    The first is asked right after reading the policy; the last after reviewing it
    clause by clause (the "final" support figure the team reported).
    """
    return [
        b
        for b in export.blocks
        if b.question_type.startswith("Poll") and (b.table["response"] == _POLICY_YES).any()
    ]


def _support_rows(block: RemeshBlock, yes: str) -> pd.DataFrame:
    row = block.table.loc[block.table["response"] == yes].iloc[0]
    return _segment_rows(block, row)


def _segment_rows(block: RemeshBlock, row: pd.Series) -> pd.DataFrame:
    party_group = block.segments.loc[block.segments["label"] == "Democrat", "group"]
    party_group = party_group.iloc[0] if len(party_group) else None
    out = []
    for label in ("All",) + PARTIES:
        col = block.segment_column(label, None if label == "All" else party_group)
        if col is None:
            continue
        n = int(block.segments.loc[col, "n"])
        share = float(row[col])
        k = round(share * n) if n and not math.isnan(share) else 0
        lo, hi = wilson_interval(k, n) if n else (np.nan, np.nan)
        out.append(
            {
                "segment": label,
                "n": n,
                "support": share,
                "supporters (approx.)": k,
                "ci_low": float(lo),
                "ci_high": float(hi),
            }
        )
    return pd.DataFrame(out)


def support_by_party(export: RemeshExport, which: str = "final") -> pd.DataFrame:
    """Support for the whole policy overall and by party, with 95% Wilson intervals.

    ``which`` is "final" (the last support question) or "initial" (the first).
    Remesh reports whole percentages, so a share is known to +/-0.5 points and the
    count of supporters is reconstructed as round(share x n); the interval reflects
    sampling, not that rounding.
    """
    qs = policy_support_questions(export)
    if not qs:
        raise RemeshFormatError(f"{export.source}: no question offers '{_POLICY_YES}'.")
    block = qs[-1] if which == "final" else qs[0]
    return _support_rows(block, _POLICY_YES)


def _clause_record(block: RemeshBlock, row: pd.Series, text: str) -> dict:
    s = _segment_rows(block, row).set_index("segment")
    title = text.split(":")[0].strip() if ":" in text[:80] else text[:60].strip()
    rec = {"clause": title, "n": int(s.loc["All", "n"]), "All": float(s.loc["All", "support"])}
    for p in PARTIES:
        rec[p] = float(s.loc[p, "support"]) if p in s.index else float("nan")
    rec["lowest of D/R/I"] = min(rec["Democrat"], rec["Republican"], rec["Independent"])
    rec["ask"] = "one question per clause" if block.question_type.endswith("Single Select") else "tick all clauses you support"
    rec["text"] = text
    return rec


def clause_support(export: RemeshExport) -> pd.DataFrame:
    """Support for each policy clause: overall, by party, and the lowest of the three main parties.

    Two designs occur in the exports: one yes/unsure/no question per clause (the
    share answering "Yes - I support this policy clause"), or a multi-select list
    per policy section ("select each of the individual policy clauses you
    support"; the share ticking the clause). The ``ask`` column says which.
    """
    rows = []
    for b in export.blocks:
        if (b.table["response"] == _CLAUSE_YES).any():
            row = b.table.loc[b.table["response"] == _CLAUSE_YES].iloc[0]
            rows.append(_clause_record(b, row, b.question))
        elif b.question_type == "Poll Multi Select" and "clauses you support" in b.question:
            for _, row in b.table.iterrows():
                rows.append(_clause_record(b, row, str(row["response"])))
    return pd.DataFrame(rows)


#: The three final-evaluation (CD3) sessions, one per policy, by registry path.
POLICY_FILES = {
    "Medical advice": "collective-dialogues/CD3_policy_eval_med.csv",
    "Vaccine information": "collective-dialogues/CD3_vax.csv",
    "Wars and conflict": "collective-dialogues/CD3_conflict.csv",
}


def policy_support_table(exports: dict[str, RemeshExport]) -> pd.DataFrame:
    """Support for each policy, first ask and final ask, overall and by party (long format)."""
    frames = []
    for policy, export in exports.items():
        for stage in ("initial", "final"):
            df = support_by_party(export, stage)
            df.insert(0, "stage", stage)
            df.insert(0, "policy", policy)
            frames.append(df)
    return pd.concat(frames, ignore_index=True)


def load_policy_exports() -> dict[str, RemeshExport]:
    """Read the three CD3 exports through the data layer (downloaded and verified on first use)."""
    from casestudies import datasets

    return {policy: read_remesh(datasets.fetch(path)) for policy, path in POLICY_FILES.items()}


#: The published final policies (Markdown), by policy.
FINAL_POLICY_FILES = {
    "Medical advice": "collective-dialogues/final_policy_med.md",
    "Vaccine information": "collective-dialogues/final_policy_vax.md",
    "Wars and conflict": "collective-dialogues/final_policy_conflict.md",
}


def count_policy_clauses(markdown_path) -> int:
    """Number of clauses (bulleted items) in a published final-policy Markdown file."""
    text = pathlib.Path(markdown_path).read_text(encoding="utf-8")
    return sum(1 for line in text.splitlines() if re.match(r"^\s*[-*]\s+\S", line))


def support_all_segments(export: RemeshExport, which: str = "final") -> pd.DataFrame:
    """Support for the whole policy in every segment Remesh reports (age, ethnicity, gender, party...)."""
    qs = policy_support_questions(export)
    block = qs[-1] if which == "final" else qs[0]
    row = block.table.loc[block.table["response"] == _POLICY_YES].iloc[0]
    seg = block.segments.copy()
    seg["support"] = [float(row[c]) for c in seg.index]
    k = (seg["support"] * seg["n"]).round()
    seg["ci_low"], seg["ci_high"] = wilson_interval(k, seg["n"])
    # Name each segment group by the screener question whose answers it splits on.
    names = {"All": "everyone"}
    for g, labels in seg.groupby("group")["label"]:
        want = {_PARTY_ALIASES.get(x, x) for x in labels}
        for b in export.blocks:
            answers = {_PARTY_ALIASES.get(str(x), str(x)) for x in b.table["response"]}
            if b.question_type.startswith("Poll") and want <= answers:
                names[g] = b.question
                break
    seg["split"] = seg["group"].map(names).fillna(seg["group"])
    return seg.reset_index(drop=True)
