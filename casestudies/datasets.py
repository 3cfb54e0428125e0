"""Find the case-study data on disk: download once from the pinned source, verify, cache.

Every file the case studies read is listed in ``casestudies/registry.csv`` with its
size, sha256, the source URL at a pinned commit, and its licence. :func:`fetch`
returns a local path to a verified copy, downloading it (with a progress bar) into
the cache only when it is missing. Nothing here writes into a cache that already
holds the right file, so a read-only folder of verified files works as the cache
(tests, CI and offline builds point ``PAI_DATA_CACHE`` at ``../shared/data``).

The module also reads Polis exports (the open-data conversations, or any team's
own export folder) and the Polis math fixtures; see the chapter
"Polis opinion groups" in the case-studies part for how they are used.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import pathlib
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = [
    "CACHE_ENV",
    "DataError",
    "DataNotAvailable",
    "DataCorrupt",
    "UnknownDataFile",
    "PolisExportError",
    "PolisConversation",
    "has_vote_times",
    "registry",
    "cache_dir",
    "fetch",
    "attribution",
    "load_polis_conversation",
    "load_polis_fixture",
    "polis_fixture_conversation",
    "POLIS_OPEN_CONVERSATIONS",
    "POLIS_FIXTURES",
]

#: Environment variable naming the cache folder (layout ``<dataset>/<file>``).
CACHE_ENV = "PAI_DATA_CACHE"

_REGISTRY_FILE = pathlib.Path(__file__).with_name("registry.csv")
_CHUNK = 1 << 20


class DataError(RuntimeError):
    """Base class for problems finding or reading case-study data."""


class DataNotAvailable(DataError):
    """The file is not cached and could not be downloaded (offline, or the source moved)."""


class DataCorrupt(DataError):
    """A cached or downloaded file does not have the registered sha256."""


class UnknownDataFile(DataError, KeyError):
    """The path is not in the registry."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0]) if self.args else ""


class PolisExportError(DataError, ValueError):
    """A Polis export folder or file is missing, malformed or of an unknown layout."""


@dataclass(frozen=True)
class RegistryEntry:
    path: str
    bytes: int
    sha256: str
    source_url: str
    licence: str


@lru_cache(maxsize=1)
def registry() -> dict[str, RegistryEntry]:
    """Return the registry (``relpath -> RegistryEntry``) read from ``registry.csv``."""
    with _REGISTRY_FILE.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {
        r["path"]: RegistryEntry(r["path"], int(r["bytes"]), r["sha256"].lower(), r["source_url"], r["licence"])
        for r in rows
    }


def cache_dir() -> pathlib.Path:
    """The cache folder: ``$PAI_DATA_CACHE`` if set, else pooch's per-user cache."""
    env = os.environ.get(CACHE_ENV, "").strip()
    if env:
        return pathlib.Path(env).expanduser().resolve()
    import pooch

    return pathlib.Path(pooch.os_cache("participatory-ai-in-practice"))


def _sha256(path: pathlib.Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


# Files already verified in this process, keyed by (path, size, mtime), so that a
# notebook calling fetch() many times hashes each file once.
_VERIFIED: set[tuple[str, int, int]] = set()


def _verified(path: pathlib.Path, expected: str) -> bool:
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key in _VERIFIED:
        return True
    actual = _sha256(path)
    if actual != expected:
        return False
    _VERIFIED.add(key)
    return True


def _entry(relpath: str) -> RegistryEntry:
    relpath = str(relpath).replace("\\", "/").lstrip("/")
    reg = registry()
    if relpath not in reg:
        import difflib

        close = difflib.get_close_matches(relpath, list(reg), n=3, cutoff=0.6)
        folder = relpath.rsplit("/", 1)[0]
        same_folder = sorted(p for p in reg if p.startswith(folder + "/"))[:8]
        hint = close or same_folder
        hint_text = f" Did you mean: {', '.join(hint)}?" if hint else (
            f" Known data sets: {', '.join(sorted({p.split('/')[0] for p in reg}))}."
        )
        raise UnknownDataFile(f"'{relpath}' is not in the case-study registry ({_REGISTRY_FILE.name}).{hint_text}")
    return reg[relpath]


def fetch(relpath: str, *, progressbar: bool = True) -> pathlib.Path:
    """Return a local path to the verified file ``relpath`` (as in the registry).

    ``relpath`` looks like ``"polis-opendata/vtaiwan.uberx/votes.csv"``. A file
    already in the cache with the registered sha256 is returned as is (nothing is
    written, so a read-only cache works). Otherwise it is downloaded from its
    pinned source URL into the cache with a progress bar and verified.

    Raises :class:`DataCorrupt` if the cached or downloaded file has the wrong
    hash, and :class:`DataNotAvailable` if it is not cached and cannot be
    downloaded; both messages say what to do.
    """
    entry = _entry(relpath)
    root = cache_dir()
    target = root / entry.path
    if target.is_file():
        if _verified(target, entry.sha256):
            return target
        actual = _sha256(target)
        raise DataCorrupt(
            f"The cached file {target} is corrupt or a different version: its sha256 is {actual}, "
            f"but the registry expects {entry.sha256} ({entry.bytes} bytes). "
            f"Fix: delete {target} and run again to download a fresh copy from {entry.source_url} "
            f"(or point {CACHE_ENV} at a folder holding the verified data)."
        )
    return _download(entry, root, progressbar=progressbar)


def _download(entry: RegistryEntry, root: pathlib.Path, *, progressbar: bool) -> pathlib.Path:
    import pooch

    fix = (
        f"Fix: connect to the internet and run again, or download the file yourself from "
        f"{entry.source_url} to {root / entry.path}, or set {CACHE_ENV} to a folder that holds "
        f"the data (the project's tests use ../shared/data)."
    )
    if progressbar:
        try:
            import tqdm  # noqa: F401  (pooch's progress bar needs it)
        except ImportError:
            progressbar = False
    store = pooch.create(
        path=root,
        base_url="",
        registry={entry.path: f"sha256:{entry.sha256}"},
        urls={entry.path: entry.source_url},
        retry_if_failed=1,
    )
    try:
        local = store.fetch(entry.path, progressbar=progressbar)
    except ValueError as err:  # pooch reports a hash mismatch as ValueError
        if "hash" in str(err).lower():
            raise DataCorrupt(
                f"The download of '{entry.path}' from {entry.source_url} does not match the registry: "
                f"expected sha256 {entry.sha256}. pooch said: {err}. The source may have changed; "
                f"fix: check the URL's commit in casestudies/registry.csv, or place a verified copy at "
                f"{root / entry.path}."
            ) from err
        raise
    except PermissionError as err:
        raise DataNotAvailable(
            f"'{entry.path}' is not in the cache {root}, and that folder is not writable, so it cannot "
            f"be downloaded there. Fix: set {CACHE_ENV} to a writable folder. ({err})"
        ) from err
    except Exception as err:  # network errors come from requests, urllib3, socket...
        raise DataNotAvailable(
            f"'{entry.path}' is not in the cache {root} and could not be downloaded from "
            f"{entry.source_url} ({type(err).__name__}: {err}). {fix}"
        ) from err
    path = pathlib.Path(local)
    _VERIFIED.add((str(path), path.stat().st_size, path.stat().st_mtime_ns))
    return path


# --- attribution -------------------------------------------------------------------

_POLIS_CASE_STUDY_URLS = {
    "15-per-hour-seattle": "https://compdemocracy.org/case-studies/2014-seattle-15-per-hour",
    "american-assembly.bowling-green": "https://compdemocracy.org/case-studies/2018-kentucky",
    "brexit-consensus": "https://compdemocracy.org/case-studies/2017-brexit-consensus",
    "london.youth.policing": "https://compdemocracy.org/case-studies/2022-london-youth-policing",
    "scoop-hivemind.ubi": "https://compdemocracy.org/case-studies/2017-scoop-hivemind-ubi",
    "vtaiwan.uberx": "https://compdemocracy.org/case-studies/2015-vtaiwan-uberx",
}

#: Open-data Polis conversations in the registry, by folder name.
POLIS_OPEN_CONVERSATIONS = tuple(sorted(_POLIS_CASE_STUDY_URLS))

_POLIS_STATEMENT = (
    "Data was gathered using the Polis software (compdemocracy.org/polis) and is sub-licensed "
    "under CC BY 4.0 with Attribution to The Computational Democracy Project. The data and more "
    "information about how the data was collected can be found at the following link(s):"
)

_TEAM_CREDITS = {
    "collective-dialogues": (
        "Collective Dialogues for Democratic Input (Konya, Schirch, Irwin and Ovadya; Remesh), "
        "published openly in openai/democratic-inputs without a licence file"
    ),
    "generative-social-choice": (
        "Generative Social Choice (Fish, Gölz, Parkes, Procaccia, Rusak, Shapira and Wüthrich), "
        "published openly by the generative-social-choice project"
    ),
    "moral-graph": (
        "Democratic Fine-Tuning / Moral Graph (Meaning Alignment Institute), published openly in "
        "openai/democratic-inputs without a licence file"
    ),
    "polis-math-fixtures": (
        "Polis API exports used as test fixtures by red-dwarf (polis-community/red-dwarf, MPL-2.0)"
    ),
}


def attribution(*relpaths: str) -> str:
    """Return the licence/attribution statement for one or more registered files.

    Polis open data gets the CC BY 4.0 statement its publishers require, with each
    conversation's case-study link (several conversations share one statement).
    Other sets name the team, the source URL and the licence status.
    """
    if not relpaths:
        raise ValueError("attribution() needs at least one registered path.")
    polis_links: list[str] = []
    others: list[str] = []
    for rel in relpaths:
        entry = _entry(rel)
        dataset = entry.path.split("/")[0]
        if dataset == "polis-opendata":
            conv = entry.path.split("/")[1] if entry.path.count("/") >= 2 else None
            link = _POLIS_CASE_STUDY_URLS.get(conv or "", "https://github.com/compdemocracy/openData")
            if link not in polis_links:
                polis_links.append(link)
        else:
            credit = _TEAM_CREDITS.get(dataset, dataset)
            text = f"{credit}. Source: {entry.source_url} (licence: {entry.licence})."
            if text not in others:
                others.append(text)
    parts = []
    if polis_links:
        parts.append(_POLIS_STATEMENT + "\n" + "\n".join(polis_links))
    parts.extend(others)
    return "\n\n".join(parts)


# --- Polis exports -----------------------------------------------------------------

_COMMENT_COLS = {"comment-id", "comment-body"}
_VOTE_COLS = {"comment-id", "voter-id", "vote"}
_PV_FIXED = ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"]


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
    ``group-id`` label per participant (missing if not clustered).
    """

    name: str
    comments: pd.DataFrame
    votes: pd.DataFrame
    groups: pd.Series
    summary: dict = field(default_factory=dict)
    source: str = ""

    @property
    def has_vote_times(self) -> bool:
        """Whether the export kept the vote history (see :func:`has_vote_times`)."""
        return has_vote_times(self.votes)

    @property
    def moderated_out(self) -> list[int]:
        """Comment ids a moderator removed (``moderated == -1``)."""
        if "moderated" not in self.comments:
            return []
        return sorted(self.comments.loc[self.comments["moderated"] == -1, "comment-id"].astype(int))

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


def _read_csv(path: pathlib.Path, required: set[str], what: str) -> pd.DataFrame:
    try:
        df = pd.read_csv(path)
    except FileNotFoundError:
        raise
    except Exception as err:
        raise PolisExportError(f"Could not read {path} as CSV ({err}). Fix: re-export {what} from Polis.") from err
    missing = required - set(df.columns)
    if missing:
        raise PolisExportError(
            f"{path} is not a Polis {what} export: it lacks the column(s) {', '.join(sorted(missing))} "
            f"(found: {', '.join(map(str, df.columns[:12]))}). Fix: use the file from the Polis "
            f"'Export data' page, unmodified."
        )
    return df


def _clean_votes(df: pd.DataFrame, path: pathlib.Path) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "participant": pd.to_numeric(df["voter-id"], errors="coerce"),
            "comment-id": pd.to_numeric(df["comment-id"], errors="coerce"),
            "vote": pd.to_numeric(df["vote"], errors="coerce"),
            "timestamp": pd.to_numeric(df["timestamp"], errors="coerce") if "timestamp" in df else 0,
        }
    )
    bad = out[["participant", "comment-id", "vote"]].isna().any(axis=1) | ~out["vote"].isin([-1, 0, 1])
    if bad.any():
        first = int(bad.to_numpy().nonzero()[0][0]) + 2  # +1 header, +1 one-based
        raise PolisExportError(
            f"{path}: {int(bad.sum())} vote row(s) are not numeric ids with a vote in -1/0/1 "
            f"(first at line {first}). Fix: re-export votes.csv from Polis."
        )
    out = out.astype({"participant": int, "comment-id": int, "vote": int})
    # Re-votes are kept in the export; the latest one is the participant's view.
    out = out.sort_values("timestamp", kind="stable").drop_duplicates(["participant", "comment-id"], keep="last")
    return out.sort_values(["participant", "comment-id"]).reset_index(drop=True)


def _votes_from_wide(pv: pd.DataFrame) -> pd.DataFrame:
    comment_cols = [c for c in pv.columns if c not in _PV_FIXED]
    wide = pv.set_index("participant")[comment_cols]
    wide.columns = wide.columns.astype(int)
    wide = wide.apply(pd.to_numeric, errors="coerce")
    long = wide.stack().rename("vote").reset_index()
    long.columns = ["participant", "comment-id", "vote"]
    long = long.dropna(subset=["vote"])
    long = long.astype({"participant": int, "comment-id": int, "vote": int})
    return long.sort_values(["participant", "comment-id"]).reset_index(drop=True)


def _open_polis_paths(name_or_dir) -> tuple[str, dict[str, pathlib.Path | None], str]:
    key = str(name_or_dir)
    if key in _POLIS_CASE_STUDY_URLS:
        reg = registry()
        paths = {
            fname: (fetch(f"polis-opendata/{key}/{fname}") if f"polis-opendata/{key}/{fname}" in reg else None)
            for fname in ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv")
        }
        return key, paths, f"polis-opendata/{key}"
    folder = pathlib.Path(name_or_dir).expanduser()
    if not folder.is_dir():
        raise PolisExportError(
            f"'{name_or_dir}' is neither an open-data conversation ({', '.join(POLIS_OPEN_CONVERSATIONS)}) "
            f"nor a folder. Fix: pass the folder holding your Polis export's comments.csv and votes.csv "
            f"(or participants-votes.csv)."
        )
    paths = {
        fname: (folder / fname if (folder / fname).is_file() else None)
        for fname in ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv")
    }
    return folder.name, paths, str(folder)


def load_polis_conversation(name_or_dir) -> PolisConversation:
    """Load a Polis conversation: an open-data name (``"vtaiwan.uberx"``) or an export folder.

    The folder needs ``comments.csv`` and at least one of ``votes.csv`` (the vote
    history; re-votes are reduced to the latest) or ``participants-votes.csv``
    (the wide matrix with Polis's ``group-id``). ``summary.csv`` is optional.
    """
    name, paths, source = _open_polis_paths(name_or_dir)
    if paths["comments.csv"] is None:
        raise PolisExportError(f"No comments.csv in {source}. Fix: export the conversation's data from Polis again.")
    if paths["votes.csv"] is None and paths["participants-votes.csv"] is None:
        raise PolisExportError(
            f"No votes in {source}: neither votes.csv nor participants-votes.csv is there. "
            f"Fix: copy both files from the Polis export into the folder."
        )
    comments = _read_csv(paths["comments.csv"], _COMMENT_COLS, "comments.csv")
    comments["comment-id"] = pd.to_numeric(comments["comment-id"], errors="coerce")
    if comments["comment-id"].isna().any():
        raise PolisExportError(f"{paths['comments.csv']}: some comment-id values are not numbers. Fix: re-export it.")
    comments["comment-id"] = comments["comment-id"].astype(int)
    if "moderated" in comments:
        comments["moderated"] = pd.to_numeric(comments["moderated"], errors="coerce").fillna(0).astype(int)
    comments = comments.sort_values("comment-id").reset_index(drop=True)

    groups = pd.Series(dtype="float64", name="group-id")
    pv = None
    if paths["participants-votes.csv"] is not None:
        pv = _read_csv(paths["participants-votes.csv"], {"participant", "group-id"}, "participants-votes.csv")
        groups = pd.to_numeric(pv.set_index("participant")["group-id"], errors="coerce").rename("group-id")
    if paths["votes.csv"] is not None:
        votes = _clean_votes(_read_csv(paths["votes.csv"], _VOTE_COLS, "votes.csv"), paths["votes.csv"])
    else:
        votes = _votes_from_wide(pv)

    summary: dict = {}
    if paths["summary.csv"] is not None:
        with open(paths["summary.csv"], newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                if len(row) >= 2:
                    summary[row[0]] = row[1]
    return PolisConversation(name=name, comments=comments, votes=votes, groups=groups, summary=summary, source=source)


#: Polis math fixtures (Polis API exports) in the registry, by folder name.
POLIS_FIXTURES = tuple(
    sorted({p.split("/")[1] for p in registry() if p.startswith("polis-math-fixtures/")})
)


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
            # Polis leaves meta comments out of the math, like moderated-out ones.
            "moderated": np.where(c["is_meta"].astype(bool), -1, c[mcol].astype(int)),
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
