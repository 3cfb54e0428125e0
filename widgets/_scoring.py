"""Load the engagement-plan rubric and score an assessment against it.

The algorithm is specified step by step in ``widgets/rubric/SCORING.md``; a JavaScript port runs
the same steps and a parity test compares ``Score.to_dict()`` on shared fixtures. Everything here
is integer arithmetic until the final rounding, so both languages agree to the last digit. Every
calibrated number (ladder, thresholds, caps) is read from the rubric file, never written here.
The book chapter "The rubric" (``book/selfassessment/01-rubric.md``) explains the method.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import yaml

RUBRIC_DIR = Path(__file__).resolve().parent / "rubric"
RUBRIC_ID = "engagement-plan"
#: Rubric versions this toolkit can read, oldest first. Only the newest is scored; older ones are
#: kept, frozen, so that ``widgets._assessment`` can migrate saved files forward.
RUBRIC_FILES = {"1.0": RUBRIC_DIR / "engagement-plan-1.0.yaml", "2.0": RUBRIC_DIR / "engagement-plan.yaml"}
RUBRIC_SCHEMAS = {"1.0": "rubric-1.0.schema.json", "2.0": "rubric.schema.json"}
CURRENT_VERSION = "2.0"

NOT_APPLICABLE = "n/a"
SCOPES = ("full", "short")
IAP2_ORDER = ("none", "inform", "consult", "involve", "collaborate", "empower")
BAND_ORDER = ("non-participation", "tokenism", "consultation", "involvement", "collaboration", "community-led")
LADDER_STEPS = IAP2_ORDER[1:]
MAX_LEVEL = 3
#: Plan context and its defaults (ASSESSMENT-FORMAT.md).
CONTEXT_DEFAULTS = {"process": "product-lifecycle", "convener": "company", "participants": "people-take-part"}
INFORM_ONLY = "inform-only"
#: The context limit of a plan whose declared groups give affected people no say (`band_rules.voice_roles`).
NO_VOICE = "no-voice"
#: Statuses of a criterion (or of one group's answer).
ANSWERED, NOT_APPLICABLE_STATUS, UNANSWERED = "answered", "not-applicable", "unanswered"
#: Why a criterion is not applicable: the team said so, the plan has no participants, the process
#: kind has no such step, or no declared group has a role the question is asked of.
NA_REASONS = ("answered-n/a", "no-participants", "process", "no-group")
# Action kinds, in priority order (SCORING.md step 9).
ACTION_KINDS = ("red-flag", "unanswered-guardrail", "next-level-gate", "improve", "unanswered")


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
    """One rubric question, as read from the YAML file.

    ``raises`` maps an answer level to the red flags a descriptor at that level raises; ``step``
    is the ladder step the criterion belongs to (SCORING.md step 4), or ``None``.
    """

    id: str
    index: int
    theme: str
    question: str
    levels: tuple[str, str, str, str]
    weight: str
    points: int
    stages: tuple[str, ...]
    short: bool
    raises: Mapping[int, tuple[str, ...]]
    needs_participants: bool
    processes: tuple[str, ...] | None
    per_group: bool
    group_roles: tuple[str, ...]
    group_rule: str
    not_applicable_if: str | None
    sources: tuple[str, ...]
    source_note: str | None
    explained_in: str
    action: str
    who: str
    step: str | None = None
    #: ``band_rules.cap_at_most``: the highest level at which an answer shows the safeguard missing.
    cap_at_most: int = 0
    #: ``band_rules.members_govern_own_body``, for a per-group criterion raising one of its flags:
    #: (conveners, roles, flags), else ``None``.
    own_body: tuple[frozenset, frozenset, frozenset] | None = None

    @property
    def flags(self) -> tuple[str, ...]:
        """Every red flag some level of this criterion raises, in order of first appearance."""
        out: list[str] = []
        for level in sorted(self.raises):
            out.extend(f for f in self.raises[level] if f not in out)
        return tuple(out)

    @property
    def flag(self) -> str | None:
        """The first red flag this criterion can raise (``None`` if it raises none)."""
        return self.flags[0] if self.raises else None

    @property
    def flag_at_or_below(self) -> int | None:
        """The highest answer level that raises a flag (``None`` if it raises none)."""
        return max(self.raises) if self.raises else None

    def flags_at(self, level) -> tuple[str, ...]:
        """The red flags an answer at ``level`` raises (none for n/a or unanswered)."""
        if type(level) is not int:
            return ()
        return self.raises.get(level, ())


@dataclass(frozen=True)
class Rubric:
    """The engagement-plan rubric: themes, criteria, red flags, bands, IAP2 levels and band rules.

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

    @functools.cached_property
    def roles(self) -> dict[str, dict]:
        return {r["id"]: r for r in self.data.get("group_roles", [])}

    @functools.cached_property
    def context_options(self) -> dict[str, tuple[str, ...]]:
        return {q["id"]: tuple(o["id"] for o in q["options"]) for q in self.data.get("context", [])}

    @functools.cached_property
    def rules(self) -> Mapping[str, Any]:
        return self.data.get("band_rules", {})

    @functools.cached_property
    def ladder(self) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
        """(step, rule, criterion ids) for each ladder step, in ladder order."""
        return tuple((s["step"], s["rule"], tuple(s["criteria"])) for s in self.rules.get("ladder", []))

    def in_scope(self, scope: str = "full") -> tuple[Criterion, ...]:
        """Criteria of the full version, or of the short version (``short: true``), in rubric order."""
        if scope == "short":
            return tuple(c for c in self.criteria if c.short)
        return self.criteria

    @functools.cached_property
    def _flag_caps(self) -> dict[str, int]:
        return {f["id"]: BAND_ORDER.index(f["cap"]) for f in self.data["red_flags"]}

    @functools.cached_property
    def _flag_caps_hard(self) -> frozenset[str]:
        """The flags whose effect is to cap the band (the others lower it by ``flag_drop``)."""
        return frozenset(f["id"] for f in self.data["red_flags"] if f.get("effect", "cap") == "cap")

    @functools.cached_property
    def _flag_cap_at_most(self) -> dict[str, int]:
        """The highest answer level at which each flag caps (its own ``cap_at_most``, else the rule's)."""
        default = self.rules.get("cap_at_most", 0)
        return {f["id"]: f.get("cap_at_most", default) for f in self.data["red_flags"]}

    @functools.cached_property
    def _heard_floor_criteria(self) -> frozenset[str]:
        """The criteria `band_rules.heard_floor` reads (empty without the rule)."""
        return frozenset(self.rules.get("heard_floor", {}).get("criteria", ()))

    @functools.cached_property
    def _voice_roles(self) -> frozenset[str]:
        """`band_rules.voice_roles`: the roles through which affected people have a say (empty: no rule)."""
        return frozenset(self.rules.get("voice_roles", ()))

    def no_voice(self, groups, rows) -> bool:
        """Whether `band_rules.voice_roles` holds the plan at the ladder's first step: it declares groups
        and none of them has a role through which affected people have a say, unless
        (`band_rules.fair_work_is_voice`) it declares workers and no answer outside the ladder raises a
        flag: a workforce treated fairly has a say in its own work (SCORING.md step 4)."""
        voice = self._voice_roles
        if not voice or not groups or any(g.role in voice for g in groups):
            return False
        return not (self.rules.get("fair_work_is_voice") and any(g.role == "workers" for g in groups)
                    and not any(r.raises for r in rows if r.criterion.step is None))

    @functools.cached_property
    def _power_roles(self) -> frozenset[str]:
        return frozenset(rid for rid, r in self.roles.items() if r["holds_power"])

    @functools.cached_property
    def _profile_floor(self) -> int:
        return BAND_ORDER.index(self.rules["profile_floor"])

    @functools.cached_property
    def _band_iap2(self) -> tuple[int, ...]:
        """The IAP2 index each band stands for (``bands[].iap2``), by band index."""
        return tuple(IAP2_ORDER.index(self.bands[b]["iap2"]) for b in BAND_ORDER)

    @functools.cached_property
    def _flag_rank(self) -> dict[str, int]:
        return {f["id"]: i for i, f in enumerate(self.data["red_flags"])}


def _read_schema(name: str) -> dict:
    with open(RUBRIC_DIR / name, encoding="utf-8") as fh:
        return json.load(fh)


def check_rubric(data: Mapping[str, Any]) -> list[str]:
    """Return every problem in a rubric document: schema errors, then cross-reference errors."""
    import jsonschema

    version = str(data.get("version", "")) if isinstance(data, Mapping) else ""
    schema = RUBRIC_SCHEMAS["1.0" if version == "1.0" else "2.0"]
    problems = [
        f"{'/'.join(str(p) for p in err.absolute_path) or '(top level)'}: {err.message}"
        for err in jsonschema.Draft202012Validator(_read_schema(schema)).iter_errors(data)
    ]
    if problems:
        return problems
    if version == "1.0":
        return _check_rubric_1_0(data)
    themes = [t["id"] for t in data["themes"]]
    flags = [f["id"] for f in data["red_flags"]]
    roles = [r["id"] for r in data["group_roles"]]
    stages = {s["id"] for s in data["lifecycle_stages"]}
    ids = [c["id"] for c in data["criteria"]]
    for kind, seq in (("theme", themes), ("red flag", flags), ("criterion", ids), ("group role", roles)):
        dupes = sorted({x for x in seq if seq.count(x) > 1})
        if dupes:
            problems.append(f"duplicate {kind} ids: {', '.join(dupes)}")
    problems.extend(_check_scales(data))
    contexts = {q["id"]: [o["id"] for o in q["options"]] for q in data["context"]}
    if set(contexts) != set(CONTEXT_DEFAULTS):
        problems.append(f"context questions must be: {', '.join(CONTEXT_DEFAULTS)}")
    for key, default in CONTEXT_DEFAULTS.items():
        if default not in contexts.get(key, [default]):
            problems.append(f"context {key}: the default {default!r} must be an option")
    if INFORM_ONLY not in contexts.get("participants", [INFORM_ONLY]):
        problems.append(f"context participants: must offer {INFORM_ONLY!r}")
    rules = data["band_rules"]
    if [s["step"] for s in rules["ladder"]] != list(LADDER_STEPS):
        problems.append(f"band_rules.ladder steps must be, in order: {', '.join(LADDER_STEPS)}")
    in_ladder = [cid for s in rules["ladder"] for cid in s["criteria"]]
    for cid in sorted({x for x in in_ladder if in_ladder.count(x) > 1}):
        problems.append(f"criterion {cid}: in more than one ladder step (one answer must move at most one step)")
    for cid in in_ladder:
        if cid not in ids:
            problems.append(f"band_rules.ladder: unknown criterion {cid!r}")
    for cid in rules.get("heard_floor", {}).get("criteria", []):
        if cid not in ids:
            problems.append(f"band_rules.heard_floor: unknown criterion {cid!r}")
    for rid in rules.get("voice_roles", []):
        if rid not in roles:
            problems.append(f"band_rules.voice_roles: unknown group role {rid!r}")
    for f in rules.get("power_holders_lower_only", []):
        if f not in flags:
            problems.append(f"band_rules.power_holders_lower_only: unknown red flag {f!r}")
    own = rules.get("members_govern_own_body")
    if own:
        conveners = {o["id"] for q in data["context"] if q["id"] == "convener" for o in q["options"]}
        for key, known, what in (("conveners", conveners, "convener option"), ("roles", roles, "group role"),
                                 ("flags", flags, "red flag")):
            for x in own[key]:
                if x not in known:
                    problems.append(f"band_rules.members_govern_own_body.{key}: unknown {what} {x!r}")
    by_id = {c["id"]: c for c in data["criteria"]}
    for cid in in_ladder:
        c = by_id.get(cid)
        if c and "not_applicable_if" in c:
            problems.append(f"criterion {cid}: a ladder criterion cannot be answered n/a")
    raised = set()
    for c in data["criteria"]:
        where = f"criterion {c['id']}"
        if c["theme"] not in themes:
            problems.append(f"{where}: unknown theme {c['theme']!r}")
        for s in c["stages"]:
            if s not in stages:
                problems.append(f"{where}: unknown lifecycle stage {s!r}")
        raises = c.get("raises", {})
        previous = None
        for level in ("2", "1", "0"):
            here = set(raises.get(level, []))
            for f in here:
                if f not in flags:
                    problems.append(f"{where}: unknown red flag {f!r}")
            raised |= here
            if previous is not None and not previous <= here:
                problems.append(f"{where}: a flag raised at a level must also be raised at every lower level")
            previous = here
        per_group = c.get("per_group", False)
        if per_group != ("group_roles" in c) or per_group != ("group_rule" in c):
            problems.append(f"{where}: per_group, group_roles and group_rule go together")
        for r in c.get("group_roles", []):
            if r not in roles:
                problems.append(f"{where}: unknown group role {r!r}")
    for f in flags:
        if f not in raised:
            problems.append(f"red flag {f}: no level descriptor raises it")
    order = [themes.index(c["theme"]) for c in data["criteria"] if c["theme"] in themes]
    if order != sorted(order):
        problems.append("criteria must be listed theme by theme, in the order of `themes`")
    short_themes = {c["theme"] for c in data["criteria"] if c.get("short")}
    for t in themes:
        if t not in short_themes:
            problems.append(f"theme {t}: has no criterion in the short version")
    for t in data["themes"]:
        if t["explained_in"] != f"theme-{t['id']}":
            problems.append(f"theme {t['id']}: explained_in must be theme-{t['id']}")
    return problems


def _check_scales(data: Mapping[str, Any]) -> list[str]:
    problems = []
    if [b["id"] for b in sorted(data["bands"], key=lambda b: b["index"])] != list(BAND_ORDER):
        problems.append(f"bands must be, in index order: {', '.join(BAND_ORDER)}")
    if [b["iap2"] for b in sorted(data["bands"], key=lambda b: b["index"])] != list(IAP2_ORDER):
        problems.append("band i must correspond to IAP2 level i")
    if [lv["id"] for lv in sorted(data["iap2_levels"], key=lambda x: x["index"])] != list(IAP2_ORDER):
        problems.append(f"iap2_levels must be, in index order: {', '.join(IAP2_ORDER)}")
    return problems


def _check_rubric_1_0(data: Mapping[str, Any]) -> list[str]:
    """The cross-references of the frozen rubric 1.0 (read only to migrate saved files)."""
    problems = _check_scales(data)
    flags = {f["id"] for f in data["red_flags"]}
    themes = {t["id"] for t in data["themes"]}
    for c in data["criteria"]:
        if c["theme"] not in themes:
            problems.append(f"criterion {c['id']}: unknown theme {c['theme']!r}")
        if "flag" in c and c["flag"]["id"] not in flags:
            problems.append(f"criterion {c['id']}: unknown red flag {c['flag']['id']!r}")
    ids = [c["id"] for c in data["criteria"]]
    if len(set(ids)) != len(ids):
        problems.append("duplicate criterion ids")
    return problems


def _build(data: Mapping[str, Any]) -> Rubric:
    weights = {k: v["points"] for k, v in data["weights"].items()}
    steps = {cid: s["step"] for s in data.get("band_rules", {}).get("ladder", []) for cid in s["criteria"]}
    own = data.get("band_rules", {}).get("members_govern_own_body")
    own_body = (frozenset(own["conveners"]), frozenset(own["roles"]), frozenset(own["flags"])) if own else None
    criteria = []
    for i, c in enumerate(data["criteria"]):
        if "flag" in c:  # rubric 1.0: one flag at or below a level
            raises = {lv: (c["flag"]["id"],) for lv in range(c["flag"]["at_or_below"] + 1)}
        else:
            raises = {int(k): tuple(v) for k, v in c.get("raises", {}).items()}
        criteria.append(Criterion(
            id=c["id"], index=i, theme=c["theme"], question=c["question"],
            levels=tuple(c["levels"][str(k)] for k in range(4)),
            weight=c["weight"], points=weights[c["weight"]], stages=tuple(c["stages"]),
            short=bool(c.get("short", False)), raises=raises,
            needs_participants=bool(c.get("needs_participants", False)),
            processes=tuple(c["processes"]) if "processes" in c else None,
            per_group=bool(c.get("per_group", False)), group_roles=tuple(c.get("group_roles", ())),
            group_rule=c.get("group_rule", "worst"),
            not_applicable_if=c.get("not_applicable_if"), sources=tuple(c["sources"]),
            source_note=c.get("source_note"), explained_in=c["explained_in"],
            action=c["next_step"]["action"], who=c["next_step"]["who"], step=steps.get(c["id"]),
            cap_at_most=data.get("band_rules", {}).get("cap_at_most", 0),
            own_body=own_body if own_body and c.get("per_group") and any(
                f in own_body[2] for fs in raises.values() for f in fs) else None,
        ))
    return Rubric(id=data["id"], version=data["version"], data=data, criteria=tuple(criteria))


@functools.lru_cache(maxsize=None)
def load_rubric(version: str | None = None) -> Rubric:
    """Load and validate the engagement-plan rubric (the newest version by default).

    Raises ``KeyError`` naming the known versions if ``version`` is unknown. Old *assessment
    files* do not need old rubrics to be scored: ``load_assessment`` migrates them to the current
    version; the frozen 1.0 rubric is loadable for that migration and for reference.
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

    def add(self, status: str, points: int, weight: int) -> None:
        if status == ANSWERED:
            self.earned += points
            self.answered_max += 3 * weight
            self.answered += 1
        elif status == UNANSWERED:
            self.unanswered_max += 3 * weight
            self.unanswered += 1
        else:
            self.not_applicable += 1

    def to_dict(self) -> dict:
        return {
            "earned": self.earned, "answered_max": self.answered_max, "unanswered_max": self.unanswered_max,
            "applicable_max": self.applicable_max, "percent": self.percent, "low_percent": self.low_percent,
            "high_percent": self.high_percent, "answered": self.answered, "not_applicable": self.not_applicable,
            "unanswered": self.unanswered,
        }


class FlagResult(NamedTuple):
    """A red flag and the criteria behind it: the answers that raised it, or those left unanswered.
    ``groups`` names the groups it was raised for (empty when raised for the plan as a whole)."""

    flag: str
    criteria: tuple[str, ...]
    groups: tuple[str, ...] = ()


class BandLimit(NamedTuple):
    """What holds the band where it is (SCORING.md step 6): ``kind`` is "ladder", "context",
    "profile" or "red-flag"."""

    kind: str
    id: str


class Contribution(NamedTuple):
    """What one criterion in scope adds to the score (SCORING.md step 2)."""

    criterion: str
    theme: str
    weight_points: int
    status: str
    reason: str | None
    level: int | None
    points: int
    max_points: int
    step: str | None
    in_profile: bool
    flags: tuple[str, ...]
    groups: tuple[dict, ...]


class Action(NamedTuple):
    """One prioritised next step (SCORING.md step 9); ``kind`` is one of ``ACTION_KINDS``."""

    kind: str
    criterion: str
    theme: str
    level: int | None
    target_level: int | None
    gain: int | None
    group: str | None = None


class Group(NamedTuple):
    """A participant group declared by an assessment."""

    id: str
    label: str
    role: str


class _Row(NamedTuple):
    """One criterion's state in a plan (SCORING.md steps 1-2)."""

    criterion: Criterion
    status: str
    reason: str | None
    level: Any  # the effective level: an int when answered
    groups: tuple[tuple[str, str, Any], ...]  # (group id, status, level) for per-group questions
    raises: tuple[tuple[str, str | None, int], ...]  # (flag, group id or None, level)
    #: (group id or None, flags not raised) for each partial level-1 answer of the row (`partly_met`)
    partly: tuple[tuple[str | None, tuple[str, ...]], ...] = ()


class _Eval(NamedTuple):
    """Everything the band needs, for one set of answers (SCORING.md steps 1-7)."""

    rows: tuple[_Row, ...]
    overall: Tally
    themes: tuple[tuple[str, Tally], ...]
    profile: Tally
    steps_met: tuple[str, ...]
    iap2: int
    ladder_band: int
    profile_drop: int
    pre_band: int
    flag_limits: dict  # flag -> (limit band index, raised for a power-holding group?)
    raised: dict  # flag -> list of (criterion id, group id or None, level)
    band: int | None


# --------------------------------------------------------------------------- scoring


def _status(level) -> str:
    if level is None:
        return UNANSWERED
    if level == NOT_APPLICABLE and type(level) is str:
        return NOT_APPLICABLE_STATUS
    return ANSWERED


def _row(c: Criterion, context: Mapping, groups: tuple[Group, ...], plain, by_group: Mapping) -> _Row:
    """Step 1 and 2 for one criterion: applicability, per-group answers, effective level, raises."""
    if c.needs_participants and context["participants"] == INFORM_ONLY:
        return _Row(c, NOT_APPLICABLE_STATUS, "no-participants", None, (), ())
    if c.processes is not None and context["process"] not in c.processes:
        return _Row(c, NOT_APPLICABLE_STATUS, "process", None, (), ())
    if c.per_group and groups:
        asked = [g for g in groups if g.role in c.group_roles]
        if not asked:
            return _Row(c, NOT_APPLICABLE_STATUS, "no-group", None, (), ())
        cells = tuple((g.id, _status(lv), lv) for g in asked
                      for lv in [by_group[g.id] if g.id in by_group else plain])
        ints = [lv for _, st, lv in cells if st == ANSWERED]
        if ints:
            level = min(ints) if c.group_rule == "worst" else max(ints)
            # Read from the best-placed group, a question is flagged from that group at any level its
            # descriptors name, and from a group below it only where the safeguard is missing.
            raises = tuple((f, gid, lv) for gid, st, lv in cells
                           if st == ANSWERED and (c.group_rule == "worst" or lv == level or lv <= c.cap_at_most)
                           for f in c.flags_at(lv))
            if c.own_body is not None and raises and context.get("convener") in c.own_body[0]:
                # `band_rules.members_govern_own_body`: members governing the affected people's own
                # body, which convenes the plan, are not raised these flags for that body.
                conveners, roles, spared = c.own_body
                role_of = {g.id: g.role for g in asked}
                raises = tuple(x for x in raises if not (x[0] in spared and role_of[x[1]] in roles))
            return _Row(c, ANSWERED, None, level, cells, raises)
        if all(st == NOT_APPLICABLE_STATUS for _, st, _ in cells):
            return _Row(c, NOT_APPLICABLE_STATUS, "answered-n/a", None, cells, ())
        return _Row(c, UNANSWERED, None, None, cells, ())
    status = _status(plain)
    if status == ANSWERED:
        return _Row(c, ANSWERED, None, plain, (), tuple((f, None, plain) for f in c.flags_at(plain)))
    return _Row(c, status, "answered-n/a" if status == NOT_APPLICABLE_STATUS else None, None, (), ())


def _rows(rubric: Rubric, scope: str, context: Mapping, groups: tuple[Group, ...], plain: Mapping,
          by_group: Mapping, partial: Mapping = MappingProxyType({})) -> tuple[_Row, ...]:
    """Steps 1-2 for every criterion in scope, in rubric order."""
    return tuple(_answer_row(rubric, c, context, groups, plain.get(c.id), by_group.get(c.id, {}), partial)
                 for c in rubric.in_scope(scope))


def _answer_row(rubric: Rubric, c: Criterion, context: Mapping, groups: tuple[Group, ...], plain, cells: Mapping,
                partial: Mapping) -> _Row:
    """``_row``, then the partial level-1 answers of the criterion (``partial``: criterion id -> the
    keys of its answers marked ``partial``, None for the plain level and a group id for a group's own
    answer) spared by ``_spare_partly_met``."""
    row = _row(c, context, groups, plain, cells)
    keys = partial.get(c.id)
    return _spare_partly_met(rubric, row, cells, keys) if keys else row


def _spare_partly_met(rubric: Rubric, row: _Row, cells: Mapping, keys: frozenset) -> _Row:
    """`band_rules.partial_spares_level_one_flags` (SCORING.md step 2): an answer at level 1 marked
    ``partial`` keeps its level, so its points, ladder position and IAP2 effect stay those of level 1,
    but does not raise the flags its question raises at level 1 and not at level 2 (so it can lift a
    workforce's no-voice hold, `fair_work_is_voice`, like any flag not raised). A group takes the
    ``partial`` of its own answer, else that of the plain level (as it takes the level). Every such
    answer is recorded in ``row.partly`` with the flags it did not raise (possibly none)."""
    if row.status != ANSWERED:
        return row
    c = row.criterion

    def is_partial(gid) -> bool:
        return gid in keys if gid is not None and gid in cells else None in keys

    if row.groups:
        found = [gid for gid, st, lv in row.groups if st == ANSWERED and lv == 1 and is_partial(gid)]
    else:
        found = [None] if row.level == 1 and is_partial(None) else []
    if not found:
        return row
    spare = set(c.flags_at(1)) - set(c.flags_at(2)) if rubric.rules.get("partial_spares_level_one_flags") else set()
    marked = set(found)
    partly = tuple((key, tuple(dict.fromkeys(f for f, gid, _ in row.raises if gid == key and f in spare)))
                   for key in found)
    raises = tuple(x for x in row.raises if not (x[0] in spare and x[1] in marked))
    return row._replace(raises=raises, partly=partly)


def _evaluate(rubric: Rubric, scope: str, context: Mapping, groups: tuple[Group, ...],
              plain: Mapping, by_group: Mapping, partial: Mapping = MappingProxyType({})) -> _Eval:
    """Steps 1-7 of SCORING.md for one set of answers."""
    return _judge(rubric, groups, _rows(rubric, scope, context, groups, plain, by_group, partial))


def _judge(rubric: Rubric, groups: tuple[Group, ...], rows: tuple[_Row, ...]) -> _Eval:
    """Steps 3-6 of SCORING.md from the rows of steps 1-2, with every tally."""
    steps_met = _steps_met(rubric, groups, rows)
    rows = _settle(rubric, rows, steps_met)
    overall = Tally(0, 0, 0, 0, 0, 0)
    profile = Tally(0, 0, 0, 0, 0, 0)
    themes: dict[str, Tally] = {}
    for r in rows:
        c = r.criterion
        points = c.points * r.level if r.status == ANSWERED else 0
        overall.add(r.status, points, c.points)
        themes.setdefault(c.theme, Tally(0, 0, 0, 0, 0, 0)).add(r.status, points, c.points)
        if c.step is None:
            profile.add(r.status, points, c.points)
    theme_order = [t["id"] for t in rubric.data["themes"]]
    theme_tallies = tuple((t, themes[t]) for t in theme_order if t in themes)
    power = _power(rubric, groups, rows, steps_met, profile.earned, profile.answered_max, overall.answered)
    return _Eval(rows, overall, theme_tallies, profile, *power)


def _band_only(rubric: Rubric, groups: tuple[Group, ...], rows: tuple[_Row, ...]) -> tuple[int | None, int]:
    """(band, IAP2 index) of steps 3-6 from the rows, without the tallies nobody reads: what the
    bounds and the "what would change" search need."""
    steps_met = _steps_met(rubric, groups, rows)
    rows = _settle(rubric, rows, steps_met)
    profile = Tally(0, 0, 0, 0, 0, 0)
    answered = 0
    for r in rows:
        if r.status == ANSWERED:
            answered += 1
            c = r.criterion
            if c.step is None:
                profile.add(ANSWERED, c.points * r.level, c.points)
    power = _power(rubric, groups, rows, steps_met, profile.earned, profile.answered_max, answered)
    return power[-1], power[1]


def _steps_met(rubric: Rubric, groups: tuple[Group, ...], rows) -> list[str]:
    """Step 4: the ladder steps the plan meets, in ladder order (only ``inform`` when the plan gives
    affected people no say, `band_rules.voice_roles`)."""
    met_at = rubric.rules["met_at"]
    state = {r.criterion.id: r for r in rows if r.criterion.step is not None}
    no_voice = rubric.no_voice(groups, rows)
    steps_met = []
    for step, rule, cids in rubric.ladder:
        if no_voice and step != "inform":
            continue
        present = [state[cid] for cid in cids if cid in state]
        ok = [r.status == ANSWERED and r.level >= met_at for r in present]
        if present and (all(ok) if rule == "all" else any(ok)):
            steps_met.append(step)
    return steps_met


def _settle(rubric: Rubric, rows: tuple[_Row, ...], steps_met: list[str]) -> tuple[_Row, ...]:
    """`band_rules.met_step_clears_falling_short`: a ladder question whose step the plan meets anyway
    (``steps_met``, from the rows before settling: settling changes no level and no raise outside the
    ladder, so the steps met stay the same) raises its flag only where its safeguard is missing (level
    at most `cap_at_most`), not where it falls short. The steps met only grow when answers are raised
    or unanswered ones filled, so rows settled once stay settled in the bounds and the search."""
    if not rubric.rules.get("met_step_clears_falling_short"):
        return rows
    out = []
    for r in rows:
        at_most = r.criterion.cap_at_most
        if r.criterion.step in steps_met and any(lv > at_most for _, _, lv in r.raises):
            r = r._replace(raises=tuple(x for x in r.raises if x[2] <= at_most))
        out.append(r)
    return tuple(out)


def _power(rubric: Rubric, groups: tuple[Group, ...], rows: tuple[_Row, ...], steps_met: list[str],
           profile_earned: int, profile_max: int, answered: int) -> tuple:
    """Steps 4-6: (steps met, IAP2 index, ladder band, profile drop, pre-flag band, flag limits,
    raised flags, band), from the rows and the profile's points."""
    rules = rubric.rules
    met_at = rules["met_at"]
    state = {}
    raised: dict[str, list] = {}
    floor_rule = rules.get("heard_floor")
    floor_ids = rubric._heard_floor_criteria
    heard_rows = []
    for r in rows:
        c = r.criterion
        if c.step is not None:
            state[c.id] = r
        elif c.id in floor_ids:
            heard_rows.append(r)
        if r.raises:
            for f, gid, lv in r.raises:
                if f in raised:
                    raised[f].append((c.id, gid, lv))
                else:
                    raised[f] = [(c.id, gid, lv)]

    # Step 4: the ladder of power (``steps_met``) and the IAP2 level.
    power_steps = len(steps_met) - (1 if "inform" in steps_met else 0)
    ladder_band = 1 + power_steps
    iap2 = ladder_band if power_steps else (1 if "inform" in steps_met else 0)

    # Step 5: the profile.
    drop = 0
    if profile_max >= rules["profile_min_points"] and 100 * profile_earned < rules["profile_low_percent"] * profile_max:
        drop = 1
    floor = rubric._profile_floor
    pre = max(min(ladder_band, floor), ladder_band - drop)

    # Step 6: red flags and the band.
    limits = {}
    if raised:
        power_roles = rubric._power_roles
        plan_has_power_group = any(g.role in power_roles for g in groups)
        group_role = {g.id: g.role for g in groups}
        caps = rubric._flag_caps
        capping = rubric._flag_caps_hard
        cap_at_most = rubric._flag_cap_at_most
        lowered = pre - rules["flag_drop"]
        capped = set()
        spared = rules.get("cap_spared_where_power_has_it")
        lower_only = frozenset(rules.get("power_holders_lower_only", ()))
        if spared:
            row_of = {r.criterion.id: r for r in rows}
            # The groups the band follows: the power-holding ones, or in a plan without any, those with a say.
            carriers = power_roles if plan_has_power_group else rubric._voice_roles or frozenset(group_role.values())

            def _others_have_it(row, gid):
                return any(g != gid and group_role.get(g) in carriers and st == ANSWERED and lv >= met_at
                           for g, st, lv in row.groups)

        for f, where in raised.items():
            power_levels = [lv for _, gid, lv in where
                            if gid is None or not plan_has_power_group or group_role[gid] in power_roles]
            # A capping flag caps where an answer for power shows the safeguard missing; any other raise lowers.
            # A flag's own `cap_at_most` (its level-1 descriptor is the failure itself) holds where no
            # declared group holds power; where one does, the band follows that group, so the rule's applies.
            at_most = cap_at_most[f] if not plan_has_power_group else rules["cap_at_most"]
            cap_levels = power_levels
            if f in capping and spared:
                # `band_rules.cap_spared_where_power_has_it`: a safeguard missing for one of the groups
                # the band follows caps only where no other such group asked the same question has it.
                cap_levels = [lv for cid, gid, lv in where
                              if gid is None or ((not plan_has_power_group or group_role[gid] in power_roles)
                                                 and not _others_have_it(row_of[cid], gid))]
            if f in lower_only and plan_has_power_group:
                # `band_rules.power_holders_lower_only`: the flag, raised for a group that holds power
                # (people serving unpaid on the body that decides), lowers the band and does not cap it;
                # only an answer for no group in particular still caps (a plan with a power-holding group
                # caps on nobody else's answers anyway).
                cap_levels = [lv for _, gid, lv in where if gid is None]
            if f in capping and any(lv <= at_most for lv in cap_levels):
                limit = caps[f]
                capped.add(f)
            else:
                limit = max(caps[f], lowered)
            limits[f] = (limit, bool(power_levels))
        unheard = rules.get("unheard_pipeline")
        if unheard and rubric.no_voice(groups, rows) and not _step_met_by_answers(rubric, unheard["step"], state):
            # `band_rules.unheard_pipeline`: no group with a say, and the answers of the people in the
            # plan reach no decision either: a guardrail failed there caps at the rule's band.
            unheard_band = BAND_ORDER.index(unheard["band"])
            limits = {f: (min(lim, unheard_band) if f in capped else lim, pw) for f, (lim, pw) in limits.items()}
        if floor_rule and _heard(floor_rule, heard_rows, state, steps_met, met_at):
            # Affected people take part directly and their input demonstrably reaches a decision:
            # no flag puts the plan below the floor (non-participation means nobody real is heard).
            floor_band = BAND_ORDER.index(floor_rule["band"])
            limits = {f: (max(lim, floor_band), pw) for f, (lim, pw) in limits.items()}
    band = None
    if answered:
        band = min([pre] + [lim for lim, _ in limits.values()])
        # The IAP2 level is the promise the plan can keep: never above the one its band stands for.
        iap2 = min(iap2, rubric._band_iap2[band])
    return tuple(steps_met), iap2, ladder_band, drop, pre, limits, raised, band


def _step_met_by_answers(rubric: Rubric, step: str, state: Mapping[str, _Row]) -> bool:
    """Whether the ladder rows (``state``) meet ``step`` on their answers alone, whatever holds the
    plan's ladder (`band_rules.voice_roles`)."""
    met_at = rubric.rules["met_at"]
    for name, rule, cids in rubric.ladder:
        if name == step:
            ok = [state[cid].status == ANSWERED and state[cid].level >= met_at for cid in cids if cid in state]
            return bool(ok) and (all(ok) if rule == "all" else any(ok))
    return False


def _heard(floor_rule: Mapping, rows: list[_Row], state: Mapping[str, _Row], steps_met, met_at: int) -> bool:
    """Whether the plan meets `band_rules.heard_floor`: its `step` is met and every one of its
    `criteria` is in scope and answered at `met_at` or above (``rows``: the in-scope rows of those
    criteria outside the ladder; ``state``: the ladder's rows)."""
    if floor_rule["step"] not in steps_met:
        return False
    found = {r.criterion.id: r for r in rows}
    for cid in floor_rule["criteria"]:
        r = found.get(cid) or state.get(cid)
        if r is None or r.status != ANSWERED or r.level < met_at:
            return False
    return True


def _filled_rows(rubric: Rubric, context: Mapping, groups: tuple[Group, ...], plain: Mapping, by_group: Mapping,
                 rows: tuple[_Row, ...], value: int, partial: Mapping = MappingProxyType({})) -> tuple[_Row, ...]:
    """The rows of the answers with every unanswered question (and unanswered explicit group cell)
    set to ``value``; a criterion whose answers this leaves as they are keeps its row."""
    out = []
    for r in rows:
        c = r.criterion
        level = plain.get(c.id)
        cells = by_group.get(c.id, {})
        missing = [gid for gid in cells if cells[gid] is None] if c.per_group and groups else ()
        if missing:
            asked = {g.id for g in groups if g.role in c.group_roles}
            missing = [gid for gid in missing if gid in asked]
        if level is not None and not missing:
            out.append(r)
            continue
        if missing:
            cells = dict(cells)
            for gid in missing:
                cells[gid] = value
        out.append(_answer_row(rubric, c, context, groups, value if level is None else level, cells, partial))
    return tuple(out)


def _moved_rows(rubric: Rubric, context: Mapping, groups: tuple[Group, ...], plain: Mapping, by_group: Mapping,
                rows: tuple[_Row, ...], moves: Mapping, memo: dict | None = None,
                partial: Mapping = MappingProxyType({})) -> tuple[_Row, ...]:
    """The rows of the answers with ``moves`` applied ((criterion, group or None) -> level: a null
    group sets the plain level, a group its cell); the other criteria keep their rows. ``memo``
    keeps the rows already built for the same criterion and changes (one plan, one search)."""
    per: dict[str, list] = {}
    for (cid, gid), lv in moves.items():
        per.setdefault(cid, []).append((gid, lv))
    out = []
    for r in rows:
        change = per.get(r.criterion.id)
        if change is None:
            out.append(r)
            continue
        cid = r.criterion.id
        key = (cid, tuple(change))
        if memo is not None and key in memo:
            out.append(memo[key])
            continue
        level, cells = plain.get(cid), dict(by_group.get(cid, {}))
        for gid, lv in change:
            if gid is None:
                level = lv
            else:
                cells[gid] = lv
        row = _answer_row(rubric, r.criterion, context, groups, level, cells, partial)
        if memo is not None:
            memo[key] = row
        out.append(row)
    return tuple(out)


# --------------------------------------------------------------------------- what would change


def _first_clean_level(c: Criterion, level, below: int, caps: Mapping[str, int]) -> int:
    """The lowest level above ``level`` at which the criterion raises no flag capped below ``below``."""
    start = 0 if type(level) is not int else level + 1
    for lv in range(start, MAX_LEVEL + 1):
        if not any(caps[f] < below for f in c.flags_at(lv)):
            return lv
    return MAX_LEVEL


def _current(row: _Row, gid: str | None):
    if gid is None:
        return row.level if row.status == ANSWERED else None
    for g, st, lv in row.groups:
        if g == gid:
            return lv if st == ANSWERED else None
    return None


def _what_would_change(rubric: Rubric, scope: str, context: Mapping, groups: tuple[Group, ...],
                       plain: Mapping, by_group: Mapping, ev: _Eval, partial: Mapping = MappingProxyType({})) -> dict:
    """SCORING.md step 8: the answers to change to move the band up one, and what holds it down."""
    holding = _holding_down(rubric, ev, groups)
    if ev.band is None or ev.band >= len(BAND_ORDER) - 1:
        return {"target": None, "reachable": False, "moves": [], "holding_down": holding}
    target = ev.band + 1
    caps = rubric._flag_caps
    met_at = rubric.rules["met_at"]
    rows = {r.criterion.id: r for r in ev.rows}
    moves: dict[tuple[str, str | None], int] = {}

    def want(cid: str, gid: str | None, level: int) -> None:
        key = (cid, gid)
        if _current(rows[cid], gid) is not None and _current(rows[cid], gid) >= level:
            return
        if moves.get(key, -1) < level:
            moves[key] = level

    # 1. Every answer raising a flag capped below the target is moved to its first clean level.
    for r in ev.rows:
        for f, gid, lv in r.raises:
            if caps[f] < target:
                want(r.criterion.id, gid, _first_clean_level(r.criterion, lv, target, caps))
    # 2. Enough ladder steps, or the profile, to lift the pre-flag band to the target.
    need = target - (ev.ladder_band - ev.profile_drop)
    if need > 0:
        options = []
        for step, rule, cids in rubric.ladder:
            if step == "inform" or step in ev.steps_met:
                continue
            cost = _step_moves(rows, rule, cids, met_at, groups)
            if cost is not None:  # moves already wanted (step 1) cost nothing more
                options.append([m for m in cost if moves.get(m[:2], -1) < m[2]])
        options.sort(key=len)  # stable: ladder order among equal costs
        plan_a = options[:need] if len(options) >= need else None
        plan_b = None
        if ev.profile_drop and len(options) >= need - 1:
            plan_b = options[:need - 1] + [_profile_moves(rubric, ev)]
        chosen = plan_a
        if plan_b is not None and (plan_a is None or sum(map(len, plan_b)) < sum(map(len, plan_a))):
            chosen = plan_b
        for group_of_moves in chosen or []:
            for cid, gid, lv in group_of_moves:
                want(cid, gid, lv)
    order = list(moves)
    # Only the moved criteria are scored again; every other row is the plan's own.
    memo: dict = {}
    band, _ = _band_only(rubric, groups, _moved_rows(rubric, context, groups, plain, by_group, ev.rows, moves, memo,
                                                     partial))
    if band is None or band < target:
        return {"target": BAND_ORDER[target], "reachable": False, "moves": [], "holding_down": holding}
    # 3. Prune: drop every move the target does not need, last added first.
    for key in reversed(order):
        trial = {k: v for k, v in moves.items() if k != key}
        if _band_only(rubric, groups, _moved_rows(rubric, context, groups, plain, by_group, ev.rows, trial, memo,
                                                  partial))[0] >= target:
            moves = trial
    index = {c.id: c.index for c in rubric.criteria}
    group_index = {g.id: i for i, g in enumerate(groups)}
    out = [{"criterion": cid, "group": gid, "from": _current(rows[cid], gid), "to": lv}
           for (cid, gid), lv in sorted(moves.items(),
                                        key=lambda kv: (index[kv[0][0]], -1 if kv[0][1] is None else group_index[kv[0][1]]))]
    return {"target": BAND_ORDER[target], "reachable": True, "moves": out, "holding_down": holding}


def _step_moves(rows: Mapping[str, _Row], rule: str, cids, met_at: int, groups) -> list | None:
    """The moves that would meet one ladder step, or ``None`` if it cannot be met (n/a, out of scope)."""
    present = [rows[cid] for cid in cids if cid in rows]
    if not present:
        return None
    candidates = []
    for r in present:
        if r.status == NOT_APPLICABLE_STATUS:
            if rule == "all":
                return None
            continue
        if r.status == ANSWERED and r.level >= met_at:
            continue
        gid = None
        if r.groups:  # a per-group question read from its best-placed group: lift that group
            best = max(r.groups, key=lambda cell: -1 if cell[1] != ANSWERED else cell[2])
            gid = best[0]
        candidates.append((r.criterion.id, gid, met_at, -1 if r.level is None else r.level))
    if rule == "all":
        return [(cid, gid, lv) for cid, gid, lv, _ in candidates]
    if not candidates:
        return None
    best = max(candidates, key=lambda cand: cand[3])  # first of the highest current levels
    return [best[:3]]


def _profile_moves(rubric: Rubric, ev: _Eval) -> list:
    """Answers raised to 3, largest gain first, until the profile is no longer low (step 8)."""
    low = rubric.rules["profile_low_percent"]
    earned, answered_max = ev.profile.earned, ev.profile.answered_max
    cands = []
    for r in ev.rows:
        c = r.criterion
        if c.step is not None or r.status == NOT_APPLICABLE_STATUS or (c.per_group and r.groups):
            continue
        current = r.level if r.status == ANSWERED else None
        if current == MAX_LEVEL:
            continue
        cands.append((-(c.points * (MAX_LEVEL - (current or 0))), c.index, c, current))
    cands.sort(key=lambda x: (x[0], x[1]))
    out = []
    for _, _, c, current in cands:
        if 100 * earned >= low * answered_max:
            break
        earned += c.points * (MAX_LEVEL - (current or 0))
        if current is None:
            answered_max += 3 * c.points
        out.append((c.id, None, MAX_LEVEL))
    return out


def _holding_down(rubric: Rubric, ev: _Eval, groups: tuple[Group, ...]) -> list[dict]:
    """The answers that hold the band where it is (SCORING.md step 8); no ladder step when the plan's
    groups give affected people no say (no answer moves it then)."""
    if ev.band is None:
        return []
    out = []
    for f in sorted(ev.flag_limits, key=rubric._flag_rank.__getitem__):
        if ev.flag_limits[f][0] == ev.band:
            out.extend({"kind": "red-flag", "id": f, "criterion": cid, "group": gid, "level": lv}
                       for cid, gid, lv in ev.raised[f])
    if ev.pre_band == ev.band and ev.profile_drop and ev.ladder_band > ev.pre_band:
        out.append({"kind": "profile", "id": "profile", "criterion": None, "group": None, "level": None})
    if ev.pre_band == ev.band and ev.ladder_band == ev.band and not rubric.no_voice(groups, ev.rows):
        rows = {r.criterion.id: r for r in ev.rows}
        met_at = rubric.rules["met_at"]
        for step, _rule, cids in rubric.ladder:
            if step == "inform" or step in ev.steps_met:
                continue
            for cid in cids:
                r = rows.get(cid)
                if r is not None and not (r.status == ANSWERED and r.level >= met_at):
                    out.append({"kind": "ladder", "id": step, "criterion": cid, "group": None,
                                "level": r.level if r.status == ANSWERED else None})
    return out


# --------------------------------------------------------------------------- the score


@dataclass(slots=True, eq=False, repr=False)
class Score:
    """The result of scoring one assessment. ``to_dict()`` is the documented, JSON-ready form.

    Band and IAP2 levels are indexes in ``BAND_ORDER`` and ``IAP2_ORDER``. The "what would
    change" search (SCORING.md step 8) runs on first use of ``what_would_change``.
    """

    rubric: Rubric
    scope: str
    plan: dict
    context: dict
    groups: tuple[Group, ...]
    _ev: _Eval
    iap2_high: int
    band_low: int | None
    band_high: int | None
    band_limits: tuple[BandLimit, ...]
    red_flags: tuple[FlagResult, ...]
    unconfirmed_flags: tuple[FlagResult, ...]
    confidence: str
    _answers: tuple = ()
    _change: dict | None = field(default=None, init=False)

    # -- convenient views
    @property
    def rubric_id(self) -> str:
        return self.rubric.id

    @property
    def rubric_version(self) -> str:
        return self.rubric.version

    @property
    def band(self) -> int | None:
        return self._ev.band

    @property
    def band_id(self) -> str | None:
        return None if self._ev.band is None else BAND_ORDER[self._ev.band]

    @property
    def iap2(self) -> int:
        return self._ev.iap2

    @property
    def iap2_level(self) -> str:
        return IAP2_ORDER[self._ev.iap2]

    @property
    def overall(self) -> Tally:
        return self._ev.overall

    @property
    def profile(self) -> Tally:
        return self._ev.profile

    @property
    def themes(self) -> tuple[tuple[str, Tally], ...]:
        return self._ev.themes

    @property
    def flag_ids(self) -> list[str]:
        return [f.flag for f in self.red_flags]

    @property
    def levels(self) -> tuple:
        """The effective level of each criterion in scope, in rubric order (n/a and None kept)."""
        return tuple(r.level if r.status == ANSWERED else (NOT_APPLICABLE if r.status == NOT_APPLICABLE_STATUS else None)
                     for r in self._ev.rows)

    def theme(self, theme_id: str) -> Tally:
        return dict(self._ev.themes)[theme_id]

    @property
    def next_step(self) -> str | None:
        """The first ladder step the plan does not meet (``None`` when it meets them all)."""
        return next((s for s, _, _ in self.rubric.ladder if s not in self._ev.steps_met), None)

    @property
    def next_step_blocked_by(self) -> tuple[str, ...]:
        step = self.next_step
        met_at = self.rubric.rules["met_at"]
        rows = {r.criterion.id: r for r in self._ev.rows}
        for s, _, cids in self.rubric.ladder:
            if s == step:
                return tuple(cid for cid in cids if cid in rows
                             and not (rows[cid].status == ANSWERED and rows[cid].level >= met_at))
        return ()

    @property
    def what_would_change(self) -> dict:
        if self._change is None:
            plain, by_group, partial = self._answers
            self._change = _what_would_change(self.rubric, self.scope, self.context, self.groups,
                                              plain, by_group, self._ev, partial)
        return self._change

    @property
    def partly_met(self) -> tuple[dict, ...]:
        """The answers marked ``partial`` (level 1, part of level 2 there) that count, in rubric
        order and then group order: ``{criterion, group, flags, next_step}``, with the flags the
        answer did not raise (SCORING.md step 2) and the level-2 descriptor as what is missing."""
        return tuple({"criterion": r.criterion.id, "group": gid, "flags": list(flags), "next_step": r.criterion.levels[2]}
                     for r in self._ev.rows for gid, flags in r.partly)

    @property
    def contributions(self) -> tuple[Contribution, ...]:
        """One row per criterion in scope, in rubric order (SCORING.md step 2)."""
        out = []
        for r in self._ev.rows:
            c = r.criterion
            answered = r.status == ANSWERED
            flags = tuple(dict.fromkeys(f for f, _, _ in r.raises))
            cells = tuple({"group": gid, "status": st, "level": lv if st == ANSWERED else None,
                           "flags": list(dict.fromkeys(f for f, g, _ in r.raises if g == gid))}
                          for gid, st, lv in r.groups)
            out.append(Contribution(c.id, c.theme, c.points, r.status, r.reason, r.level if answered else None,
                                    c.points * r.level if answered else 0, 3 * c.points if answered else 0,
                                    c.step, c.step is None, flags, cells))
        return tuple(out)

    @property
    def actions(self) -> tuple[Action, ...]:
        """Prioritised actions, most urgent first (SCORING.md step 9)."""
        caps = self.rubric._flag_caps
        nxt = self.next_step
        blocked = set(self.next_step_blocked_by)
        met_at = self.rubric.rules["met_at"]
        stage = self.plan.get("lifecycle_stage")
        keyed = []
        for r in self._ev.rows:
            c = r.criterion
            if r.status == NOT_APPLICABLE_STATUS or (r.status == ANSWERED and r.level == MAX_LEVEL and not r.raises):
                continue
            level = r.level if r.status == ANSWERED else None
            group = None
            if r.raises:
                worst = min(lv for _, _, lv in r.raises)
                group = next(g for _, g, lv in r.raises if lv == worst)
                kind, target = "red-flag", _first_clean_level(c, worst, len(BAND_ORDER), caps)
                level = worst if level is None else min(level, worst)
            elif level is None and c.raises:
                kind, target = "unanswered-guardrail", None
            elif c.id in blocked and c.step == nxt:
                kind, target = "next-level-gate", (met_at if level is not None else None)
            elif level is not None:
                kind, target = "improve", level + 1
            else:
                kind, target = "unanswered", None
            gain = None if target is None else c.points * (target - level)
            missing = c.points * (MAX_LEVEL - (level or 0))
            key = (ACTION_KINDS.index(kind), -missing, 0 if stage in c.stages else 1, c.index)
            keyed.append((key, Action(kind, c.id, c.theme, level, target, gain, group)))
        keyed.sort(key=lambda x: x[0])
        return tuple(a for _, a in keyed)

    def to_dict(self) -> dict:
        """Plain JSON types only; the keys and their meaning are specified in SCORING.md."""
        rubric = self.rubric
        flags = rubric.red_flags
        ev = self._ev
        overall = ev.overall
        n_in_scope = len(ev.rows)
        power_roles = {rid for rid, r in rubric.roles.items() if r["holds_power"]}
        any_power = any(g.role in power_roles for g in self.groups)
        group_flags: dict[str, list[str]] = {g.id: [] for g in self.groups}
        group_levels: dict[str, dict] = {g.id: {} for g in self.groups}
        for r in ev.rows:
            for gid, st, lv in r.groups:
                group_levels[gid][r.criterion.id] = lv if st == ANSWERED else (NOT_APPLICABLE if st == NOT_APPLICABLE_STATUS else None)
        for f in self.flag_ids:
            for _, gid, _ in ev.raised[f]:
                if gid is not None and f not in group_flags[gid]:
                    group_flags[gid].append(f)
        actions = []
        for rank, a in enumerate(self.actions, start=1):
            c = rubric.by_id[a.criterion]
            actions.append({"rank": rank, "criterion": a.criterion, "kind": a.kind, "theme": a.theme,
                            "group": a.group, "level": a.level, "target_level": a.target_level, "gain": a.gain,
                            "action": c.action, "who": c.who, "explained_in": c.explained_in})
        return {
            "rubric": {"id": rubric.id, "version": rubric.version},
            "scope": self.scope,
            "plan": dict(self.plan),
            "context": dict(self.context),
            "band": {
                "id": self.band_id,
                "low": None if self.band_low is None else BAND_ORDER[self.band_low],
                "high": None if self.band_high is None else BAND_ORDER[self.band_high],
                "limited_by": [{"kind": k, "id": v} for k, v in self.band_limits],
                "ladder": BAND_ORDER[ev.ladder_band],
                "profile_drop": ev.profile_drop,
            },
            "iap2": {
                "level": self.iap2_level,
                "index": ev.iap2,
                "high": IAP2_ORDER[self.iap2_high],
                "steps_met": list(ev.steps_met),
                "next_step": self.next_step,
                "next_step_blocked_by": list(self.next_step_blocked_by),
            },
            "overall": overall.to_dict(),
            "profile": {"earned": ev.profile.earned, "answered_max": ev.profile.answered_max,
                        "percent": ev.profile.percent, "low_percent": rubric.rules["profile_low_percent"],
                        "drop": ev.profile_drop},
            "themes": [{"id": t, "explained_in": f"theme-{t}", **tally.to_dict()} for t, tally in ev.themes],
            "groups": [{"id": g.id, "label": g.label, "role": g.role,
                        "holds_power": g.role in power_roles or not any_power,
                        "red_flags": group_flags[g.id], "levels": group_levels[g.id]} for g in self.groups],
            "red_flags": [
                {"id": f.flag, "kind": flags[f.flag]["kind"], "cap": flags[f.flag]["cap"],
                 "limit": BAND_ORDER[ev.flag_limits[f.flag][0]], "power": ev.flag_limits[f.flag][1],
                 "raised_by": list(f.criteria), "groups": list(f.groups), "explained_in": flags[f.flag]["explained_in"]}
                for f in self.red_flags
            ],
            "unconfirmed_flags": [
                {"id": f.flag, "cap": flags[f.flag]["cap"], "unanswered": list(f.criteria),
                 "explained_in": flags[f.flag]["explained_in"]}
                for f in self.unconfirmed_flags
            ],
            "completeness": {
                "in_scope": n_in_scope,
                "answered": overall.answered,
                "not_applicable": overall.not_applicable,
                "unanswered": overall.unanswered,
                "percent": round_percent(overall.answered + overall.not_applicable, n_in_scope),
                "confidence": self.confidence,
            },
            "what_would_change": self.what_would_change,
            "partly_met": list(self.partly_met),
            "contributions": [
                {"criterion": c.criterion, "theme": c.theme, "weight_points": c.weight_points, "status": c.status,
                 "reason": c.reason, "level": c.level, "points": c.points, "max_points": c.max_points,
                 "step": c.step, "in_profile": c.in_profile, "flags": list(c.flags), "groups": list(c.groups)}
                for c in self.contributions
            ],
            "actions": actions,
        }

    def __repr__(self) -> str:
        return (f"Score(band={self.band_id!r}, iap2={self.iap2_level!r}, overall={self.overall.percent}, "
                f"red_flags={self.flag_ids}, confidence={self.confidence!r})")


def answer_levels(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Map criterion id -> level (int, "n/a" or None) from an ``answers`` mapping."""
    out = {}
    for cid, a in answers.items():
        if isinstance(a, Mapping):
            out[cid] = a.get("level")
        else:
            out[cid] = getattr(a, "level", a)
    return out


def group_answer_levels(answers: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Map criterion id -> {group id: level} from the ``by_group`` parts of an ``answers`` mapping."""
    out = {}
    for cid, a in answers.items():
        cells = a.get("by_group") if isinstance(a, Mapping) else getattr(a, "by_group", None)
        if cells:
            out[cid] = {gid: (cell.get("level") if isinstance(cell, Mapping) else getattr(cell, "level", cell))
                        for gid, cell in cells.items()}
    return out


def answer_partials(answers: Mapping[str, Any]) -> dict[str, frozenset]:
    """Map criterion id -> the keys of its answers marked ``partial: true`` (None for the plain
    answer, a group id for a group's own answer), from an ``answers`` mapping of dicts or
    ``Answer`` objects; criteria without such an answer are left out."""
    def marked(a) -> bool:
        return (a.get("partial") if isinstance(a, Mapping) else getattr(a, "partial", False)) is True

    out = {}
    for cid, a in answers.items():
        cells = a.get("by_group") if isinstance(a, Mapping) else getattr(a, "by_group", None)
        keys = ({None} if marked(a) else set()) | {gid for gid, cell in (cells or {}).items() if marked(cell)}
        if keys:
            out[cid] = frozenset(keys)
    return out


def _groups_of(raw) -> tuple[Group, ...]:
    out = []
    for g in raw or ():
        if isinstance(g, Group):
            out.append(g)
        elif isinstance(g, Mapping):
            out.append(Group(g["id"], g.get("label", g["id"]), g["role"]))
        else:
            out.append(Group(g.id, g.label, g.role))
    return tuple(out)


def score_plan(assessment, rubric: Rubric | None = None) -> Score:
    """Score an assessment against the rubric, following ``widgets/rubric/SCORING.md`` exactly.

    ``assessment`` is an ``Assessment`` (from ``load_assessment``, already validated and migrated)
    or a mapping with ``answers`` ({criterion id: {"level": 0-3 | "n/a" | None, "by_group": {...}}})
    and optionally ``scope``, ``context``, ``groups``, ``team``, ``product``, ``model_type``,
    ``lifecycle_stage`` and ``date``. Answers to criteria outside the scope are ignored.
    """
    if rubric is None:
        rubric = load_rubric()
    if isinstance(assessment, Mapping):
        from ._assessment import validate_plan  # the file format's answer rules, for a plan given as a dict

        validate_plan(assessment, rubric)
        answers = assessment.get("answers") or {}
        plain = answer_levels(answers)
        by_group = group_answer_levels(answers)
        partial = answer_partials(answers)
        scope = assessment.get("scope") or "full"
        plan = {k: assessment.get(k) for k in ("team", "product", "model_type", "lifecycle_stage", "date")}
        context = {**CONTEXT_DEFAULTS, **(assessment.get("context") or {})}
        groups = _groups_of(assessment.get("groups"))
    else:
        plain = assessment.levels
        by_group = assessment.group_levels
        partial = answer_partials(assessment.answers)
        scope = assessment.scope
        plan = assessment.plan_info()
        context = {**CONTEXT_DEFAULTS, **assessment.context}
        groups = _groups_of(assessment.groups)
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, not {scope!r}")
    ev = _evaluate(rubric, scope, context, groups, plain, by_group, partial)
    # The bounds score again only the criteria with an unanswered part.
    low_band, _ = _band_only(rubric, groups, _filled_rows(rubric, context, groups, plain, by_group, ev.rows, 0, partial))
    high_band, high_iap2 = _band_only(rubric, groups, _filled_rows(rubric, context, groups, plain, by_group, ev.rows,
                                                                   MAX_LEVEL, partial))

    limits: list[BandLimit] = []
    if ev.band is not None:
        if context["participants"] == INFORM_ONLY and ev.band == ev.ladder_band:
            limits.append(BandLimit("context", INFORM_ONLY))
        elif ev.band == ev.ladder_band and ev.band == ev.pre_band and rubric.no_voice(groups, ev.rows):
            limits.append(BandLimit("context", NO_VOICE))
        elif ev.band == ev.ladder_band and ev.band == ev.pre_band:
            limits.append(BandLimit("ladder", next((s for s, _, _ in rubric.ladder
                                                    if s != "inform" and s not in ev.steps_met), "empower")))
        if ev.profile_drop and ev.band == ev.pre_band and ev.pre_band < ev.ladder_band:
            limits.append(BandLimit("profile", BAND_ORDER[ev.pre_band]))
        for f in sorted(ev.flag_limits, key=rubric._flag_rank.__getitem__):
            if ev.flag_limits[f][0] == ev.band:
                limits.append(BandLimit("red-flag", f))
    all_na = ev.overall.answered + ev.overall.unanswered == 0
    band_low = None if all_na else low_band
    band_high = None if all_na else high_band

    n = len(ev.rows)
    done = ev.overall.answered + ev.overall.not_applicable
    if ev.overall.answered == 0:
        confidence = "none"
    elif 10 * done >= 9 * n and band_low == band_high:
        confidence = "high"
    elif 10 * done >= 6 * n:
        confidence = "medium"
    else:
        confidence = "low"

    rank = rubric._flag_rank.__getitem__
    raised = tuple(FlagResult(f, tuple(dict.fromkeys(cid for cid, _, _ in ev.raised[f])),
                              tuple(dict.fromkeys(gid for _, gid, _ in ev.raised[f] if gid is not None)))
                   for f in sorted(ev.raised, key=rank))
    unconfirmed: dict[str, list[str]] = {}
    for r in ev.rows:
        c = r.criterion
        if not c.raises or r.status == NOT_APPLICABLE_STATUS:
            continue
        if r.status == UNANSWERED or any(st == UNANSWERED for _, st, _ in r.groups):
            for f in c.flags:
                if f not in ev.raised:
                    unconfirmed.setdefault(f, [])
                    if c.id not in unconfirmed[f]:
                        unconfirmed[f].append(c.id)
    unconfirmed_flags = tuple(FlagResult(f, tuple(unconfirmed[f])) for f in sorted(unconfirmed, key=rank))
    return Score(rubric, scope, plan, context, groups, ev, high_iap2, band_low, band_high, tuple(limits),
                 raised, unconfirmed_flags, confidence, (dict(plain), {k: dict(v) for k, v in by_group.items()}, partial))
