"""Find the case-study data on disk: download once from the pinned source, verify, cache.

Every file the case studies read is listed in ``casestudies/registry.csv`` with its
size, sha256, the source URL at a pinned commit, and its licence. :func:`fetch`
returns a local path to a verified copy, downloading it (with a progress bar) into
the cache only when it is missing. Nothing here writes into a cache that already
holds the right file, so a read-only folder of verified files works as the cache
(tests, CI and offline builds point ``PAI_DATA_CACHE`` at ``../shared/data``).

This module only finds and verifies files. Each format's reader lives beside the
method that uses it (the Polis export reader in :mod:`casestudies.polis.export`,
for example), and the credit each data set asks for is in :mod:`casestudies.credits`.
"""

from __future__ import annotations

import csv
import hashlib
import os
import pathlib
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "CACHE_ENV",
    "DataError",
    "DataNotAvailable",
    "DataCorrupt",
    "UnknownDataFile",
    "RegistryEntry",
    "registry",
    "registry_entry",
    "cache_dir",
    "fetch",
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


# Files already verified in this process, so that a notebook calling fetch() many
# times hashes each file once. The key holds the inode and the change time as well as
# size and mtime: an edit that restores size and mtime (os.utime) still moves the
# change time, which no user call can set, so the file is hashed again.
_VERIFIED: set[tuple] = set()


def _stat_key(path: pathlib.Path) -> tuple:
    st = path.stat()
    return (str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def _verified(path: pathlib.Path, expected: str) -> bool:
    key = _stat_key(path)
    if key in _VERIFIED:
        return True
    actual = _sha256(path)
    if actual != expected:
        return False
    _VERIFIED.add(key)
    return True


def registry_entry(relpath: str) -> RegistryEntry:
    """The registry entry of ``relpath``; an unknown path raises :class:`UnknownDataFile` naming close matches."""
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
    entry = registry_entry(relpath)
    root = cache_dir()
    target = root / entry.path
    if target.exists() and not target.is_file():
        kind = "a folder" if target.is_dir() else "not a regular file"
        raise DataCorrupt(
            f"The cache holds {kind} where the file '{entry.path}' should be: {target}. "
            f"Fix: remove {target} and run again to download a fresh copy from {entry.source_url} "
            f"(or point {CACHE_ENV} at a folder holding the verified data)."
        )
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
    _VERIFIED.add(_stat_key(path))
    return path
