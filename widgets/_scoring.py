"""Load the engagement-plan rubric and score an assessment against it.

The algorithm is specified step by step in ``widgets/rubric/SCORING.md``; a JavaScript port runs
the same steps and a parity test compares ``Score.to_dict()`` on shared fixtures. Everything here
is integer arithmetic until the final rounding, so both languages agree to the last digit.
The book chapter "The rubric" (``book/selfassessment/01-rubric.md``) explains the method.
"""

from __future__ import annotations

import functools
import json
from operator import mul
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Mapping
from typing import Any

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
class _Core:
    ids: tuple[str, ...]
    themes: tuple[tuple, ...]
    flags: tuple[tuple, ...]
    gates: tuple[tuple, ...]
    gates_by_level: tuple[tuple[int, tuple[int, ...]], ...]
    full_max: int


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
    def _compiled(self) -> dict[str, tuple]:
        # Precomputed per scope for speed: the scorer loops over plain tuples.
        out = {}
        for scope in SCOPES:
            out[scope] = tuple(
                (c.id, c.theme, c.points, IAP2_ORDER.index(c.gate) if c.gate else 0, c.flag,
                 -1 if c.flag_at_or_below is None else c.flag_at_or_below, c.stages, c.index, c.gate)
                for c in self.in_scope(scope)
            )
        return out

    @functools.cached_property
    def _core(self) -> dict[str, "_Core"]:
        # What the summary pass needs, per scope: ids in order, theme slices, flag and gate rows.
        out = {}
        caps = self._flag_caps
        for scope in SCOPES:
            crit = self.in_scope(scope)
            themes = []
            for t in self._theme_order:
                pos = [i for i, c in enumerate(crit) if c.theme == t]
                start, end = (pos[0], pos[-1] + 1) if pos else (0, 0)
                pts = tuple(c.points for c in crit[start:end])
                themes.append((t, start, end, pts, 3 * sum(pts)))
            flags = tuple((i, c.id, c.flag, c.flag_at_or_below, caps[c.flag]) for i, c in enumerate(crit) if c.flag)
            gates = tuple((i, IAP2_ORDER.index(c.gate)) for i, c in enumerate(crit) if c.gate)
            by_level = tuple((k, tuple(i for i, g in gates if g == k)) for k in range(1, len(IAP2_ORDER)))
            out[scope] = _Core(tuple(c.id for c in crit), tuple(themes), flags, gates, by_level,
                               sum(3 * c.points for c in crit))
        return out

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


# --------------------------------------------------------------------------- scoring


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
        return {
            "earned": self.earned, "answered_max": self.answered_max, "unanswered_max": self.unanswered_max,
            "applicable_max": self.applicable_max, "percent": self.percent,
            "low_percent": self.low_percent, "high_percent": self.high_percent,
            "answered": self.answered, "not_applicable": self.not_applicable, "unanswered": self.unanswered,
        }


# Action kinds, in priority order (SCORING.md step 8).
ACTION_KINDS = ("red-flag", "unanswered-guardrail", "next-level-gate", "improve", "unanswered")
ANSWERED, NOT_APPLICABLE_STATUS, UNANSWERED = "answered", "not-applicable", "unanswered"


class Score:
    """The result of scoring one assessment. ``to_dict()`` is the documented, JSON-ready form.

    The summary (band, IAP2 level, tallies, red flags, completeness) is computed by
    ``score_plan``; the per-criterion ``contributions`` and the prioritised ``actions`` are derived
    from the same answers on first use, so every number traces to the answers that produced it.
    """

    __slots__ = ("rubric", "scope", "plan", "levels", "overall", "_theme_sums", "iap2", "iap2_high",
                 "band", "band_low", "band_high", "band_limits", "red_flags", "unconfirmed_flags",
                 "confidence", "_themes", "_contributions", "_actions")

    def __init__(self, rubric, scope, plan, levels, overall, theme_sums, iap2, iap2_high, band, band_low,
                 band_high, band_limits, red_flags, unconfirmed_flags, confidence):
        self.rubric = rubric
        self.scope = scope
        self.plan = plan
        self.levels = levels
        self.overall = overall
        self._theme_sums = theme_sums
        self.iap2 = iap2
        self.iap2_high = iap2_high
        self.band = band
        self.band_low = band_low
        self.band_high = band_high
        self.band_limits = band_limits
        self.red_flags = red_flags
        self.unconfirmed_flags = unconfirmed_flags
        self.confidence = confidence
        self._themes = None
        self._contributions = None
        self._actions = None

    @property
    def themes(self) -> tuple[tuple[str, "Tally"], ...]:
        """(theme id, Tally) for every theme, in rubric order (SCORING.md step 3)."""
        if self._themes is None:
            self._themes = tuple((t, Tally(*sums)) for t, sums in self._theme_sums)
        return self._themes

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
        return [f for f, _ in self.red_flags]

    def theme(self, theme_id: str) -> Tally:
        return dict(self.themes)[theme_id]

    @property
    def iap2_blocked_by(self) -> tuple[str, ...]:
        """Gate criteria of the next IAP2 level that are not yet met (answered at 2 or more)."""
        nxt = self.iap2 + 1
        if nxt >= len(IAP2_ORDER):
            return ()
        return tuple(row[0] for row, lv in zip(self.rubric._compiled[self.scope], self.levels)
                     if row[3] == nxt and not (type(lv) is int and lv >= GATE_LEVEL))

    @property
    def contributions(self) -> tuple[tuple, ...]:
        """One row per criterion in scope (SCORING.md step 2):
        (criterion, theme, weight_points, status, level, points, max_points, gate, flag, flag_raised)."""
        if self._contributions is None:
            rows = []
            for row, lv in zip(self.rubric._compiled[self.scope], self.levels):
                cid, theme, pts, _gate, flag, flag_max, _stages, _index, gate_id = row
                if lv is None:
                    rows.append((cid, theme, pts, UNANSWERED, None, 0, 0, gate_id, flag, False))
                elif lv == NOT_APPLICABLE:
                    rows.append((cid, theme, pts, NOT_APPLICABLE_STATUS, None, 0, 0, gate_id, flag, False))
                else:
                    rows.append((cid, theme, pts, ANSWERED, lv, pts * lv, 3 * pts, gate_id, flag,
                                 bool(flag) and lv <= flag_max))
            self._contributions = tuple(rows)
        return self._contributions

    @property
    def actions(self) -> tuple[tuple, ...]:
        """Prioritised actions (SCORING.md step 8): (kind, criterion, theme, level, target_level, gain)."""
        if self._actions is None:
            stage = self.plan.get("lifecycle_stage")
            next_gate = self.iap2 + 1
            keyed = []
            for c, row in zip(self.contributions, self.rubric._compiled[self.scope]):
                cid, theme, pts, status, level, _p, _m, _g, flag, flag_raised = c
                gate, stages, index = row[3], row[6], row[7]
                if status == NOT_APPLICABLE_STATUS or (status == ANSWERED and level >= MAX_LEVEL):
                    continue
                if flag_raised:
                    kind, target = 0, max(level + 1, GATE_LEVEL)
                elif status == UNANSWERED and flag:
                    kind, target = 1, None
                elif gate == next_gate and (status == UNANSWERED or level < GATE_LEVEL):
                    kind, target = 2, None if status == UNANSWERED else GATE_LEVEL
                elif status == ANSWERED:
                    kind, target = 3, level + 1
                else:
                    kind, target = 4, None
                gain = None if target is None else pts * (target - level)
                missing = pts * (MAX_LEVEL - (level or 0))
                keyed.append(((kind, -missing, 0 if stage in stages else 1, index),
                              (ACTION_KINDS[kind], cid, theme, level, target, gain)))
            keyed.sort(key=lambda kv: kv[0])
            self._actions = tuple(a for _, a in keyed)
        return self._actions

    def to_dict(self) -> dict:
        """Plain JSON types only; the keys and their meaning are specified in SCORING.md."""
        rubric = self.rubric
        flags = rubric.red_flags
        n_in_scope = len(self.levels)
        done = self.overall.answered + self.overall.not_applicable
        by_id = rubric.by_id
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
            "overall": self.overall.to_dict(),
            "themes": [dict(id=t, explained_in=f"theme-{t}", **tally.to_dict()) for t, tally in self.themes],
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
                "answered": self.overall.answered,
                "not_applicable": self.overall.not_applicable,
                "unanswered": self.overall.unanswered,
                "percent": round_percent(done, n_in_scope),
                "confidence": self.confidence,
            },
            "contributions": [
                {"criterion": cid, "theme": theme, "weight_points": pts, "status": status, "level": level,
                 "points": points, "max_points": max_points, "gate": gate, "flag": flag, "flag_raised": raised}
                for (cid, theme, pts, status, level, points, max_points, gate, flag, raised) in self.contributions
            ],
            "actions": [
                {"rank": rank, "criterion": cid, "kind": kind, "theme": theme, "level": level,
                 "target_level": target, "gain": gain, "action": by_id[cid].action,
                 "who": by_id[cid].who, "explained_in": by_id[cid].explained_in}
                for rank, (kind, cid, theme, level, target, gain) in enumerate(self.actions, start=1)
            ],
        }

    def __repr__(self) -> str:
        return (f"Score(band={self.band_id!r}, iap2={self.iap2_level!r}, overall={self.overall.percent}, "
                f"red_flags={self.flag_ids}, confidence={self.confidence!r})")


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
    caps_of = rubric._flag_caps

    # Steps 2-4: integer sums per theme. Criteria are stored theme by theme, so each theme is a
    # slice; when every answer is a level, themes are summed in C (sum of map).
    core = rubric._core[scope]
    get = levels.get
    lvs = [get(cid) for cid in core.ids]
    theme_sums = []
    if None not in lvs and NOT_APPLICABLE not in lvs:
        te = 0
        for theme_id, start, end, pts, full_max in core.themes:
            e = sum(map(mul, pts, lvs[start:end]))
            te += e
            theme_sums.append((theme_id, (e, full_max, 0, end - start, 0, 0)))
        overall = Tally(te, core.full_max, 0, len(lvs), 0, 0)
    else:
        te = tam = tum = tan = tna = tua = 0
        for theme_id, start, end, pts, full_max in core.themes:
            e = am = um = na = ua = an = 0
            for p, level in zip(pts, lvs[start:end]):
                if level is None:
                    um += 3 * p
                    ua += 1
                elif level == NOT_APPLICABLE:
                    na += 1
                else:
                    e += p * level
                    am += 3 * p
                    an += 1
            theme_sums.append((theme_id, (e, am, um, an, na, ua)))
            te += e
            tam += am
            tum += um
            tan += an
            tna += na
            tua += ua
        overall = Tally(te, tam, tum, tan, tna, tua)

    # Red flags: raised by an answer at or below the criterion's threshold; unconfirmed if unanswered.
    raised: dict[str, list[str]] = {}
    unconfirmed: dict[str, list[str]] = {}
    low_caps: list[int] = []
    for pos, cid, flag, flag_max, cap in core.flags:
        level = lvs[pos]
        if level is None:
            if flag in unconfirmed:
                unconfirmed[flag].append(cid)
            else:
                unconfirmed[flag] = [cid]
            low_caps.append(cap)
        elif level != NOT_APPLICABLE and level <= flag_max:
            if flag in raised:
                raised[flag].append(cid)
            else:
                raised[flag] = [cid]

    # Step 5: IAP2 level, as given (unanswered gates not met) and with unanswered gates met.
    iap2 = iap2_high = 0
    point_ok = high_ok = True
    for level_index, positions in core.gates_by_level:
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

    # Step 6: band, with its low and high bounds.
    thresholds = rubric._band_thresholds
    if len(raised) > 1:
        raised_order = sorted(raised, key=rubric._flag_rank.__getitem__)
    else:
        raised_order = list(raised)
    raised_caps = [caps_of[f] for f in raised_order]
    limits: list[tuple[str, str]] = []
    if overall.answered == 0:
        band = None
    else:
        band, by_score, _cap = _band_index(iap2, overall.earned, overall.answered_max, thresholds, raised_caps)
        if iap2 == band:
            limits.append(("iap2", IAP2_ORDER[iap2]))
        if by_score == band:
            limits.append(("score", BAND_ORDER[by_score]))
        for f in raised_order:
            if caps_of[f] == band:
                limits.append(("red-flag", f))
    if overall.answered + overall.unanswered == 0:
        band_low = band_high = None
    else:
        applicable = overall.answered_max + overall.unanswered_max
        band_low = _band_index(iap2, overall.earned, applicable, thresholds, raised_caps + low_caps)[0]
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
        unconfirmed_flags = tuple((f, tuple(unconfirmed[f]))
                                  for f in sorted(unconfirmed, key=rubric._flag_rank.__getitem__) if f not in raised)
    else:
        unconfirmed_flags = ()
    return Score(rubric, scope, plan, tuple(lvs), overall, theme_sums, iap2, iap2_high, band, band_low,
                 band_high, tuple(limits), tuple((f, tuple(raised[f])) for f in raised_order),
                 unconfirmed_flags, confidence)
