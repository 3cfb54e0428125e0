"""Everything the live room keeps, in one embedded SQLite database: the only module that speaks SQL.

The room folder holds ``room.sqlite3`` in write-ahead-log mode with ``synchronous=NORMAL``: a
committed answer survives the server process being killed at any moment (the log is in the
operating system's hands once a write returns). A power cut may lose the last saves before the
log reaches the disk; the participants' browsers still hold those answers and send them again. One room per folder: its join code and facilitator
key are created on first start and kept, so a restarted server keeps its addresses.

A participant's assessment is stored field by field, one row per criterion answer and per plan
field, each with a version number. A write names the version it was based on; when another device
of the same rater changed that field in between, the newer write still wins (last writer wins per
field) but the value it replaced is kept in ``conflicts`` and returned, so the page can tell the
rater and offer it back. Changes to different fields never overwrite each other.

To run a large online room on PostgreSQL, this is the module to swap: the SQL is portable apart
from the pragmas, ``INSERT ... ON CONFLICT`` (supported by both) and the connection setup.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DB_NAME = "room.sqlite3"
SCHEMA_VERSION = 1
#: Letters for room codes: no 0/O, 1/I/L, so a code read aloud or from a screen is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

SCHEMA = """
CREATE TABLE IF NOT EXISTS room (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    schema_version INTEGER NOT NULL,
    code TEXT NOT NULL,
    facilitator_key TEXT NOT NULL,
    created_at REAL NOT NULL,
    seq INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS participants (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    team TEXT NOT NULL,
    rater TEXT NOT NULL,
    joined_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    updated_seq INTEGER NOT NULL DEFAULT 0,
    UNIQUE (team, rater)
);
CREATE TABLE IF NOT EXISTS fields (
    participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (participant_id, name)
);
CREATE TABLE IF NOT EXISTS conflicts (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    replaced_value TEXT NOT NULL,
    kept_value TEXT NOT NULL,
    at REAL NOT NULL
);
"""


class RaterTaken(Exception):
    """Someone already joined this team under this rater name."""


@dataclass(frozen=True)
class Participant:
    id: int
    team: str
    rater: str
    joined_at: float
    updated_at: float


def token_hash(token: str) -> str:
    """Tokens are stored hashed: a copy of the database does not let anyone act as a participant."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
    return f"{raw[:3]}-{raw[3:]}"


def normalise_code(text: str) -> str:
    """A typed code as stored: upper case, one hyphen, spaces and other separators ignored."""
    raw = "".join(ch for ch in str(text).upper() if ch in CODE_ALPHABET)
    return f"{raw[:3]}-{raw[3:]}" if len(raw) == 6 else raw


class RoomStore:
    """The room's database. Thread-safe: one connection, one lock (SQLite has one writer anyway)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / DB_NAME
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
        try:
            self.path.chmod(0o600)
        except OSError:
            pass
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        with self._lock:
            self._db.executescript(SCHEMA)
            row = self._db.execute("SELECT schema_version FROM room WHERE id = 1").fetchone()
            if row is None:
                self._db.execute(
                    "INSERT INTO room (id, schema_version, code, facilitator_key, created_at) VALUES (1, ?, ?, ?, ?)",
                    (SCHEMA_VERSION, new_code(), secrets.token_urlsafe(24), time.time()))
            elif row[0] != SCHEMA_VERSION:
                raise RuntimeError(f"{self.path}: room database version {row[0]}, this toolkit reads {SCHEMA_VERSION}")
        self.closed = False

    # ------------------------------------------------------------------ the room

    def room(self) -> dict:
        with self._lock:
            code, key, created, seq = self._db.execute(
                "SELECT code, facilitator_key, created_at, seq FROM room WHERE id = 1").fetchone()
        return {"code": code, "facilitator_key": key, "created_at": created, "seq": seq}

    def seq(self) -> int:
        with self._lock:
            return self._db.execute("SELECT seq FROM room WHERE id = 1").fetchone()[0]

    def _bump(self) -> int:
        self._db.execute("UPDATE room SET seq = seq + 1 WHERE id = 1")
        return self._db.execute("SELECT seq FROM room WHERE id = 1").fetchone()[0]

    # ------------------------------------------------------------------ participants

    def join(self, team: str, rater: str, initial: dict[str, Any] | None = None) -> tuple[str, Participant]:
        """Add a rater to a team, with optional first field values; returns their secret token
        (shown once) and the participant."""
        token = secrets.token_urlsafe(24)
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                seq = self._bump()
                cur = self._db.execute(
                    "INSERT INTO participants (token_hash, team, rater, joined_at, updated_at, updated_seq) "
                    "VALUES (?, ?, ?, ?, ?, ?)", (token_hash(token), team, rater, now, now, seq))
                for name, value in (initial or {}).items():
                    self._db.execute("INSERT INTO fields (participant_id, name, value, version, updated_at) "
                                     "VALUES (?, ?, ?, 1, ?)", (cur.lastrowid, name, json.dumps(value), now))
                self._db.execute("COMMIT")
            except sqlite3.IntegrityError:
                self._db.execute("ROLLBACK")
                raise RaterTaken(f"{rater!r} already joined team {team!r}") from None
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return token, Participant(cur.lastrowid, team, rater, now, now)

    def participant(self, token: str) -> Participant | None:
        with self._lock:
            row = self._db.execute("SELECT id, team, rater, joined_at, updated_at FROM participants "
                                   "WHERE token_hash = ?", (token_hash(token),)).fetchone()
        return Participant(*row) if row else None

    def participants(self, ids: list[int] | None = None) -> list[Participant]:
        """Every participant, or those with the given ids."""
        sql = "SELECT id, team, rater, joined_at, updated_at FROM participants"
        with self._lock:
            if ids is None:
                rows = self._db.execute(sql + " ORDER BY team, rater").fetchall()
            else:
                rows = self._db.execute(sql + " WHERE id IN (SELECT value FROM json_each(?)) ORDER BY team, rater",
                                        (json.dumps(list(ids)),)).fetchall()
        return [Participant(*r) for r in rows]

    def count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM participants").fetchone()[0]

    def changed_since(self, seq: int) -> list[int]:
        """Participants whose answers changed after room sequence number ``seq``."""
        with self._lock:
            return [r[0] for r in self._db.execute(
                "SELECT id FROM participants WHERE updated_seq > ? ORDER BY id", (seq,))]

    # ------------------------------------------------------------------ answers

    def fields(self, participant_id: int) -> dict[str, tuple[Any, int]]:
        """Every stored field of one participant: name -> (value, version)."""
        with self._lock:
            rows = self._db.execute("SELECT name, value, version FROM fields WHERE participant_id = ?",
                                    (participant_id,)).fetchall()
        return {name: (json.loads(value), version) for name, value, version in rows}

    def all_fields(self, ids: list[int] | None = None) -> dict[int, dict[str, Any]]:
        """Every participant's field values (no versions), or those of the given ids: for the
        dashboard and exports."""
        out: dict[int, dict[str, Any]] = {}
        sql, params = "SELECT participant_id, name, value FROM fields", ()
        if ids is not None:
            sql, params = sql + " WHERE participant_id IN (SELECT value FROM json_each(?))", (json.dumps(list(ids)),)
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        for pid, name, value in rows:
            out.setdefault(pid, {})[name] = json.loads(value)
        return out

    def apply(self, participant_id: int, changes: dict[str, tuple[Any, int]]) -> tuple[dict[str, int], list[dict]]:
        """Write changed fields, each given as ``(value, base_version)``; ``None`` deletes the field.

        Returns the new versions of the written fields and the conflicts: fields another device
        had changed since ``base_version``, with the value that was replaced (kept in the table).
        """
        now = time.time()
        versions: dict[str, int] = {}
        conflicts: list[dict] = []
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                current = {name: (value, version) for name, value, version in self._db.execute(
                    "SELECT name, value, version FROM fields WHERE participant_id = ?", (participant_id,))}
                for name, (value, base) in changes.items():
                    old_text, old_version = current.get(name, ("null", 0))
                    new_text = json.dumps(value, ensure_ascii=False, sort_keys=True)
                    if new_text == old_text:
                        versions[name] = old_version
                        continue
                    if base != old_version and old_text != "null":
                        conflicts.append({"field": name, "replaced": json.loads(old_text), "kept": value})
                        self._db.execute(
                            "INSERT INTO conflicts (participant_id, name, replaced_value, kept_value, at) "
                            "VALUES (?, ?, ?, ?, ?)", (participant_id, name, old_text, new_text, now))
                    version = old_version + 1
                    # A deleted field keeps its row (value null) so its version keeps counting.
                    self._db.execute(
                        "INSERT INTO fields (participant_id, name, value, version, updated_at) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT (participant_id, name) DO UPDATE SET value = excluded.value, "
                        "version = excluded.version, updated_at = excluded.updated_at",
                        (participant_id, name, new_text, version, now))
                    versions[name] = version
                seq = self._bump()
                self._db.execute("UPDATE participants SET updated_at = ?, updated_seq = ? WHERE id = ?",
                                 (now, seq, participant_id))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return versions, conflicts

    def conflicts(self, participant_id: int) -> list[dict]:
        with self._lock:
            rows = self._db.execute("SELECT name, replaced_value, kept_value, at FROM conflicts "
                                    "WHERE participant_id = ? ORDER BY id", (participant_id,)).fetchall()
        return [{"field": n, "replaced": json.loads(r), "kept": json.loads(k), "at": at} for n, r, k, at in rows]

    # ------------------------------------------------------------------ closing

    def close(self) -> None:
        with self._lock:
            if not self.closed:
                self._db.close()
                self.closed = True

    def delete(self) -> list[Path]:
        """Close the database and remove its files (the database, its log and its index)."""
        with self._lock:
            if not self.closed:
                # Overwrite the data before removing, so the freed pages do not keep answers readable.
                self._db.execute("PRAGMA secure_delete=ON")
                self._db.execute("DELETE FROM conflicts")
                self._db.execute("DELETE FROM fields")
                self._db.execute("DELETE FROM participants")
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._db.close()
                self.closed = True
        removed = []
        for suffix in ("", "-wal", "-shm"):
            p = self.path.with_name(self.path.name + suffix)
            if p.exists():
                p.unlink()
                removed.append(p)
        return removed
