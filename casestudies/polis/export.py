"""Read a Polis export (the open-data conversations or any team's own export folder) and Polis's math fixtures.

The standard export (``server/src/report.ts`` in compdemocracy/polis) is a folder of
CSV files: ``comments.csv`` (one row per statement, with ``moderated`` and, in some
versions, ``is-meta``, ``is-seed`` or ``importance``), ``votes.csv`` (the vote
history, one row per vote), ``participants-votes.csv`` (the wide matrix with Polis's
``group-id``, and an ``xid`` column in newer exports) and ``summary.csv``. Any of
``votes.csv`` and ``participants-votes.csv`` may be missing, but not both.

The reader never changes a value silently: an id that is not a whole number, a vote
outside -1/0/1, a duplicated participant or statement, a vote on a statement that
``comments.csv`` does not list, a header with no rows, a file that is not UTF-8:
each is refused with :class:`PolisExportError`, whose message names the file, the
column, the offending line and the fix. Columns the reader does not use are kept
(in ``comments``) or ignored (in the wide matrix), never misread as votes.
"""

from __future__ import annotations

import csv
import io
import json
import pathlib
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from casestudies.datasets import DataError, fetch, registry

__all__ = [
    "PolisExportError",
    "PolisConversation",
    "has_vote_times",
    "load_polis_conversation",
    "load_polis_fixture",
    "polis_fixture_conversation",
    "POLIS_OPEN_CONVERSATIONS",
    "POLIS_FIXTURES",
]


class PolisExportError(DataError, ValueError):
    """A Polis export folder or file is missing, malformed or of an unknown layout."""


_FILES = ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv")

#: Open-data Polis conversations in the registry (folders holding a comments.csv), by name.
POLIS_OPEN_CONVERSATIONS = tuple(
    sorted({p.split("/")[1] for p in registry() if p.startswith("polis-opendata/") and p.endswith("/comments.csv")})
)

#: Polis math fixtures (Polis API exports) in the registry, by folder name.
POLIS_FIXTURES = tuple(sorted({p.split("/")[1] for p in registry() if p.startswith("polis-math-fixtures/")}))

# Metadata columns of participants-votes.csv; every other column named by a whole
# number is a statement. Unknown text-named columns are ignored.
_PV_META = {"participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree", "n-important"}
_ID = re.compile(r"^\d{1,18}$")  # a Polis pid/tid: a non-negative whole number that fits in int64
_NUMERIC_NAME = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_VOTE_TEXT = {"1": 1.0, "-1": -1.0, "0": 0.0, "1.0": 1.0, "-1.0": -1.0, "0.0": 0.0, "+1": 1.0}
_TRUE = {"true", "t", "1", "yes"}
_FALSE = {"false", "f", "0", "no", ""}


def has_vote_times(votes: pd.DataFrame) -> bool:
    """Whether ``votes`` keeps Polis's vote history: a ``timestamp`` column with more than one time.

    A ``votes.csv`` export has it; a conversation loaded from ``participants-votes.csv``
    alone gets a constant placeholder, and its history cannot be replayed.
    """
    return "timestamp" in votes and votes["timestamp"].nunique() > 1


@dataclass
class PolisConversation:
    """One Polis conversation as exported: comments, votes and Polis's own groups.

    ``votes`` has one row per (participant, comment) with the latest vote
    (agree = +1, disagree = -1, pass = 0) and a ``timestamp`` column when the
    export has ``votes.csv`` (Polis's own history); ``groups`` is Polis's
    ``group-id`` label per participant (missing if not clustered); ``xids`` the
    external ids of newer exports (empty when the export has none).
    """

    name: str
    comments: pd.DataFrame
    votes: pd.DataFrame
    groups: pd.Series
    summary: dict = field(default_factory=dict)
    source: str = ""
    xids: pd.Series = field(default_factory=lambda: pd.Series(dtype="object", name="xid"))

    @property
    def has_vote_times(self) -> bool:
        """Whether the export kept the vote history (see :func:`has_vote_times`)."""
        return has_vote_times(self.votes)

    @property
    def moderated_out(self) -> list[int]:
        """Comment ids left out of the math: moderated out (``moderated == -1``) or meta statements.

        Polis zeroes both kinds of column before the PCA (``mod-out`` and ``meta-tids``
        in ``math/src/polismath/math/conversation.clj``); they stay in ``comments``.
        """
        out = pd.Series(False, index=self.comments.index)
        if "moderated" in self.comments:
            out |= self.comments["moderated"] == -1
        if "is-meta" in self.comments:
            out |= self.comments["is-meta"].astype(bool)
        return sorted(self.comments.loc[out, "comment-id"].astype(int))

    def vote_matrix(self) -> pd.DataFrame:
        """Participants x comments matrix of latest votes (NaN where unseen)."""
        return (
            self.votes.pivot(index="participant", columns="comment-id", values="vote")
            .sort_index()
            .sort_index(axis=1)
        )

    def vote_records(self) -> list[dict]:
        """Votes as the list of dicts red-dwarf's ``run_pipeline`` takes."""
        ts = self.votes["timestamp"] if "timestamp" in self.votes else pd.Series(0, index=self.votes.index)
        return [
            {"participant_id": int(p), "statement_id": int(c), "vote": int(v), "modified": int(t)}
            for p, c, v, t in zip(self.votes["participant"], self.votes["comment-id"], self.votes["vote"], ts)
        ]


# --- refusing clearly -------------------------------------------------------------------


def _refuse(path, problem: str, fix: str, *, column: str | None = None, line: int | None = None, value=None) -> PolisExportError:
    where = str(path)
    if column is not None:
        where += f", column '{column}'"
    if line is not None:
        where += f", line {line}"
    shown = f" (found {value!r})" if value is not None else ""
    return PolisExportError(f"{where}: {problem}{shown}. Fix: {fix}")


_REEXPORT = "use the file from the Polis 'Export data' page unmodified, or correct the value"


def _read_text(path: pathlib.Path, what: str) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise _refuse(
            path,
            f"is not UTF-8 text (byte {err.start} cannot be decoded)",
            f"save {what} as UTF-8 (Polis exports are UTF-8; a spreadsheet may have re-encoded it)",
        ) from err


def _read_table(path: pathlib.Path, required: set[str], what: str, *, allow_empty: bool = False) -> pd.DataFrame:
    """Every cell as text (no type guessing), with a clear error for a missing column, a repeated header or no rows."""
    text = _read_text(path, what)
    if not text.strip():
        raise _refuse(path, "is empty (no header, no rows)", f"export {what} from Polis again")
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
        body = []
        for row in reader:
            if not row:  # a blank line
                continue
            if len(row) != len(header):
                raise _refuse(path, f"a row has {len(row)} fields but the header has {len(header)}", f"export {what} from Polis again "
                              "(a value with an unquoted comma or a cut-off line shifts every later column)", line=reader.line_num)
            body.append(row)
    except csv.Error as err:
        raise _refuse(path, f"is not a well-formed CSV table ({err})", f"export {what} from Polis again", line=reader.line_num) from err
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise _refuse(path, "the header names this column twice", _REEXPORT, column=name)
        seen.add(name)
    missing = sorted(required - seen)
    if missing:
        raise _refuse(
            path,
            f"is not a Polis {what} export: it lacks the column(s) {', '.join(missing)} "
            f"(found: {', '.join(header[:12])})",
            "use the file from the Polis 'Export data' page, unmodified",
        )
    if not body and not allow_empty:
        raise _refuse(path, "has a header but no rows", f"export {what} from Polis again, or remove the empty file")
    return pd.DataFrame(body, columns=header, dtype=str) if body else pd.DataFrame({name: pd.Series(dtype=str) for name in header})


def _ids(df: pd.DataFrame, column: str, path, *, allow_blank: bool = False) -> pd.Series:
    """A column of Polis ids, as int64; anything but a non-negative whole number is refused."""
    s = df[column].str.strip()
    ok = s.str.fullmatch(_ID.pattern) | (allow_blank & (s == ""))
    if not ok.all():
        i = int(np.flatnonzero(~ok.to_numpy())[0])
        raise _refuse(path, "ids must be whole numbers from 0 (no decimals, signs or exponents)", _REEXPORT,
                      column=column, line=i + 2, value=df[column].iloc[i])
    if allow_blank:
        return pd.to_numeric(s.where(s != ""), errors="raise").astype("float64")
    return s.astype("int64")


def _votes_of(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parse vote cells: (votes as floats with NaN for blanks, mask of cells that are neither -1/0/1 nor blank)."""
    codes, distinct = pd.factorize(values.ravel(), use_na_sentinel=False)  # a wide matrix holds few distinct strings
    parsed = np.array([_VOTE_TEXT.get(str(text).strip(), np.nan) for text in distinct], dtype=float)
    blank = np.array([str(text).strip() == "" for text in distinct], dtype=bool)
    out = parsed[codes].reshape(values.shape)
    bad = (np.isnan(parsed) & ~blank)[codes].reshape(values.shape)
    return out, bad


def _duplicates(series: pd.Series, path, column: str, what: str):
    dup = series.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise _refuse(path, f"the same {what} appears on more than one row", _REEXPORT,
                      column=column, line=i + 2, value=str(series.iloc[i]))


# --- the three tables --------------------------------------------------------------------


def _read_comments(path: pathlib.Path) -> pd.DataFrame:
    df = _read_table(path, {"comment-id", "comment-body"}, "comments.csv", allow_empty=True)
    out = df.copy()
    out["comment-id"] = _ids(df, "comment-id", path)
    _duplicates(out["comment-id"], path, "comment-id", "comment id")
    if "moderated" in df:
        mod = df["moderated"].str.strip()
        ok = mod.isin(["-1", "0", "1", ""])
        if not ok.all():
            i = int(np.flatnonzero(~ok.to_numpy())[0])
            raise _refuse(path, "moderation must be -1 (out), 0 (unmoderated) or 1 (in)", _REEXPORT,
                          column="moderated", line=i + 2, value=df["moderated"].iloc[i])
        out["moderated"] = mod.replace("", "0").astype(int)
    for flag in ("is-meta", "is-seed"):
        if flag in df:
            low = df[flag].str.strip().str.lower()
            ok = low.isin(_TRUE | _FALSE)
            if not ok.all():
                i = int(np.flatnonzero(~ok.to_numpy())[0])
                raise _refuse(path, "must be true or false", _REEXPORT, column=flag, line=i + 2, value=df[flag].iloc[i])
            out[flag] = low.isin(_TRUE)
    for col in ("agrees", "disagrees", "author-id", "timestamp"):
        if col in df:
            num = pd.to_numeric(df[col].str.strip().replace("", np.nan), errors="coerce")
            bad = num.isna() & (df[col].str.strip() != "")
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise _refuse(path, "must be a number", _REEXPORT, column=col, line=i + 2, value=df[col].iloc[i])
            out[col] = num
    return out.sort_values("comment-id").reset_index(drop=True)


def _read_votes(path: pathlib.Path) -> pd.DataFrame:
    df = _read_table(path, {"comment-id", "voter-id", "vote"}, "votes.csv")
    vote, bad = _votes_of(df["vote"].to_numpy(dtype=object))
    bad = bad | np.isnan(vote)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise _refuse(path, "a vote must be -1 (disagree), 0 (pass) or 1 (agree)", _REEXPORT,
                      column="vote", line=i + 2, value=df["vote"].iloc[i])
    out = pd.DataFrame({"participant": _ids(df, "voter-id", path), "comment-id": _ids(df, "comment-id", path),
                        "vote": vote.astype("int64")})
    if "timestamp" in df:
        ts = df["timestamp"].str.strip()
        ok = ts.str.fullmatch(r"\d{1,18}")
        if not ok.all():
            i = int(np.flatnonzero(~ok.to_numpy())[0])
            raise _refuse(path, "a vote time must be a whole number (Polis writes milliseconds or seconds since 1970)",
                          _REEXPORT, column="timestamp", line=i + 2, value=df["timestamp"].iloc[i])
        out["timestamp"] = ts.astype("int64")
    else:
        out["timestamp"] = np.int64(0)
    # Re-votes are kept in the export; the latest one is the participant's view.
    out = out.sort_values("timestamp", kind="stable").drop_duplicates(["participant", "comment-id"], keep="last")
    return out.sort_values(["participant", "comment-id"]).reset_index(drop=True)


def _read_participants(path: pathlib.Path) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """``participants-votes.csv``: the long votes, Polis's group per participant, and the xids."""
    df = _read_table(path, {"participant", "group-id"}, "participants-votes.csv")
    pids = _ids(df, "participant", path)
    _duplicates(pids, path, "participant", "participant")
    comment_cols = []
    for name in df.columns:
        if name in _PV_META:
            continue
        if _ID.fullmatch(name.strip()):
            comment_cols.append(name)
        elif _NUMERIC_NAME.fullmatch(name.strip()):
            raise _refuse(path, "a statement column must be named by a whole-number comment id", _REEXPORT, column=name)
    groups = pd.Series(_ids(df, "group-id", path, allow_blank=True).to_numpy(), index=pids, name="group-id")
    xids = pd.Series(df["xid"].to_numpy(dtype=object), index=pids, name="xid") if "xid" in df else pd.Series(dtype="object", name="xid")
    values, bad = _votes_of(df[comment_cols].to_numpy(dtype=object)) if comment_cols else (np.empty((len(df), 0)), np.zeros((len(df), 0), bool))
    if bad.any():
        r, c = map(int, np.argwhere(bad)[0])
        raise _refuse(path, "a vote must be -1 (disagree), 0 (pass) or 1 (agree), or blank where unseen", _REEXPORT,
                      column=comment_cols[c], line=r + 2, value=df[comment_cols[c]].iloc[r])
    r, c = np.nonzero(~np.isnan(values))
    tids = np.array([int(x) for x in comment_cols], dtype="int64")
    long = pd.DataFrame({"participant": pids.to_numpy()[r], "comment-id": tids[c], "vote": values[r, c].astype("int64")})
    return long.sort_values(["participant", "comment-id"]).reset_index(drop=True), groups.sort_index(), xids


def _read_summary(path: pathlib.Path) -> dict:
    summary: dict = {}
    for row in csv.reader(io.StringIO(_read_text(path, "summary.csv"))):
        if len(row) >= 2:
            summary[row[0]] = row[1]
    return summary


def _check_known_comments(votes: pd.DataFrame, comments: pd.DataFrame, path, comments_path):
    unknown = np.setdiff1d(votes["comment-id"].unique(), comments["comment-id"].to_numpy())
    if len(unknown):
        raise _refuse(path, f"{len(unknown)} statement(s) with votes are not in {comments_path.name} "
                      f"(first: {int(unknown[0])})", f"export comments.csv and the votes together from the same conversation",
                      column="comment-id")


def _open_polis_paths(name_or_dir) -> tuple[str, dict[str, pathlib.Path | None], str]:
    key = str(name_or_dir)
    if key in POLIS_OPEN_CONVERSATIONS:
        reg = registry()
        paths = {f: (fetch(f"polis-opendata/{key}/{f}") if f"polis-opendata/{key}/{f}" in reg else None) for f in _FILES}
        return key, paths, f"polis-opendata/{key}"
    folder = pathlib.Path(name_or_dir).expanduser()
    if not folder.is_dir():
        raise PolisExportError(
            f"'{name_or_dir}' is neither an open-data conversation ({', '.join(POLIS_OPEN_CONVERSATIONS)}) "
            f"nor a folder. Fix: pass the folder holding your Polis export's comments.csv and votes.csv "
            f"(or participants-votes.csv)."
        )
    paths = {f: (folder / f if (folder / f).is_file() else None) for f in _FILES}
    return folder.name, paths, str(folder)


def load_polis_conversation(name_or_dir) -> PolisConversation:
    """Load a Polis conversation: an open-data name (``"vtaiwan.uberx"``) or an export folder.

    The folder needs ``comments.csv`` and at least one of ``votes.csv`` (the vote
    history; re-votes are reduced to the latest) or ``participants-votes.csv``
    (the wide matrix with Polis's ``group-id``). ``summary.csv`` is optional.
    Meta statements (``is-meta``) and moderated-out ones stay in ``comments`` and
    are left out of the math through :attr:`PolisConversation.moderated_out`.
    """
    name, paths, source = _open_polis_paths(name_or_dir)
    if paths["comments.csv"] is None:
        raise PolisExportError(f"No comments.csv in {source}. Fix: export the conversation's data from Polis again.")
    if paths["votes.csv"] is None and paths["participants-votes.csv"] is None:
        raise PolisExportError(
            f"No votes in {source}: neither votes.csv nor participants-votes.csv is there. "
            f"Fix: copy both files from the Polis export into the folder."
        )
    comments = _read_comments(paths["comments.csv"])
    groups = pd.Series(dtype="float64", name="group-id")
    xids = pd.Series(dtype="object", name="xid")
    wide = None
    if paths["participants-votes.csv"] is not None:
        wide, groups, xids = _read_participants(paths["participants-votes.csv"])
        _check_known_comments(wide, comments, paths["participants-votes.csv"], paths["comments.csv"])
    if paths["votes.csv"] is not None:
        votes = _read_votes(paths["votes.csv"])
        _check_known_comments(votes, comments, paths["votes.csv"], paths["comments.csv"])
    else:
        votes = wide
    summary = _read_summary(paths["summary.csv"]) if paths["summary.csv"] is not None else {}
    return PolisConversation(name=name, comments=comments, votes=votes, groups=groups, summary=summary, source=source, xids=xids)


# --- Polis's math fixtures (API exports) -------------------------------------------------


def load_polis_fixture(name: str) -> dict:
    """Load one Polis math fixture: ``{"votes", "comments", "math", "conversation"}`` (parsed JSON).

    ``math`` is Polis's own ``math-pca2`` output (projections, base clusters,
    group clusters, representative comments, consensus) for that conversation.
    """
    if name not in POLIS_FIXTURES:
        raise KeyError(f"Unknown Polis fixture '{name}'. Known: {', '.join(POLIS_FIXTURES)}.")
    out = {}
    for key, fname in (("votes", "votes.json"), ("comments", "comments.json"), ("math", "math-pca2.json"), ("conversation", "conversation.json")):
        path = fetch(f"polis-math-fixtures/{name}/{fname}")
        try:
            out[key] = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise PolisExportError(f"{path} is not valid JSON ({err}).") from err
    return out


def polis_fixture_conversation(name: str) -> PolisConversation:
    """A Polis math fixture as a :class:`PolisConversation` (agree = +1), with Polis's groups.

    ``groups`` holds each participant's group in the fixture's ``math-pca2`` output
    (through its base cluster), so the fixtures can be analysed like any export.
    """
    fx = load_polis_fixture(name)
    v = pd.DataFrame(fx["votes"])
    pcol = "participant_id" if "participant_id" in v else "pid"
    tcol = "statement_id" if "statement_id" in v else "tid"
    votes = pd.DataFrame(
        {
            "participant": v[pcol].astype(int),
            "comment-id": v[tcol].astype(int),
            "vote": v["vote"].astype(int),
            "timestamp": pd.to_numeric(v["modified"]).astype("int64"),
        }
    )
    votes = votes.sort_values("timestamp", kind="stable").drop_duplicates(["participant", "comment-id"], keep="last")
    votes = votes.sort_values(["participant", "comment-id"]).reset_index(drop=True)
    c = pd.DataFrame(fx["comments"])
    ccol = "statement_id" if "statement_id" in c else "tid"
    mcol = "moderated" if "moderated" in c else "mod"
    comments = pd.DataFrame(
        {
            "comment-id": c[ccol].astype(int),
            "comment-body": c["txt"],
            "moderated": c[mcol].astype(int),
            # Polis leaves meta comments out of the math, like moderated-out ones (see moderated_out).
            "is-meta": c["is_meta"].astype(bool),
        }
    ).sort_values("comment-id").reset_index(drop=True)
    math = fx["math"]
    base = math["base-clusters"]
    base_members = dict(zip(base["id"], base["members"]))
    groups = {}
    for g in math["group-clusters"]:
        for bid in g["members"]:
            for pid in base_members[bid]:
                groups[int(pid)] = g["id"]
    return PolisConversation(
        name=name,
        comments=comments,
        votes=votes,
        groups=pd.Series(groups, name="group-id", dtype="float64").sort_index(),
        summary={"groups": str(len(math["group-clusters"]))},
        source=f"polis-math-fixtures/{name}",
    )
