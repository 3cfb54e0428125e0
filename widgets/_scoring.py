"""Load the engagement-plan rubric and score an assessment against it.

The algorithm is specified step by step in ``widgets/rubric/SCORING.md``; a JavaScript port runs
the same steps and a parity test compares ``Score.to_dict()`` on shared fixtures. Everything here
is integer arithmetic until the final rounding, so both languages agree to the last digit.
The book chapter "The rubric" (``book/selfassessment/01-rubric.md``) explains the method.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import attrgetter, getitem, itemgetter, mul
from pathlib import Path
from typing import Any, NamedTuple

import yaml

RUBRIC_DIR = Path(__file__).resolve().parent / "rubric"
RUBRIC_ID = "engagement-plan"
#: Rubric versions this toolkit can score, newest last. Older assessment files are migrated
#: forward by ``widgets._assessment`` before scoring.
RUBRIC_FILES = {"1.0": RUBRIC_DIR / "engagement-plan.yaml"}
CURRENT_VERSION = "1.0"

NOT_APPLICABLE = "n/a"
SCOPES = ("full", "short")
IAP2_ORDER = ("none", "inform", "consult", "involve", "collaborate", "empower")
BAND_ORDER = ("non-participation", "tokenism", "consultation", "involvement", "collaboration", "community-led")
#: A gate is met at this answer level ("done and documented") or above.
GATE_LEVEL = 2
MAX_LEVEL = 3
#: The only guardrails that may not apply to a plan: no contracted data workers, no harmful content.
N_A_FLAGS = ("below-living-wage", "unsupported-harmful-exposure")


class RubricError(ValueError):
    """The rubric file itself is invalid (a bug in the toolkit, not in a user's file)."""


def round_percent(numerator: int, denominator: int) -> float | None:
    """Return ``100 * numerator / denominator`` rounded half up to one decimal, from integers.

    SCORING.md, "Rounding": tenths = floor((2000*n + d) / (2*d)); percent = tenths / 10.
    Inputs are non-negative integers, so half up equals half away from zero.
    """
    if denominator == 0:
        return None
    return ((2000 * numerator + denominator) // (2 * denominator)) / 10


# --------------------------------------------------------------------------- rubric objects


@dataclass(frozen=True)
class Criterion:
    """One rubric question, as read from the YAML file."""

    id: str
    index: int
    theme: str
    question: str
    levels: tuple[str, str, str, str]
    weight: str
    points: int
    stages: tuple[str, ...]
    short: bool
    gate: str | None
    flag: str | None
    flag_at_or_below: int | None
    not_applicable_if: str | None
    sources: tuple[str, ...]
    source_note: str | None
    explained_in: str
    action: str
    who: str


@dataclass(frozen=True)
class Rubric:
    """The engagement-plan rubric: themes, criteria, red flags, bands and IAP2 levels.

    ``data`` is the validated YAML as plain Python data (what the JS host and exports read).
    """

    id: str
    version: str
    data: Mapping[str, Any] = field(repr=False)
    criteria: tuple[Criterion, ...] = field(repr=False)

    @functools.cached_property
    def by_id(self) -> dict[str, Criterion]:
        return {c.id: c for c in self.criteria}

    @functools.cached_property
    def themes(self) -> dict[str, dict]:
        return {t["id"]: t for t in self.data["themes"]}

    @functools.cached_property
    def red_flags(self) -> dict[str, dict]:
        return {f["id"]: f for f in self.data["red_flags"]}

    @functools.cached_property
    def bands(self) -> dict[str, dict]:
        return {b["id"]: b for b in self.data["bands"]}

    @functools.cached_property
    def iap2_levels(self) -> dict[str, dict]:
        return {lv["id"]: lv for lv in self.data["iap2_levels"]}

    @functools.cached_property
    def stage_ids(self) -> tuple[str, ...]:
        return tuple(s["id"] for s in self.data["lifecycle_stages"])

    @functools.cached_property
    def model_type_ids(self) -> tuple[str, ...]:
        return tuple(m["id"] for m in self.data["model_types"])

    def in_scope(self, scope: str = "full") -> tuple[Criterion, ...]:
        """Criteria of the full version, or of the short version (``short: true``), in rubric order."""
        if scope == "short":
            return tuple(c for c in self.criteria if c.short)
        return self.criteria

    @functools.cached_property
    def _scopes(self) -> dict[str, "_ScopeTable"]:
        # Everything the scorer needs per scope, computed once per rubric (see _ScopeTable).
        return {scope: _scope_table(self, scope) for scope in SCOPES}

    @functools.cached_property
    def _flag_caps(self) -> dict[str, int]:
        return {f["id"]: BAND_ORDER.index(f["cap"]) for f in self.data["red_flags"]}

    @functools.cached_property
    def _flag_rank(self) -> dict[str, int]:
        return {f["id"]: i for i, f in enumerate(self.data["red_flags"])}

    @functools.cached_property
    def _band_thresholds(self) -> tuple[int, ...]:
        return tuple(self.bands[b]["min_percent"] for b in BAND_ORDER)

    @functools.cached_property
    def _theme_order(self) -> tuple[str, ...]:
        return tuple(t["id"] for t in self.data["themes"])


def _read_schema(name: str) -> dict:
    with open(RUBRIC_DIR / name, encoding="utf-8") as fh:
        return json.load(fh)


def check_rubric(data: Mapping[str, Any]) -> list[str]:
    """Return every problem in a rubric document: schema errors, then cross-reference errors."""
    import jsonschema

    problems = [
        f"{'/'.join(str(p) for p in err.absolute_path) or '(top level)'}: {err.message}"
        for err in jsonschema.Draft202012Validator(_read_schema("rubric.schema.json")).iter_errors(data)
    ]
    if problems:
        return problems
    themes = [t["id"] for t in data["themes"]]
    flags = [f["id"] for f in data["red_flags"]]
    stages = {s["id"] for s in data["lifecycle_stages"]}
    ids = [c["id"] for c in data["criteria"]]
    for kind, seq in (("theme", themes), ("red flag", flags), ("criterion", ids)):
        dupes = sorted({x for x in seq if seq.count(x) > 1})
        if dupes:
            problems.append(f"duplicate {kind} ids: {', '.join(dupes)}")
    if [b["id"] for b in sorted(data["bands"], key=lambda b: b["index"])] != list(BAND_ORDER):
        problems.append(f"bands must be, in index order: {', '.join(BAND_ORDER)}")
    if [b["iap2"] for b in sorted(data["bands"], key=lambda b: b["index"])] != list(IAP2_ORDER):
        problems.append("band i must correspond to IAP2 level i")
    if [lv["id"] for lv in sorted(data["iap2_levels"], key=lambda x: x["index"])] != list(IAP2_ORDER):
        problems.append(f"iap2_levels must be, in index order: {', '.join(IAP2_ORDER)}")
    mins = [b["min_percent"] for b in sorted(data["bands"], key=lambda b: b["index"])]
    if mins != sorted(mins):
        problems.append("band min_percent must not decrease along the scale")
    for t in data["themes"]:
        if t["explained_in"] != f"theme-{t['id']}":
            problems.append(f"theme {t['id']}: explained_in must be theme-{t['id']}")
    for f in data["red_flags"]:
        if f["explained_in"] != f"guardrail-{f['id']}":
            problems.append(f"red flag {f['id']}: explained_in must be guardrail-{f['id']}")
    flagged = set()
    for c in data["criteria"]:
        where = f"criterion {c['id']}"
        if c["theme"] not in themes:
            problems.append(f"{where}: unknown theme {c['theme']!r}")
        for s in c["stages"]:
            if s not in stages:
                problems.append(f"{where}: unknown lifecycle stage {s!r}")
        label = c["explained_in"]
        if not (label.startswith("theme-") and label[6:] in themes or
                label.startswith("guardrail-") and label[10:] in flags):
            problems.append(f"{where}: explained_in {label!r} is not a theme-* or guardrail-* label of this rubric")
        if "flag" in c:
            if c["flag"]["id"] not in flags:
                problems.append(f"{where}: unknown red flag {c['flag']['id']!r}")
            flagged.add(c["flag"]["id"])
            if "not_applicable_if" in c and c["flag"]["id"] not in N_A_FLAGS:
                problems.append(f"{where}: this guardrail applies to every plan, so it cannot be answered n/a")
        if "gate" in c and "not_applicable_if" in c:
            problems.append(f"{where}: a gate criterion cannot be answered n/a")
    for f in flags:
        if f not in flagged:
            problems.append(f"red flag {f}: no criterion raises it")
    order = [themes.index(c["theme"]) for c in data["criteria"] if c["theme"] in themes]
    if order != sorted(order):
        problems.append("criteria must be listed theme by theme, in the order of `themes`")
    short_themes = {c["theme"] for c in data["criteria"] if c.get("short")}
    for t in themes:
        if t not in short_themes:
            problems.append(f"theme {t}: has no criterion in the short version")
    for f in flags:
        if not any(c.get("short") and c.get("flag", {}).get("id") == f for c in data["criteria"]):
            problems.append(f"red flag {f}: no short-version criterion raises it")
    return problems


def _build(data: Mapping[str, Any]) -> Rubric:
    weights = {k: v["points"] for k, v in data["weights"].items()}
    criteria = tuple(
        Criterion(
            id=c["id"], index=i, theme=c["theme"], question=c["question"],
            levels=tuple(c["levels"][str(k)] for k in range(4)),
            weight=c["weight"], points=weights[c["weight"]], stages=tuple(c["stages"]),
            short=bool(c.get("short", False)), gate=c.get("gate"),
            flag=c["flag"]["id"] if "flag" in c else None,
            flag_at_or_below=c["flag"]["at_or_below"] if "flag" in c else None,
            not_applicable_if=c.get("not_applicable_if"), sources=tuple(c["sources"]),
            source_note=c.get("source_note"), explained_in=c["explained_in"],
            action=c["next_step"]["action"], who=c["next_step"]["who"],
        )
        for i, c in enumerate(data["criteria"])
    )
    return Rubric(id=data["id"], version=data["version"], data=data, criteria=criteria)


@functools.lru_cache(maxsize=None)
def load_rubric(version: str | None = None) -> Rubric:
    """Load and validate the engagement-plan rubric (the newest version by default).

    Raises ``KeyError`` naming the known versions if ``version`` is unknown. Old *assessment
    files* do not need old rubrics: ``load_assessment`` migrates them to the current version.
    """
    version = CURRENT_VERSION if version is None else str(version)
    if version not in RUBRIC_FILES:
        raise KeyError(f"unknown rubric version {version!r}; this toolkit has: {', '.join(RUBRIC_FILES)}")
    with open(RUBRIC_FILES[version], encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    problems = check_rubric(data)
    if problems:
        raise RubricError("invalid rubric file:\n  " + "\n  ".join(problems))
    return _build(data)


# --------------------------------------------------------------------------- results


@dataclass(slots=True)
class Tally:
    """Integer sums for a theme or the whole plan, with the derived percentages (SCORING.md step 3)."""

    earned: int
    answered_max: int
    unanswered_max: int
    answered: int
    not_applicable: int
    unanswered: int

    @property
    def applicable_max(self) -> int:
        return self.answered_max + self.unanswered_max

    @property
    def percent(self) -> float | None:
        return round_percent(self.earned, self.answered_max)

    @property
    def low_percent(self) -> float | None:
        return round_percent(self.earned, self.applicable_max)

    @property
    def high_percent(self) -> float | None:
        return round_percent(self.earned + self.unanswered_max, self.applicable_max)

    def to_dict(self) -> dict:
        earned, answered_max, unanswered_max = self.earned, self.answered_max, self.unanswered_max
        applicable = answered_max + unanswered_max
        return {
            "earned": earned, "answered_max": answered_max, "unanswered_max": unanswered_max,
            "applicable_max": applicable, "percent": round_percent(earned, answered_max),
            "low_percent": round_percent(earned, applicable),
            "high_percent": round_percent(earned + unanswered_max, applicable),
            "answered": self.answered, "not_applicable": self.not_applicable, "unanswered": self.unanswered,
        }


class FlagResult(NamedTuple):
    """A red flag and the criteria behind it: the answers that raised it, or those left unanswered."""

    flag: str
    criteria: tuple[str, ...]


class BandLimit(NamedTuple):
    """What holds the band where it is (SCORING.md step 6): ``kind`` is "iap2", "score" or "red-flag"."""

    kind: str
    id: str


class Contribution(NamedTuple):
    """What one criterion in scope adds to the score (SCORING.md step 2)."""

    criterion: str
    theme: str
    weight_points: int
    status: str
    level: int | None
    points: int
    max_points: int
    gate: str | None
    flag: str | None
    flag_raised: bool


class Action(NamedTuple):
    """One prioritised next step (SCORING.md step 8); ``kind`` is one of ``ACTION_KINDS``."""

    kind: str
    criterion: str
    theme: str
    level: int | None
    target_level: int | None
    gain: int | None


# Action kinds, in priority order (SCORING.md step 8).
ACTION_KINDS = ("red-flag", "unanswered-guardrail", "next-level-gate", "improve", "unanswered")
ANSWERED, NOT_APPLICABLE_STATUS, UNANSWERED = "answered", "not-applicable", "unanswered"
#: The answer levels a criterion's precomputed outcomes cover; any other value is worked out
#: on the spot by the same function, so the result does not depend on the shortcut.
STANDARD_LEVELS = (None, NOT_APPLICABLE, 0, 1, 2, 3)
# Bounds that let an action's sort key be one integer: points still missing stay below
# _MISSING_SPAN, and a rubric has fewer than _LATER_STAGE criteria (checked when the tables are built).
_MISSING_SPAN = 10_000
_LATER_STAGE = 10_000
_STANDARD_TYPES = frozenset({int, str, type(None)})


# --------------------------------------------------------------------------- precomputed tables
# What a criterion contributes depends only on its own answer; the action it asks for, and that
# action's place in the list, also depend on whether the criterion gates the plan's next IAP2
# level and whether it belongs to the plan's lifecycle stage. All of these are worked out once per
# rubric for every standard answer, with their JSON form, so scoring a plan is mostly lookups.


class _ActionEntry(NamedTuple):
    #: The order of SCORING.md step 8 as one integer: kind, then larger gaps first, then criteria
    #: of the plan's lifecycle stage, then rubric order. Unique within a plan.
    sort_key: int
    action: Action
    as_dict: dict  # the JSON form, with "rank" to fill in


def _variant(at_next_gate: bool, in_plan_stage: bool) -> int:
    """Index in ``_Outcome.actions`` of the action for one situation of the criterion."""
    return 2 * at_next_gate + (not in_plan_stage)


@dataclass(frozen=True, slots=True, eq=False)
class _Outcome:
    contribution: Contribution
    as_dict: dict
    #: The action asked for (or None) in each situation, indexed by ``_variant(...)``.
    actions: tuple[_ActionEntry | None, ...]


class _ThemeSlice(NamedTuple):
    theme: str
    start: int  # criteria are stored theme by theme: this theme is positions start..end-1
    end: int
    points: tuple[int, ...]
    full_max: int


class _FlagCheck(NamedTuple):
    position: int
    criterion: str
    flag: str
    at_or_below: int
    cap: int  # index in BAND_ORDER


class _GateLevel(NamedTuple):
    level: int  # index in IAP2_ORDER
    positions: tuple[int, ...]  # positions of the criteria that gate it


@dataclass(frozen=True, slots=True)
class _ScopeTable:
    ids: tuple[str, ...]
    criteria: tuple[Criterion, ...]
    #: Per criterion, in rubric order: standard answer level -> _Outcome.
    outcomes: tuple[dict[Any, _Outcome], ...]
    #: Indexed by the plan's next IAP2 level: lifecycle stage -> the ``_variant`` of each criterion.
    variants: tuple[dict[str, tuple[int, ...]], ...]
    #: Indexed by the plan's next IAP2 level: the variants for a stage that is none of the rubric's.
    variants_other_stage: tuple[tuple[int, ...], ...]
    themes: tuple[_ThemeSlice, ...]
    flags: tuple[_FlagCheck, ...]
    gates_by_level: tuple[_GateLevel, ...]
    full_max: int

    def action_variants(self, next_level: int, stage: Any) -> tuple[int, ...]:
        try:
            found = self.variants[next_level].get(stage)
        except TypeError:  # an unhashable stage (unvalidated input) is no criterion's stage
            found = None
        return self.variants_other_stage[next_level] if found is None else found


def _contribution(c: Criterion, level: Any) -> Contribution:
    """SCORING.md step 2 for one criterion and one answer level."""
    pts = c.points
    if level is None:
        return Contribution(c.id, c.theme, pts, UNANSWERED, None, 0, 0, c.gate, c.flag, False)
    if level == NOT_APPLICABLE:
        return Contribution(c.id, c.theme, pts, NOT_APPLICABLE_STATUS, None, 0, 0, c.gate, c.flag, False)
    flag_max = -1 if c.flag_at_or_below is None else c.flag_at_or_below
    return Contribution(c.id, c.theme, pts, ANSWERED, level, pts * level, 3 * pts, c.gate, c.flag,
                        bool(c.flag) and level <= flag_max)


def _action_entry(c: Criterion, contribution: Contribution, at_next_gate: bool,
                  in_plan_stage: bool) -> _ActionEntry | None:
    """SCORING.md step 8 for one criterion: the action it asks for, or None if it asks for none."""
    status, level, pts = contribution.status, contribution.level, contribution.weight_points
    if status == NOT_APPLICABLE_STATUS or (status == ANSWERED and level >= MAX_LEVEL):
        return None
    if contribution.flag_raised:
        priority, target = 0, max(level + 1, GATE_LEVEL)
    elif status == UNANSWERED and c.flag:
        priority, target = 1, None
    elif at_next_gate and (status == UNANSWERED or level < GATE_LEVEL):
        priority, target = 2, None if status == UNANSWERED else GATE_LEVEL
    elif status == ANSWERED:
        priority, target = 3, level + 1
    else:
        priority, target = 4, None
    gain = None if target is None else pts * (target - level)
    missing = pts * (MAX_LEVEL - (level or 0))
    if not 0 <= missing < _MISSING_SPAN:
        raise RubricError(f"criterion {c.id}: weight points out of the range the scorer supports")
    action = Action(ACTION_KINDS[priority], c.id, c.theme, level, target, gain)
    as_dict = {"rank": None, "criterion": c.id, "kind": action.kind, "theme": c.theme, "level": level,
               "target_level": target, "gain": gain, "action": c.action, "who": c.who, "explained_in": c.explained_in}
    gap_rank = priority * _MISSING_SPAN + (_MISSING_SPAN - 1 - missing)
    sort_key = (2 * gap_rank + (not in_plan_stage)) * _LATER_STAGE + c.index
    return _ActionEntry(sort_key, action, as_dict)


def _outcome(c: Criterion, level: Any) -> _Outcome:
    contribution = _contribution(c, level)
    actions = [None] * 4
    for at_gate in (False, True):
        for in_stage in (False, True):
            actions[_variant(at_gate, in_stage)] = _action_entry(c, contribution, at_gate, in_stage)
    return _Outcome(contribution, contribution._asdict(), tuple(actions))


def _scope_table(rubric: Rubric, scope: str) -> _ScopeTable:
    crit = rubric.in_scope(scope)
    if len(rubric.criteria) >= _LATER_STAGE:
        raise RubricError(f"the scorer supports fewer than {_LATER_STAGE} criteria")
    caps = rubric._flag_caps
    gate_levels = [IAP2_ORDER.index(c.gate) if c.gate else 0 for c in crit]
    themes = []
    for t in rubric._theme_order:
        pos = [i for i, c in enumerate(crit) if c.theme == t]
        start, end = (pos[0], pos[-1] + 1) if pos else (0, 0)
        pts = tuple(c.points for c in crit[start:end])
        themes.append(_ThemeSlice(t, start, end, pts, 3 * sum(pts)))
    next_levels = range(len(IAP2_ORDER) + 1)  # the plan's IAP2 index + 1; index 0 is never used
    return _ScopeTable(
        ids=tuple(c.id for c in crit),
        criteria=crit,
        outcomes=tuple({lv: _outcome(c, lv) for lv in STANDARD_LEVELS} for c in crit),
        variants=tuple({stage: tuple(_variant(g == nxt, stage in c.stages) for c, g in zip(crit, gate_levels))
                        for stage in rubric.stage_ids} for nxt in next_levels),
        variants_other_stage=tuple(tuple(_variant(g == nxt, False) for g in gate_levels) for nxt in next_levels),
        themes=tuple(themes),
        flags=tuple(_FlagCheck(i, c.id, c.flag, c.flag_at_or_below, caps[c.flag])
                    for i, c in enumerate(crit) if c.flag),
        gates_by_level=tuple(_GateLevel(k, tuple(i for i, g in enumerate(gate_levels) if g == k))
                             for k in range(1, len(IAP2_ORDER))),
        full_max=sum(3 * c.points for c in crit),
    )


_ACTIONS_OF = attrgetter("actions")
_SORT_KEY = itemgetter(0)  # _ActionEntry.sort_key
_AS_DICT = attrgetter("as_dict")


# --------------------------------------------------------------------------- the score


@dataclass(slots=True, eq=False, repr=False)
class Score:
    """The result of scoring one assessment. ``to_dict()`` is the documented, JSON-ready form.

    The summary (band, IAP2 level, tallies, red flags, completeness) is computed by
    ``score_plan``; the per-criterion ``contributions`` and the prioritised ``actions`` are derived
    from the same answers on first use, so every number traces to the answers that produced it.
    Band and IAP2 levels are indexes in ``BAND_ORDER`` and ``IAP2_ORDER``.
    """

    rubric: Rubric
    scope: str
    plan: dict
    levels: tuple  # answer level of each criterion in scope, in rubric order
    overall: Tally
    themes: tuple[tuple[str, Tally], ...]  # (theme id, its tally), in rubric order
    iap2: int
    iap2_high: int  # the IAP2 level if every unanswered gate were met
    band: int | None
    band_low: int | None
    band_high: int | None
    band_limits: tuple[BandLimit, ...]
    red_flags: tuple[FlagResult, ...]
    unconfirmed_flags: tuple[FlagResult, ...]
    confidence: str
    _outcomes: list | None = field(default=None, init=False)
    _actions: list | None = field(default=None, init=False)

    # -- convenient views
    @property
    def rubric_id(self) -> str:
        return self.rubric.id

    @property
    def rubric_version(self) -> str:
        return self.rubric.version

    @property
    def band_id(self) -> str | None:
        return None if self.band is None else BAND_ORDER[self.band]

    @property
    def iap2_level(self) -> str:
        return IAP2_ORDER[self.iap2]

    @property
    def flag_ids(self) -> list[str]:
        return [f.flag for f in self.red_flags]

    def theme(self, theme_id: str) -> Tally:
        return dict(self.themes)[theme_id]

    @property
    def iap2_blocked_by(self) -> tuple[str, ...]:
        """Gate criteria of the next IAP2 level that are not yet met (answered at 2 or more)."""
        nxt = self.iap2 + 1
        if nxt >= len(IAP2_ORDER):
            return ()
        table = self.rubric._scopes[self.scope]
        levels = self.levels
        return tuple(table.ids[pos] for pos in table.gates_by_level[nxt - 1].positions
                     if not (type(levels[pos]) is int and levels[pos] >= GATE_LEVEL))

    def _details(self) -> tuple[list[_Outcome], list[_ActionEntry]]:
        """Each criterion's outcome, in rubric order, and the actions, in priority order."""
        if self._outcomes is None:
            table = self.rubric._scopes[self.scope]
            levels = self.levels
            outcomes = None
            if _STANDARD_TYPES.issuperset(map(type, levels)):  # bool and float levels have no shortcut
                try:
                    outcomes = list(map(dict.__getitem__, table.outcomes, levels))
                except KeyError:  # an int outside 0-3 or a string other than "n/a"
                    pass
            if outcomes is None:  # levels other than the standard ones: worked out on the spot
                outcomes = [_outcome(c, lv) for c, lv in zip(table.criteria, levels)]
            variants = table.action_variants(self.iap2 + 1, self.plan.get("lifecycle_stage"))
            actions = list(filter(None, map(getitem, map(_ACTIONS_OF, outcomes), variants)))
            actions.sort(key=_SORT_KEY)  # an int key sorts several times faster than the records
            self._outcomes, self._actions = outcomes, actions
        return self._outcomes, self._actions

    @property
    def contributions(self) -> tuple[Contribution, ...]:
        """One row per criterion in scope, in rubric order (SCORING.md step 2)."""
        return tuple(o.contribution for o in self._details()[0])

    @property
    def actions(self) -> tuple[Action, ...]:
        """Prioritised actions, most urgent first (SCORING.md step 8)."""
        return tuple(e.action for e in self._details()[1])

    def to_dict(self) -> dict:
        """Plain JSON types only; the keys and their meaning are specified in SCORING.md."""
        rubric = self.rubric
        flags = rubric.red_flags
        overall = self.overall
        n_in_scope = len(self.levels)
        outcomes, actions = self._details()
        action_dicts = list(map(dict.copy, map(_AS_DICT, actions)))
        for rank, action in enumerate(action_dicts, start=1):
            action["rank"] = rank  # the first key of each template, so it keeps its place
        return {
            "rubric": {"id": rubric.id, "version": rubric.version},
            "scope": self.scope,
            "plan": dict(self.plan),
            "band": {
                "id": self.band_id,
                "low": None if self.band_low is None else BAND_ORDER[self.band_low],
                "high": None if self.band_high is None else BAND_ORDER[self.band_high],
                "limited_by": [{"kind": k, "id": v} for k, v in self.band_limits],
            },
            "iap2": {
                "level": IAP2_ORDER[self.iap2],
                "index": self.iap2,
                "high": IAP2_ORDER[self.iap2_high],
                "next_level_blocked_by": list(self.iap2_blocked_by),
            },
            "overall": overall.to_dict(),
            "themes": [{"id": t, "explained_in": f"theme-{t}", **tally.to_dict()} for t, tally in self.themes],
            "red_flags": [
                {"id": f, "cap": flags[f]["cap"], "raised_by": list(ids), "explained_in": flags[f]["explained_in"]}
                for f, ids in self.red_flags
            ],
            "unconfirmed_flags": [
                {"id": f, "cap": flags[f]["cap"], "unanswered": list(ids), "explained_in": flags[f]["explained_in"]}
                for f, ids in self.unconfirmed_flags
            ],
            "completeness": {
                "in_scope": n_in_scope,
                "answered": overall.answered,
                "not_applicable": overall.not_applicable,
                "unanswered": overall.unanswered,
                "percent": round_percent(overall.answered + overall.not_applicable, n_in_scope),
                "confidence": self.confidence,
            },
            "contributions": list(map(dict.copy, map(_AS_DICT, outcomes))),
            "actions": action_dicts,
        }

    def __repr__(self) -> str:
        return (f"Score(band={self.band_id!r}, iap2={self.iap2_level!r}, overall={self.overall.percent}, "
                f"red_flags={self.flag_ids}, confidence={self.confidence!r})")


# --------------------------------------------------------------------------- scoring


def _band_index(iap2: int, earned: int, answered_max: int, thresholds, caps) -> tuple[int, int, int]:
    """Lowest of the IAP2 limit, the score limit and the red-flag caps (SCORING.md step 6)."""
    by_score = 0
    for i, minimum in enumerate(thresholds):
        if 100 * earned >= minimum * answered_max:
            by_score = i
    cap = min(caps) if caps else len(BAND_ORDER) - 1
    return min(iap2, by_score, cap), by_score, cap


def answer_levels(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Map criterion id -> level (int, "n/a" or None) from an ``answers`` mapping."""
    out = {}
    for cid, a in answers.items():
        if type(a) is dict:
            out[cid] = a.get("level")
        elif isinstance(a, Mapping):
            out[cid] = a.get("level")
        else:
            out[cid] = getattr(a, "level", a)
    return out


def _tally(table: _ScopeTable, lvs: list) -> tuple[Tally, tuple[tuple[str, Tally], ...]]:
    """Steps 2-4: integer sums per theme and overall. Each theme is a slice of the criteria; a
    theme whose answers are all levels is summed in C (sum of map)."""
    themes = []
    te = tam = tum = tan = tna = tua = 0
    for theme_id, start, end, pts, full_max in table.themes:
        answers = lvs[start:end]
        if None not in answers and NOT_APPLICABLE not in answers:
            e, am, um, an, na, ua = sum(map(mul, pts, answers)), full_max, 0, end - start, 0, 0
        else:
            e = am = um = na = ua = an = 0
            for p, level in zip(pts, answers):
                if level is None:
                    um += 3 * p
                    ua += 1
                elif level == NOT_APPLICABLE:
                    na += 1
                else:
                    e += p * level
                    am += 3 * p
                    an += 1
        themes.append((theme_id, Tally(e, am, um, an, na, ua)))
        te += e
        tam += am
        tum += um
        tan += an
        tna += na
        tua += ua
    return Tally(te, tam, tum, tan, tna, tua), tuple(themes)


def _check_flags(table: _ScopeTable, lvs: list) -> tuple[dict[str, list[str]], dict[str, list[str]], list[int]]:
    """Red flags raised by an answer at or below the criterion's threshold, flags left unconfirmed
    because the criterion is unanswered, and the caps of those unconfirmed flags."""
    raised: dict[str, list[str]] = {}
    unconfirmed: dict[str, list[str]] = {}
    unconfirmed_caps: list[int] = []
    for pos, cid, flag, flag_max, cap in table.flags:
        level = lvs[pos]
        if level is None:
            if flag in unconfirmed:
                unconfirmed[flag].append(cid)
            else:
                unconfirmed[flag] = [cid]
            unconfirmed_caps.append(cap)
        elif level != NOT_APPLICABLE and level <= flag_max:
            if flag in raised:
                raised[flag].append(cid)
            else:
                raised[flag] = [cid]
    return raised, unconfirmed, unconfirmed_caps


def _iap2_levels(table: _ScopeTable, lvs: list) -> tuple[int, int]:
    """Step 5: the IAP2 level as answered (unanswered gates not met) and with unanswered gates met."""
    iap2 = iap2_high = 0
    point_ok = high_ok = True
    for level_index, positions in table.gates_by_level:
        if not positions:
            break
        for pos in positions:
            level = lvs[pos]
            if level is None:
                point_ok = False
            elif level == NOT_APPLICABLE or level < GATE_LEVEL:
                point_ok = high_ok = False
                break
        if point_ok:
            iap2 = level_index
        if high_ok:
            iap2_high = level_index
        else:
            break
    return iap2, iap2_high


def score_plan(assessment, rubric: Rubric | None = None) -> Score:
    """Score an assessment against the rubric, following ``widgets/rubric/SCORING.md`` exactly.

    ``assessment`` is an ``Assessment`` (from ``load_assessment``, already validated and migrated)
    or a mapping with ``answers`` ({criterion id: {"level": 0-3 | "n/a" | None}}) and optionally
    ``scope``, ``team``, ``product``, ``model_type``, ``lifecycle_stage`` and ``date``.
    Answers to criteria outside the scope are ignored.
    """
    if rubric is None:
        rubric = load_rubric()
    if isinstance(assessment, Mapping):
        from ._assessment import validate_plan  # the file format's answer rules, for a plan given as a dict

        validate_plan(assessment, rubric)
        levels = answer_levels(assessment.get("answers") or {})
        scope = assessment.get("scope") or "full"
        plan = {k: assessment.get(k) for k in ("team", "product", "model_type", "lifecycle_stage", "date")}
    else:
        levels = assessment.levels
        scope = assessment.scope
        plan = assessment.plan_info()
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, not {scope!r}")
    table = rubric._scopes[scope]
    get = levels.get
    lvs = [get(cid) for cid in table.ids]
    overall, themes = _tally(table, lvs)
    raised, unconfirmed, unconfirmed_caps = _check_flags(table, lvs)
    iap2, iap2_high = _iap2_levels(table, lvs)

    # Step 6: band, with its low and high bounds.
    caps_of = rubric._flag_caps
    thresholds = rubric._band_thresholds
    raised_order = sorted(raised, key=rubric._flag_rank.__getitem__) if len(raised) > 1 else list(raised)
    raised_caps = [caps_of[f] for f in raised_order]
    limits: list[BandLimit] = []
    if overall.answered == 0:
        band = None
    else:
        band, by_score, _cap = _band_index(iap2, overall.earned, overall.answered_max, thresholds, raised_caps)
        if iap2 == band:
            limits.append(BandLimit("iap2", IAP2_ORDER[iap2]))
        if by_score == band:
            limits.append(BandLimit("score", BAND_ORDER[by_score]))
        for f in raised_order:
            if caps_of[f] == band:
                limits.append(BandLimit("red-flag", f))
    if overall.answered + overall.unanswered == 0:
        band_low = band_high = None
    else:
        applicable = overall.answered_max + overall.unanswered_max
        band_low = _band_index(iap2, overall.earned, applicable, thresholds, raised_caps + unconfirmed_caps)[0]
        band_high = _band_index(iap2_high, overall.earned + overall.unanswered_max, applicable,
                                thresholds, raised_caps)[0]

    # Step 7: completeness and confidence.
    n = len(lvs)
    done = overall.answered + overall.not_applicable
    if overall.answered == 0:
        confidence = "none"
    elif 10 * done >= 9 * n and band_low == band_high:
        confidence = "high"
    elif 10 * done >= 6 * n:
        confidence = "medium"
    else:
        confidence = "low"

    if unconfirmed:
        unconfirmed_flags = tuple(FlagResult(f, tuple(unconfirmed[f]))
                                  for f in sorted(unconfirmed, key=rubric._flag_rank.__getitem__) if f not in raised)
    else:
        unconfirmed_flags = ()
    # Positional arguments in the order of Score's fields (a third of the cost of keywords).
    return Score(rubric, scope, plan, tuple(lvs), overall, themes,
                 iap2, iap2_high, band, band_low, band_high, tuple(limits),
                 tuple(FlagResult(f, tuple(raised[f])) for f in raised_order), unconfirmed_flags, confidence)
