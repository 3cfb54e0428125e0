"""Split a workshop room into small groups that mix roles, organisations and viewpoints.

A roster is a CSV file with the columns ``name``, ``role``, ``organisation`` and optionally
``viewpoint``. :func:`form_groups` makes groups of at most ``size`` people (sizes differ by at
most one) so that each role, each organisation and each viewpoint is spread over the groups as
evenly as the room allows, and the same roster and seed always give the same groups.

Why this algorithm. Balancing one attribute is easy (deal people out like cards); balancing
several at once is a multi-attribute balanced partition, which is NP-hard in general, and no
maintained library solves it directly (networkx's flows balance one attribute at a time). Rooms
are small (8 to 40 people), so a plain local search is enough and easy to check: a seeded,
shuffled deal, then swaps of two people between groups while a swap lowers the imbalance, from
several seeded starts, keeping the best. The imbalance is an integer: for every attribute value
with ``c`` people and every group of ``s`` people in a room of ``n``, the squared distance
``(n * count - c * s) ** 2`` between the group's count and its fair share. A group is balanced
for a value when its count is the fair share rounded down or up; :attr:`Groups.perfect` says
whether every group is balanced for every value, and :attr:`Groups.problems` names where not.
The tests compare the result with an exhaustive search on small rosters.
The book explains how to use the groups in "Forming groups" (``book/workshops/``).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

from ._text import csv_text, escape_markdown as md_escape

ATTRIBUTES = ("role", "organisation", "viewpoint")
REQUIRED_COLUMNS = ("name", "role", "organisation")
#: Seeded starts of the local search; more give the same answer on rooms of up to 40 people.
STARTS = 24
MAX_ROSTER_BYTES = 1_000_000
MAX_PEOPLE = 500


class RosterError(ValueError):
    """A roster could not be read; the message names the file, the row and the fix."""


@dataclass(frozen=True)
class Person:
    name: str
    role: str
    organisation: str
    viewpoint: str = ""

    def value(self, attribute: str) -> str:
        return getattr(self, attribute)


def read_roster(path_or_text: str | Path, *, source: str | None = None) -> list[Person]:
    """Read a roster CSV (a path, or the CSV text itself with ``source`` naming it)."""
    if isinstance(path_or_text, Path) or (isinstance(path_or_text, str) and "\n" not in path_or_text
                                          and Path(path_or_text).suffix.lower() == ".csv"):
        path = Path(path_or_text)
        source = source or str(path)
        try:
            if path.stat().st_size > MAX_ROSTER_BYTES:
                raise RosterError(f"{source}: the file is larger than {MAX_ROSTER_BYTES:,} bytes; a roster is one line per person.")
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise RosterError(f"{source}: no such file.") from None
        except UnicodeDecodeError:
            raise RosterError(f"{source}: not UTF-8 text; save the roster as CSV (UTF-8) from your spreadsheet.") from None
    else:
        text = str(path_or_text)
        source = source or "the roster"
    reader = csv.DictReader(io.StringIO(text))
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    header = ["organisation" if h == "organization" else h for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise RosterError(f"{source}: missing column(s) {', '.join(missing)}; the first line must name the columns "
                          "name, role, organisation (and optionally viewpoint).")
    reader.fieldnames = header
    people, seen, problems = [], {}, []
    for line, row in enumerate(reader, start=2):
        if not any((v or "").strip() for k, v in row.items() if k is not None):
            continue  # blank line
        values = {k: " ".join((row.get(k) or "").split()) for k in ATTRIBUTES + ("name",)}
        for col in REQUIRED_COLUMNS:
            if not values[col]:
                problems.append(f"{source}, line {line}: {col} is empty; fill it in (use 'unknown' if you must).")
        if values["name"]:
            if values["name"] in seen:
                problems.append(f"{source}, line {line}: {values['name']!r} is already on line {seen[values['name']]}; "
                                "give each person one line (add an initial to tell two people apart).")
            seen.setdefault(values["name"], line)
        people.append(Person(values["name"], values["role"], values["organisation"], values["viewpoint"]))
        if len(people) > MAX_PEOPLE:
            raise RosterError(f"{source}: more than {MAX_PEOPLE} people; split the room first.")
    if problems:
        raise RosterError("\n".join(problems[:50]))
    if not people:
        raise RosterError(f"{source}: no people listed below the header line.")
    return people


@dataclass
class Groups:
    """The groups formed from a roster, with how well each attribute is balanced."""

    groups: list[list[Person]]
    seed: int
    imbalance: int
    problems: list[str] = field(default_factory=list)

    @property
    def perfect(self) -> bool:
        """True when every group holds its fair share (rounded down or up) of every value."""
        return not self.problems

    def counts(self, attribute: str) -> list[dict[str, int]]:
        return [_count(g, attribute) for g in self.groups]

    def to_rows(self) -> list[dict]:
        return [{"group": i + 1, "name": p.name, "role": p.role, "organisation": p.organisation, "viewpoint": p.viewpoint}
                for i, g in enumerate(self.groups) for p in g]

    def to_csv(self) -> str:
        """One row per person (safe to open in a spreadsheet); the page writes the same text."""
        return csv_text([["group", "name", "role", "organisation", "viewpoint"]] + [list(r.values()) for r in self.to_rows()])

    def to_markdown(self) -> str:
        out = []
        for i, g in enumerate(self.groups, start=1):
            out += [f"## Group {i} ({len(g)} people)", ""]
            out += [f"- {md_escape(p.name)}: {md_escape(p.role)}, {md_escape(p.organisation)}"
                    + (f", {md_escape(p.viewpoint)}" if p.viewpoint else "") for p in g]
            out.append("")
        out.append("Every group has its fair share of each role, organisation and viewpoint." if self.perfect else
                   "The room cannot be balanced perfectly:\n\n" + "\n".join(f"- {md_escape(p)}" for p in self.problems))
        return "\n".join(out) + "\n"


def _count(group, attribute) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in group:
        v = p.value(attribute)
        if v:
            out[v] = out.get(v, 0) + 1
    return out


def group_sizes(n: int, size: int) -> list[int]:
    """Sizes of ceil(n / size) groups that differ by at most one (largest first)."""
    if size < 2:
        raise ValueError(f"group size must be at least 2, got {size}")
    if n < 2:
        raise ValueError(f"a room needs at least 2 people to form groups, got {n}")
    g = math.ceil(n / size)
    return [n // g + (1 if i < n % g else 0) for i in range(g)]


_M32 = 0xFFFFFFFF


class _Rng:
    """A small seeded generator (mulberry32) written the same way in ``widgets/static/groups.js``,
    so the page and Python form the same groups from the same roster and seed."""

    def __init__(self, seed: int):
        self.state = seed & _M32

    def next(self) -> int:
        self.state = (self.state + 0x6D2B79F5) & _M32
        t = self.state
        t = ((t ^ (t >> 15)) * (t | 1)) & _M32
        t = ((t + (((t ^ (t >> 7)) * (t | 61)) & _M32)) & _M32) ^ t
        return (t ^ (t >> 14)) & _M32

    def shuffle(self, items: list) -> None:
        # Fisher-Yates; the modulo bias is below one in ten million for lists of this size.
        for i in range(len(items) - 1, 0, -1):
            j = self.next() % (i + 1)
            items[i], items[j] = items[j], items[i]


def _start_seed(seed: int, start: int) -> int:
    return (seed * 1_000_003 + start) % 4_294_967_296


class _Scorer:
    """Integer imbalance of an assignment, with cheap updates for a swap."""

    def __init__(self, people: list[Person], sizes: list[int]):
        self.n = len(people)
        self.sizes = sizes
        self.keys = []  # per person: tuple of (attribute index, value index)
        self.totals = []
        index: dict[tuple[int, str], int] = {}
        for p in people:
            ks = []
            for a, attr in enumerate(ATTRIBUTES):
                v = p.value(attr)
                if not v:
                    continue
                k = index.setdefault((a, v), len(index))
                ks.append(k)
            self.keys.append(tuple(ks))
        self.values = list(index)
        self.total = [0] * len(index)
        for ks in self.keys:
            for k in ks:
                self.total[k] += 1

    def cell(self, count: int, k: int, g: int) -> int:
        d = self.n * count - self.total[k] * self.sizes[g]
        return d * d

    def full(self, counts) -> int:
        return sum(self.cell(counts[g][k], k, g) for g in range(len(self.sizes)) for k in range(len(self.total)))


def _search(people, sizes, rng) -> tuple[list[int], int]:
    sc = _Scorer(people, sizes)
    order = list(range(len(people)))
    rng.shuffle(order)
    assign = [0] * len(people)
    slots = [g for g, s in enumerate(sizes) for _ in range(s)]
    for person, g in zip(order, slots):
        assign[person] = g
    counts = [[0] * len(sc.total) for _ in sizes]
    for i, g in enumerate(assign):
        for k in sc.keys[i]:
            counts[g][k] += 1
    cost = sc.full(counts)
    improved = True
    while improved:
        improved = False
        pairs = [(i, j) for i in range(len(people)) for j in range(i + 1, len(people))]
        rng.shuffle(pairs)
        for i, j in pairs:
            gi, gj = assign[i], assign[j]
            if gi == gj:
                continue
            touched = set(sc.keys[i]) | set(sc.keys[j])
            before = sum(sc.cell(counts[gi][k], k, gi) + sc.cell(counts[gj][k], k, gj) for k in touched)
            for k in sc.keys[i]:
                counts[gi][k] -= 1
                counts[gj][k] += 1
            for k in sc.keys[j]:
                counts[gj][k] -= 1
                counts[gi][k] += 1
            after = sum(sc.cell(counts[gi][k], k, gi) + sc.cell(counts[gj][k], k, gj) for k in touched)
            if after < before:
                assign[i], assign[j] = gj, gi
                cost += after - before
                improved = True
            else:  # undo
                for k in sc.keys[i]:
                    counts[gi][k] += 1
                    counts[gj][k] -= 1
                for k in sc.keys[j]:
                    counts[gj][k] += 1
                    counts[gi][k] -= 1
    return assign, cost


def imbalance(groups: list[list[Person]]) -> int:
    """The integer imbalance of given groups (see the module docstring); 0 only if all shares are exact."""
    people = [p for g in groups for p in g]
    sizes = [len(g) for g in groups]
    sc = _Scorer(people, sizes)
    counts = [[0] * len(sc.total) for _ in sizes]
    i = 0
    for g, members in enumerate(groups):
        for _ in members:
            for k in sc.keys[i]:
                counts[g][k] += 1
            i += 1
    return sc.full(counts)


def balance_problems(groups: list[list[Person]]) -> list[str]:
    """Where a group holds more or fewer of a role, organisation or viewpoint than its fair share."""
    people = [p for g in groups for p in g]
    n = len(people)
    out = []
    for attr in ATTRIBUTES:
        totals = _count(people, attr)
        for value in sorted(totals):
            for i, g in enumerate(groups, start=1):
                share = totals[value] * len(g) / n
                have = _count(g, attr).get(value, 0)
                lo, hi = math.floor(share), math.ceil(share)
                if not lo <= have <= hi:
                    want = str(lo) if lo == hi else f"{lo} or {hi}"
                    out.append(f"{attr} {value!r}: group {i} has {have}, its fair share is {want}")
    return out


def form_groups(people: list[Person], size: int = 5, *, seed: int = 0) -> Groups:
    """Groups of at most ``size`` people, balanced by role, organisation and viewpoint (see the
    module docstring). The same people in the same order with the same seed give the same groups."""
    people = list(people)
    if not (isinstance(seed, int) and 0 <= seed < 2**31):
        raise ValueError(f"seed must be a whole number from 0 to {2**31 - 1}, got {seed!r}")
    sizes = group_sizes(len(people), size)
    best = None
    for start in range(STARTS):
        rng = _Rng(_start_seed(seed, start))
        assign, cost = _search(people, sizes, rng)
        if best is None or cost < best[1]:
            best = (assign, cost)
        if cost == 0:
            break
    assign, cost = best
    groups = [[p for p, a in zip(people, assign) if a == g] for g in range(len(sizes))]
    return Groups(groups=groups, seed=seed, imbalance=cost, problems=balance_problems(groups))
